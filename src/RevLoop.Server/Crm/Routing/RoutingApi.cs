using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Leads;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Crm.Leads;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Routing;

public sealed record RoutingRuleInput(string? Name, string? Action, int? Position = null, bool? Active = null, IReadOnlyList<string>? Regions = null,
    IReadOnlyList<string>? Countries = null, IReadOnlyList<string>? Segments = null, int? MinEmployees = null, int? MaxEmployees = null,
    IReadOnlyList<string>? Sources = null, IReadOnlyList<string>? Products = null, bool? AccountOwned = null, Guid? UserId = null, Guid? TeamId = null,
    Guid? QueueId = null);

public sealed record RoutingRuleDto(Guid Id, int Position, string Name, bool Active, IReadOnlyList<string> Regions, IReadOnlyList<string> Countries,
    IReadOnlyList<string> Segments, int? MinEmployees, int? MaxEmployees, IReadOnlyList<string> Sources, IReadOnlyList<string> Products, bool? AccountOwned,
    string Action, Guid? UserId, Guid? TeamId, Guid? QueueId)
{
    public static RoutingRuleDto From(RoutingRule r) => new(r.Id, r.Position, r.Name, r.Active, Split(r.Regions), Split(r.Countries), Split(r.Segments),
        r.MinEmployees, r.MaxEmployees, Split(r.Sources), Split(r.Products), r.AccountOwned, r.Action, r.UserId, r.TeamId, r.QueueId);
    private static IReadOnlyList<string> Split(string? s) => s is null ? [] : s.Split(',');
}

public sealed record LeadQueueInput(string? Name, int? SlaMinutes, Guid? EscalateToUserId = null);
public sealed record LeadQueueDto(Guid Id, string Name, int SlaMinutes, Guid? EscalateToUserId);
public sealed record RepAvailabilityInput(int? Capacity, DateTimeOffset? OutOfOfficeUntil);
public sealed record RepAvailabilityDto(Guid UserId, string Name, Guid? TeamId, int? Capacity, DateTimeOffset? OutOfOfficeUntil, int OpenLeads);
public sealed record SimulateInput(Guid? LeadId = null, string? Company = null, string? Email = null, string? Domain = null, int? Employees = null,
    string? Country = null, string? Region = null, string? Source = null, IReadOnlyList<string>? Tags = null);
public sealed record SimulationDto(RoutingDecision Decision, Guid? MatchedAccountId, string? MatchedBy);
public sealed record LeadAssignmentDto(long Id, DateTimeOffset AssignedAt, Guid? RuleId, string Rule, string Reason, Guid? OwnerId, Guid? QueueId,
    DateTimeOffset? SlaDueAt, DateTimeOffset? ClaimedAt, DateTimeOffset? FirstTouchedAt, DateTimeOffset? BreachedAt, bool Current)
{
    public static LeadAssignmentDto From(LeadAssignment a) => new(a.Id, a.AssignedAt, a.RuleId, a.Rule, a.Reason, a.OwnerId, a.QueueId, a.SlaDueAt, a.ClaimedAt,
        a.FirstTouchedAt, a.BreachedAt, a.Current);
}

/// <summary>Routing rules, queues, reps' availability, simulation, a lead's routing decisions and claiming from a queue.</summary>
public static class RoutingApi
{
    public static void MapRoutingApi(this IEndpointRouteBuilder app)
    {
        var rules = app.MapGroup("/api/v1/routing-rules").WithTags("Routing").RequireAuthorization(ApiPolicies.Read);
        rules.MapGet("/", async (RevLoopDb db, CancellationToken ct) =>
            TypedResults.Ok((await db.RoutingRules.OrderBy(r => r.Position).ThenBy(r => r.Id).ToListAsync(ct)).Select(RoutingRuleDto.From).ToList()));
        rules.MapGet("/{id:guid}", async Task<Results<Ok<RoutingRuleDto>, NotFound>> (Guid id, RevLoopDb db, CancellationToken ct) =>
            await db.RoutingRules.FirstOrDefaultAsync(r => r.Id == id, ct) is { } r ? TypedResults.Ok(RoutingRuleDto.From(r)) : TypedResults.NotFound());
        rules.MapPost("/", async (RoutingRuleInput input, RevLoopDb db, CancellationToken ct) =>
        {
            var rule = new RoutingRule { CreatedAt = db.Clock.GetUtcNow() };
            await RoutingRules.ApplyAsync(db, rule, input, ct);
            db.RoutingRules.Add(rule);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/api/v1/routing-rules/{rule.Id}", RoutingRuleDto.From(rule));
        }).RequireAuthorization(ApiPolicies.Configure);
        rules.MapPut("/{id:guid}", async Task<Results<Ok<RoutingRuleDto>, NotFound>> (Guid id, RoutingRuleInput input, RevLoopDb db, CancellationToken ct) =>
        {
            var rule = await db.RoutingRules.FirstOrDefaultAsync(r => r.Id == id, ct);
            if (rule is null) return TypedResults.NotFound();
            await RoutingRules.ApplyAsync(db, rule, input, ct);
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(RoutingRuleDto.From(rule));
        }).RequireAuthorization(ApiPolicies.Configure);
        rules.MapDelete("/{id:guid}", async Task<Results<NoContent, NotFound>> (Guid id, RevLoopDb db, CancellationToken ct) =>
            await db.RoutingRules.Where(r => r.Id == id).ExecuteDeleteAsync(ct) == 0 ? TypedResults.NotFound() : TypedResults.NoContent())
            .RequireAuthorization(ApiPolicies.Configure);
        rules.MapPost("/simulate", Simulate);

        var queues = app.MapGroup("/api/v1/lead-queues").WithTags("Routing").RequireAuthorization(ApiPolicies.Read);
        queues.MapGet("/", async (RevLoopDb db, CancellationToken ct) =>
            TypedResults.Ok(await db.LeadQueues.OrderBy(q => q.Name).Select(q => new LeadQueueDto(q.Id, q.Name, q.SlaMinutes, q.EscalateToUserId)).ToListAsync(ct)));
        queues.MapPost("/", async (LeadQueueInput input, RevLoopDb db, CancellationToken ct) =>
        {
            var q = new LeadQueue { CreatedAt = db.Clock.GetUtcNow() };
            await RoutingRules.ApplyAsync(db, q, input, ct);
            db.LeadQueues.Add(q);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/api/v1/lead-queues/{q.Id}", new LeadQueueDto(q.Id, q.Name, q.SlaMinutes, q.EscalateToUserId));
        }).RequireAuthorization(ApiPolicies.Configure);
        queues.MapPut("/{id:guid}", async Task<Results<Ok<LeadQueueDto>, NotFound>> (Guid id, LeadQueueInput input, RevLoopDb db, CancellationToken ct) =>
        {
            var q = await db.LeadQueues.FirstOrDefaultAsync(x => x.Id == id, ct);
            if (q is null) return TypedResults.NotFound();
            await RoutingRules.ApplyAsync(db, q, input, ct);
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(new LeadQueueDto(q.Id, q.Name, q.SlaMinutes, q.EscalateToUserId));
        }).RequireAuthorization(ApiPolicies.Configure);

        var reps = app.MapGroup("/api/v1/routing-reps").WithTags("Routing").RequireAuthorization(ApiPolicies.Read);
        reps.MapGet("/", async (RevLoopDb db, CancellationToken ct) => TypedResults.Ok(await RoutingRules.RepsAsync(db, ct)));
        reps.MapPut("/{userId:guid}", async Task<Results<NoContent, NotFound>> (Guid userId, RepAvailabilityInput input, RevLoopDb db, CancellationToken ct) =>
        {
            if (!await db.Users.AnyAsync(u => u.Id == userId, ct)) return TypedResults.NotFound();
            if (input.Capacity is < 0) throw new InputException("capacity", "must be 0 or more (open leads a rep may hold)");
            var a = await db.RepAvailability.FirstOrDefaultAsync(x => x.UserId == userId, ct);
            if (a is null) db.RepAvailability.Add(a = new RepAvailability { UserId = userId });
            (a.Capacity, a.OutOfOfficeUntil) = (input.Capacity, input.OutOfOfficeUntil);
            await db.SaveChangesAsync(ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(ApiPolicies.Write);

        var leads = app.MapGroup("/api/v1/leads").WithTags("Leads").RequireAuthorization(ApiPolicies.Read);
        leads.MapGet("/{id:guid}/routing", async Task<Results<Ok<List<LeadAssignmentDto>>, NotFound>> (Guid id, RevLoopDb db, CancellationToken ct) =>
        {
            if (!await db.Leads.AnyAsync(l => l.Id == id, ct)) return TypedResults.NotFound();
            return TypedResults.Ok((await db.LeadAssignments.Where(a => a.LeadId == id).OrderByDescending(a => a.Id).ToListAsync(ct)).Select(LeadAssignmentDto.From).ToList());
        });
        leads.MapPost("/{id:guid}/claim", Claim).RequireAuthorization(ApiPolicies.Write);
        leads.MapGet("/queue", async (Guid? queueId, Guid? ownerId, string? cursor, int? pageSize, RevLoopDb db, Viewer viewer, CancellationToken ct) =>
            TypedResults.Ok(await LeadQueuePage.LoadAsync(db, queueId, queueId is null ? ownerId ?? viewer.UserId : null, cursor, pageSize, ct)));
    }

    public static async Task<Ok<SimulationDto>> Simulate(SimulateInput input, RevLoopDb db, CancellationToken ct)
    {
        Lead lead;
        string? matchedBy = null;
        if (input.LeadId is { } id)
        {
            lead = await db.Leads.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id, ct) ?? throw new InputException("leadId", $"no lead has id {id}");
            if (lead.MatchedAccountId is null) (var account, matchedBy) = await MatchAsync(db, lead, ct);
        }
        else
        {
            lead = new Lead
            {
                Company = input.Company, Email = input.Email, Domain = input.Domain, Employees = input.Employees, Country = input.Country?.Trim().ToUpperInvariant(),
                Region = input.Region, Source = input.Source, Tags = input.Tags is null ? null : string.Join('\n', input.Tags),
            };
            if (input.Employees is < 0) throw new InputException("employees", "must be 0 or more");
            matchedBy = await MatchAsync(db, lead, ct) is var (_, by) ? by : null;
        }
        return TypedResults.Ok(new SimulationDto(await LeadRouting.SimulateAsync(db, lead, ct), lead.MatchedAccountId, matchedBy));
    }

    private static async Task<(RevLoop.Crm.Accounts.Account?, string?)> MatchAsync(RevLoopDb db, Lead lead, CancellationToken ct)
    {
        var (account, by) = await LeadsApi.MatchAccountAsync(db, lead, ct);
        lead.MatchedAccountId = account?.Id;
        return (account, by);
    }

    /// <summary>A rep takes a lead waiting in a queue; the SLA clock keeps running until they touch it.</summary>
    public static async Task<Results<Ok<LeadAssignmentDto>, NotFound, ProblemHttpResult>> Claim(Guid id, RevLoopDb db, Viewer viewer, CancellationToken ct)
    {
        if (viewer.UserId is not { } me) return Problems.Status(403, "Only a user can claim a lead");
        var current = await db.LeadAssignments.Where(a => a.LeadId == id && a.Current).OrderByDescending(a => a.Id).FirstOrDefaultAsync(ct);
        // Queued leads have no owner, so the visibility filter hides them from reps; a queue is open to every rep.
        var lead = current?.QueueId is null ? null : await db.Leads.IgnoreQueryFilters().FirstOrDefaultAsync(l => l.Id == id && l.DeletedAt == null, ct);
        if (lead is null)
            return await db.Leads.AnyAsync(l => l.Id == id, ct) ? Problems.Status(409, "The lead is not waiting in a queue", "Only a queued lead can be claimed.") : TypedResults.NotFound();
        if (lead.OwnerId is not null) return Problems.Status(409, "The lead is already claimed", $"It belongs to user {lead.OwnerId}.");
        var now = db.Clock.GetUtcNow();
        await new Ownership(db).AssignAsync(lead, me, ct);
        current!.Current = false;
        var claimed = new LeadAssignment
        {
            LeadId = id, AssignedAt = now, RuleId = current.RuleId, Rule = "Claimed", Reason = $"claimed from the queue (routed by {current.Rule})", OwnerId = me,
            QueueId = current.QueueId, SlaDueAt = current.SlaDueAt, ClaimedAt = now,
        };
        // A claim is not a touch: the SLA measures from when the lead arrived, so the clock is the queue's.
        claimed.AssignedAt = current.AssignedAt;
        db.LeadAssignments.Add(claimed);
        lead.Pool = null;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(LeadAssignmentDto.From(claimed));
    }
}
