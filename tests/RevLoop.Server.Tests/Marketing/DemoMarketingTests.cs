using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Data;
using RevLoop.Server.Marketing.Abm;
using RevLoop.Marketing;
using RevLoop.Server.Demo;
using RevLoop.Server.Marketing;
using RevLoop.Server.Tests.Demo;

namespace RevLoop.Server.Tests.Marketing;

public class DemoMarketingTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task The_demo_has_a_yearly_campaign_programme_with_costs_the_touches_and_members_of_its_inbound_leads_and_target_account_lists(string provider)
    {
        await using var demo = await DemoDatabase.LoadAsync(provider, new DemoOptions { Seed = 7, Opportunities = 1500 });
        var s = demo.Summary;
        await demo.UseAsync(async db =>
        {
            // Nov 2021 (the first two months: programme, three always-on campaigns, the Q4 webinar), 2022-2026 nine each.
            Assert.Equal(50, s.Campaigns);
            Assert.Equal(50, await db.Campaigns.CountAsync());
            Assert.Equal(6, await db.Campaigns.CountAsync(c => c.ParentCampaignId == null));
            // Webinars run for three weeks up to their day; the Q4 2026 one is running on the as-of day (1 Nov 2026).
            Assert.Equal(["completed", "completed", "completed", "completed", "active"], await db.Campaigns.Where(c => c.Type == "webinar" && c.StartDate >= new DateOnly(2025, 10, 1))
                .OrderBy(c => c.StartDate).Select(c => c.Status).ToListAsync());
            Assert.Equal(s.Touches, await db.MarketingEvents.CountAsync());
            Assert.Equal(s.CampaignMembers, await db.CampaignMembers.CountAsync());
            Assert.True(s.Touches > 1000 && s.CampaignMembers > 200, $"{s.Touches} touches, {s.CampaignMembers} members");
            // Every touch is a lead or (after a lead's conversion) its contact, every member a lead; nothing happens after the
            // as-of day; costs stop there too.
            var leadIds = await db.Leads.IgnoreQueryFilters().Select(l => l.Id).ToListAsync();
            var contactIds = await db.Contacts.IgnoreQueryFilters().Select(c => c.Id).ToListAsync();
            Assert.Empty((await db.MarketingEvents.Where(e => e.PersonType == PersonTypes.Lead).Select(e => e.PersonId!.Value).Distinct().ToListAsync()).Except(leadIds));
            var touchedContacts = await db.MarketingEvents.Where(e => e.PersonType == PersonTypes.Contact).Select(e => e.PersonId!.Value).Distinct().ToListAsync();
            Assert.Empty(touchedContacts.Except(contactIds));
            Assert.NotEmpty(touchedContacts);
            Assert.Equal(0, await db.MarketingEvents.CountAsync(e => e.PersonType == null));
            Assert.Empty((await db.CampaignMembers.Select(m => m.PersonId).ToListAsync()).Except(leadIds));
            var horizon = new DemoOptions().Horizon;
            Assert.Equal(0, await db.MarketingEvents.CountAsync(e => e.OccurredAt >= horizon));
            Assert.Equal(0, await db.CampaignCosts.CountAsync(c => c.Date > new DemoOptions().AsOf));
            // Identified visitors' page views carry the visitor id and the lead; a campaign's first visit carries its UTM.
            var identified = await db.VisitorIdentities.CountAsync();
            Assert.Equal(identified, await db.MarketingEvents.Where(e => e.VisitorId != null && e.Type != MarketingEventTypes.PageView).Select(e => e.VisitorId).Distinct().CountAsync());
            Assert.Equal(0, await db.MarketingEvents.CountAsync(e => e.UtmCampaign != null && e.CampaignId == null));

            // Converted leads carry the campaign touches that brought them and nurtured them, so the attribution report of a
            // year of the demo credits campaigns: several campaigns, each model adding up to the attributed pipeline.
            var report = await Attribution.ReportAsync(db, new AttributionQuery("2025-01-01", "2025-12-31", null, null, null, null).Parse(), default);
            var credited = report.Campaigns.Where(c => c.Models.Any(m => m.Amount > 0)).ToList();
            Assert.True(credited.Count >= 5, string.Join(", ", credited.Select(c => c.Name)));
            Assert.True(report.UnattributedDeals < report.Deals, $"{report.UnattributedDeals} of {report.Deals} deals unattributed");
            for (var i = 0; i < report.Models.Count; i++)
                Assert.Equal(report.Amount - report.UnattributedAmount, report.Campaigns.Sum(c => c.Models[i].Amount));
            // Paths hold more than one campaign: linear and first touch disagree somewhere.
            Assert.Contains(report.Campaigns, c => c.Models[0].Amount != c.Models[2].Amount);
            // Default scoring rules, and every lead scored as of the demo's last moment: a demo request is worth 50 (capped).
            Assert.Equal(["Senior title", "Company of 200-5,000", "Visited pricing", "Asked for a demo", "Email clicks", "Attended a webinar", "Downloaded content"],
                await db.ScoringRules.OrderBy(r => r.CreatedAt).Select(r => r.Name).ToListAsync());
            var demoRequesters = await db.MarketingEvents.Where(e => e.Type == MarketingEventTypes.DemoRequest).Select(e => e.PersonId!.Value).Distinct().ToListAsync();
            var scores = await db.Leads.IgnoreQueryFilters().Where(l => demoRequesters.Contains(l.Id)).Select(l => new { l.Score, l.ScoreBreakdown, l.ScoredAt }).ToListAsync();
            Assert.NotEmpty(scores);
            Assert.All(scores, x => Assert.True(x.Score >= 50 && x.ScoreBreakdown!.Contains("\"rule\":\"Asked for a demo\",\"kind\":\"behaviour\",\"points\":50,", StringComparison.Ordinal)
                && x.ScoredAt == new DemoOptions().Horizon, $"{x.Score} {x.ScoreBreakdown} {x.ScoredAt}"));
            // Two target account lists of the largest enterprise accounts (accounts older than the first list), whose contacts
            // are touched from the day their account joined; engagement as of the day after the as-of day.
            var lists = await db.TargetAccountLists.OrderBy(l => l.CreatedAt).ToListAsync();
            Assert.Equal(["Strategic enterprise accounts", "Enterprise wave 2"], lists.Select(l => l.Name));
            var members = await db.TargetListAccounts.Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => new { m.ListId, a.Segment }).ToListAsync();
            Assert.Equal([25, 6], lists.Select(l => members.Count(m => m.ListId == l.Id)));
            Assert.All(members, m => Assert.Equal("enterprise", m.Segment));
            return 0;
        });
        await using var later = await DemoDatabase.ServicesFor(demo.Target, new FixedClock(new DemoOptions().Horizon));
        using var scope = later.CreateScope();
        var at = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var strategic = await at.TargetAccountLists.OrderBy(l => l.CreatedAt).FirstAsync();
        var e = await AbmEngagement.ComputeAsync(at, strategic, EngagementOptions.Default, CancellationToken.None);
        var t = e.Totals;
        Assert.Equal("25 accounts, 20 engaged, 92 people, 262 touches, 948 points, 3959918.29 USD open in 29, 710081.38 USD won in 20, 4 campaigns",
            FormattableString.Invariant($"{t.Accounts} accounts, {t.EngagedAccounts} engaged, {t.EngagedPeople} people, {t.Events} touches, {t.Score} points, {t.OpenPipeline:0.00} {e.BaseCurrency} open in {t.OpenOpportunities}, {t.Won:0.00} {e.BaseCurrency} won in {t.WonOpportunities}, {e.Campaigns.Count} campaigns"));
        Assert.Equal(t.Score, e.Accounts.Sum(a => a.Score));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
