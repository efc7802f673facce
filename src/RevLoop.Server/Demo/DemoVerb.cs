using System.CommandLine;
using System.Globalization;
using RevLoop.Data;
using RevLoop.Server.Cli;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Demo;

/// <summary>`revloop demo [--seed N] [--opportunities N] [--as-of YYYY-MM-DD]`: loads the demo company into an empty database.</summary>
public static class DemoVerb
{
    public static Command Build()
    {
        var seed = new Option<ulong>("--seed") { Description = "Random seed: the same seed gives the same data, ids included", DefaultValueFactory = _ => 1 };
        var opportunities = new Option<int>("--opportunities")
        {
            Description = "Opportunities to simulate; accounts (N/6), contacts and leads (4 per account) scale with it",
            DefaultValueFactory = _ => DemoOptions.DefaultOpportunities,
        };
        var asOf = new Option<string?>("--as-of") { Description = $"Last simulated day, YYYY-MM-DD (default {DemoOptions.DefaultAsOf:yyyy-MM-dd}, never today's date, so loads repeat)" };
        var cmd = new Command("demo", "Load a simulated five-year B2B SaaS company (users, accounts, deals with full history, subscriptions) into an empty database.")
        {
            seed, opportunities, asOf,
        };
        cmd.SetAction((pr, ct) => RevLoopCli.WithServices(pr, DemoHistory.Source, async (sp, db) =>
        {
            var options = Options(pr.GetValue(seed), pr.GetValue(opportunities), pr.GetValue(asOf));
            var target = sp.GetRequiredService<DatabaseTarget>();
            Console.Error.WriteLine($"Loading the demo company into {target.Display} (seed {options.Seed})");
            var summary = await DemoLoader.LoadAsync(db, target, options, line => Console.Error.WriteLine(line), ct);
            Console.Error.WriteLine($"Loaded in {summary.Elapsed.TotalSeconds:0.0} s: {summary}.");
            foreach (var line in DemoLoader.LoginHelp()) Console.Error.WriteLine(line);
            return 0;
        }, ct));
        return cmd;
    }

    public static DemoOptions Options(ulong seed, int opportunities, string? asOf)
    {
        if (opportunities is < 1 or > 50_000_000) throw new InputException("--opportunities", "must be between 1 and 50,000,000");
        var day = DemoOptions.DefaultAsOf;
        if (asOf is not null && !DateOnly.TryParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            throw new InputException("--as-of", $"'{asOf}' is not a date like 2026-11-01");
        if (day.Year is < 2000 or > 2200) throw new InputException("--as-of", "must be between 2000 and 2200");
        return new DemoOptions { Seed = seed, Opportunities = opportunities, AsOf = day };
    }
}
