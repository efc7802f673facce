using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Crm;

public class SearchApiTests
{
    private static async Task<string> IdOf(HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, body);
        var root = JsonDocument.Parse(body).RootElement;
        return (root.TryGetProperty("contact", out var c) ? c : root).GetProperty("id").GetString()!;
    }

    private static List<string> Names(JsonElement results, string kind) =>
        results.GetProperty(kind).EnumerateArray().Select(h => h.GetProperty("name").GetString()!).ToList();

    private static string Groups(JsonElement r) =>
        string.Join(" | ", new[] { "accounts", "contacts", "leads", "opportunities" }.Select(k => $"{k}: {string.Join(", ", Names(r, k))}"));

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Finds_accounts_contacts_leads_and_opportunities_by_name_email_domain_and_phone_prefix_within_visibility(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var admin = await server.AdminClientAsync();
        var rep = await server.CreateUserAsync("rep@example.com", Roles.Ae);
        var other = await server.CreateUserAsync("other@example.com", Roles.Ae);
        var repApi = await server.ClientForAsync(rep, "read");
        await admin.PostAsJsonAsync("/api/v1/pipelines", new { name = "Sales", stages = new[] { new { name = "Open", type = "open" }, new { name = "Won", type = "won" }, new { name = "Lost", type = "lost" } } });

        var robotics = await admin.CreateAccountIdAsync($$"""{"name":"Acme Robotics","domain":"acme-robotics.com","ownerId":"{{rep.Id}}"}""");
        await admin.CreateAccountIdAsync($$"""{"name":"Acme Foods","ownerId":"{{other.Id}}"}""");
        await admin.CreateAccountIdAsync("""{"name":"Zeta Works","domain":"zeta.io"}""");
        var ada = await IdOf(await admin.PostAsJsonAsync("/api/v1/contacts", new { firstName = "Ada", lastName = "Lovelace", email = "Ada@Analytical.org", phone = "+44 20 7946 0000", accountId = robotics, ownerId = rep.Id }));
        await IdOf(await admin.PostAsJsonAsync("/api/v1/contacts", new { firstName = "Adam", lastName = "Smith", email = "adam@acme-foods.com", ownerId = other.Id }));
        await IdOf(await admin.PostAsJsonAsync("/api/v1/leads", new { firstName = "Adele", lastName = "Adkins", email = "adele@acme-robotics.com", domain = "acme-robotics.com", ownerId = other.Id }));
        await IdOf(await admin.PostAsJsonAsync("/api/v1/opportunities", new { name = "Acme Robotics - expansion", accountId = robotics, ownerId = rep.Id }));

        var acme = await admin.GetJsonAsync("/api/v1/search?q=acme");
        Assert.Equal("accounts: Acme Foods, Acme Robotics | contacts:  | leads: Adele Adkins | opportunities: Acme Robotics - expansion", Groups(acme));
        var hit = acme.GetProperty("opportunities")[0];
        Assert.Equal(("Acme Robotics", $"/opportunities/{hit.GetProperty("id").GetString()}"), (hit.Str("detail"), hit.Str("href")));

        Assert.Equal("accounts:  | contacts: Ada Lovelace, Adam Smith | leads:  | opportunities: ", Groups(await admin.GetJsonAsync("/api/v1/search?q=ada")));
        Assert.Equal("accounts:  | contacts: Ada Lovelace | leads:  | opportunities: ", Groups(await admin.GetJsonAsync("/api/v1/search?q=Ada%20Love")));
        Assert.Equal("accounts:  | contacts: Ada Lovelace | leads:  | opportunities: ", Groups(await admin.GetJsonAsync("/api/v1/search?q=ADA%40analytical")));
        var byPhone = await admin.GetJsonAsync("/api/v1/search?q=%2B44%2020%207946");
        Assert.Equal("accounts:  | contacts: Ada Lovelace | leads:  | opportunities: ", Groups(byPhone));
        Assert.Equal(($"/contacts/{ada}", "Ada@Analytical.org"), (byPhone.GetProperty("contacts")[0].Str("href"), byPhone.GetProperty("contacts")[0].Str("detail")));
        Assert.Equal("accounts: Zeta Works | contacts:  | leads:  | opportunities: ", Groups(await admin.GetJsonAsync("/api/v1/search?q=zeta.i")));
        Assert.Equal("accounts: Acme Foods | contacts:  | leads: Adele Adkins | opportunities: Acme Robotics - expansion", Groups(await admin.GetJsonAsync("/api/v1/search?q=acme&limit=1")));

        // The rep sees only what they own.
        Assert.Equal("accounts: Acme Robotics | contacts:  | leads:  | opportunities: Acme Robotics - expansion", Groups(await repApi.GetJsonAsync("/api/v1/search?q=acme")));
        Assert.Equal("accounts:  | contacts: Ada Lovelace | leads:  | opportunities: ", Groups(await repApi.GetJsonAsync("/api/v1/search?q=ada")));

        Assert.Equal("accounts:  | contacts:  | leads:  | opportunities: ", Groups(await admin.GetJsonAsync("/api/v1/search?q=")));
        await Api.AssertProblemAsync(await admin.GetAsync("/api/v1/search?q=a&limit=0"), HttpStatusCode.BadRequest, "limit");
    }
}
