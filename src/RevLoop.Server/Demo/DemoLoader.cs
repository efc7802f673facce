using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Demo;

/// <summary>
/// Loads the demo company into a migrated, empty database in one transaction (all or nothing). A database that holds
/// business records is refused (<see cref="InputException"/>, exit code 2); users, teams and settings created by
/// `migrate` and `user create` are fine.
/// </summary>
public static class DemoLoader
{
    /// <summary>What makes a database non-empty for the demo: any business record or history.</summary>
    public static async Task<IReadOnlyList<string>> ExistingDataAsync(RevLoopDb db, CancellationToken ct)
    {
        var found = new List<string>();
        async Task Check(string name, Task<bool> any) { if (await any) found.Add(name); }
        await Check("accounts", db.Accounts.IgnoreQueryFilters().AnyAsync(ct));
        await Check("contacts", db.Contacts.IgnoreQueryFilters().AnyAsync(ct));
        await Check("leads", db.Leads.IgnoreQueryFilters().AnyAsync(ct));
        await Check("opportunities", db.Opportunities.IgnoreQueryFilters().AnyAsync(ct));
        await Check("activities", db.Activities.IgnoreQueryFilters().AnyAsync(ct));
        await Check("pipelines", db.Pipelines.AnyAsync(ct));
        await Check("products", db.Products.AnyAsync(ct));
        await Check("line items", db.LineItems.AnyAsync(ct));
        await Check("subscription periods", db.SubscriptionPeriods.IgnoreQueryFilters().AnyAsync(ct));
        await Check("history", db.FieldChanges.AnyAsync(ct));
        return found;
    }

    public static async Task<DemoSummary> LoadAsync(RevLoopDb db, DatabaseTarget target, DemoOptions options, Action<string> log, CancellationToken ct)
    {
        if (options.Opportunities < 1) throw new InputException("--opportunities", "must be at least 1");
        var existing = await ExistingDataAsync(db, ct);
        if (existing.Count > 0)
            throw new InputException("--database", $"{target.Display} already holds {string.Join(", ", existing)}; the demo loads only into an empty database (users and settings are fine)");
        var org = DemoGenerator.Organisation(options);
        var emails = org.Users.Select(u => u.Row.NormalizedEmail).ToList();
        var clash = await db.Users.Where(u => emails.Contains(u.NormalizedEmail)).Select(u => u.Email).FirstOrDefaultAsync(ct);
        if (clash is not null) throw new InputException("--database", $"a user {clash} exists already; the demo creates its own users at {DemoOptions.EmailDomain}");
        var teamNames = org.Teams.Select(t => t.Name).ToList();
        var teamClash = await db.Teams.Where(t => teamNames.Contains(t.Name)).Select(t => t.Name).FirstOrDefaultAsync(ct);
        if (teamClash is not null) throw new InputException("--database", $"a team '{teamClash}' exists already; the demo creates its own team tree");
        var hasRates = await db.ExchangeRates.AnyAsync(ct);

        var clock = Stopwatch.StartNew();
        // The work is synchronous (CPU and one connection); run it off the caller's thread.
        var summary = await Task.Run(() =>
        {
            using var sink = BulkSink.Open(db, target);
            sink.DeferIndexes(typeof(FieldChange), typeof(RevLoop.Crm.Accounts.Account), typeof(RevLoop.Crm.Contacts.Contact), typeof(RevLoop.Crm.Leads.Lead),
                typeof(RevLoop.Crm.Opportunities.Opportunity), typeof(RevLoop.Crm.Products.LineItem), typeof(RevLoop.Crm.Activities.Activity),
                typeof(RevLoop.Finance.SubscriptionPeriod), typeof(RevLoop.Marketing.MarketingEvent), typeof(RevLoop.Marketing.CampaignMember));
            var s = DemoGenerator.Run(options, org, sink, log, ct);
            sink.Execute("UPDATE \"CompanySettings\" SET \"CompanyName\" = @p0, \"Version\" = \"Version\" + 1 WHERE \"CompanyName\" = @p1", DemoCatalog.CompanyName, new CompanySettings().CompanyName);
            foreach (var (code, name) in new[] { ("USD", "US dollar"), ("EUR", "Euro"), ("GBP", "Pound sterling") })
                sink.Execute("INSERT INTO \"Currencies\" (\"Code\", \"Name\") SELECT @p0, @p1 WHERE NOT EXISTS (SELECT 1 FROM \"Currencies\" WHERE \"Code\" = @p0)", code, name);
            if (!hasRates)
            {
                var rates = sink.Table<ExchangeRate>();
                foreach (var r in DemoCatalog.Rates(DemoRandom.For(options.Seed, DemoGenerator.RatesStream, 0), DemoTime.Day(options.Start).AddMonths(-1), options.AsOf))
                    rates.Add(r);
            }
            log($"{sink.RowsWritten:N0} rows written ({sink.WriteTime.TotalSeconds:0.0} s in the database); building indexes and committing…");
            var sw = Stopwatch.StartNew();
            sink.Commit();
            SettingsVersion.Bump(); // rates and settings written past EF: cached copies reload
            ChangeVersions.BumpAll(); // and so were users, teams and pipelines
            log($"indexes built and committed in {sw.Elapsed.TotalSeconds:0.0} s");
            s.Rows = sink.RowsWritten;
            return s;
        }, ct);
        log("targets, forecast submissions and snapshots…");
        await DemoForecasts.AddAsync(db, options, ct);
        log("lead routing rules, queues and the leads waiting in them…");
        await DemoRouting.AddAsync(db, options, ct);
        log("lead scoring rules and everyone's score…");
        var scoring = Stopwatch.StartNew();
        var scored = await DemoScoring.AddAsync(db, options, ct);
        log($"  {scored.People:N0} people scored in {scoring.Elapsed.TotalSeconds:0.0} s");
        summary.Elapsed = clock.Elapsed;
        return summary;
    }

    /// <summary>The lines `demo` and `serve --demo` print: how to sign in.</summary>
    public static IEnumerable<string> LoginHelp()
    {
        yield return $"Sign in as {DemoOptions.AdminEmail} with password {DemoOptions.Password} (every demo user has this password).";
        yield return $"One login per role: ae@, sdr@, bdr@, csm@ and sales-manager@ (the NA East team), executive@ (the CRO), revops@, marketing@, finance@, project-manager@, partner@{DemoOptions.EmailDomain}.";
    }
}
