using RevLoop.Data;
using RevLoop.Marketing;
using RevLoop.Server.Marketing.Scoring;

namespace RevLoop.Server.Demo;

/// <summary>
/// The demo's lead scoring: a few sensible default rules (seniority, company size, pricing visits, demo requests, email
/// clicks, webinars, content), then everyone's score with its breakdown. Lifecycle is left as the simulation made it (the
/// demo's MQLs are its own history), so scoring here only fills scores; later events move leads as usual.
/// </summary>
public static class DemoScoring
{
    public static readonly ScoringRuleInput[] Rules =
    [
        new("Senior title", ScoringRuleKinds.Fit, 15, TitleKeywords: ["VP", "Vice President", "Director", "Head", "Chief", "CRO", "CFO", "CEO"]),
        new("Company of 200-5,000", ScoringRuleKinds.Fit, 20, MinEmployees: 200, MaxEmployees: 5000),
        new("Visited pricing", ScoringRuleKinds.Behaviour, 10, Cap: 30, HalfLifeDays: 14, EventType: MarketingEventTypes.PageView, UrlPattern: "/pricing*"),
        new("Asked for a demo", ScoringRuleKinds.Behaviour, 50, Cap: 50, EventType: MarketingEventTypes.DemoRequest),
        new("Email clicks", ScoringRuleKinds.Behaviour, 3, Cap: 15, HalfLifeDays: 30, EventType: MarketingEventTypes.EmailClick),
        new("Attended a webinar", ScoringRuleKinds.Behaviour, 15, Cap: 30, HalfLifeDays: 60, EventType: MarketingEventTypes.WebinarAttended),
        new("Downloaded content", ScoringRuleKinds.Behaviour, 8, Cap: 16, HalfLifeDays: 30, EventType: MarketingEventTypes.ContentDownload),
    ];

    public static async Task<ScoringOutcome> AddAsync(RevLoopDb db, DemoOptions o, CancellationToken ct)
    {
        var at = o.Start;
        for (var i = 0; i < Rules.Length; i++)
        {
            // Fixed ids and times from the seed's start, so the same demo lists its rules in the same order.
            var rule = new ScoringRule { Id = new Guid(i + 1, 0, 0, [0, 0, 0, 0, 0, 0, 0, (byte)(i + 1)]), CreatedAt = at.AddMinutes(i) };
            ScoringRules.Apply(rule, Rules[i], at.AddMinutes(i));
            db.ScoringRules.Add(rule);
        }
        await db.SaveChangesAsync(ct);
        // As of the demo's own last moment (not the wall clock), so the same seed gives the same scores.
        return await LeadScoring.RecomputeAllAsync(db, lifecycle: false, ct, o.Horizon);
    }
}
