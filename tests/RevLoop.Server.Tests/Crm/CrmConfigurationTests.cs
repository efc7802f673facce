using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Crm;

/// <summary>Stage rules, segment bands, tags, custom fields, pipeline moves and contact roles, over HTTP on both databases.</summary>
public class CrmConfigurationTests
{
    private static async Task<JsonElement> Ok(HttpResponseMessage r, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == status, $"{(int)r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static Task<JsonElement> Created(HttpResponseMessage r) => Ok(r, HttpStatusCode.Created);

    /// <summary>field: message pairs of a 400 problem, in order.</summary>
    private static async Task<List<string>> Errors(HttpResponseMessage r)
    {
        var body = await Api.AssertProblemAsync(r, HttpStatusCode.BadRequest);
        return body.GetProperty("errors").EnumerateObject().Select(p => $"{p.Name}: {p.Value[0].GetString()}").ToList();
    }

    private static string StageId(JsonElement pipeline, string name) =>
        pipeline.GetProperty("stages").EnumerateArray().First(s => s.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;

    private static List<string> Required(JsonElement pipeline) => pipeline.GetProperty("stages").EnumerateArray()
        .Select(s => $"{s.GetProperty("name").GetString()}=[{string.Join(",", s.GetProperty("requiredFields").EnumerateArray().Select(f => f.GetString()))}]").ToList();

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Required_fields_are_configured_per_stage_and_every_missing_one_is_named(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        await Created(await api.PostAsync("/api/v1/custom-fields", """{"recordType":"opportunity","key":"tier","label":"Tier","type":"picklist","options":["Gold","Silver"]}"""));

        // A new pipeline that says nothing about required fields gets the default: amount and close date from stage 2 on.
        var plain = await Created(await api.PostAsync("/api/v1/pipelines",
            """{"name":"Plain","stages":[{"name":"A","type":"open"},{"name":"B","type":"open"},{"name":"Won","type":"won"},{"name":"Lost","type":"lost"}]}"""));
        Assert.Equal(["A=[]", "B=[amount,closeDate]", "Won=[]", "Lost=[]"], Required(plain));

        Assert.Equal(["stages[1].requiredFields[0]: 'bogus' is not a field a stage can require (fields: amount, acv, closeDate, nextStep, primaryContactId, ownerId, sourcingRole, source, region, segment, productFamily, customFields.tier)"],
            await Errors(await api.PostAsync("/api/v1/pipelines",
                """{"name":"Bad","stages":[{"name":"A"},{"name":"B","requiredFields":["bogus"]},{"name":"W","type":"won"},{"name":"L","type":"lost"}]}""")));
        Assert.Equal(["stages[3].requiredFields: a lost stage requires its lost reason only"],
            await Errors(await api.PostAsync("/api/v1/pipelines",
                """{"name":"Bad","stages":[{"name":"A"},{"name":"B"},{"name":"W","type":"won"},{"name":"L","type":"lost","requiredFields":["amount"]}]}""")));

        var sales = await Created(await api.PostAsync("/api/v1/pipelines", """
            {"name":"Sales","isDefault":true,"stages":[
              {"name":"Discovery","probability":10},
              {"name":"Qualify","probability":25,"requiredFields":["amount","closeDate"]},
              {"name":"Proposal","probability":60,"requiredFields":["nextStep","customFields.tier","amount"]},
              {"name":"Won","type":"won"},{"name":"Lost","type":"lost"}]}
            """));
        Assert.Equal(["Discovery=[]", "Qualify=[amount,closeDate]", "Proposal=[nextStep,customFields.tier,amount]", "Won=[]", "Lost=[]"], Required(sales));
        var account = (await api.CreateAccountAsync("""{"name":"Acme"}""")).GetProperty("id").GetString();

        // On create: every missing field at once, each with the stage that requires it.
        Assert.Equal(["amount: is required from stage 'Qualify' on", "closeDate: is required from stage 'Qualify' on"],
            await Errors(await api.PostAsJsonAsync("/api/v1/opportunities", new { name = "Deal", accountId = account, stageId = StageId(sales, "Qualify") })));
        var deal = await Created(await api.PostAsJsonAsync("/api/v1/opportunities", new { name = "Deal", accountId = account }));
        var id = deal.GetProperty("id").GetString();
        Assert.Equal(StageId(sales, "Discovery"), deal.Str("stageId"));

        // On stage change: the rules of every stage up to the target; won needs them too, lost only its reason.
        Assert.Equal(["amount: is required from stage 'Qualify' on", "closeDate: is required from stage 'Qualify' on", "nextStep: is required from stage 'Proposal' on",
                "customFields.tier: is required from stage 'Proposal' on"],
            await Errors(await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}", new { stageId = StageId(sales, "Proposal") })));
        Assert.Equal(["nextStep: is required from stage 'Proposal' on", "customFields.tier: is required from stage 'Proposal' on"],
            await Errors(await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}", new { stageId = StageId(sales, "Won"), amount = 1000, closeDate = "2027-03-31" })));
        Assert.Equal(["lostReason: is required to move a deal to 'Lost'"],
            await Errors(await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}", new { stageId = StageId(sales, "Lost") })));
        var proposal = await Ok(await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}",
            new { stageId = StageId(sales, "Proposal"), amount = 1000, closeDate = "2027-03-31", nextStep = "Demo", customFields = new { tier = "gold" } }));
        Assert.Equal("Gold", proposal.GetProperty("customFields").GetProperty("tier").GetString());

        // On update at the same stage: clearing a required field is refused.
        Assert.Equal(["nextStep: is required from stage 'Proposal' on"], await Errors(await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}", new { nextStep = (string?)null })));

        // Revops changes the rules: Proposal no longer needs a next step (stages keep their ids; null keeps a stage's rules).
        var ae = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        using var aeClient = await server.ClientForAsync(ae);
        var body = $$"""
            {"name":"Sales","stages":[
              {"id":"{{StageId(sales, "Discovery")}}","name":"Discovery","probability":10},
              {"id":"{{StageId(sales, "Qualify")}}","name":"Qualify","probability":25},
              {"id":"{{StageId(sales, "Proposal")}}","name":"Proposal","probability":60,"requiredFields":["customFields.tier"]},
              {"id":"{{StageId(sales, "Won")}}","name":"Won","type":"won"},{"id":"{{StageId(sales, "Lost")}}","name":"Lost","type":"lost"}]}
            """;
        Assert.Equal(HttpStatusCode.Forbidden, (await aeClient.SendAsync(HttpMethod.Put, $"/api/v1/pipelines/{sales.Str("id")}", body)).StatusCode);
        var changed = await Ok(await api.SendAsync(HttpMethod.Put, $"/api/v1/pipelines/{sales.Str("id")}", body));
        Assert.Equal(["Discovery=[]", "Qualify=[amount,closeDate]", "Proposal=[customFields.tier]", "Won=[]", "Lost=[]"], Required(changed));
        var cleared = await Ok(await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}", new { nextStep = (string?)null }));
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("nextStep").ValueKind);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Segment_bands_are_settings_and_rederive_only_derived_segments(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var settings = await api.GetJsonAsync("/api/v1/settings");
        Assert.Equal((200, 1000), (settings.GetProperty("midMarketFromEmployees").GetInt32(), settings.GetProperty("enterpriseFromEmployees").GetInt32()));

        var small = await api.CreateAccountAsync("""{"name":"Small","employees":150}""");
        var middle = await api.CreateAccountAsync("""{"name":"Middle","employees":500}""");
        var pinned = await api.CreateAccountAsync("""{"name":"Pinned","employees":500,"segment":"smb"}""");
        var same = await api.CreateAccountAsync("""{"name":"Same","employees":150,"segment":"smb"}""");
        var unknown = await api.CreateAccountAsync("""{"name":"Unknown"}""");
        string View(JsonElement a) => $"{a.Str("segment") ?? "-"}/{(a.GetProperty("segmentExplicit").GetBoolean() ? "explicit" : "derived")}";
        Assert.Equal(["smb/derived", "mid_market/derived", "smb/explicit", "smb/derived", "-/derived"], new[] { small, middle, pinned, same, unknown }.Select(View).ToList());

        Assert.Equal(["enterpriseFromEmployees: must be greater than midMarketFromEmployees (200)"],
            await Errors(await api.MergePatchAsync("/api/v1/settings", """{"enterpriseFromEmployees":150}""")));
        Assert.Equal(["midMarketFromEmployees: must be a whole number of employees from 1 to 10,000,000"],
            await Errors(await api.MergePatchAsync("/api/v1/settings", """{"midMarketFromEmployees":0}""")));
        var ae = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        using var aeClient = await server.ClientForAsync(ae);
        Assert.Equal(HttpStatusCode.Forbidden, (await aeClient.MergePatchAsync("/api/v1/settings", """{"midMarketFromEmployees":100}""")).StatusCode);

        var updated = await Ok(await api.MergePatchAsync("/api/v1/settings", """{"midMarketFromEmployees":100,"enterpriseFromEmployees":400}"""));
        Assert.Equal((100, 400), (updated.GetProperty("midMarketFromEmployees").GetInt32(), updated.GetProperty("enterpriseFromEmployees").GetInt32()));
        var after = new List<string>();
        foreach (var a in new[] { small, middle, pinned, same, unknown }) after.Add(View(await api.GetJsonAsync($"/api/v1/accounts/{a.Str("id")}")));
        Assert.Equal(["mid_market/derived", "enterprise/derived", "smb/explicit", "mid_market/derived", "-/derived"], after);

        var history = await api.GetJsonAsync($"/api/v1/accounts/{small.Str("id")}/history?pageSize=100");
        Assert.Equal(["->smb", "smb->mid_market"], history.GetProperty("items").EnumerateArray().Where(c => c.Str("field") == "Segment")
            .Select(c => $"{c.Str("oldValue")}->{c.Str("newValue")}").ToList());

        // Clearing an explicit segment hands it back to the bands; new accounts use the new bands.
        Assert.Equal("enterprise/derived", View(await Ok(await api.MergePatchAsync($"/api/v1/accounts/{pinned.Str("id")}", """{"segment":null}"""))));
        Assert.Equal("smb/derived", View(await api.CreateAccountAsync("""{"name":"Tiny","employees":99}""")));
        // A PATCH that leaves the segment alone keeps a derived segment derived.
        Assert.Equal("enterprise/derived", View(await Ok(await api.MergePatchAsync($"/api/v1/accounts/{small.Str("id")}", """{"employees":450}"""))));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Tags_and_custom_fields_are_validated_filterable_and_in_history(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        Assert.Equal(["key: must be 1 to 50 characters: a lower-case letter, then letters, digits or _ (e.g. contract_tier)"],
            await Errors(await api.PostAsync("/api/v1/custom-fields", """{"recordType":"account","key":"Tier!","label":"Tier","type":"text"}""")));
        Assert.Equal(["options: a picklist needs at least one option"],
            await Errors(await api.PostAsync("/api/v1/custom-fields", """{"recordType":"account","key":"tier","label":"Tier","type":"picklist"}""")));
        Assert.Equal(["recordType: must be one of account, contact, lead, opportunity"],
            await Errors(await api.PostAsync("/api/v1/custom-fields", """{"recordType":"invoice","key":"tier","label":"Tier","type":"text"}""")));
        foreach (var def in new[]
        {
            """{"recordType":"account","key":"tier","label":"Tier","type":"picklist","options":["Gold","Silver"]}""",
            """{"recordType":"account","key":"seats","label":"Seats","type":"number"}""",
            """{"recordType":"account","key":"renewal","label":"Renewal","type":"date"}""",
            """{"recordType":"account","key":"strategic","label":"Strategic","type":"boolean"}""",
            """{"recordType":"account","key":"notes","label":"Notes","type":"text"}""",
            """{"recordType":"contact","key":"persona","label":"Persona","type":"text","required":true}""",
        }) await Created(await api.PostAsync("/api/v1/custom-fields", def));
        Assert.Equal(["key: account already has a custom field 'tier'"],
            await Errors(await api.PostAsync("/api/v1/custom-fields", """{"recordType":"account","key":"tier","label":"Tier","type":"text"}""")));
        var defs = await api.GetJsonAsync("/api/v1/custom-fields?recordType=account");
        Assert.Equal(["tier:picklist", "seats:number", "renewal:date", "strategic:boolean", "notes:text"],
            defs.EnumerateArray().Select(d => $"{d.Str("key")}:{d.Str("type")}").ToList());

        Assert.Equal([
                "tags[1]: must not contain a comma",
                "customFields.tier: must be one of Gold, Silver", "customFields.seats: must be a number", "customFields.renewal: must be a date like 2026-12-31",
                "customFields.strategic: must be true or false", "customFields.bogus: is not a custom field of account (fields: tier, seats, renewal, strategic, notes)",
            ],
            await Errors(await api.PostAsync("/api/v1/accounts",
                """{"name":"Bad","tags":["ok","a,b"],"customFields":{"tier":"Bronze","seats":"many","renewal":"31/12/2026","strategic":"yes","bogus":1}}""")));
        Assert.Equal(0, await server.WithDbAsync(db => db.Accounts.CountAsync()));

        var acme = await api.CreateAccountAsync("""{"name":"Acme","tags":[" VIP ","Churn   Risk","vip",""],"customFields":{"tier":"gold","seats":25,"renewal":"2027-01-31","strategic":"true","notes":"  "}}""");
        var globex = await api.CreateAccountAsync("""{"name":"Globex","tags":["prospect"],"customFields":{"tier":"Silver","seats":"25.0"}}""");
        Assert.Equal(["churn risk", "vip"], acme.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList());
        Assert.Equal("""{"renewal":"2027-01-31","seats":25,"strategic":true,"tier":"Gold"}""", acme.GetProperty("customFields").GetRawText());

        Assert.Equal(["Acme"], (await api.GetJsonAsync("/api/v1/accounts?tag=VIP")).Names());
        Assert.Equal(["Acme"], (await api.GetJsonAsync("/api/v1/accounts?tag=churn%20risk")).Names());
        Assert.Equal(["Globex"], (await api.GetJsonAsync("/api/v1/accounts?cf.tier=silver")).Names());
        Assert.Equal(["Acme", "Globex"], (await api.GetJsonAsync("/api/v1/accounts?cf.seats=25")).Names());
        Assert.Equal(["Acme"], (await api.GetJsonAsync("/api/v1/accounts?cf.seats=25&cf.strategic=true")).Names());
        Assert.Empty((await api.GetJsonAsync("/api/v1/accounts?cf.seats=26")).Names());
        Assert.Equal(["cf.nope: is not a custom field of account"], await Errors(await api.GetAsync("/api/v1/accounts?cf.nope=1")));
        Assert.Equal(["cf.seats: must be a number"], await Errors(await api.GetAsync("/api/v1/accounts?cf.seats=lots")));

        // A merge patch merges into customFields: seats changes, notes is set, tier and the rest stay.
        var patched = await Ok(await api.MergePatchAsync($"/api/v1/accounts/{acme.Str("id")}", """{"customFields":{"seats":30,"notes":"Key logo","strategic":null},"tags":["vip"]}"""));
        Assert.Equal("""{"notes":"Key logo","renewal":"2027-01-31","seats":30,"tier":"Gold"}""", patched.GetProperty("customFields").GetRawText());
        Assert.Empty((await api.GetJsonAsync("/api/v1/accounts?cf.strategic=true")).Names());
        Assert.Empty((await api.GetJsonAsync("/api/v1/accounts?tag=churn%20risk")).Names());
        Assert.Equal(["Acme"], (await api.GetJsonAsync("/api/v1/accounts?cf.seats=30")).Names());

        var history = await api.GetJsonAsync($"/api/v1/accounts/{acme.Str("id")}/history?pageSize=100");
        var lastSave = history.GetProperty("items").EnumerateArray().Where(c => c.Str("field")!.StartsWith("CustomFields.") || c.Str("field") == "Tags")
            .Select(c => $"{c.Str("field")}: {c.Str("oldValue") ?? "-"} -> {c.Str("newValue") ?? "-"}").Order().ToList();
        Assert.Equal([
            "CustomFields.notes: - -> Key logo", "CustomFields.renewal: - -> 2027-01-31", "CustomFields.seats: - -> 25", "CustomFields.seats: 25 -> 30",
            "CustomFields.strategic: - -> true", "CustomFields.strategic: true -> -", "CustomFields.tier: - -> Gold", "Tags: - -> churn risk,vip", "Tags: churn risk,vip -> vip",
        ], lastSave);

        // Definitions: a used field cannot go, nor a used picklist option; an unused one can.
        var seatsId = defs.EnumerateArray().First(d => d.Str("key") == "seats").Str("id");
        var tierId = defs.EnumerateArray().First(d => d.Str("key") == "tier").Str("id");
        var strategicId = defs.EnumerateArray().First(d => d.Str("key") == "strategic").Str("id");
        Assert.Equal(["id: 2 account record(s) have a value for 'seats'; clear them first"], await Errors(await api.DeleteAsync($"/api/v1/custom-fields/{seatsId}")));
        Assert.Equal(["options: records still use Silver; change them first"],
            await Errors(await api.SendAsync(HttpMethod.Put, $"/api/v1/custom-fields/{tierId}", """{"label":"Tier","options":["Gold","Platinum"]}""")));
        Assert.Equal(["type: cannot change once defined; define a new field instead"],
            await Errors(await api.SendAsync(HttpMethod.Put, $"/api/v1/custom-fields/{tierId}", """{"label":"Tier","type":"text"}""")));
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/custom-fields/{strategicId}")).StatusCode);

        // Required custom fields and tags on contacts, leads and opportunities too.
        Assert.Equal(["customFields.persona: is required"], await Errors(await api.PostAsync("/api/v1/contacts", """{"firstName":"Ada","lastName":"Lovelace"}""")));
        var ada = await Created(await api.PostAsync("/api/v1/contacts", """{"firstName":"Ada","lastName":"Lovelace","tags":["Board"],"customFields":{"persona":"Economic buyer"}}"""));
        Assert.Equal("Economic buyer", ada.GetProperty("contact").GetProperty("customFields").GetProperty("persona").GetString());
        Assert.Single((await api.GetJsonAsync("/api/v1/contacts?tag=board")).GetProperty("items").EnumerateArray());
        await Created(await api.PostAsync("/api/v1/leads", """{"firstName":"Bo","lastName":"Lead","tags":["Webinar 2026"]}"""));
        Assert.Single((await api.GetJsonAsync("/api/v1/leads?tag=webinar%202026")).GetProperty("items").EnumerateArray());
        Assert.Empty((await api.GetJsonAsync("/api/v1/leads?tag=board")).GetProperty("items").EnumerateArray());

        var tags = await api.GetJsonAsync("/api/v1/tags");
        Assert.Equal(["contact:board:1", "account:prospect:1", "account:vip:1", "lead:webinar 2026:1"],
            tags.EnumerateArray().Select(t => $"{t.Str("recordType")}:{t.Str("tag")}:{t.GetProperty("count").GetInt32()}").ToList());

        // A deleted record leaves the filters.
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/accounts/{globex.Str("id")}")).StatusCode);
        Assert.Empty((await api.GetJsonAsync("/api/v1/accounts?tag=prospect")).Names());
        Assert.Equal(["Acme"], (await api.GetJsonAsync("/api/v1/accounts?cf.seats=30")).Names());
        Assert.Equal(0, await server.WithDbAsync(db => db.CustomFieldValues.CountAsync(v => v.Key == "tier" && v.Value == "Silver")));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Moving_deals_between_pipelines_maps_stages_validates_and_records_history(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var sales = await Created(await api.PostAsync("/api/v1/pipelines", """
            {"name":"Sales","stages":[{"name":"Discovery"},{"name":"Qualify","requiredFields":["amount","closeDate"]},{"name":"Negotiation"},{"name":"Won","type":"won"},{"name":"Lost","type":"lost"}]}
            """));
        var partner = await Created(await api.PostAsync("/api/v1/pipelines", """
            {"name":"Partner","stages":[{"name":"Registered","requiredFields":[]},{"name":"Proposal","requiredFields":[]},{"name":"Contract","requiredFields":[]},{"name":"Closed","type":"won"},{"name":"Dropped","type":"lost"}]}
            """));
        var account = (await api.CreateAccountAsync("""{"name":"Acme"}""")).Str("id");
        var late = await Created(await api.PostAsJsonAsync("/api/v1/opportunities", new { name = "Late", accountId = account, stageId = StageId(sales, "Negotiation"), amount = 500, closeDate = "2027-01-01" }));
        var early = await Created(await api.PostAsJsonAsync("/api/v1/opportunities", new { name = "Early", accountId = account }));

        // No mapping, no stage of the same name: the 3rd open stage maps to the 3rd open stage.
        var moved = await Ok(await api.PatchAsJsonAsync($"/api/v1/opportunities/{late.Str("id")}", new { pipelineId = partner.Str("id") }));
        Assert.Equal(StageId(partner, "Contract"), moved.Str("stageId"));

        // Explicit mapping wins; a mapping into another pipeline's stage is refused by name.
        Assert.Equal([$"stageMapping.{StageId(sales, "Discovery")}: stage {StageId(sales, "Won")} is not a stage of pipeline 'Partner'"],
            await Errors(await api.PostAsJsonAsync("/api/v1/opportunities/move", new
            {
                opportunityIds = new[] { early.Str("id") }, pipelineId = partner.Str("id"),
                stageMapping = new Dictionary<string, string> { [StageId(sales, "Discovery")] = StageId(sales, "Won") },
            })));
        var mapped = await Ok(await api.PostAsJsonAsync("/api/v1/opportunities/move", new
        {
            opportunityIds = new[] { early.Str("id") }, pipelineId = partner.Str("id"),
            stageMapping = new Dictionary<string, string> { [StageId(sales, "Discovery")] = StageId(partner, "Proposal") },
        }));
        Assert.Equal(StageId(partner, "Proposal"), mapped.GetProperty("moved")[0].Str("stageId"));

        // Back to Sales: Proposal has no namesake and is the 2nd open stage, so Qualify, which needs amount and close date.
        // All or nothing: the deal that could move (Late, Contract -> Negotiation) stays where it is too.
        Assert.Equal(["opportunityIds[1].amount: is required from stage 'Qualify' on", "opportunityIds[1].closeDate: is required from stage 'Qualify' on",
                "opportunityIds[2]: no opportunity has id 00000000-0000-0000-0000-000000000001"],
            await Errors(await api.PostAsJsonAsync("/api/v1/opportunities/move", new
            {
                opportunityIds = new[] { late.Str("id"), early.Str("id"), "00000000-0000-0000-0000-000000000001" }, pipelineId = sales.Str("id"),
            })));
        Assert.Equal(StageId(partner, "Contract"), (await api.GetJsonAsync($"/api/v1/opportunities/{late.Str("id")}")).Str("stageId"));
        var back = await Ok(await api.PostAsJsonAsync("/api/v1/opportunities/move", new
        {
            opportunityIds = new[] { late.Str("id"), early.Str("id") }, pipelineId = sales.Str("id"),
            stageMapping = new Dictionary<string, string> { [StageId(partner, "Proposal")] = StageId(sales, "Discovery") },
        }));
        Assert.Equal([StageId(sales, "Negotiation"), StageId(sales, "Discovery")], back.GetProperty("moved").EnumerateArray().Select(o => o.Str("stageId")!).ToList());

        var history = await api.GetJsonAsync($"/api/v1/opportunities/{early.Str("id")}/history?pageSize=100");
        Assert.Equal([
                $"PipelineId:{sales.Str("id")}>{partner.Str("id")}", $"PipelineId:{partner.Str("id")}>{sales.Str("id")}",
                $"StageId:{StageId(sales, "Discovery")}>{StageId(partner, "Proposal")}", $"StageId:{StageId(partner, "Proposal")}>{StageId(sales, "Discovery")}",
            ],
            history.GetProperty("items").EnumerateArray().Where(c => c.Str("field") is "PipelineId" or "StageId" && c.Str("oldValue") is not null)
                .Select(c => $"{c.Str("field")}:{c.Str("oldValue")}>{c.Str("newValue")}").Order().ToList());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Contact_roles_name_several_contacts_one_primary_within_visible_data(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var admin = await server.AdminClientAsync();
        await Created(await admin.PostAsync("/api/v1/pipelines", """{"name":"Sales","stages":[{"name":"Open"},{"name":"Won","type":"won"},{"name":"Lost","type":"lost"}]}"""));
        var ae = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        var other = await server.CreateUserAsync("other@example.com", Roles.Ae);
        using var api = await server.ClientForAsync(ae);
        var acme = (await api.CreateAccountAsync("""{"name":"Acme"}""")).Str("id");
        var partnerCo = (await api.CreateAccountAsync("""{"name":"Partner Co"}""")).Str("id");
        async Task<string> Contact(HttpClient c, string first, string? account, string? role = null) =>
            (await Created(await c.PostAsJsonAsync("/api/v1/contacts", new { firstName = first, lastName = "Test", accountId = account, dealRole = role, ownerId = c == api ? ae.Id : other.Id }))).GetProperty("contact").Str("id")!;
        var cleo = await Contact(api, "Cleo", acme, "champion");
        var dan = await Contact(api, "Dan", partnerCo);
        var hidden = await Contact(admin, "Hidden", acme);
        var deal = (await Created(await api.PostAsJsonAsync("/api/v1/opportunities", new { name = "Deal", accountId = acme }))).Str("id");

        var first = await Created(await api.PostAsJsonAsync($"/api/v1/opportunities/{deal}/contacts", new { contactId = cleo, isPrimary = true }));
        Assert.Equal(("champion", true), (first.Str("role"), first.GetProperty("isPrimary").GetBoolean()));
        Assert.Equal(cleo, (await api.GetJsonAsync($"/api/v1/opportunities/{deal}")).Str("primaryContactId"));

        Assert.Equal(["role: is required (the contact has no deal role): one of decision_maker, champion, influencer, user, key_person"],
            await Errors(await api.PostAsJsonAsync($"/api/v1/opportunities/{deal}/contacts", new { contactId = dan })));
        Assert.Equal(["role: must be one of decision_maker, champion, influencer, user, key_person"],
            await Errors(await api.PostAsJsonAsync($"/api/v1/opportunities/{deal}/contacts", new { contactId = dan, role = "sponsor" })));
        Assert.Equal(["isPrimary: the primary contact must belong to the deal's account"],
            await Errors(await api.PostAsJsonAsync($"/api/v1/opportunities/{deal}/contacts", new { contactId = dan, role = "influencer", isPrimary = true })));
        Assert.Equal([$"contactId: no contact has id {hidden}"],
            await Errors(await api.PostAsJsonAsync($"/api/v1/opportunities/{deal}/contacts", new { contactId = hidden, role = "user" })));
        await Created(await api.PostAsJsonAsync($"/api/v1/opportunities/{deal}/contacts", new { contactId = dan, role = "Influencer" }));
        await Api.AssertProblemAsync(await api.PostAsJsonAsync($"/api/v1/opportunities/{deal}/contacts", new { contactId = cleo, role = "user" }), HttpStatusCode.Conflict);

        string Row(JsonElement r) => $"{r.Str("firstName")}:{r.Str("role")}:{(r.GetProperty("isPrimary").GetBoolean() ? "primary" : "-")}";
        Assert.Equal(["Cleo:champion:primary", "Dan:influencer:-"], (await api.GetJsonAsync($"/api/v1/opportunities/{deal}/contacts")).EnumerateArray().Select(Row).ToList());

        Assert.Equal("Dan:decision_maker:-", Row(await Ok(await api.SendAsync(HttpMethod.Put, $"/api/v1/opportunities/{deal}/contacts/{dan}", """{"role":"decision_maker"}"""))));
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/opportunities/{deal}/contacts/{cleo}")).StatusCode);
        Assert.Equal(["Dan:decision_maker:-"], (await api.GetJsonAsync($"/api/v1/opportunities/{deal}/contacts")).EnumerateArray().Select(Row).ToList());
        Assert.Equal(JsonValueKind.Null, (await api.GetJsonAsync($"/api/v1/opportunities/{deal}")).GetProperty("primaryContactId").ValueKind);
        // Removed and added again: the same role record comes back (restored), with its history.
        var again = await Created(await api.PostAsJsonAsync($"/api/v1/opportunities/{deal}/contacts", new { contactId = cleo, role = "user" }));
        Assert.Equal(first.Str("id"), again.Str("id"));

        // A deal the viewer cannot see has no contacts to show or change.
        using var otherApi = await server.ClientForAsync(other);
        Assert.Equal(HttpStatusCode.NotFound, (await otherApi.GetAsync($"/api/v1/opportunities/{deal}/contacts")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherApi.PostAsJsonAsync($"/api/v1/opportunities/{deal}/contacts", new { contactId = hidden, role = "user" })).StatusCode);

        var events = await server.WithDbAsync(db => db.OutboxEvents.Where(e => e.EntityType == "opportunity_contact_role").OrderBy(e => e.Id).Select(e => e.Type).ToListAsync());
        Assert.Equal(["opportunity_contact_role.created", "opportunity_contact_role.created", "opportunity_contact_role.updated", "opportunity_contact_role.deleted",
            "opportunity_contact_role.restored"], events);
        var roleRows = await server.WithDbAsync(db => db.FieldChanges.AsNoTracking().Where(c => c.EntityType == "opportunity_contact_role").OrderBy(c => c.Id).ToListAsync());
        var roleHistory = CreationRecord.Expand(roleRows).Where(c => c.Field == "Role").Select(c => (c.OldValue ?? "-") + ">" + c.NewValue).ToList();
        Assert.Equal(["-" + ">champion", "-" + ">influencer", "influencer>decision_maker", "champion>user"], roleHistory);
        var primaryHistory = (await api.GetJsonAsync($"/api/v1/opportunities/{deal}/history?pageSize=100")).GetProperty("items").EnumerateArray()
            .Where(c => c.Str("field") == "PrimaryContactId").Select(c => $"{c.Str("oldValue") ?? "-"}>{c.Str("newValue") ?? "-"}").ToList();
        Assert.Equal([$"->{cleo}", $"{cleo}>-"], primaryHistory);
    }
}
