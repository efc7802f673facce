using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Data;
using RevLoop.Server.Analytics;
using RevLoop.Server.Crm.Opportunities;
using RevLoop.Server.Demo;
using RevLoop.Finance;
using RevLoop.Server.Tests.Demo;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Crm;

/// <summary>
/// The board's totals are summed from the in-memory deal columns (ADR 0014) with an in-memory twin of
/// <see cref="BoardFilter.Apply"/>: on the demo company they must equal the database's GROUP BY through Apply and the
/// visibility filter, for every filter the board has and for viewers who see all, a team or their own deals.
/// </summary>
public class BoardTotalsTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Totals_from_memory_equal_the_databases_group_by_for_every_filter_and_viewer(string provider)
    {
        await using var demo = await DemoDatabase.LoadAsync(provider, new DemoOptions { Seed = 7, Opportunities = 1500 });
        var (pipeline, teams, regions, owners, manager, rep) = await demo.UseAsync(async db => (
            await db.Pipelines.Where(p => p.IsDefault).Select(p => p.Id).SingleAsync(),
            await db.Teams.Select(t => t.Id).ToListAsync(),
            await db.Opportunities.Where(o => o.Region != null).Select(o => o.Region!).Distinct().ToListAsync(),
            await db.Opportunities.Where(o => o.OwnerId != null).Select(o => o.OwnerId!.Value).Distinct().OrderBy(o => o).Take(3).ToListAsync(),
            await db.Users.Where(u => u.Role == "sales_manager" && u.TeamId != null).OrderBy(u => u.Email).FirstAsync(),
            await db.Users.Where(u => u.Role == "ae").OrderBy(u => u.Email).FirstAsync()));
        var year = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime).Year;
        var filters = new List<BoardFilter> { new(), new(CloseFrom: new DateOnly(year, 1, 1), CloseTo: new DateOnly(year, 12, 31)), new(CloseTo: new DateOnly(year - 2, 6, 30)) };
        filters.AddRange(teams.Select(t => new BoardFilter(TeamId: t)));
        filters.AddRange(regions.Select(r => new BoardFilter(Region: r)));
        filters.AddRange(Account.Segments.Select(s => new BoardFilter(Segment: s)));
        filters.AddRange(owners.Select(o => new BoardFilter(OwnerId: o)));
        filters.Add(new BoardFilter(TeamId: teams[0], Segment: "enterprise", CloseFrom: new DateOnly(year - 1, 1, 1)));

        var compared = 0;
        foreach (var viewer in new[] { "admin", "manager", "rep" })
            foreach (var f in filters)
            {
                var (memory, database) = await demo.UseAsync(async db =>
                {
                    if (viewer == "manager") db.Viewer.BecomeUser(manager.Id, manager.Role, false, await BoardFilter.TeamAndSubTeamsAsync(db, manager.TeamId!.Value, default));
                    if (viewer == "rep") db.Viewer.BecomeUser(rep.Id, rep.Role, false, []);
                    var filter = await f.WithSubTeamsAsync(db, default);
                    var rates = await RateBook.LoadAsync(db, default);
                    var (baseCurrency, today) = (rates.BaseCurrency, rates.Today);
                    var visible = await AnalyticsFilter.VisibleOwnersAsync(db, pipeline, default);
                    var fromMemory = await OpportunityHistoryColumns.For(db).ReadAsync(db, c => c.BoardTotals(pipeline, filter, visible, baseCurrency, today), default);
                    var fromDatabase = await filter.Apply(db.Opportunities.AsNoTracking().Where(o => o.PipelineId == pipeline))
                        .GroupBy(o => new { o.StageId, o.Currency, Day = o.Currency == baseCurrency ? null : o.CloseDate <= today ? o.CloseDate : null })
                        .Select(g => new { g.Key.StageId, g.Key.Currency, g.Key.Day, Count = g.LongCount(), Minor = g.Sum(o => o.AmountMinor) })
                        .ToListAsync();
                    return (fromMemory.Select(t => $"{t.StageId} {t.Currency} {t.Day} {t.Count} {t.Minor}").Order().ToList(),
                        fromDatabase.Select(t => $"{t.StageId} {t.Currency} {t.Day} {t.Count} {t.Minor}").Order().ToList());
                });
                Assert.True(database.SequenceEqual(memory), $"{viewer}, {f}: database [{string.Join("; ", database)}] memory [{string.Join("; ", memory)}]");
                if (database.Count > 0) compared++;
            }
        // A comparison of empty sets proves little: about half the combinations select deals (the rep and the manager's
        // team see a part of the company, and most teams' filters leave them nothing).
        Assert.True(compared >= filters.Count, $"{compared} of {filters.Count * 3} combinations had deals");
    }
}
