using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Data;
using RevLoop.Integration;
using RevLoop.Platform;
using RevLoop.Server.Hosting;
using RevLoop.Server.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Integration;

/// <summary>
/// At-least-once across a crash: the real `revloop serve` process is SIGKILLed while deliveries are in flight, started
/// again on the same database, and every event still reaches the receiver.
/// </summary>
public class WebhookKillTests(ITestOutputHelper output)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private void Step(string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds:0.00} s: {what}");

    private const int Accounts = 20;
    private const int LeaseSeconds = 4; // HTTP timeout: half of it, 2 s

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Deliveries_in_flight_when_the_server_is_killed_are_delivered_after_a_restart(string provider)
    {
        var target = Providers.NewDatabase(provider);
        var databaseArg = provider == "sqlite" ? new SqliteConnectionStringBuilder(target.ConnectionString).DataSource : target.ConnectionString;
        await using var data = DataServices(target);
        await ServerApp.MigrateAsync(data);
        Step("migrated");
        var token = await AdminTokenAsync(data);

        // Phase 1 the receiver takes every request and holds its answer (the delivery stays in flight); phase 2 answers 200.
        var phase = 1;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acknowledged = new ConcurrentDictionary<string, int>();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Reply = async r =>
        {
            if (Volatile.Read(ref phase) == 1)
            {
                await release.Task.WaitAsync(TimeSpan.FromSeconds(60));
                return new ReceiverReply(503);
            }
            acknowledged.AddOrUpdate(r.EventId, 1, (_, n) => n + 1);
            return ReceiverReply.Ok;
        };

        var port = PostgresServer.FreePort();
        var first = ServeProcess.Start(databaseArg, port, LeaseSeconds);
        ServeProcess? second = null;
        try
        {
            await first.WaitHealthyAsync(TimeSpan.FromSeconds(180));
            Step("first serve healthy");
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            await api.CreateWebhookAsync(receiver.Url(), "account.created", "whsec_kill_test_secret_value");

            var accountIds = await Task.WhenAll(Enumerable.Range(1, Accounts).Select(i => api.CreateAccountAsync($"Kill Test {i:00}")));
            var eventIds = await ScopedAsync(data, db => db.OutboxEvents.Where(e => e.Type == "account.created" && accountIds.Contains(e.EntityId)).Select(e => e.Id).ToListAsync());
            Assert.Equal(Accounts, eventIds.Count);
            Step($"{Accounts} accounts created; received so far {receiver.Received.Count}");

            // Kill while a request is surely in flight: one that arrived less than a second ago (the server waits up to 2 s for it).
            var recent = new List<ReceivedWebhook>();
            await Eventually.HoldsAsync(() =>
            {
                recent = receiver.Received.Where(r => TimeProvider.System.GetUtcNow() - r.ReceivedAt < TimeSpan.FromSeconds(1)).ToList();
                if (recent.Count == 0) return false;
                first.Kill();
                return true;
            }, TimeSpan.FromSeconds(30), "a delivery in flight");
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
            var inFlight = recent.Select(r => Guid.Parse(r.EventId)).ToHashSet();
            Step($"killed with {inFlight.Count} in flight, {receiver.Received.Count} received");
            Assert.NotEmpty(inFlight);

            // The killed node never learnt the outcome: those deliveries are still pending, under the dead node's lease.
            var leftBehind = await ScopedAsync(data, db => db.WebhookDeliveries.AsNoTracking().Where(d => inFlight.Contains(d.EventId)).ToListAsync());
            Assert.Equal(inFlight.Count, leftBehind.Count);
            Assert.All(leftBehind, d => Assert.Equal((WebhookDeliveryStatus.Pending, true), (d.Status, d.LeasedUntil is not null)));
            Assert.Equal(0, await ScopedAsync(data, db => db.WebhookDeliveries.CountAsync(d => d.Status == WebhookDeliveryStatus.Delivered)));

            Volatile.Write(ref phase, 2);
            release.SetResult();
            second = ServeProcess.Start(databaseArg, port, LeaseSeconds);
            await second.WaitHealthyAsync(TimeSpan.FromSeconds(180));
            Step("second serve healthy");

            await Eventually.HoldsAsync(() => eventIds.All(id => acknowledged.ContainsKey(id.ToString())), TimeSpan.FromSeconds(45),
                $"all {Accounts} events acknowledged after the restart (in flight at the kill: {inFlight.Count})");
            await Eventually.HoldsAsync(async () => await ScopedAsync(data, db => db.WebhookDeliveries.CountAsync(d => d.Status == WebhookDeliveryStatus.Delivered)) == Accounts,
                TimeSpan.FromSeconds(15), "every delivery marked delivered");
            Step($"all delivered; {receiver.Received.Count} requests received in total");

            var afterRestart = receiver.Received.Where(r => acknowledged.ContainsKey(r.EventId)).ToList();
            Assert.All(afterRestart, r => Assert.True(SignatureCheck.Verify(r.Header("RevLoop-Signature")!, r.Body, "whsec_kill_test_secret_value", TimeProvider.System.GetUtcNow())));
            // Each delivery that was in flight at the kill was sent again (a duplicate, as at-least-once allows) and acknowledged.
            Assert.All(inFlight, id => Assert.True(receiver.Received.Count(r => r.EventId == id.ToString()) >= 2, $"{id} sent again after the restart"));
            Assert.Equal(eventIds.Order(), receiver.Received.Select(r => Guid.Parse(r.EventId)).Distinct().Order());
        }
        catch (Exception) when (Dump(first, second))
        {
            throw;
        }
        finally
        {
            release.TrySetResult();
            first.Dispose();
            second?.Dispose();
        }
    }

    /// <summary>On failure, the server processes' output goes to the test output; the exception is not caught.</summary>
    private bool Dump(ServeProcess first, ServeProcess? second)
    {
        output.WriteLine("--- first serve process ---\n" + first.Output + "\n--- second serve process ---\n" + second?.Output);
        return false;
    }

    private static ServiceProvider DataServices(DatabaseTarget target)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddRevLoopData(target);
        return services.BuildServiceProvider();
    }

    private static async Task<T> ScopedAsync<T>(IServiceProvider services, Func<RevLoopDb, Task<T>> action)
    {
        using var scope = services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<RevLoopDb>());
    }

    private static Task<string> AdminTokenAsync(IServiceProvider services) => ScopedAsync(services, async db =>
    {
        var email = "kill-test-admin@example.com";
        var user = new User
        {
            Id = Guid.CreateVersion7(), Email = email, NormalizedEmail = email.ToUpperInvariant(), UserName = email, NormalizedUserName = email.ToUpperInvariant(),
            DisplayName = "Kill Test Admin", Role = Roles.Admin, CreatedAt = db.Clock.GetUtcNow(), SecurityStamp = Guid.NewGuid().ToString("N"), EmailConfirmed = true,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return await ApiTokens.IssueAsync(db, user, [Scopes.Read, Scopes.Write, Scopes.Admin]);
    });

    /// <summary>`dotnet revloop.dll serve` as a child process; its output is kept for the failure message.</summary>
    private sealed class ServeProcess : IDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> output = new();
        private readonly int port;

        private ServeProcess(Process process, int port) { this.process = process; this.port = port; }

        public string Output => string.Join("\n", output.TakeLast(200));

        public static ServeProcess Start(string database, int port, int leaseSeconds)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "revloop.dll");
            Assert.True(File.Exists(dll), $"{dll} is missing");
            var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                WorkingDirectory = Path.GetTempPath(),
            };
            foreach (var a in new[] { dll, "serve", "--database", database, "--urls", $"http://127.0.0.1:{port}", "--webhook-lease-seconds", leaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(a);
            psi.Environment.Remove(DatabaseTarget.EnvironmentVariable);
            var p = new Process { StartInfo = psi };
            var result = new ServeProcess(p, port);
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) result.output.Enqueue(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) result.output.Enqueue(e.Data); };
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            return result;
        }

        public async Task WaitHealthyAsync(TimeSpan timeout)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Eventually.HoldsAsync(async () =>
            {
                if (process.HasExited) Assert.Fail($"revloop serve exited with {process.ExitCode}:\n{Output}");
                try { return (await http.GetAsync($"http://127.0.0.1:{port}/health")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
                catch (TaskCanceledException) { return false; }
            }, timeout, "revloop serve to answer /health");
        }

        /// <summary>SIGKILL on Linux: no shutdown hooks, no lease hand-back.</summary>
        public void Kill() => process.Kill();

        public async Task WaitForExitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            await process.WaitForExitAsync(cts.Token);
        }

        public void Dispose()
        {
            try { if (!process.HasExited) process.Kill(); process.WaitForExit(10_000); }
            catch (InvalidOperationException) { /* never started */ }
            process.Dispose();
        }
    }
}
