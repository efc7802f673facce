using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Data;

namespace RevLoop.Server.Tests.Support;

public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>
/// Runs the real built executable (<c>dotnet revloop.dll ...</c>, copied next to the tests by the project reference) as a
/// separate process, the way an operator would.
/// </summary>
public static class RevLoopProcess
{
    public static string Dll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "revloop.dll");
            if (!File.Exists(path)) throw new FileNotFoundException("revloop.dll is not next to the tests; build tests/RevLoop.Server.Tests", path);
            return path;
        }
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Runs <c>revloop args... --database target</c> and waits for it (60 s at most).</summary>
    public static async Task<CliResult> RunAsync(DatabaseTarget database, params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--database");
        psi.ArgumentList.Add(database.Provider == DatabaseProvider.Sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource
            : database.ConnectionString);
        psi.Environment.Remove(DatabaseTarget.EnvironmentVariable);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            throw new TimeoutException($"revloop {string.Join(' ', args)} did not finish in 60 s");
        }
        return new CliResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>A database context on the target as the system viewer (sees everything but soft-deleted records).</summary>
    public static async Task<T> WithDbAsync<T>(DatabaseTarget target, Func<RevLoopDb, Task<T>> action)
    {
        await using var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddRevLoopData(target).BuildServiceProvider();
        using var scope = services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<RevLoopDb>());
    }
}
