using System.CommandLine;
using RevLoop.Platform;
using RevLoop.Server.Cli;

namespace RevLoop.Server.Crm.Routing;

/// <summary>
/// `revloop routing simulate [--lead ID | --company --email --region --country --employees --source]`: where a lead would
/// go, as the API's simulation answers (changes nothing); `revloop routing check-sla`: settles the routing SLAs due now,
/// as the background check does.
/// </summary>
public static class RoutingVerb
{
    public static Command Build()
    {
        var lead = new Option<Guid?>("--lead") { Description = "An existing lead's id" };
        var company = new Option<string?>("--company");
        var email = new Option<string?>("--email");
        var region = new Option<string?>("--region");
        var country = new Option<string?>("--country") { Description = "Two-letter code" };
        var employees = new Option<int?>("--employees");
        var source = new Option<string?>("--source");
        var simulate = new Command("simulate", "Where would this lead go? Prints the rule, the reason and the owner or queue; changes nothing.")
            { lead, company, email, region, country, employees, source };
        simulate.SetAction((pr, ct) => RevLoopCli.WithServices(pr, ChangeSources.Cli, async (_, db) =>
        {
            var result = (await RoutingApi.Simulate(new SimulateInput(pr.GetValue(lead), pr.GetValue(company), pr.GetValue(email), null, pr.GetValue(employees),
                pr.GetValue(country), pr.GetValue(region), pr.GetValue(source)), db, ct)).Value!;
            var d = result.Decision;
            var to = d.OwnerId is { } o ? $"owner {o}" : d.Queue is { } q ? $"queue {q}" : "unassigned";
            Console.WriteLine($"{d.Rule}: {d.Reason} -> {to}");
            return 0;
        }, ct));
        var check = new Command("check-sla", "Record routed leads not touched by their SLA as breached (escalating them) and the touched ones' first touch.");
        check.SetAction((pr, ct) => RevLoopCli.WithServices(pr, ChangeSources.Cli, async (_, db) =>
        {
            var (touched, breached) = await LeadSla.CheckAsync(db, db.Clock.GetUtcNow(), ct);
            Console.WriteLine($"{touched} touched in time, {breached} breached");
            return 0;
        }, ct));
        return new Command("routing", "Lead routing: simulate a lead, settle SLAs.") { simulate, check };
    }
}
