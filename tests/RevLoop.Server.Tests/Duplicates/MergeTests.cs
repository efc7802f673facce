using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Activities;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Crm.Opportunities;
using RevLoop.Crm.Products;
using RevLoop.Finance;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Duplicates;

/// <summary>Merging keeps every child of both records, the history of both, and is one transaction; visibility applies.</summary>
public class MergeTests
{
    private static async Task<JsonElement> Ok(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK)
    {
        Assert.True(r.StatusCode == expected, $"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        return await r.ReadJsonAsync();
    }

    private static Task<HttpResponseMessage> MergeAsync(HttpClient api, string objectName, Guid survivor, object body, string? ifMatch = null) =>
        api.SendAsync(HttpMethod.Post, $"/api/v1/{objectName}/{survivor}/merge", JsonSerializer.Serialize(body), ifMatch);

    private static Dictionary<string, int> Moved(JsonElement result) =>
        result.GetProperty("moved").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());

    /// <summary>The duplicate's children: 2 contacts, 3 opportunities with 4 line items, 2 activities, 2 subscription periods, 1 child account, 1 converted lead.</summary>
    private static async Task SeedChildrenAsync(RunningServer server, Guid duplicate, Guid survivor)
    {
        await server.WithDbAsync(async db =>
        {
            var pipeline = new Pipeline { Name = $"Sales {Guid.NewGuid():N}", Stages = [new Stage { Name = "New", Probability = 10 }] };
            var product = new Product { Sku = $"SKU-{Guid.NewGuid():N}"[..20], Name = "Seats" };
            db.AddRange(pipeline, product);
            db.Contacts.AddRange(new Contact { FirstName = "Dee", LastName = "One", AccountId = duplicate }, new Contact { FirstName = "Dee", LastName = "Two", AccountId = duplicate },
                new Contact { FirstName = "Sue", LastName = "Vivor", AccountId = survivor });
            var opportunities = Enumerable.Range(1, 3).Select(i => new Opportunity { Name = $"Deal {i}", AccountId = duplicate, PipelineId = pipeline.Id, StageId = pipeline.Stages[0].Id }).ToList();
            db.Opportunities.AddRange(opportunities);
            db.LineItems.AddRange(new LineItem { OpportunityId = opportunities[0].Id, ProductId = product.Id }, new LineItem { OpportunityId = opportunities[0].Id, ProductId = product.Id },
                new LineItem { OpportunityId = opportunities[1].Id, ProductId = product.Id }, new LineItem { OpportunityId = opportunities[2].Id, ProductId = product.Id });
            db.Activities.AddRange(new Activity { Subject = "Call", AccountId = duplicate }, new Activity { Subject = "Note", AccountId = duplicate }, new Activity { Subject = "Other", AccountId = survivor });
            db.SubscriptionPeriods.AddRange(new SubscriptionPeriod { CustomerId = "globex", AccountId = duplicate, Start = DateTimeOffset.Parse("2026-01-01T00:00:00Z"), AmountMinor = 10000 },
                new SubscriptionPeriod { CustomerId = "globex", AccountId = duplicate, Start = DateTimeOffset.Parse("2026-02-01T00:00:00Z"), AmountMinor = 12000 });
            db.Accounts.Add(new RevLoop.Crm.Accounts.Account { Name = "Globex Research", ParentAccountId = duplicate });
            db.Leads.Add(new Lead { LastName = "Converted", Status = LeadStatus.Converted, ConvertedAccountId = duplicate });
            return await db.SaveChangesAsync();
        });
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Merging_accounts_moves_every_child_keeps_both_histories_and_emits_the_event(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var survivor = await api.CreateAccountIdAsync("""{"name":"Globex","domain":"globex.com"}""");
        var duplicate = await api.CreateAccountIdAsync("""{"name":"Globex Corporation","industry":"Manufacturing","employees":500}""");
        await SeedChildrenAsync(server, duplicate, survivor);
        var list = (await (await api.PostAsJsonAsync("/api/v1/target-lists", new { name = "Strategic" })).ReadJsonAsync()).GetProperty("id").GetGuid();
        (await api.PostAsJsonAsync($"/api/v1/target-lists/{list}/accounts", new { accountId = duplicate })).EnsureSuccessStatusCode();

        await Api.AssertProblemAsync(await MergeAsync(api, "accounts", survivor, new { duplicateId = duplicate }, "\"7\""), HttpStatusCode.PreconditionFailed);
        await Api.AssertProblemAsync(await MergeAsync(api, "accounts", survivor, new { duplicateId = duplicate, duplicateVersion = 9 }), HttpStatusCode.PreconditionFailed);
        await Api.AssertProblemAsync(await MergeAsync(api, "accounts", survivor, new { duplicateId = duplicate, fields = new { colour = "duplicate" } }), HttpStatusCode.BadRequest, "fields.colour");
        await Api.AssertProblemAsync(await MergeAsync(api, "accounts", survivor, new { duplicateId = duplicate, fields = new { name = "theirs" } }), HttpStatusCode.BadRequest, "fields.name");
        await Api.AssertProblemAsync(await MergeAsync(api, "accounts", survivor, new { duplicateId = survivor }), HttpStatusCode.BadRequest, "duplicateId");
        await Api.AssertProblemAsync(await MergeAsync(api, "accounts", survivor, new { }), HttpStatusCode.BadRequest, "duplicateId");

        using var response = await MergeAsync(api, "accounts", survivor, new { duplicateId = duplicate, duplicateVersion = 1, fields = new { name = "duplicate" } }, "\"1\"");
        var result = await Ok(response);
        Assert.Equal(new Dictionary<string, int>
        {
            ["contacts"] = 2, ["opportunities"] = 3, ["lineItems"] = 4, ["activities"] = 2, ["subscriptionPeriods"] = 2, ["childAccounts"] = 1, ["leadConversions"] = 1,
            ["targetLists"] = 1,
        }, Moved(result));
        Assert.Equal([survivor], (await api.GetJsonAsync($"/api/v1/target-lists/{list}/accounts")).GetProperty("items").EnumerateArray().Select(a => a.GetProperty("accountId").GetGuid()));
        var merged = result.GetProperty("survivor");
        // Name picked from the duplicate, domain kept, empty industry/employees/segment filled from the duplicate.
        Assert.Equal(("Globex Corporation", "globex.com", "Manufacturing", 500, "mid_market", 2L),
            (merged.Str("name"), merged.Str("domain"), merged.Str("industry"), merged.GetProperty("employees").GetInt32(), merged.Str("segment"), merged.GetProperty("version").GetInt64()));
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);

        var counts = await server.WithDbAsync(async db => new[]
        {
            await db.Contacts.CountAsync(c => c.AccountId == survivor), await db.Opportunities.CountAsync(o => o.AccountId == survivor),
            await db.LineItems.CountAsync(l => db.Opportunities.Any(o => o.Id == l.OpportunityId && o.AccountId == survivor)),
            await db.Activities.CountAsync(a => a.AccountId == survivor), await db.SubscriptionPeriods.CountAsync(p => p.AccountId == survivor),
            await db.Accounts.CountAsync(a => a.ParentAccountId == survivor), await db.Leads.CountAsync(l => l.ConvertedAccountId == survivor),
            await db.Contacts.IgnoreQueryFilters().CountAsync(c => c.AccountId == duplicate) + await db.Opportunities.IgnoreQueryFilters().CountAsync(o => o.AccountId == duplicate)
                + await db.Activities.IgnoreQueryFilters().CountAsync(a => a.AccountId == duplicate) + await db.SubscriptionPeriods.IgnoreQueryFilters().CountAsync(p => p.AccountId == duplicate)
                + await db.Accounts.IgnoreQueryFilters().CountAsync(a => a.ParentAccountId == duplicate) + await db.Leads.IgnoreQueryFilters().CountAsync(l => l.ConvertedAccountId == duplicate),
        });
        Assert.Equal([3, 3, 4, 3, 2, 1, 1, 0], counts);

        // The duplicate is gone from reads but its row stays, pointing to the survivor; the GET is 404 like any deleted record.
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/accounts/{duplicate}")).StatusCode);
        var gone = await server.WithDbAsync(db => db.Accounts.IgnoreQueryFilters().SingleAsync(a => a.Id == duplicate));
        Assert.Equal((survivor, true), (gone.MergedIntoId, gone.DeletedAt is not null));

        static List<string> Changes(JsonElement page) => page.GetProperty("items").EnumerateArray()
            .Select(c => $"{c.GetProperty("field").GetString()}:{c.Str("oldValue")}->{c.Str("newValue")}@{c.GetProperty("source").GetString()}").ToList();
        var duplicateHistory = Changes(await api.GetJsonAsync($"/api/v1/accounts/{duplicate}/history"));
        Assert.Contains("Name:->Globex Corporation@api", duplicateHistory);
        Assert.Contains($"MergedIntoId:->{survivor}@merge", duplicateHistory);
        Assert.Single(duplicateHistory, c => c.StartsWith("DeletedAt:->", StringComparison.Ordinal) && c.EndsWith("@merge", StringComparison.Ordinal));
        var survivorHistory = Changes(await api.GetJsonAsync($"/api/v1/accounts/{survivor}/history"));
        Assert.Equal(["Employees:->500@merge", "Industry:->Manufacturing@merge", "Name:Globex->Globex Corporation@merge", "Segment:->mid_market@merge"],
            survivorHistory.Where(c => c.EndsWith("@merge", StringComparison.Ordinal)));
        var opportunityId = await server.WithDbAsync(db => db.Opportunities.Where(o => o.Name == "Deal 1").Select(o => o.Id).SingleAsync());
        Assert.Contains($"AccountId:{duplicate}->{survivor}@merge", Changes(await api.GetJsonAsync($"/api/v1/opportunities/{opportunityId}/history")));

        var events = await server.WithDbAsync(db => db.OutboxEvents.Where(e => e.Type == "account.merged").ToListAsync());
        var payload = JsonDocument.Parse(Assert.Single(events).Payload).RootElement;
        Assert.Equal((survivor, survivor, duplicate, 2, "merge"), (events[0].EntityId, payload.GetProperty("survivorId").GetGuid(), payload.GetProperty("duplicateId").GetGuid(),
            payload.GetProperty("moved").GetProperty("contacts").GetInt32(), payload.GetProperty("source").GetString()));

        // Merged records are not merged twice, nor listed as duplicates.
        await Api.AssertProblemAsync(await MergeAsync(api, "accounts", survivor, new { duplicateId = duplicate }), HttpStatusCode.NotFound);
        Assert.Empty((await api.GetJsonAsync($"/api/v1/accounts/{survivor}/duplicates")).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_failing_merge_leaves_both_records_and_every_child_untouched(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        // Duplicate > Division > Survivor: taking over the duplicate's children would make the survivor its own grandparent.
        var duplicate = await api.CreateAccountIdAsync("""{"name":"Hooli"}""");
        var division = await api.CreateAccountIdAsync($$"""{"name":"Hooli XYZ","parentAccountId":"{{duplicate}}"}""");
        var survivor = await api.CreateAccountIdAsync($$"""{"name":"Hooli Inc","parentAccountId":"{{division}}"}""");
        await server.WithDbAsync(async db =>
        {
            db.Contacts.Add(new Contact { LastName = "Belson", AccountId = duplicate });
            db.Activities.Add(new Activity { Subject = "Call", AccountId = duplicate });
            return await db.SaveChangesAsync();
        });
        var historyBefore = await server.WithDbAsync(db => db.FieldChanges.CountAsync());
        var eventsBefore = await server.WithDbAsync(db => db.OutboxEvents.CountAsync());

        var problem = await Api.AssertProblemAsync(await MergeAsync(api, "accounts", survivor, new { duplicateId = duplicate }), HttpStatusCode.BadRequest, "parentAccountId");
        Assert.Equal("would make a cycle in the account hierarchy", problem.GetProperty("detail").GetString());

        var after = await server.WithDbAsync(async db => (
            await db.Accounts.Where(a => a.Id == division).Select(a => a.ParentAccountId).SingleAsync(),
            await db.Accounts.Where(a => a.Id == duplicate).Select(a => new { a.DeletedAt, a.MergedIntoId, a.Version }).SingleAsync(),
            await db.Contacts.CountAsync(c => c.AccountId == duplicate), await db.Activities.CountAsync(a => a.AccountId == duplicate),
            await db.FieldChanges.CountAsync(), await db.OutboxEvents.CountAsync()));
        Assert.Equal((duplicate, null, null, 1L, 1, 1, historyBefore, eventsBefore),
            (after.Item1, after.Item2.DeletedAt, after.Item2.MergedIntoId, after.Item2.Version, after.Item3, after.Item4, after.Item5, after.Item6));
        Assert.Equal(1, (await api.GetJsonAsync($"/api/v1/accounts/{survivor}")).GetProperty("version").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Merging_contacts_keeps_every_email_phone_and_link(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var survivor = (await Ok(await api.PostAsJsonAsync("/api/v1/contacts", new { firstName = "Jo", lastName = "Park", email = "jo@initech.io", title = "CTO" }), HttpStatusCode.Created))
            .GetProperty("contact").GetProperty("id").GetGuid();
        var duplicate = (await Ok(await api.PostAsJsonAsync("/api/v1/contacts", new
        {
            firstName = "Joanne", lastName = "Park", email = "joanne.park@initech.io", emails = new[] { "jo.park@gmail.com" }, phone = "+1 415 555 2671",
        }), HttpStatusCode.Created)).GetProperty("contact").GetProperty("id").GetGuid();
        await server.WithDbAsync(async db =>
        {
            var pipeline = new Pipeline { Name = "Sales", Stages = [new Stage { Name = "New" }] };
            db.Pipelines.Add(pipeline);
            db.Activities.AddRange(new Activity { Subject = "Call", ContactId = duplicate }, new Activity { Subject = "Email", ContactId = duplicate });
            db.Opportunities.Add(new Opportunity { Name = "Deal", AccountId = Guid.CreateVersion7(), PipelineId = pipeline.Id, StageId = pipeline.Stages[0].Id, PrimaryContactId = duplicate });
            db.Leads.Add(new Lead { LastName = "Park", Status = LeadStatus.Converted, ConvertedContactId = duplicate });
            return await db.SaveChangesAsync();
        });

        var result = await Ok(await MergeAsync(api, "contacts", survivor, new { duplicateId = duplicate, fields = new { firstName = "duplicate", email = "duplicate" } }));
        Assert.Equal(new Dictionary<string, int> { ["activities"] = 2, ["opportunities"] = 1, ["leadConversions"] = 1, ["contactRoles"] = 0, ["emails"] = 2, ["phones"] = 1 },
            Moved(result));
        var s = result.GetProperty("survivor");
        Assert.Equal(("Joanne", "Park", "CTO", "joanne.park@initech.io", "jo@initech.io,jo.park@gmail.com", "+14155552671", ""),
            (s.Str("firstName"), s.Str("lastName"), s.Str("title"), s.Str("email"), string.Join(",", s.GetProperty("emails").EnumerateArray().Select(e => e.GetString())),
             s.Str("phone"), string.Join(",", s.GetProperty("phones").EnumerateArray().Select(e => e.GetString()))));
        Assert.Equal(new[] { 2, 1, 1 }, await server.WithDbAsync(async db => new[]
        {
            await db.Activities.CountAsync(a => a.ContactId == survivor), await db.Opportunities.CountAsync(o => o.PrimaryContactId == survivor),
            await db.Leads.CountAsync(l => l.ConvertedContactId == survivor),
        }));

        // The duplicate's extra email now finds the survivor, never the merged record.
        var again = await Ok(await api.PostAsJsonAsync("/api/v1/contacts", new { lastName = "P", email = "JO.PARK@gmail.com" }), HttpStatusCode.Created);
        Assert.Equal([survivor], again.GetProperty("duplicates").EnumerateArray().Select(d => d.GetProperty("id").GetGuid()));
        var history = (await api.GetJsonAsync($"/api/v1/contacts/{duplicate}/history")).GetProperty("items").EnumerateArray()
            .Where(c => c.GetProperty("source").GetString() == "merge").Select(c => c.GetProperty("field").GetString()).ToList();
        Assert.Equal(["MergedIntoId", "DeletedAt"], history.Order().Reverse());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Merging_contacts_moves_their_deal_roles_and_the_survivor_keeps_its_tags_unless_picked(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        async Task<Guid> ContactAsync(object body) =>
            (await Ok(await api.PostAsJsonAsync("/api/v1/contacts", body), HttpStatusCode.Created)).GetProperty("contact").GetProperty("id").GetGuid();
        var survivor = await ContactAsync(new { firstName = "Ana", lastName = "Lima", email = "ana@umbrella.io", tags = new[] { "vip" } });
        var duplicate = await ContactAsync(new { firstName = "Ana", lastName = "Lima", email = "ana.lima@umbrella.io", tags = new[] { "newsletter" } });
        var deals = await server.WithDbAsync(async db =>
        {
            var pipeline = new Pipeline { Name = "Sales", Stages = [new Stage { Name = "New" }] };
            db.Pipelines.Add(pipeline);
            var list = Enumerable.Range(1, 3).Select(i => new Opportunity { Name = $"Deal {i}", AccountId = Guid.CreateVersion7(), PipelineId = pipeline.Id, StageId = pipeline.Stages[0].Id }).ToList();
            db.Opportunities.AddRange(list);
            await db.SaveChangesAsync();
            return list.Select(o => o.Id).ToArray();
        });
        async Task RoleAsync(Guid deal, Guid contact, string role) =>
            await Ok(await api.PostAsJsonAsync($"/api/v1/opportunities/{deal}/contacts", new { contactId = contact, role }), HttpStatusCode.Created);
        // Deal 1: only the duplicate has a role. Deal 2: both have one. Deal 3: the survivor's role was removed before.
        await RoleAsync(deals[0], duplicate, "champion");
        await RoleAsync(deals[1], survivor, "decision_maker");
        await RoleAsync(deals[1], duplicate, "influencer");
        await RoleAsync(deals[2], survivor, "decision_maker");
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/opportunities/{deals[2]}/contacts/{survivor}")).StatusCode);
        await RoleAsync(deals[2], duplicate, "user");

        var result = await Ok(await MergeAsync(api, "contacts", survivor, new { duplicateId = duplicate }));
        Assert.Equal(2, Moved(result)["contactRoles"]);
        Assert.Equal(["vip"], result.GetProperty("survivor").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var roles = new List<string>();
        foreach (var deal in deals)
            roles.Add(string.Join(";", (await api.GetJsonAsync($"/api/v1/opportunities/{deal}/contacts")).EnumerateArray()
                .Select(r => $"{r.GetProperty("contactId").GetGuid() == survivor}:{r.Str("role")}")));
        Assert.Equal(["True:champion", "True:decision_maker", "True:user"], roles);
        // One row per deal and contact, as adding a role again expects; the duplicate keeps no live role.
        Assert.Equal((3, 0), await server.WithDbAsync(async db => (
            await db.OpportunityContactRoles.IgnoreQueryFilters().CountAsync(r => r.ContactId == survivor),
            await db.OpportunityContactRoles.CountAsync(r => r.ContactId == duplicate))));

        var other = await ContactAsync(new { firstName = "Ana", lastName = "Lima", email = "a.lima@umbrella.io", tags = new[] { "partner", "emea" } });
        var picked = await Ok(await MergeAsync(api, "contacts", survivor, new { duplicateId = other, fields = new { tags = "duplicate" } }));
        Assert.Equal(["emea", "partner"], picked.GetProperty("survivor").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["emea", "partner"], (await api.GetJsonAsync("/api/v1/contacts?tag=partner")).GetProperty("items").EnumerateArray()
            .Where(c => c.GetProperty("id").GetGuid() == survivor).SelectMany(c => c.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Merging_leads_moves_activities_and_refuses_to_bury_a_conversion(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        async Task<Guid> Lead(object body) => (await Ok(await api.PostAsJsonAsync("/api/v1/leads", body), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var survivor = await Lead(new { lastName = "Kim", email = "kim@umbrella.com", company = "Umbrella" });
        var duplicate = await Lead(new { lastName = "Kim", email = "KIM@umbrella.com", phone = "+44 20 7946 0958", source = "event" });
        var converted = await Lead(new { lastName = "Kim", email = "kim@umbrella.com", company = "Umbrella Corp" });
        await server.WithDbAsync(async db =>
        {
            db.Activities.Add(new Activity { Subject = "Booth visit", LeadId = duplicate });
            return await db.SaveChangesAsync();
        });
        await Ok(await api.PostAsJsonAsync($"/api/v1/leads/{converted}/convert", new { }));

        var result = await Ok(await MergeAsync(api, "leads", survivor, new { duplicateId = duplicate }));
        Assert.Equal(new Dictionary<string, int> { ["activities"] = 1, ["emails"] = 1, ["phones"] = 1 }, Moved(result));
        var s = result.GetProperty("survivor");
        Assert.Equal(("kim@umbrella.com", "+442079460958", "event", "Umbrella", 0), (s.Str("email"), s.Str("phone"), s.Str("source"), s.Str("company"), s.GetProperty("emails").GetArrayLength()));

        var refused = await Api.AssertProblemAsync(await MergeAsync(api, "leads", survivor, new { duplicateId = converted }), HttpStatusCode.Conflict);
        Assert.Equal("The duplicate lead is converted", refused.GetProperty("title").GetString());
        Assert.Equal(1, await server.WithDbAsync(db => db.Leads.CountAsync(l => l.Id == converted)));
        var intoConverted = await Ok(await MergeAsync(api, "leads", converted, new { duplicateId = survivor }));
        Assert.Equal("converted", intoConverted.GetProperty("survivor").Str("status"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Only_visible_records_merge_and_a_merged_record_s_history_follows_its_survivor(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var ravi = await server.CreateUserAsync("ravi@example.com", Roles.Ae, "East");
        var nina = await server.CreateUserAsync("nina@example.com", Roles.Ae, "West");
        using var raviApi = await server.ClientForAsync(ravi);
        using var ninaApi = await server.ClientForAsync(nina);
        using var reader = await server.ClientForAsync(ravi, "read");
        var ravis = await raviApi.CreateAccountIdAsync("""{"name":"Soylent"}""");
        var ravis2 = await raviApi.CreateAccountIdAsync("""{"name":"Soylent Corp"}""");
        var ninas = await ninaApi.CreateAccountIdAsync("""{"name":"Soylent Ltd"}""");

        // Nina's duplicate list does not leak Ravi's accounts; neither direction of a merge across owners works.
        Assert.Empty((await ninaApi.GetJsonAsync($"/api/v1/accounts/{ninas}/duplicates")).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await MergeAsync(ninaApi, "accounts", ravis, new { duplicateId = ninas })).StatusCode);
        await Api.AssertProblemAsync(await MergeAsync(ninaApi, "accounts", ninas, new { duplicateId = ravis }), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Forbidden, (await MergeAsync(reader, "accounts", ravis, new { duplicateId = ravis2 })).StatusCode);
        Assert.Equal(3, await server.WithDbAsync(db => db.Accounts.CountAsync()));

        await Ok(await MergeAsync(raviApi, "accounts", ravis, new { duplicateId = ravis2 }));
        var history = await raviApi.GetJsonAsync($"/api/v1/accounts/{ravis2}/history");
        Assert.Equal("Soylent Corp", history.GetProperty("items").EnumerateArray().First(c => c.GetProperty("field").GetString() == "Name").Str("newValue"));
        Assert.Equal(HttpStatusCode.NotFound, (await ninaApi.GetAsync($"/api/v1/accounts/{ravis2}/history")).StatusCode);
    }
}
