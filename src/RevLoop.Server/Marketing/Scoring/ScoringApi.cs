using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Leads;
using RevLoop.Data;
using RevLoop.Marketing;
using RevLoop.Server.Crm.Leads;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing.Scoring;

public sealed record ScoreDto(int Score, int MqlThreshold, DateTimeOffset? ScoredAt, IReadOnlyList<RulePoints> Breakdown);
public sealed record ThresholdInput(int? MqlThreshold);
public sealed record ThresholdDto(int MqlThreshold);
public sealed record PreviewInput(ScoringRuleInput? Rule, Guid? LeadId);
/// <param name="Points">What the rule gives the lead now (rounded to 2 decimals), 0 when it does not apply.</param>
/// <param name="ScoreWithRule">The lead's score with the active rules plus this one (this one replacing itself when it is an existing rule's edit).</param>
public sealed record PreviewDto(Guid LeadId, double Points, bool Applies, string Why, int CurrentScore, int ScoreWithRule, int MqlThreshold);
public sealed record RecomputeDto(int People, int Leads, int Contacts, int Changed, int NewMqls, int Rerouted);
public sealed record RejectInput(string? Reason);

/// <summary>
/// Scoring rules (CRUD, preview on a lead, recompute), the MQL threshold, a person's score breakdown, and the lead lifecycle
/// moves sales makes: accept (mql → sql) and reject (→ nurturing, with the reason).
/// </summary>
public static class ScoringApi
{
    public static void MapScoringApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/scoring-rules").WithTags("Scoring").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", async (RevLoopDb db, CancellationToken ct) =>
            TypedResults.Ok((await db.ScoringRules.AsNoTracking().OrderBy(r => r.Kind).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(ct)).Select(ScoringRuleDto.From).ToList()));
        g.MapGet("/{id:guid}", async Task<Results<Ok<ScoringRuleDto>, NotFound>> (Guid id, RevLoopDb db, CancellationToken ct) =>
            await db.ScoringRules.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is { } r ? TypedResults.Ok(ScoringRuleDto.From(r)) : TypedResults.NotFound());
        g.MapPost("/", Create).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        g.MapPut("/{id:guid}", Update).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        g.MapDelete("/{id:guid}", async Task<Results<NoContent, NotFound>> (Guid id, RevLoopDb db, ScoringRecompute recompute, CancellationToken ct) =>
        {
            if (await db.ScoringRules.Where(r => r.Id == id).ExecuteDeleteAsync(ct) == 0) return TypedResults.NotFound();
            recompute.Request();
            return TypedResults.NoContent();
        }).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        g.MapPost("/preview", Preview);
        g.MapPost("/recompute", Recompute).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        g.MapGet("/threshold", async (RevLoopDb db, CancellationToken ct) => TypedResults.Ok(new ThresholdDto((await SettingsApi.LoadAsync(db, ct)).MqlThreshold)));
        g.MapPut("/threshold", PutThreshold).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);

        var leads = app.MapGroup("/api/v1/leads").WithTags("Leads").RequireAuthorization(ApiPolicies.Read);
        leads.MapGet("/{id:guid}/score", async Task<Results<Ok<ScoreDto>, NotFound>> (Guid id, RevLoopDb db, CancellationToken ct) =>
            await db.Leads.AsNoTracking().Where(l => l.Id == id).Select(l => new { l.Score, l.ScoredAt, l.ScoreBreakdown }).FirstOrDefaultAsync(ct) is { } s
                ? TypedResults.Ok(new ScoreDto(s.Score, (await SettingsApi.LoadAsync(db, ct)).MqlThreshold, s.ScoredAt, LeadScoring.Breakdown(s.ScoreBreakdown)))
                : TypedResults.NotFound());
        leads.MapPost("/{id:guid}/accept", Accept).RequireAuthorization(ApiPolicies.Write);
        leads.MapPost("/{id:guid}/reject", Reject).RequireAuthorization(ApiPolicies.Write);
        var contacts = app.MapGroup("/api/v1/contacts").WithTags("Contacts").RequireAuthorization(ApiPolicies.Read);
        contacts.MapGet("/{id:guid}/score", async Task<Results<Ok<ScoreDto>, NotFound>> (Guid id, RevLoopDb db, CancellationToken ct) =>
            await db.Contacts.AsNoTracking().Where(c => c.Id == id).Select(c => new { c.Score, c.ScoredAt, c.ScoreBreakdown }).FirstOrDefaultAsync(ct) is { } s
                ? TypedResults.Ok(new ScoreDto(s.Score, (await SettingsApi.LoadAsync(db, ct)).MqlThreshold, s.ScoredAt, LeadScoring.Breakdown(s.ScoreBreakdown)))
                : TypedResults.NotFound());
    }

    /// <summary>A new rule; everyone is rescored in the background right after (the answer does not wait for it).</summary>
    public static async Task<Created<ScoringRuleDto>> Create(ScoringRuleInput input, RevLoopDb db, ScoringRecompute recompute, CancellationToken ct)
    {
        var now = db.Clock.GetUtcNow();
        var rule = new ScoringRule { CreatedAt = now };
        ScoringRules.Apply(rule, input, now);
        db.ScoringRules.Add(rule);
        await db.SaveChangesAsync(ct);
        recompute.Request();
        return TypedResults.Created($"/api/v1/scoring-rules/{rule.Id}", ScoringRuleDto.From(rule));
    }

    public static async Task<Results<Ok<ScoringRuleDto>, NotFound>> Update(Guid id, ScoringRuleInput input, RevLoopDb db, ScoringRecompute recompute, CancellationToken ct)
    {
        var rule = await db.ScoringRules.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null) return TypedResults.NotFound();
        ScoringRules.Apply(rule, input, db.Clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        recompute.Request();
        return TypedResults.Ok(ScoringRuleDto.From(rule));
    }

    /// <summary>What the rule would give the lead now and why; changes nothing. The rule is checked as on save (errors name rule.field).</summary>
    public static async Task<Ok<PreviewDto>> Preview(PreviewInput input, RevLoopDb db, CancellationToken ct)
    {
        var now = db.Clock.GetUtcNow();
        if (input.Rule is null) throw new InputException("rule", "is required: the rule as you would save it");
        var rule = new ScoringRule { Id = Guid.Empty, CreatedAt = now };
        ScoringRules.Apply(rule, input.Rule, now, "rule.");
        if (input.LeadId is not { } leadId) throw new InputException("leadId", "is required: the lead to test the rule on");
        // Through the visibility filter: you test rules on the leads you may see.
        var lead = await db.Leads.AsNoTracking().FirstOrDefaultAsync(l => l.Id == leadId, ct) ?? throw new InputException("leadId", $"no lead has id {leadId}");
        var active = await db.ScoringRules.AsNoTracking().Where(r => r.Active).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(ct);
        var types = active.Where(r => r.Kind == ScoringRuleKinds.Behaviour).Select(r => r.EventType!).Append(rule.EventType).OfType<string>().Distinct().ToList();
        var touches = (await LeadScoring.TouchesAsync(db, types, PersonTypes.Lead, [lead.Id], ct)).GetValueOrDefault(lead.Id) ?? [];
        var facts = LeadScoring.FactsOf(lead);
        var result = ScoreCard.Evaluate(rule, facts, touches, now);
        var with = ScoreCard.Compute([.. active, rule], facts, touches, now);
        var points = Math.Round(result.Points, 2, MidpointRounding.AwayFromZero);
        return TypedResults.Ok(new PreviewDto(lead.Id, points, points != 0, result.Why, lead.Score, with.Score, (await SettingsApi.LoadAsync(db, ct)).MqlThreshold));
    }

    /// <summary>Rescores everyone now and answers when done (the background job does the same after a rule change).</summary>
    public static async Task<Ok<RecomputeDto>> Recompute(RevLoopDb db, CancellationToken ct)
    {
        var o = await LeadScoring.RecomputeAllAsync(db, lifecycle: true, ct);
        return TypedResults.Ok(new RecomputeDto(o.People, o.Leads, o.Contacts, o.Changed, o.NewMqls, o.Rerouted));
    }

    public static async Task<Ok<ThresholdDto>> PutThreshold(ThresholdInput input, RevLoopDb db, ScoringRecompute recompute, CancellationToken ct)
    {
        var threshold = input.MqlThreshold is { } t ? t is >= 70 and <= 100 ? t : throw new InputException("mqlThreshold", "must be between 70 and 100")
            : throw new InputException("mqlThreshold", "is required (70 to 100; the default is 80)");
        var s = await db.CompanySettings.FirstOrDefaultAsync(ct);
        if (s is null) db.CompanySettings.Add(s = new RevLoop.Platform.CompanySettings());
        if (s.MqlThreshold != threshold)
        {
            s.MqlThreshold = threshold;
            s.Version++;
            await db.SaveChangesAsync(ct);
            recompute.Request();
        }
        return TypedResults.Ok(new ThresholdDto(threshold));
    }

    /// <summary>Sales accepts an MQL: it becomes an SQL (sales-qualified) with <c>SqlAt</c>.</summary>
    public static async Task<Results<Ok<LeadDto>, NotFound, ProblemHttpResult>> Accept(Guid id, RevLoopDb db, HttpResponse response, CancellationToken ct)
    {
        var lead = await db.Leads.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (lead is null) return TypedResults.NotFound();
        if (lead.Status != LeadStatus.Mql)
            return Problems.Status(409, "Only an MQL can be accepted", $"The lead is {lead.Status}; sales accepts leads in status mql (marketing-qualified).");
        lead.Status = LeadStatus.Sql;
        lead.SqlAt = db.Clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        response.Headers.ETag = ETags.For(lead.Version);
        return TypedResults.Ok(LeadDto.From(lead));
    }

    /// <summary>Sales rejects an MQL (or an SQL it accepted): back to nurture, with the reason and <c>SqlRejectedAt</c>.</summary>
    public static async Task<Results<Ok<LeadDto>, NotFound, ProblemHttpResult>> Reject(Guid id, RejectInput input, RevLoopDb db, HttpResponse response, CancellationToken ct)
    {
        var reason = string.IsNullOrWhiteSpace(input.Reason) ? throw new InputException("reason", "is required: say why sales does not take the lead (it goes back to nurture)")
            : input.Reason.Trim().Length <= 500 ? input.Reason.Trim() : throw new InputException("reason", "must be at most 500 characters");
        var lead = await db.Leads.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (lead is null) return TypedResults.NotFound();
        if (lead.Status is not (LeadStatus.Mql or LeadStatus.Sql))
            return Problems.Status(409, "Only an MQL or SQL can be rejected", $"The lead is {lead.Status}; sales rejects leads in status mql or sql.");
        lead.Status = LeadStatus.Nurturing;
        lead.SqlRejectedAt = db.Clock.GetUtcNow();
        lead.SqlRejectedReason = reason;
        await db.SaveChangesAsync(ct);
        response.Headers.ETag = ETags.For(lead.Version);
        return TypedResults.Ok(LeadDto.From(lead));
    }
}
