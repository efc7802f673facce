using System.Net;
using Microsoft.EntityFrameworkCore;
using RevLoop.Platform;
using RevLoop.Server.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Cli;

/// <summary>`revloop user ...` run as a real process against the database a running server uses.</summary>
public class CliUserTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task User_create_token_and_revoke_token(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var database = server.Database;

        var badRole = await RevLoopProcess.RunAsync(database, "user", "create", "--email", "boss@example.com", "--password", "a long enough password", "--role", "boss");
        Assert.True(badRole.ExitCode == 2, badRole.ToString());
        Assert.Equal("", badRole.StdOut);
        Assert.Equal($"error: --role: 'boss' is not a role (one of: {string.Join(", ", Roles.All)}){Environment.NewLine}", badRole.StdErr);

        // A short password fails before anything is written: not the user and not the new team either.
        var shortPassword = await RevLoopProcess.RunAsync(database, "user", "create", "--email", "short@example.com", "--password", "elevenchars", "--role", "ae", "--team", "Ghosts");
        Assert.True(shortPassword.ExitCode == 2, shortPassword.ToString());
        Assert.Equal($"error: --password: Passwords must be at least 12 characters.{Environment.NewLine}", shortPassword.StdErr);
        Assert.Equal((0, 0), await server.WithDbAsync(async db => (await db.Users.CountAsync(), await db.Teams.CountAsync())));

        var created = await RevLoopProcess.RunAsync(database, "user", "create", "--email", "ae@example.com", "--password", "twelve chars", "--role", "sales_manager", "--team", "Nordics");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal("", created.StdOut);
        var user = await server.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync());
        var team = await server.WithDbAsync(db => db.Teams.AsNoTracking().SingleAsync());
        Assert.Equal($"Created sales_manager ae@example.com ({user.Id}){Environment.NewLine}", created.StdErr);
        Assert.Equal(("ae@example.com", "sales_manager", team.Id, "Nordics", user.Id), (user.Email, user.Role, user.TeamId!.Value, team.Name, team.ManagerUserId!.Value));
        Assert.StartsWith("AQAAAA", user.PasswordHash); // Identity's hashed format, never the password itself

        // The token is the only thing on stdout, one line.
        var issued = await RevLoopProcess.RunAsync(database, "user", "token", "--email", "AE@Example.com", "--scopes", "read,write");
        Assert.True(issued.ExitCode == 0, issued.ToString());
        Assert.Matches(@"^rl_[A-Za-z0-9_-]{43}\n\z", issued.StdOut);
        Assert.Equal("", issued.StdErr);
        var token = issued.StdOut.TrimEnd('\n');
        var stored = await server.WithDbAsync(db => db.ApiTokens.AsNoTracking().SingleAsync());
        Assert.Equal((user.Id, ApiTokens.Hash(token), "read,write"), (stored.UserId, stored.TokenHash, stored.Scopes));

        using var client = server.ClientWithToken(token);
        var id = await client.CreateAccountIdAsync("""{"name":"From a CLI token"}""");
        Assert.Equal(["From a CLI token"], (await client.GetJsonAsync("/api/v1/accounts")).Names());

        var revoked = await RevLoopProcess.RunAsync(database, "user", "revoke-token", "--email", "ae@example.com");
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Equal($"Revoked 1 token(s) of ae@example.com{Environment.NewLine}", revoked.StdErr);
        // Revoked by another process, the token stops working once the server's copy of it is older than
        // ValidatedTokens.MaxAge (5 s): the server keeps valid tokens briefly instead of looking one up per request.
        var revokedAt = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var r = await client.GetAsync($"/api/v1/accounts/{id}");
            status = r.StatusCode;
            if (status == HttpStatusCode.OK) await Task.Delay(200);
        }
        while (status == HttpStatusCode.OK && revokedAt.Elapsed < ValidatedTokens.MaxAge + TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(1, await server.WithDbAsync(db => db.ApiTokens.CountAsync()));
    }
}
