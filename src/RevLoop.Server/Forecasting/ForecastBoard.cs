using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Forecasting;
using RevLoop.Metrics;
using RevLoop.Platform;

namespace RevLoop.Server.Forecasting;

public sealed record AmountsDto(decimal ClosedWon, decimal Commit, decimal BestCase, decimal Pipeline)
{
    public static AmountsDto From(CategoryAmounts a) => new(a.ClosedWon, a.Commit, a.BestCase, a.Pipeline);
}
public sealed record CallDto(decimal Commit, decimal BestCase, decimal Pipeline)
{
    public static CallDto? From(ForecastCall? c) => c is { } x ? new(x.Commit, x.BestCase, x.Pipeline) : null;
}
public sealed record SubmissionDto(Guid Id, string Period, Guid? UserId, Guid? TeamId, decimal Commit, decimal BestCase, decimal Pipeline, string? Note,
    Guid SubmittedById, string SubmittedByName, DateTimeOffset SubmittedAt);
public sealed record RepLineDto(Guid UserId, string Name, Guid? TeamId, AmountsDto Deals, SubmissionDto? Submitted, decimal? Quota);
public sealed record TeamLineDto(Guid TeamId, string Name, Guid? ParentTeamId, Guid? ManagerUserId, AmountsDto Deals, CallDto? Submitted, SubmissionDto? Adjusted,
    CallDto? Call, int Reps, int RepsSubmitted, decimal? Quota, bool CanAdjust);
public sealed record CompanyLineDto(AmountsDto Deals, CallDto? Call, decimal? Quota);
public sealed record ForecastBoardDto(string Period, DateOnly Start, DateOnly End, string Currency, CompanyLineDto Company, IReadOnlyList<TeamLineDto> Teams, IReadOnlyList<RepLineDto> Reps);

/// <summary>
/// One period's forecast as the viewer may see it: each rep's deals by forecast category beside their latest call, and
/// each team's roll-up (reps and child teams) beside its manager's adjustment. Deal amounts go through the visibility
/// filter, so a rep sees their own numbers and a manager those of the teams they manage.
/// </summary>
public static class ForecastBoard
{
    /// <summary>Roles whose users carry a forecast even before they own a deal.</summary>
    private static readonly string[] SellingRoles = [Roles.Ae, Roles.Sdr, Roles.Bdr, Roles.SalesManager, Roles.Partner];

    public static async Task<ForecastBoardDto> ComputeAsync(RevLoopDb db, Viewer viewer, FiscalPeriod p, CancellationToken ct)
    {
        var rates = await RateBook.LoadAsync(db, ct);
        var deals = await Bookings.ByOwnerAsync(db, rates, p, ct);
        var label = p.Label;
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        var users = await db.Users.AsNoTracking().Select(u => new { u.Id, u.DisplayName, u.Email, u.TeamId, u.Role }).ToListAsync(ct);
        var names = users.ToDictionary(u => u.Id, u => string.IsNullOrEmpty(u.DisplayName) ? u.Email ?? u.Id.ToString() : u.DisplayName);
        var submissions = await db.ForecastSubmissions.AsNoTracking().Where(s => s.Period == label).OrderByDescending(s => s.SubmittedAt).ThenByDescending(s => s.Id).ToListAsync(ct);
        var latestByUser = submissions.Where(s => s.UserId is not null).GroupBy(s => s.UserId!.Value).ToDictionary(g => g.Key, g => g.First());
        var latestByTeam = submissions.Where(s => s.TeamId is not null).GroupBy(s => s.TeamId!.Value).ToDictionary(g => g.Key, g => g.First());
        var currency = rates.BaseCurrency;
        var userTargets = await TargetsApi.AmountsAsync(db, label, TargetSubjects.User, currency, ct);
        var teamTargets = await TargetsApi.AmountsAsync(db, label, TargetSubjects.Team, currency, ct);
        var companyTargets = await TargetsApi.AmountsAsync(db, label, TargetSubjects.Company, currency, ct);

        bool SeesUser(Guid id, Guid? team) => viewer.SeesAll || id == viewer.UserId || (team is { } t && viewer.TeamIds.Contains(t));
        var reps = users.Where(u => (SellingRoles.Contains(u.Role) || deals.ContainsKey(u.Id) || latestByUser.ContainsKey(u.Id)) && SeesUser(u.Id, u.TeamId)).ToList();
        var repInputs = reps.Select(u => new RepForecast(u.Id, u.TeamId, deals.GetValueOrDefault(u.Id),
            latestByUser.TryGetValue(u.Id, out var s) ? Call(s, currency) : null)).ToList();
        var rollup = ForecastRollup.Compute(teams.Select(t => new ForecastTeam(t.Id, t.ParentTeamId)).ToList(), repInputs,
            latestByTeam.ToDictionary(kv => kv.Key, kv => Call(kv.Value, currency)));

        SubmissionDto Sub(ForecastSubmission s) => Submission(s, currency, names);
        var repLines = reps.OrderBy(u => names[u.Id], StringComparer.OrdinalIgnoreCase).Select(u => new RepLineDto(u.Id, names[u.Id], u.TeamId,
            AmountsDto.From(deals.GetValueOrDefault(u.Id)), latestByUser.TryGetValue(u.Id, out var s) ? Sub(s) : null,
            userTargets.TryGetValue((u.Id.ToString(), TargetMetrics.Bookings), out var q) ? q : null)).ToList();
        var teamLines = teams.Where(t => viewer.SeesAll || viewer.TeamIds.Contains(t.Id)).Select(t =>
        {
            var r = rollup[t.Id];
            return new TeamLineDto(t.Id, t.Name, t.ParentTeamId, t.ManagerUserId, AmountsDto.From(r.Deals), CallDto.From(r.Submitted),
                latestByTeam.TryGetValue(t.Id, out var a) ? Sub(a) : null, CallDto.From(r.Call), r.Reps, r.RepsSubmitted,
                teamTargets.TryGetValue((t.Id.ToString(), TargetMetrics.Bookings), out var q) ? q : null, CanAdjust(viewer, t.Id));
        }).ToList();

        // The company line: top-level teams' calls plus reps in no team; deals of every visible rep.
        var topTeams = teams.Where(t => t.ParentTeamId is null).Select(t => rollup[t.Id]).ToList();
        var companyDeals = repInputs.Aggregate(default(CategoryAmounts), (sum, r) => sum + r.Deals);
        ForecastCall? companyCall = null;
        foreach (var c in topTeams.Select(t => t.Call).Concat(repInputs.Where(r => r.TeamId is null).Select(r => r.Submitted)))
            if (c is { } x) companyCall = (companyCall ?? default) + x;
        var company = new CompanyLineDto(AmountsDto.From(companyDeals), CallDto.From(companyCall),
            companyTargets.TryGetValue(("", TargetMetrics.Bookings), out var cq) ? cq : null);
        return new ForecastBoardDto(label, p.Start, p.End.AddDays(-1), currency, company, teamLines, repLines);
    }

    public static bool CanAdjust(Viewer viewer, Guid teamId) => viewer.SeesAll || viewer.TeamIds.Contains(teamId);

    public static ForecastCall Call(ForecastSubmission s, string currency) =>
        new(MinorUnits.ToAmount(s.CommitMinor, currency), MinorUnits.ToAmount(s.BestCaseMinor, currency), MinorUnits.ToAmount(s.PipelineMinor, currency));

    public static SubmissionDto Submission(ForecastSubmission s, string currency, IReadOnlyDictionary<Guid, string> names) =>
        new(s.Id, s.Period, s.UserId, s.TeamId, MinorUnits.ToAmount(s.CommitMinor, currency), MinorUnits.ToAmount(s.BestCaseMinor, currency),
            MinorUnits.ToAmount(s.PipelineMinor, currency), s.Note, s.SubmittedById, names.GetValueOrDefault(s.SubmittedById) ?? "", s.SubmittedAt);
}
