using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Platform;

public class TeamHierarchyTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_manager_sees_accounts_of_sub_teams_but_not_of_sibling_teams(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var admin = await server.AdminClientAsync();
        async Task<string> Team(string name, string? parent)
        {
            var r = await admin.PostAsJsonAsync("/api/v1/teams", new { name, parentTeamId = parent });
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
            return (await r.ReadJsonAsync()).GetProperty("id").GetString()!;
        }
        var emea = await Team("EMEA", null);
        var dach = await Team("DACH", emea);
        var nordics = await Team("Nordics", emea);
        var americas = await Team("Americas", null);

        var manager = await server.CreateUserAsync("emea.lead@example.com", Roles.SalesManager);
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync($"/api/v1/teams/{emea}", new { managerUserId = manager.Id })).StatusCode);
        var cycle = await admin.PatchAsJsonAsync($"/api/v1/teams/{emea}", new { parentTeamId = dach });
        Assert.Equal(HttpStatusCode.BadRequest, cycle.StatusCode);
        Assert.Contains("parentTeamId", await cycle.Content.ReadAsStringAsync());

        async Task Owned(string account, string team)
        {
            var rep = await server.CreateUserAsync($"{account.Split(' ')[0].ToLowerInvariant()}@example.com", Roles.Ae);
            using (var scope = server.Services.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<RevLoop.Data.RevLoopDb>();
                db.Users.First(u => u.Id == rep.Id).TeamId = Guid.Parse(team);
                await db.SaveChangesAsync();
            }
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/accounts", new { name = account, ownerId = rep.Id })).StatusCode);
        }
        await Owned("Berlin GmbH", dach);
        await Owned("Oslo AS", nordics);
        await Owned("Boston Inc", americas);

        using var managerClient = await server.ClientForAsync(manager);
        var seen = await (await managerClient.GetAsync("/api/v1/accounts?sort=name")).ReadJsonAsync();
        Assert.Equal(["Berlin GmbH", "Oslo AS"], seen.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("name").GetString()));

        // The teams a manager sees are kept per process between requests; a team saved through the server drops them at once.
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync($"/api/v1/teams/{americas}", new { managerUserId = manager.Id })).StatusCode);
        seen = await (await managerClient.GetAsync("/api/v1/accounts?sort=name")).ReadJsonAsync();
        Assert.Equal(["Berlin GmbH", "Boston Inc", "Oslo AS"], seen.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
    }
}
