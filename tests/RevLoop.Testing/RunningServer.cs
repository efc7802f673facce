using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Hosting;
using RevLoop.Server.Platform;

namespace RevLoop.Testing;

/// <summary>The real server (Kestrel on a free loopback port) over a fresh database of one provider.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    public required WebApplication App { get; init; }
    public required Uri BaseAddress { get; init; }
    public required DatabaseTarget Database { get; init; }
    public IServiceProvider Services => App.Services;

    public static async Task<RunningServer> StartAsync(string provider, Func<ServeOptions, ServeOptions>? configure = null)
    {
        var target = Providers.NewDatabase(provider);
        var options = new ServeOptions { Database = target, Urls = "http://127.0.0.1:0", RateLimitPerMinute = 100_000 };
        if (configure is not null) options = configure(options);
        var app = ServerApp.Build(options);
        await ServerApp.MigrateAsync(app.Services);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningServer { App = app, BaseAddress = new Uri(address), Database = target };
    }

    public async Task<User> CreateUserAsync(string email, string role, string? team = null, bool managesTeam = false)
    {
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        Guid? teamId = null;
        if (team is not null)
        {
            var t = db.Teams.FirstOrDefault(x => x.Name == team);
            if (t is null) { t = new Team { Id = Guid.CreateVersion7(), Name = team }; db.Teams.Add(t); }
            await db.SaveChangesAsync();
            teamId = t.Id;
        }
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = new User { Id = Guid.CreateVersion7(), Email = email, UserName = email, DisplayName = email.Split('@')[0], Role = role, TeamId = teamId, CreatedAt = db.Clock.GetUtcNow() };
        var result = await users.CreateAsync(user, "correct horse battery staple");
        if (!result.Succeeded) throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        if (managesTeam && teamId is { } id)
        {
            var t = db.Teams.First(x => x.Id == id);
            t.ManagerUserId = user.Id;
            await db.SaveChangesAsync();
        }
        return user;
    }

    public async Task<HttpClient> ClientForAsync(User user, string scopes = "read,write")
    {
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var token = await ApiTokens.IssueAsync(db, user, ApiTokens.ParseScopes(scopes));
        return ClientWithToken(token);
    }

    public HttpClient ClientWithToken(string? token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<HttpClient> AdminClientAsync()
    {
        var admin = await CreateUserAsync($"admin{Guid.NewGuid():N}@example.com", Roles.Admin);
        return await ClientForAsync(admin, "read,write,admin");
    }

    public T Scoped<T>(Func<RevLoopDb, T> action)
    {
        using var scope = Services.CreateScope();
        return action(scope.ServiceProvider.GetRequiredService<RevLoopDb>());
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        // Each test has its own database, so its own connection pool: close its idle connections now rather than after
        // the pool's idle lifetime, or a few hundred tests in parallel run the shared PostgreSQL out of connections.
        if (Database.Provider == DatabaseProvider.Postgres)
        {
            using var connection = new Npgsql.NpgsqlConnection(Database.ConnectionString);
            Npgsql.NpgsqlConnection.ClearPool(connection);
        }
    }
}

public static class Json
{
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) => client.PostAsJsonAsync(url, body);
}
