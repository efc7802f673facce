using System.CommandLine;
using RevLoop.Platform;
using RevLoop.Server.Cli;

namespace RevLoop.Server.Marketing.Scoring;

/// <summary>`revloop scoring recompute`: rescores every lead and contact now, as the background job does after a rule change.</summary>
public static class ScoringVerb
{
    public static Command Build()
    {
        var recompute = new Command("recompute", "Rescore every lead and contact with the active rules (MQL and re-routing included); prints how many people were rescored.");
        recompute.SetAction((pr, ct) => RevLoopCli.WithServices(pr, ChangeSources.Cli, async (_, db) =>
        {
            var o = await LeadScoring.RecomputeAllAsync(db, lifecycle: true, ct);
            Console.WriteLine($"{o.People} people rescored (leads {o.Leads}, contacts {o.Contacts}): {o.Changed} scores changed, {o.NewMqls} new MQLs, {o.Rerouted} re-routed");
            return 0;
        }, ct));
        return new Command("scoring", "Lead scoring: recompute everyone's score.") { recompute };
    }
}
