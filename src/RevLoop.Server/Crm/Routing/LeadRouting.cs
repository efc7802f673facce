using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Leads;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Crm.Configuration;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Routing;

/// <summary>Where a lead goes and why: an owner, or a queue to be claimed from, or neither when nothing matched.</summary>
/// <remarks><see cref="Queue"/> is the pool the lead waits in (no owner yet); <see cref="QueueId"/> alone, with an owner, names the queue whose SLA applies.</remarks>
public sealed record RoutingDecision(Guid? RuleId, string Rule, string Reason, Guid? OwnerId, Guid? QueueId, string? Queue, DateTimeOffset? SlaDueAt);

/// <summary>
/// Decides who gets new (or newly qualified) leads: a lead whose company is an account someone owns goes to that owner;
/// otherwise the first active rule (in position order) whose conditions all hold assigns it to a user, the next available
/// rep of a team in turn (round robin) or the one with the fewest open leads, or puts it in a queue. Reps out of office or
/// at capacity are skipped. Each decision is recorded (rule and reason) with its SLA clock; the caller saves, so the
/// assignment commits in the same transaction as the lead.
/// </summary>
public static class LeadRouting
{
    /// <summary>Statuses that still need a rep's work: they count against capacity and load.</summary>
    public static readonly string[] OpenStatuses = [LeadStatus.New, LeadStatus.Working, LeadStatus.Mql, LeadStatus.Sql];

    public static async Task<IReadOnlyList<RoutingDecision>> RouteAsync(RevLoopDb db, IReadOnlyList<Lead> leads, CancellationToken ct)
    {
        if (leads.Count == 0) return [];
        var now = db.Clock.GetUtcNow();
        var router = await Router.LoadAsync(db, now, leads, ct);
        var ownership = new Ownership(db);
        // Earlier decisions stop being current; the new one starts its own SLA clock. A lead not saved yet has none.
        var ids = leads.Where(l => db.Entry(l).State != EntityState.Added).Select(l => l.Id).ToList();
        var earlier = ids.Count == 0 ? [] : await db.LeadAssignments.Where(a => a.Current && ids.Contains(a.LeadId)).ToListAsync(ct);
        foreach (var a in earlier) a.Current = false;
        var decisions = new List<RoutingDecision>(leads.Count);
        foreach (var lead in leads)
        {
            var d = router.Decide(lead, routing: true);
            await ownership.AssignAsync(lead, d.OwnerId, ct);
            lead.Pool = d.Queue;
            db.LeadAssignments.Add(new LeadAssignment
            {
                LeadId = lead.Id, AssignedAt = now, RuleId = d.RuleId, Rule = d.Rule, Reason = Trim(d.Reason, 500), OwnerId = d.OwnerId, QueueId = d.QueueId, SlaDueAt = d.SlaDueAt,
            });
            decisions.Add(d);
        }
        return decisions;
    }

    /// <summary>Where the lead would go now, changing nothing (round-robin turns are not taken).</summary>
    public static async Task<RoutingDecision> SimulateAsync(RevLoopDb db, Lead lead, CancellationToken ct)
    {
        var router = await Router.LoadAsync(db, db.Clock.GetUtcNow(), [lead], ct);
        return router.Decide(lead, routing: false);
    }

    private static string Trim(string s, int max) => s.Length <= max ? s : s[..max];

    private sealed class Router
    {
        public required DateTimeOffset Now;
        public required List<RoutingRule> Rules;
        public required Dictionary<Guid, LeadQueue> Queues;
        public required Dictionary<Guid, (string Name, Guid? TeamId)> Users;
        public required Dictionary<Guid, RepAvailability> Availability;
        public required Dictionary<Guid, int> OpenLeads;
        public required Dictionary<Guid, (string Name, Guid? OwnerId)> Accounts;
        public required SegmentBands Bands;

        public static async Task<Router> LoadAsync(RevLoopDb db, DateTimeOffset now, IReadOnlyList<Lead> leads, CancellationToken ct)
        {
            // Tracked so a round-robin turn is saved with the lead (and a second routing in the same unit of work sees it).
            var rules = await db.RoutingRules.Where(r => r.Active).OrderBy(r => r.Position).ThenBy(r => r.Id).ToListAsync(ct);
            var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => (u.DisplayName, u.TeamId), ct);
            var teamIds = rules.Where(r => r.TeamId is not null).Select(r => r.TeamId).Distinct().ToList();
            var reps = users.Where(u => teamIds.Contains(u.Value.TeamId)).Select(u => (Guid?)u.Key).ToList();
            // One grouped count over the routed-to teams' reps (owner index), not one per rep.
            var open = reps.Count == 0 ? [] : await db.Leads.IgnoreQueryFilters().Where(l => l.DeletedAt == null && reps.Contains(l.OwnerId) && OpenStatuses.Contains(l.Status))
                .GroupBy(l => l.OwnerId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
            var accountIds = leads.Where(l => l.MatchedAccountId is not null).Select(l => l.MatchedAccountId!.Value).Distinct().ToList();
            var accounts = accountIds.Count == 0 ? [] : await db.Accounts.IgnoreQueryFilters().Where(a => accountIds.Contains(a.Id) && a.DeletedAt == null)
                .ToDictionaryAsync(a => a.Id, a => (a.Name, a.OwnerId), ct);
            return new Router
            {
                Now = now, Rules = rules, Users = users, OpenLeads = open, Accounts = accounts,
                Queues = await db.LeadQueues.AsNoTracking().ToDictionaryAsync(q => q.Id, ct),
                Availability = await db.RepAvailability.AsNoTracking().ToDictionaryAsync(a => a.UserId, ct),
                Bands = (await SettingsApi.LoadAsync(db, ct)).Bands,
            };
        }

        public RoutingDecision Decide(Lead lead, bool routing)
        {
            if (lead.MatchedAccountId is { } accountId && Accounts.TryGetValue(accountId, out var account) && account.OwnerId is { } accountOwner)
                return Assigned(null, "Account owner", $"the company matches account {account.Name}, owned by {NameOf(accountOwner)}", accountOwner, null, routing);
            foreach (var rule in Rules)
            {
                if (!Matches(rule, lead)) continue;
                var queue = rule.QueueId is { } qid && Queues.TryGetValue(qid, out var q) ? q : null;
                var why = $"matched rule {rule.Position} \"{rule.Name}\"";
                switch (rule.Action)
                {
                    case RoutingActions.User:
                        if (rule.UserId is { } user && Available(user))
                            return Assigned(rule, rule.Name, $"{why}: assigned to {NameOf(user)}", user, queue, routing);
                        if (queue is not null) return Queued(rule, $"{why}: {NameOf(rule.UserId)} is out of office or at capacity", queue);
                        break;
                    case RoutingActions.RoundRobin:
                    case RoutingActions.LoadBalanced:
                        // The team's turn order is by name, so a manager can tell who is next.
                        var team = Users.Where(u => u.Value.TeamId == rule.TeamId).OrderBy(u => u.Value.Name, StringComparer.Ordinal).ThenBy(u => u.Key).Select(u => u.Key).ToList();
                        var available = team.Where(Available).ToList();
                        if (available.Count > 0)
                        {
                            Guid pick;
                            if (rule.Action == RoutingActions.RoundRobin)
                            {
                                // The rep after the last one in the team's order, wrapping round; skipped reps lose this turn only.
                                var last = rule.LastUserId is { } l ? team.IndexOf(l) : -1;
                                pick = available.FirstOrDefault(u => team.IndexOf(u) > last, available[0]);
                                if (routing) rule.LastUserId = pick;
                                return Assigned(rule, rule.Name, $"{why}: round robin in the team, next available rep {NameOf(pick)}", pick, queue, routing);
                            }
                            pick = available.OrderBy(u => OpenLeads.GetValueOrDefault(u)).ThenBy(u => team.IndexOf(u)).First();
                            return Assigned(rule, rule.Name, $"{why}: fewest open leads in the team, {NameOf(pick)} with {OpenLeads.GetValueOrDefault(pick)}", pick, queue, routing);
                        }
                        if (queue is not null) return Queued(rule, $"{why}: no rep of the team is available", queue);
                        break;
                    case RoutingActions.Queue when queue is not null:
                        return Queued(rule, $"{why}: put in queue {queue.Name}", queue);
                }
                // Nobody to give it to and nowhere to wait: the next rule may do better.
            }
            return new RoutingDecision(null, "No rule", "no rule matched and no account owner: the lead stays unassigned", null, null, null, null);
        }

        private RoutingDecision Assigned(RoutingRule? rule, string name, string reason, Guid owner, LeadQueue? queue, bool routing)
        {
            if (routing) OpenLeads[owner] = OpenLeads.GetValueOrDefault(owner) + 1;
            // A rule with a queue holds its reps to that queue's SLA (and escalation) too; the lead waits in no pool.
            return new RoutingDecision(rule?.Id, name, reason, owner, queue?.Id, null, queue is null ? null : Now.AddMinutes(queue.SlaMinutes));
        }

        private RoutingDecision Queued(RoutingRule rule, string reason, LeadQueue queue) =>
            new(rule.Id, rule.Name, reason, null, queue.Id, queue.Name, Now.AddMinutes(queue.SlaMinutes));

        private string NameOf(Guid? user) => user is { } u && Users.TryGetValue(u, out var x) ? x.Name : "(unknown user)";

        private bool Available(Guid user)
        {
            if (!Users.ContainsKey(user)) return false;
            if (!Availability.TryGetValue(user, out var a)) return true;
            if (a.OutOfOfficeUntil is { } until && until > Now) return false;
            return a.Capacity is not { } cap || OpenLeads.GetValueOrDefault(user) < cap;
        }

        private bool Matches(RoutingRule r, Lead l)
        {
            var owned = l.MatchedAccountId is { } a && Accounts.TryGetValue(a, out var acc) && acc.OwnerId is not null;
            return In(r.Regions, l.Region) && In(r.Countries, l.Country) && In(r.Segments, Bands.SegmentFor(l.Employees))
                && (r.MinEmployees is not { } min || l.Employees >= min) && (r.MaxEmployees is not { } max || l.Employees <= max)
                && In(r.Sources, l.Source)
                && (r.Products is null || TagsAndCustomFields.TagList(l.Tags).Any(t => In(r.Products, t)))
                && (r.AccountOwned is not { } o || o == owned);
        }

        private static bool In(string? list, string? value) =>
            list is null || (value is not null && list.Split(',').Contains(value.Trim().ToLowerInvariant()));
    }
}
