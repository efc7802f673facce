using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Crm;

public class BoardApiTests
{
    private static async Task<JsonElement> Created(HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string Columns(JsonElement board) => string.Join(" | ", board.GetProperty("columns").EnumerateArray().Select(c =>
        $"{c.Str("name")} {c.GetProperty("count").GetInt64()} {c.GetProperty("amount").GetDecimal():0.00} [{string.Join(",", c.GetProperty("cards").EnumerateArray().Select(x => x.Str("name")))}]"));

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Board_sums_per_stage_in_base_currency_filters_and_pages_cards_by_close_date(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var rep = await server.CreateUserAsync("rep@example.com", Roles.Ae, team: "EMEA");
        var other = await server.CreateUserAsync("other@example.com", Roles.Ae, team: "NA");
        var pipeline = await Created(await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "Sales",
            stages = new[] { new { name = "Qualify", type = "open" }, new { name = "Propose", type = "open" }, new { name = "Won", type = "won" }, new { name = "Lost", type = "lost" } },
        }));
        var pid = pipeline.Str("id");
        string Stage(string name) => pipeline.GetProperty("stages").EnumerateArray().First(s => s.Str("name") == name).Str("id")!;
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/currencies", new { code = "EUR", name = "Euro" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/exchange-rates", new { currencyCode = "EUR", date = "2020-01-01", rate = 1.25m })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/exchange-rates", new { currencyCode = "EUR", date = "2021-01-01", rate = 1.1m })).StatusCode);
        var account = await api.CreateAccountIdAsync("""{"name":"Acme"}""");

        async Task Deal(string name, string stage, decimal? amount, string? close, Guid owner, string currency = "USD", string? segment = null, string? lostReason = null) =>
            await Created(await api.PostAsJsonAsync("/api/v1/opportunities", new
            {
                name, accountId = account, pipelineId = pid, stageId = Stage(stage), amount, closeDate = close, ownerId = owner, currency, segment, lostReason,
            }));
        await Deal("A", "Qualify", 1000.50m, "2027-01-05", rep.Id, segment: "smb");
        await Deal("B", "Qualify", 2000m, null, rep.Id);
        await Deal("C", "Qualify", 1000m, "2027-02-01", other.Id, "EUR", "enterprise");
        await Deal("D", "Qualify", 300m, "2027-01-05", other.Id, "CHF");
        await Deal("E", "Propose", 5000m, "2027-01-20", rep.Id);
        await Deal("F", "Lost", 700m, "2026-11-01", other.Id, lostReason: "price");
        // Closed in 2020: converts at that year's rate (1.25), not today's (ADR 0007).
        await Deal("G", "Lost", 200m, "2020-06-30", other.Id, "EUR", lostReason: "timing");

        // Open deals closing ahead convert at today's rate (1.1): 1000.50 + 2000 + 1100.00; CHF has no rate and is reported
        // apart. Lost: 700 + 200 EUR x 1.25.
        var board = await api.GetJsonAsync($"/api/v1/pipelines/{pid}/board?pageSize=2");
        Assert.Equal("USD", board.Str("baseCurrency"));
        Assert.Equal("Qualify 4 4100.50 [A,D] | Propose 1 5000.00 [E] | Won 0 0.00 [] | Lost 2 950.00 []", Columns(board));
        var qualify = board.GetProperty("columns")[0];
        Assert.Equal("CHF 1 300.00", string.Join(";", qualify.GetProperty("unconverted").EnumerateArray().Select(u => $"{u.Str("currency")} {u.GetProperty("count").GetInt64()} {u.GetProperty("amount").GetDecimal():0.00}")));

        // Load more: the rest of the column in the same order, undated last.
        var next = qualify.Str("nextCursor");
        var more = await api.GetJsonAsync($"/api/v1/pipelines/{pid}/board/stages/{Stage("Qualify")}/cards?pageSize=2&cursor={Uri.EscapeDataString(next!)}");
        Assert.Equal(["C", "B"], more.GetProperty("items").EnumerateArray().Select(x => x.Str("name")!).ToList());
        Assert.Equal(JsonValueKind.Null, more.GetProperty("nextCursor").ValueKind);
        var card = more.GetProperty("items")[0];
        Assert.Equal(("Acme", 1000m, "EUR", "2027-02-01", "other"), (card.Str("accountName"), card.GetProperty("amount").GetDecimal(), card.Str("currency"), card.Str("closeDate"), card.Str("ownerName")));

        var emea = server.Scoped(db => db.Teams.Single(t => t.Name == "EMEA").Id);
        Assert.Equal("Qualify 2 3000.50 [A,B] | Propose 1 5000.00 [E] | Won 0 0.00 [] | Lost 0 0.00 []", Columns(await api.GetJsonAsync($"/api/v1/pipelines/{pid}/board?teamId={emea}")));
        Assert.Equal("Qualify 1 1000.50 [A] | Propose 0 0.00 [] | Won 0 0.00 [] | Lost 0 0.00 []", Columns(await api.GetJsonAsync($"/api/v1/pipelines/{pid}/board?ownerId={rep.Id}&segment=smb")));
        // D (CHF) counts but has no rate, so the sum is A alone.
        Assert.Equal("Qualify 2 1000.50 [A,D] | Propose 1 5000.00 [E] | Won 0 0.00 [] | Lost 0 0.00 []", Columns(await api.GetJsonAsync($"/api/v1/pipelines/{pid}/board?closeFrom=2027-01-01&closeTo=2027-01-31")));

        // A team covers its sub-teams: with NA under EMEA, EMEA's board and list hold every deal, NA's only its own.
        var na = server.Scoped(db => db.Teams.Single(t => t.Name == "NA").Id);
        await server.WithDbAsync(async db =>
        {
            (await db.Teams.SingleAsync(t => t.Id == na)).ParentTeamId = emea;
            return await db.SaveChangesAsync();
        });
        Assert.Equal("Qualify 4 4100.50 [A,D] | Propose 1 5000.00 [E] | Won 0 0.00 [] | Lost 2 950.00 []", Columns(await api.GetJsonAsync($"/api/v1/pipelines/{pid}/board?teamId={emea}&pageSize=2")));
        Assert.Equal("Qualify 2 1100.00 [D,C] | Propose 0 0.00 [] | Won 0 0.00 [] | Lost 2 950.00 []", Columns(await api.GetJsonAsync($"/api/v1/pipelines/{pid}/board?teamId={na}")));
        async Task<string> ListNames(Guid team) => string.Join(",", (await server.WithDbAsync(db => RevLoop.Server.Web.Crm.OpportunityList.LoadAsync(db,
            RevLoop.Server.Web.Crm.OpportunityList.Read(new Microsoft.AspNetCore.Http.QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
            { ["team"] = team.ToString(), ["sort"] = "name" })), TimeZoneInfo.Utc, default))).Rows.Select(r => r.Opportunity.Name));
        Assert.Equal("A,B,C,D,E,F,G", await ListNames(emea));
        Assert.Equal("C,D,F,G", await ListNames(na));

        // A rep sees the totals of their own deals only.
        var repApi = await server.ClientForAsync(rep, "read");
        Assert.Equal("Qualify 2 3000.50 [A,B] | Propose 1 5000.00 [E] | Won 0 0.00 [] | Lost 0 0.00 []", Columns(await repApi.GetJsonAsync($"/api/v1/pipelines/{pid}/board")));

        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/pipelines/{pid}/board?segment=huge"), HttpStatusCode.BadRequest, "segment");
        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/pipelines/{pid}/board?pageSize=500"), HttpStatusCode.BadRequest, "pageSize");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/pipelines/{Guid.NewGuid()}/board")).StatusCode);
    }
}
