using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Duplicates;

/// <summary>Each duplicate rule on create (warn, or 409 with ?onDuplicate=reject) and on GET /{id}/duplicates; extra emails and phones.</summary>
public class DuplicateDetectionTests
{
    private static async Task<JsonElement> Created(HttpResponseMessage r)
    {
        Assert.True(r.StatusCode == HttpStatusCode.Created, $"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        return await r.ReadJsonAsync();
    }

    /// <summary>"type id name field:value field:value" per candidate, in the order the API gives them.</summary>
    private static List<string> Describe(JsonElement list) => list.EnumerateArray().Select(d =>
        string.Join(' ', new[] { d.GetProperty("type").GetString()!, d.GetProperty("id").GetString()!, d.GetProperty("name").GetString()! }
            .Concat(d.GetProperty("matchedOn").EnumerateArray().Select(m => $"{m.GetProperty("field").GetString()}:{m.GetProperty("value").GetString()}")))).ToList();

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Accounts_match_on_normalised_domain_and_normalised_name(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var acme = await Created(await api.PostAsJsonAsync("/api/v1/accounts", new { name = "ACME, Inc.", domain = "acme.com" }));
        var acmeId = acme.GetProperty("id").GetString();
        Assert.Empty(acme.GetProperty("duplicates").EnumerateArray());

        var gmbh = await Created(await api.PostAsJsonAsync("/api/v1/accounts", new { name = "Acme GmbH" }));
        Assert.Equal([$"account {acmeId} ACME, Inc. name:acme"], Describe(gmbh.GetProperty("duplicates")));
        Assert.Equal("Acme GmbH", gmbh.GetProperty("name").GetString());

        var other = await Created(await api.PostAsJsonAsync("/api/v1/accounts", new { name = "Road Runner Supplies", domain = "https://www.ACME.com/about" }));
        Assert.Equal([$"account {acmeId} ACME, Inc. domain:acme.com"], Describe(other.GetProperty("duplicates")));

        var rejected = await api.PostAsJsonAsync("/api/v1/accounts?onDuplicate=reject", new { name = "Acme Corporation", domain = "acme.com" });
        var problem = await Api.AssertProblemAsync(rejected, HttpStatusCode.Conflict);
        Assert.Equal([$"account {acmeId} ACME, Inc. domain:acme.com name:acme", $"account {gmbh.GetProperty("id")} Acme GmbH name:acme",
            $"account {other.GetProperty("id")} Road Runner Supplies domain:acme.com"], Describe(problem.GetProperty("duplicates")));
        Assert.Equal(3, (await api.GetJsonAsync("/api/v1/accounts")).GetProperty("items").GetArrayLength());

        var unique = await Created(await api.PostAsJsonAsync("/api/v1/accounts?onDuplicate=reject", new { name = "Initech", domain = "initech.io" }));
        Assert.Empty(unique.GetProperty("duplicates").EnumerateArray());
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/accounts?onDuplicate=maybe", new { name = "X" }), HttpStatusCode.BadRequest, "onDuplicate");

        var listed = await api.GetJsonAsync($"/api/v1/accounts/{acmeId}/duplicates");
        Assert.Equal([$"account {gmbh.GetProperty("id")} Acme GmbH name:acme", $"account {other.GetProperty("id")} Road Runner Supplies domain:acme.com"],
            Describe(listed.GetProperty("items")));
        Assert.Empty((await api.GetJsonAsync($"/api/v1/accounts/{unique.GetProperty("id")}/duplicates")).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/accounts/{Guid.NewGuid()}/duplicates")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Contacts_and_leads_match_on_any_email_or_phone_and_leads_also_against_contacts(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await api.MergePatchAsync("/api/v1/settings", """{"defaultCallingCode":"+49"}""")).StatusCode);
        Assert.Equal("+49", (await api.GetJsonAsync("/api/v1/settings")).Str("defaultCallingCode"));
        await Api.AssertProblemAsync(await api.MergePatchAsync("/api/v1/settings", """{"defaultCallingCode":"049"}"""), HttpStatusCode.BadRequest, "defaultCallingCode");

        var ann = await Created(await api.PostAsJsonAsync("/api/v1/contacts", new
        {
            firstName = "Ann", lastName = "Lee", email = "ann@acme.com", phone = "030 1234567",
            emails = new[] { "Ann.Lee@acme.com", "ANN@acme.com", "ann.lee@ACME.com" }, phones = new[] { "0171 2345678", "+49 30 1234567" },
        }));
        var annContact = ann.GetProperty("contact");
        var annId = annContact.GetProperty("id").GetString();
        Assert.Equal(("+49301234567", "Ann.Lee@acme.com", "+491712345678"), (annContact.Str("phone"),
            string.Join(",", annContact.GetProperty("emails").EnumerateArray().Select(e => e.GetString())),
            string.Join(",", annContact.GetProperty("phones").EnumerateArray().Select(e => e.GetString()))));

        // Item by item: the error names the array element.
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/contacts", new { lastName = "X", emails = new[] { "ok@example.com", "not-an-email" } }), HttpStatusCode.BadRequest, "emails[1]");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/contacts", new { lastName = "X", phones = new[] { "+49 171 2345678", "0171 23x" } }), HttpStatusCode.BadRequest, "phones[1]");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/leads", new { lastName = "X", emails = new[] { "ok@example.com", "also@example.com", " " } }), HttpStatusCode.BadRequest, "emails[2]");

        // An extra email of Ann's (any case) and an extra phone of hers (other formatting) each find her.
        var byEmail = await Created(await api.PostAsJsonAsync("/api/v1/contacts", new { firstName = "A.", lastName = "Lee", email = "ANN.LEE@acme.com" }));
        Assert.Equal([$"contact {annId} Ann Lee email:ann.lee@acme.com"], Describe(byEmail.GetProperty("duplicates")));
        Assert.Equal([annId], byEmail.GetProperty("possibleDuplicates").EnumerateArray().Select(x => x.GetString()));
        var byPhone = await Created(await api.PostAsJsonAsync("/api/v1/contacts", new { lastName = "Mobile", phone = "+49 (171) 234-5678" }));
        Assert.Equal([$"contact {annId} Ann Lee phone:+491712345678"], Describe(byPhone.GetProperty("duplicates")));

        var lead = await Created(await api.PostAsJsonAsync("/api/v1/leads", new { firstName = "Annie", lastName = "Lee", email = "ann@acme.com", phones = new[] { "030-1234567" } }));
        Assert.Equal([$"contact {annId} Ann Lee email:ann@acme.com phone:+49301234567"], Describe(lead.GetProperty("duplicates")));
        Assert.Equal(["+49301234567"], lead.GetProperty("phones").EnumerateArray().Select(x => x.GetString()));

        var second = await Created(await api.PostAsJsonAsync("/api/v1/leads", new { lastName = "Board", phone = "0049 30 1234567" }));
        Assert.Equal([$"lead {lead.GetProperty("id")} Annie Lee phone:+49301234567", $"contact {annId} Ann Lee phone:+49301234567"], Describe(second.GetProperty("duplicates")));

        var leadsBefore = (await api.GetJsonAsync("/api/v1/leads")).GetProperty("items").GetArrayLength();
        var rejected = await api.PostAsJsonAsync("/api/v1/leads?onDuplicate=reject", new { lastName = "Again", emails = new[] { "ann@ACME.com" } });
        var problem = await Api.AssertProblemAsync(rejected, HttpStatusCode.Conflict);
        Assert.Equal([$"lead {lead.GetProperty("id")} Annie Lee email:ann@acme.com", $"contact {annId} Ann Lee email:ann@acme.com"], Describe(problem.GetProperty("duplicates")));
        Assert.Equal(leadsBefore, (await api.GetJsonAsync("/api/v1/leads")).GetProperty("items").GetArrayLength());
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/contacts?onDuplicate=reject", new { lastName = "Again", phone = "0171 2345678" }), HttpStatusCode.Conflict);

        // Editing away the extra phone takes it out of matching too.
        var patched = await api.MergePatchAsync($"/api/v1/contacts/{annId}", """{"phones":[]}""");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var annDuplicates = Describe((await api.GetJsonAsync($"/api/v1/contacts/{annId}/duplicates")).GetProperty("items"));
        Assert.Equal([$"contact {byEmail.GetProperty("contact").GetProperty("id")} A. Lee email:ann.lee@acme.com"], annDuplicates);
        Assert.Equal([$"lead {second.GetProperty("id")} Board phone:+49301234567", $"contact {annId} Ann Lee email:ann@acme.com phone:+49301234567"],
            Describe((await api.GetJsonAsync($"/api/v1/leads/{lead.GetProperty("id")}/duplicates")).GetProperty("items")));
    }
}
