using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Leads;
using RevLoop.Platform;
using RevLoop.Server.Crm.Routing;
using RevLoop.Server.Demo;
using RevLoop.Server.Tests.Demo;

namespace RevLoop.Server.Tests.Crm;

public class DemoRoutingTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task The_demo_has_a_queue_per_lead_pool_a_rule_per_sdr_team_and_its_waiting_leads_queued(string provider)
    {
        await using var demo = await DemoDatabase.LoadAsync(provider, new DemoOptions { Seed = 7, Opportunities = 1500 });
        await demo.UseAsync(async db =>
        {
            var pools = await db.Leads.IgnoreQueryFilters().Where(l => l.Pool != null).Select(l => l.Pool!).Distinct().ToListAsync();
            var queues = await db.LeadQueues.ToListAsync();
            var sdrTeamNames = await db.Teams.Where(t => db.Users.Any(u => u.TeamId == t.Id && u.Role == Roles.Sdr)).Select(t => t.Name + " inbound").ToListAsync();
            Assert.Equal(pools.Concat(sdrTeamNames).Append(DemoRouting.PartnerPool).Distinct().Order(StringComparer.Ordinal), queues.Select(q => q.Name).Order(StringComparer.Ordinal));
            Assert.Equal(2880, queues.Single(q => q.Name == DemoRouting.PartnerPool).SlaMinutes);

            var sdrTeams = await db.Users.Where(u => u.Role == Roles.Sdr && u.TeamId != null).Select(u => u.TeamId!.Value).Distinct().CountAsync();
            var rules = await db.RoutingRules.OrderBy(r => r.Position).ToListAsync();
            Assert.Equal(1 + sdrTeams, rules.Count);
            Assert.Equal(("Partner registrations", RoutingActions.Queue, "partner"), (rules[0].Name, rules[0].Action, rules[0].Sources));
            Assert.All(rules.Skip(1), r => Assert.Equal(RoutingActions.RoundRobin, r.Action));
            Assert.Equal(Enumerable.Range(1, rules.Count), rules.Select(r => r.Position));

            // The last two weeks' inbound leads each have one current decision: waiting in a pool, or claimed by their owner.
            var since = new DemoOptions().Horizon.AddDays(-14);
            var recent = await db.Leads.IgnoreQueryFilters().Where(l => l.CreatedAt >= since && l.Source != "outbound").Select(l => new { l.Id, l.OwnerId, l.Pool }).ToListAsync();
            var assignments = await db.LeadAssignments.Where(a => a.Current).ToListAsync();
            Assert.NotEmpty(assignments);
            Assert.Equal(recent.Select(l => $"{l.Id} {l.OwnerId}").Order(), assignments.Select(a => $"{a.LeadId} {a.OwnerId}").Order());
            var byQueue = queues.ToDictionary(q => q.Id, q => q.Name);
            Assert.All(assignments.Where(a => a.OwnerId is null), a => Assert.Equal(recent.Single(l => l.Id == a.LeadId).Pool, byQueue[a.QueueId!.Value]));
            // Settled from the history: touched by the due time, else breached at it.
            Assert.All(assignments, a => Assert.True(a.FirstTouchedAt is { } t ? t <= a.SlaDueAt && a.BreachedAt is null : a.BreachedAt == a.SlaDueAt || a.SlaDueAt >= since.AddDays(14)));
            Assert.Contains(assignments, a => a.FirstTouchedAt is not null);

            // An inbound lead from the first team rule's region goes round robin to a rep of that team.
            var rule = rules[1];
            var decision = await LeadRouting.SimulateAsync(db, new Lead { Region = rule.Regions, Source = "inbound" }, CancellationToken.None);
            Assert.Equal(rule.Name, decision.Rule);
            Assert.Equal(rule.TeamId, (await db.Users.SingleAsync(u => u.Id == decision.OwnerId)).TeamId);
            return 0;
        });
    }
}
