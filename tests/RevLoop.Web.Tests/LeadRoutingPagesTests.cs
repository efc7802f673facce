using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class LeadRoutingPagesTests(UiFixture f)
{
    [Fact]
    public async Task A_rule_and_queue_made_on_the_settings_page_route_a_lead_that_a_rep_claims_from_the_queue_page()
    {
        // A region of its own, so the rule touches no other test's leads.
        var u = Guid.NewGuid().ToString("N")[..6];
        var region = $"R{u}";
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/settings/routing");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Lead routing");

        await page.GetByLabel("Queue name").FillAsync($"Pool {u}");
        await page.GetByLabel("SLA (minutes)").FillAsync("30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add queue" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync($"Queue Pool {u} added.");

        // A queue rule without a queue is refused, naming the field; with one it is added.
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync($"Rule {u}");
        await page.GetByLabel("Regions").FillAsync(region);
        await page.GetByLabel("Then").SelectOptionAsync("queue");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add rule" }).ClickAsync();
        await Expect(page.GetByTestId("rule-errors")).ToContainTextAsync("queueId is required to put leads in a queue");
        await page.GetByLabel("Queue", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = $"Pool {u}" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add rule" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync($"Rule Rule {u} added.");
        await Expect(page.Locator($"tr[data-rule='Rule {u}'] td").Nth(1)).ToHaveTextAsync($"region {region.ToLowerInvariant()}");
        await Expect(page.Locator($"tr[data-rule='Rule {u}'] td").Nth(2)).ToHaveTextAsync($"queue Pool {u}");

        // Simulation says where a lead would go.
        await page.Locator("#s-region").FillAsync(region);
        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate" }).ClickAsync();
        await Expect(page.GetByTestId("simulation")).ToContainTextAsync($"Rule {u}: matched rule");
        await Expect(page.GetByTestId("simulation")).ToContainTextAsync($"(waits in Pool {u})");

        // A lead from the API lands in the pool; the rep sees it with its SLA timer and claims it.
        using var api = await f.Server.ClientForAsync(f.Admin);
        using var created = await api.PostAsJsonAsync("/api/v1/leads", new { firstName = "Quinn", lastName = $"Queue{u}", company = $"Q {u}", region });
        var leadId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var rep = await f.SignedInAsync(f.Rep);
        await rep.GotoAsync("/leads/queue");
        await rep.Locator("#q-queue").SelectOptionAsync(new SelectOptionValue { Label = $"Pool {u} (SLA 30 min)" });
        // The select submits its form from script; poll the address rather than wait for a navigation event the select may already have raised.
        await Expect(rep).ToHaveURLAsync(new Regex("queue="));
        var row = rep.Locator($"tr[data-lead='{leadId}']");
        await Expect(row.Locator("th")).ToHaveTextAsync($"Quinn Queue{u}");
        await Expect(row.GetByTestId("sla")).ToHaveTextAsync(new Regex("^(29|30) min left$"));
        await row.GetByRole(AriaRole.Button, new() { Name = $"Claim Quinn Queue{u}" }).ClickAsync();
        await Expect(rep.GetByTestId("message")).ToHaveTextAsync("Claimed: the lead is yours now.");
        await Expect(rep.Locator($"tr[data-lead='{leadId}']")).ToHaveCountAsync(0);
        await rep.GotoAsync("/leads/queue");
        await Expect(rep.Locator($"tr[data-lead='{leadId}'] th")).ToHaveTextAsync($"Quinn Queue{u}");
        await rep.Locator($"tr[data-lead='{leadId}'] th a").ClickAsync();
        await rep.WaitForURLAsync(new Regex($"/leads/{leadId}$"));
        await Expect(rep.GetByTestId("routing").Locator("tbody tr").First.Locator("td").Nth(1)).ToHaveTextAsync("Claimed");
        await Expect(rep.GetByTestId("routing").Locator("tbody tr").Nth(1).Locator("td").Nth(1)).ToHaveTextAsync($"Rule {u}");
        await rep.Context.CloseAsync();

        // A rep's capacity and absence: a bad capacity is named, a good one is listed, then cleared again.
        await page.GotoAsync("/settings/routing");
        await page.GetByLabel("Rep", new() { Exact = true }).SelectOptionAsync(f.Rep.Id.ToString());
        await page.GetByLabel("Capacity (open leads)").FillAsync("-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save availability" }).ClickAsync();
        await Expect(page.GetByTestId("rep-errors")).ToContainTextAsync("capacity must be a whole number, 0 or more");
        await page.GetByLabel("Rep", new() { Exact = true }).SelectOptionAsync(f.Rep.Id.ToString());
        await page.GetByLabel("Capacity (open leads)").FillAsync("40");
        await page.GetByLabel("Out of office until").FillAsync("2031-12-24");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save availability" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync("Availability saved.");
        var repRow = page.Locator($"tr[data-rep='{f.Rep.DisplayName}'] td");
        await Expect(repRow.Nth(1)).ToHaveTextAsync("40");
        await Expect(repRow.Nth(2)).ToHaveTextAsync("25 Dec 2031, 00:00");
        await page.GetByLabel("Rep", new() { Exact = true }).SelectOptionAsync(f.Rep.Id.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Save availability" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync("Availability saved.");

        // Rules are evaluated in order: a second rule moves ahead of the first, is paused (kept, greyed, skipped) and resumed.
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync($"Second {u}");
        await page.GetByLabel("Regions").FillAsync(region);
        await page.GetByLabel("Then").SelectOptionAsync("queue");
        await page.GetByLabel("Queue", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = $"Pool {u}" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add rule" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync($"Rule Second {u} added.");
        string[] Names(string[] all) => all.Where(n => n.EndsWith(u, StringComparison.Ordinal)).ToArray();
        async Task<string[]> Order() => Names(await page.Locator("table[data-testid='rules'] tbody tr[data-rule]").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.rule)"));
        Assert.Equal([$"Rule {u}", $"Second {u}"], await Order());
        await page.GetByRole(AriaRole.Button, new() { Name = $"Move rule Second {u} up" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync("Rule moved.");
        Assert.Equal([$"Second {u}", $"Rule {u}"], await Order());
        await page.GetByRole(AriaRole.Button, new() { Name = $"Pause rule Second {u}" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync("Rule paused.");
        await Expect(page.Locator($"tr[data-rule='Second {u}']")).ToHaveClassAsync("muted");
        await page.Locator("#s-region").FillAsync(region);
        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate" }).ClickAsync();
        await Expect(page.GetByTestId("simulation")).ToContainTextAsync($"Rule {u}: matched rule");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Resume rule Second {u}" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync("Rule resumed.");
        await page.Locator("#s-region").FillAsync(region);
        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate" }).ClickAsync();
        await Expect(page.GetByTestId("simulation")).ToContainTextAsync($"Second {u}: matched rule");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete rule Second {u}" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync("Rule deleted.");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete rule Rule {u}" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync("Rule deleted.");
        await Expect(page.Locator($"tr[data-rule='Rule {u}']")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    /// <summary>A queue and a rule sending region <paramref name="region"/> to it, made through the API; the rule's id.</summary>
    private async Task<Guid> QueueRuleAsync(string u, string region)
    {
        using var api = await f.Server.ClientForAsync(f.Admin, "read,write,admin");
        using var queue = await api.PostAsJsonAsync("/api/v1/lead-queues", new { name = $"Pool {u}", slaMinutes = 30 });
        var queueId = (await queue.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var rule = await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = $"Edit {u}", action = "queue", queueId, regions = new[] { region } });
        Assert.Equal(System.Net.HttpStatusCode.Created, rule.StatusCode);
        return (await rule.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task SimulateAsync(IPage page, string region)
    {
        await page.Locator("#s-region").FillAsync(region);
        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate" }).ClickAsync();
        await Expect(page.GetByTestId("simulation")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Editing_a_rule_s_condition_changes_where_the_simulated_lead_goes()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var (region, other) = ($"R{u}", $"S{u}");
        var id = await QueueRuleAsync(u, region);
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/settings/routing");
        await SimulateAsync(page, other);
        await Expect(page.GetByTestId("simulation")).Not.ToContainTextAsync($"Edit {u}");

        // Edit opens the same form, filled with the rule as stored, the keyboard on its first field.
        await page.GetByRole(AriaRole.Link, new() { Name = $"Edit rule Edit {u}" }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"edit={id}"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Edit rule Edit {u}" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToBeFocusedAsync();
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync($"Edit {u}");
        await Expect(page.GetByLabel("Regions")).ToHaveValueAsync(region.ToLowerInvariant());
        await Expect(page.GetByLabel("Then")).ToHaveValueAsync("queue");
        await Expect(page.Locator($"tr[data-rule='Edit {u}']")).ToHaveAttributeAsync("aria-current", "true");

        await page.GetByLabel("Regions").FillAsync($"{region}, {other}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save rule" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync($"Rule Edit {u} saved.");
        await Expect(page.Locator($"tr[data-rule='Edit {u}'] td").Nth(1)).ToHaveTextAsync($"region {region.ToLowerInvariant()} or {other.ToLowerInvariant()}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add a rule" })).ToBeVisibleAsync();

        // The simulation now sends the other region's lead to the edited rule's queue.
        await SimulateAsync(page, other);
        await Expect(page.GetByTestId("simulation")).ToContainTextAsync($"Edit {u}: matched rule");
        await Expect(page.GetByTestId("simulation")).ToContainTextAsync($"(waits in Pool {u})");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete rule Edit {u}" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync("Rule deleted.");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_refused_rule_edit_names_the_field_next_to_it_keeps_what_was_typed_and_Escape_leaves_the_rule_as_it_was()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var region = $"R{u}";
        var id = await QueueRuleAsync(u, region);
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/settings/routing?edit={id}");
        await page.GetByLabel("Regions").FillAsync($"{region}, Elsewhere");
        await page.GetByLabel("Employees from").FillAsync("500");
        await page.GetByLabel("Employees up to").FillAsync("100");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save rule" }).ClickAsync();

        // The message stands under the field the rules named; that field is marked and focused; the rest is as typed.
        var max = page.GetByLabel("Employees up to");
        await Expect(page.Locator("[data-field='maxEmployees'] .field-error")).ToHaveTextAsync("Employees up to must not be below minEmployees.");
        await Expect(max).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(max).ToHaveAttributeAsync("aria-describedby", "err-maxEmployees");
        await Expect(max).ToBeFocusedAsync();
        await Expect(max).ToHaveValueAsync("100");
        await Expect(page.GetByLabel("Employees from")).ToHaveValueAsync("500");
        await Expect(page.GetByLabel("Regions")).ToHaveValueAsync($"{region}, Elsewhere");
        await Expect(page.GetByLabel("Queue", new() { Exact = true })).ToHaveValueAsync(new Regex("^[0-9a-f-]{36}$"));
        Assert.Contains($"edit={id}", page.Url, StringComparison.Ordinal);

        // Escape leaves the form; the stored rule is as it was.
        await page.Keyboard.PressAsync("Escape");
        await page.WaitForURLAsync(new Regex("/settings/routing$"));
        await Expect(page.Locator($"tr[data-rule='Edit {u}'] td").Nth(1)).ToHaveTextAsync($"region {region.ToLowerInvariant()}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add a rule" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete rule Edit {u}" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync("Rule deleted.");
        await page.Context.CloseAsync();
    }
}
