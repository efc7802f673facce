using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Crm;

public class OpportunityStageTests
{
    private static object Stages(params (string Name, int P, string Type)[] s) => s.Select(x => new { name = x.Name, probability = x.P, type = x.Type }).ToArray();

    private static async Task<JsonElement> Created(HttpResponseMessage r)
    {
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return await r.ReadJsonAsync();
    }

    private static async Task<string> ErrorField(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        return string.Join(",", (await r.ReadJsonAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Stage_changes_are_validated_recorded_and_mapped_between_pipelines(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        Assert.Equal("stages", await ErrorField(await api.PostAsJsonAsync("/api/v1/pipelines", new { name = "Bad", stages = Stages(("Open", 10, "open"), ("Won", 100, "won")) })));
        var sales = await Created(await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "New business",
            stages = Stages(("Discovery", 10, "open"), ("Proposal", 40, "open"), ("Negotiation", 70, "open"), ("Closed won", 100, "won"), ("Closed lost", 0, "lost")),
        }));
        var partner = await Created(await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "Partner",
            stages = Stages(("Registered", 10, "open"), ("Proposal", 50, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")),
        }));
        Assert.True(sales.GetProperty("isDefault").GetBoolean());
        Assert.False(partner.GetProperty("isDefault").GetBoolean());
        string StageId(JsonElement p, string name) => p.GetProperty("stages").EnumerateArray().First(s => s.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;

        var account = await Created(await api.PostAsJsonAsync("/api/v1/accounts", new { name = "Acme" }));
        var opp = await Created(await api.PostAsJsonAsync("/api/v1/opportunities", new { name = "Acme platform", accountId = account.GetProperty("id").GetString() }));
        var id = opp.GetProperty("id").GetString();
        Assert.Equal(StageId(sales, "Discovery"), opp.GetProperty("stageId").GetString());
        Assert.Equal("pipeline", opp.GetProperty("forecastCategory").GetString());

        Assert.Equal("amount,closeDate", await ErrorField(await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}", new { stageId = StageId(sales, "Proposal") })));
        Assert.Equal("closeDate", await ErrorField(await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}", new { stageId = StageId(sales, "Proposal"), amount = 12000.50m })));
        Assert.Equal("bogus", await ErrorField(await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}", new { bogus = 1 })));
        var moved = await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}", new { stageId = StageId(sales, "Proposal"), amount = 12000.50m, closeDate = "2026-12-31" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(12000.50m, (await moved.ReadJsonAsync()).GetProperty("amount").GetDecimal());

        // Another pipeline without a stage: "Proposal" exists there by name.
        var mapped = await (await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}", new { pipelineId = partner.GetProperty("id").GetString() })).ReadJsonAsync();
        Assert.Equal(StageId(partner, "Proposal"), mapped.GetProperty("stageId").GetString());

        Assert.Equal("lostReason", await ErrorField(await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}", new { stageId = StageId(partner, "Lost") })));
        var lost = await (await api.PatchAsJsonAsync($"/api/v1/opportunities/{id}", new { stageId = StageId(partner, "Lost"), lostReason = "price" })).ReadJsonAsync();
        Assert.Equal("omitted", lost.GetProperty("forecastCategory").GetString());
        Assert.Equal(JsonValueKind.String, lost.GetProperty("lostAt").ValueKind);

        var history = await (await api.GetAsync($"/api/v1/opportunities/{id}/history?pageSize=200")).ReadJsonAsync();
        var stageChanges = history.GetProperty("items").EnumerateArray().Where(c => c.GetProperty("field").GetString() == "StageId")
            .Select(c => $"{c.GetProperty("oldValue").GetString() ?? "-"}>{c.GetProperty("newValue").GetString()}").ToList();
        Assert.Equal([
            $"->{StageId(sales, "Discovery")}",
            $"{StageId(sales, "Discovery")}>{StageId(sales, "Proposal")}",
            $"{StageId(sales, "Proposal")}>{StageId(partner, "Proposal")}",
            $"{StageId(partner, "Proposal")}>{StageId(partner, "Lost")}",
        ], stageChanges);
    }
}
