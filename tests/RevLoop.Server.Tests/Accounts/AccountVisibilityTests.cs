using System.Net;
using Microsoft.EntityFrameworkCore;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Accounts;

/// <summary>Who sees which account: own, the teams one manages with their sub-teams, or everything by role.</summary>
public class AccountVisibilityTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Each_role_sees_own_team_hierarchy_or_all(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        // West (managed by west.manager) > West North (managed by north.manager) > West North 1; East is elsewhere.
        var westManager = await server.CreateUserAsync("west.manager@example.com", Roles.SalesManager, "West", managesTeam: true);
        var northManager = await server.CreateUserAsync("north.manager@example.com", Roles.SalesManager, "West North", managesTeam: true);
        var north1 = await server.CreateUserAsync("north1@example.com", Roles.Ae, "West North");
        var north2 = await server.CreateUserAsync("north2@example.com", Roles.Sdr, "West North");
        var deep = await server.CreateUserAsync("deep@example.com", Roles.Ae, "West North 1");
        var east = await server.CreateUserAsync("east@example.com", Roles.Ae, "East");
        var marketing = await server.CreateUserAsync("marketing@example.com", Roles.Marketing, "West");
        await server.WithDbAsync(async db =>
        {
            var teams = await db.Teams.ToDictionaryAsync(t => t.Name);
            teams["West North"].ParentTeamId = teams["West"].Id;
            teams["West North 1"].ParentTeamId = teams["West North"].Id;
            return await db.SaveChangesAsync();
        });
        var admin = await server.CreateUserAsync("admin@example.com", Roles.Admin);
        using var adminClient = await server.ClientForAsync(admin);
        foreach (var (name, owner) in new[] { ("North One", north1), ("North Two", north2), ("Deep", deep), ("East", east), ("West Manager", westManager), ("North Manager", northManager), ("Admin", admin) })
            await adminClient.CreateAccountIdAsync($$"""{"name":"{{name}}","ownerId":"{{owner.Id}}"}""");

        string[] all = ["Admin", "Deep", "East", "North Manager", "North One", "North Two", "West Manager"];
        var expected = new List<(User User, string[] Names)>
        {
            (north1, ["North One"]),
            (north2, ["North Two"]),
            (deep, ["Deep"]),
            (east, ["East"]),
            (marketing, []),
            (northManager, ["Deep", "North Manager", "North One", "North Two"]),
            (westManager, ["Deep", "North Manager", "North One", "North Two", "West Manager"]),
            (admin, all),
        };
        foreach (var role in new[] { Roles.RevOps, Roles.Executive, Roles.Finance })
            expected.Add((await server.CreateUserAsync($"{role}@example.com", role), all));
        foreach (var role in new[] { Roles.Csm, Roles.Bdr, Roles.ProjectManager, Roles.Partner })
            expected.Add((await server.CreateUserAsync($"{role}@example.com", role, "West North"), []));

        foreach (var (user, names) in expected)
        {
            using var client = await server.ClientForAsync(user, "read");
            var page = await client.GetJsonAsync("/api/v1/accounts?sort=name");
            Assert.True(names.SequenceEqual(page.Names()), $"{user.Email} ({user.Role}) sees [{string.Join(", ", page.Names())}], expected [{string.Join(", ", names)}]");
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task An_invisible_account_is_404_for_get_patch_put_delete_and_history(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var mine = await server.CreateUserAsync("mine@example.com", Roles.Ae, "Team");
        var theirs = await server.CreateUserAsync("theirs@example.com", Roles.Ae, "Team");
        using var me = await server.ClientForAsync(mine);
        using var them = await server.ClientForAsync(theirs);
        var own = await me.CreateAccountIdAsync("""{"name":"Mine"}""");
        var other = await them.CreateAccountIdAsync("""{"name":"Theirs","industry":"Retail"}""");
        var changesBefore = await server.WithDbAsync(db => db.FieldChanges.CountAsync());

        var url = $"/api/v1/accounts/{other}";
        using (var r = await me.GetAsync(url)) await Api.AssertProblemAsync(r, HttpStatusCode.NotFound);
        using (var r = await me.MergePatchAsync(url, """{"industry":"Banking"}""")) await Api.AssertProblemAsync(r, HttpStatusCode.NotFound);
        using (var r = await me.SendAsync(HttpMethod.Put, url, """{"name":"Taken"}""")) await Api.AssertProblemAsync(r, HttpStatusCode.NotFound);
        using (var r = await me.DeleteAsync(url)) await Api.AssertProblemAsync(r, HttpStatusCode.NotFound);
        using (var r = await me.GetAsync(url + "/history")) await Api.AssertProblemAsync(r, HttpStatusCode.NotFound);
        Assert.Empty((await me.GetJsonAsync($"/api/v1/accounts?ownerId={theirs.Id}")).Names());
        // Pointing at an invisible parent reads as "no such account": nothing leaks.
        using (var r = await me.MergePatchAsync($"/api/v1/accounts/{own}", $$"""{"parentAccountId":"{{other}}"}"""))
        {
            var problem = await Api.AssertProblemAsync(r, HttpStatusCode.BadRequest, "parentAccountId");
            Assert.Equal($"no account has id {other}", problem.GetProperty("errors").GetProperty("parentAccountId")[0].GetString());
        }

        Assert.Equal(changesBefore, await server.WithDbAsync(db => db.FieldChanges.CountAsync()));
        var still = await them.GetJsonAsync(url);
        Assert.Equal(new AccountView("Theirs", null, "Retail", null, null, null, null, null, theirs.Id), AccountView.From(still));
        Assert.Equal(1, still.GetProperty("version").GetInt64());
        Assert.Equal(4, (await them.GetJsonAsync(url + "/history")).GetProperty("items").GetArrayLength());
    }
}
