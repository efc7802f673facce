using Microsoft.AspNetCore.Http.HttpResults;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

/// <summary>An open deal's calibrated win probability beside its stage's probability; null (with the reason) without a model.</summary>
public sealed record WinProbabilityDto(Guid OpportunityId, string Name, string Stage, decimal Amount, string Currency, DateOnly? CloseDate,
    int StageProbability, decimal? Probability, string? Reason);

/// <summary>Open deals closing in [From, To]: their amount, stage-weighted and AI-weighted (model) totals in the base currency.</summary>
public sealed record AiWeightedForecastDto(DateOnly From, DateOnly To, string Currency, int Deals, decimal Pipeline, decimal StageWeighted,
    decimal? AiWeighted, int TrainingDeals, string? Reason, string DealsUrl);

/// <summary>Win probability (issue 5): per open deal and as an AI-weighted pipeline total beside the stage-weighted one.</summary>
public static class WinProbabilityApi
{
    public static void MapWinProbabilityApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/analytics").WithTags("Analytics").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/win-probability", Get);
        g.MapGet("/forecast/ai-weighted", AiWeighted);
    }

    /// <summary>Probability rounded to 4 decimals, half away from zero.</summary>
    public static decimal Round(double p) => Math.Round((decimal)p, 4, MidpointRounding.AwayFromZero);

    private static WinProbabilityDto Dto(TrainedWinModel t, DealHistory h, Deal d, DateTimeOffset now)
    {
        var info = h.Stages.GetValueOrDefault(d.StageId);
        var snapshot = h.Snapshot(d, now);
        decimal? p = t.Model is { } m && snapshot is { } s ? Round(m.Predict(s)) : null;
        var reason = snapshot is null ? "the deal is not in an open stage" : t.Model is null ? t.Reason : null;
        return new WinProbabilityDto(d.Id, d.Name, info?.Label ?? "?", MinorUnits.ToAmount(d.Amount, h.BaseCurrency), h.BaseCurrency, d.CloseDate,
            info?.Probability ?? 0, p, reason);
    }

    /// <summary>
    /// One deal (<paramref name="opportunityId"/>, open or not), else the open deals closing in [closeFrom, closeTo]
    /// (each bound optional), by id, paged.
    /// </summary>
    public static async Task<Results<Ok<WinProbabilityDto>, Ok<Page<WinProbabilityDto>>, NotFound>> Get(Guid? opportunityId, DateOnly? closeFrom, DateOnly? closeTo,
        string? cursor, int? pageSize, RevLoopDb db, WinModels models, TimeProvider clock, CancellationToken ct)
    {
        var t = await models.GetAsync(db, ct);
        var h = opportunityId is { } only
            ? await DealHistory.LoadAsync(db, o => o.Id == only, ct)
            : await DealHistory.LoadAsync(db, OpenClosing(closeFrom, closeTo), ct);
        var now = clock.GetUtcNow();
        if (opportunityId is { } id)
        {
            var deal = h.Deals.FirstOrDefault(d => d.Id == id);
            return deal is null ? TypedResults.NotFound() : TypedResults.Ok(Dto(t, h, deal, now));
        }
        int size = Paging.Size(pageSize);
        Guid? after = cursor is null ? null : Guid.TryParse(Paging.DecodeCursor(cursor, 1)[0], out var g) ? g : throw new InputException("cursor", "is not a cursor this list returned");
        var page = Open(h, closeFrom, closeTo).Where(d => after is null || d.Id.CompareTo(after.Value) > 0).Take(size + 1).ToList();
        var next = page.Count > size ? Paging.EncodeCursor(page[size - 1].Id.ToString()) : null;
        return TypedResults.Ok(new Page<WinProbabilityDto>(page.Take(size).Select(d => Dto(t, h, d, now)).ToList(), next, size));
    }

    /// <summary>Not closed, close date in [from, to] (each bound optional): what the list and the forecast read.</summary>
    private static System.Linq.Expressions.Expression<Func<Opportunity, bool>> OpenClosing(DateOnly? from, DateOnly? to) =>
        o => o.WonAt == null && o.LostAt == null && (from == null || o.CloseDate >= from) && (to == null || o.CloseDate <= to);

    private static IEnumerable<Deal> Open(DealHistory h, DateOnly? from, DateOnly? to) =>
        h.Deals.Where(d => d.ClosedAt is null && h.Stages.GetValueOrDefault(d.StageId)?.Type == StageTypes.Open
            && (from is null || d.CloseDate >= from) && (to is null || d.CloseDate <= to));

    public static async Task<Ok<AiWeightedForecastDto>> AiWeighted(DateOnly? from, DateOnly? to, RevLoopDb db, WinModels models, TimeProvider clock, CancellationToken ct)
    {
        if (from is null) throw new InputException("from", "required: first close date, YYYY-MM-DD");
        if (to is null) throw new InputException("to", "required: last close date, YYYY-MM-DD");
        if (to < from) throw new InputException("to", "must not be before from");
        var t = await models.GetAsync(db, ct);
        var h = await DealHistory.LoadAsync(db, OpenClosing(from, to), ct);
        var now = clock.GetUtcNow();
        var deals = Open(h, from, to).ToList();
        long pipeline = 0;
        decimal stageWeighted = 0, aiWeighted = 0;
        foreach (var d in deals)
        {
            pipeline += d.Amount;
            stageWeighted += d.Amount * (decimal)(h.Stages.GetValueOrDefault(d.StageId)?.Probability ?? 0) / 100;
            if (t.Model is { } m && h.Snapshot(d, now) is { } s) aiWeighted += d.Amount * (decimal)m.Predict(s);
        }
        var currency = h.BaseCurrency;
        decimal Money(decimal minor) => MinorUnits.ToAmount((long)Math.Round(minor, 0, MidpointRounding.AwayFromZero), currency);
        return TypedResults.Ok(new AiWeightedForecastDto(from.Value, to.Value, currency, deals.Count, MinorUnits.ToAmount(pipeline, currency), Money(stageWeighted),
            t.Model is null ? null : Money(aiWeighted), t.Model?.TrainingRows + t.Model?.CalibrationRows ?? 0, t.Reason,
            $"/api/v1/analytics/win-probability?closeFrom={from.Value:yyyy-MM-dd}&closeTo={to.Value:yyyy-MM-dd}"));
    }
}
