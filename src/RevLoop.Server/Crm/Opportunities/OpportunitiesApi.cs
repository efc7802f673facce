using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Opportunities;

public sealed record OpportunityDto(Guid Id, string Name, Guid AccountId, Guid? PrimaryContactId, Guid PipelineId, Guid StageId, decimal Amount, decimal? Acv,
    string Currency, DateOnly? CloseDate, string? NextStep, Guid? OwnerId, string? SourcingRole, string? Source, string Type, string ForecastCategory,
    string? Region, string? Segment, string? ProductFamily, string? LostReason, DateTimeOffset? WonAt, DateTimeOffset? LostAt, long Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string BaseCurrency, decimal? AmountBase, decimal? AcvBase)
{
    /// <summary>With the amounts in the base currency at the close date's rate (null when the currency has no rate yet).</summary>
    public static OpportunityDto From(Opportunity o, RateBook rates) => new(o.Id, o.Name, o.AccountId, o.PrimaryContactId, o.PipelineId, o.StageId,
        MinorUnits.ToAmount(o.AmountMinor, o.Currency), o.AcvMinor is { } acv ? MinorUnits.ToAmount(acv, o.Currency) : null, o.Currency, o.CloseDate,
        o.NextStep, o.OwnerId, o.SourcingRole, o.Source, o.Type, o.ForecastCategory, o.Region, o.Segment, o.ProductFamily, o.LostReason, o.WonAt, o.LostAt,
        o.Version, o.CreatedAt, o.UpdatedAt, rates.BaseCurrency, rates.ToBase(o.AmountMinor, o.Currency, o.CloseDate),
        o.AcvMinor is { } a ? rates.ToBase(a, o.Currency, o.CloseDate) : null);
}

/// <summary>Every writable field of an opportunity; POST and PUT send it whole, PATCH merges into it.</summary>
public sealed record OpportunityInput(
    string? Name, Guid? AccountId, Guid? PipelineId = null, Guid? StageId = null, decimal? Amount = null, decimal? Acv = null, string? Currency = null,
    DateOnly? CloseDate = null, string? NextStep = null, Guid? OwnerId = null, Guid? PrimaryContactId = null, string? SourcingRole = null, string? Source = null,
    string? Type = null, string? ForecastCategory = null, string? Region = null, string? Segment = null, string? ProductFamily = null, string? LostReason = null)
{
    public static OpportunityInput From(Opportunity o) => new(o.Name, o.AccountId, o.PipelineId, o.StageId, MinorUnits.ToAmount(o.AmountMinor, o.Currency),
        o.AcvMinor is { } acv ? MinorUnits.ToAmount(acv, o.Currency) : null, o.Currency, o.CloseDate, o.NextStep, o.OwnerId, o.PrimaryContactId,
        o.SourcingRole, o.Source, o.Type, o.ForecastCategory, o.Region, o.Segment, o.ProductFamily, o.LostReason);
}

public static class OpportunitiesApi
{
    public static void MapOpportunitiesApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/opportunities").WithTags("Opportunities").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", List);
        g.MapGet("/{id:guid}", async (Guid id, RevLoopDb db, HttpResponse response, CancellationToken ct) =>
        {
            var rates = await RateBook.LoadAsync(db, ct);
            return await RecordEndpoints.GetAsync(db.Opportunities, id, o => OpportunityDto.From(o, rates), response, ct);
        });
        g.MapPost("/", Create).RequireAuthorization(ApiPolicies.Write);
        g.MapPut("/{id:guid}", async (Guid id, OpportunityInput input, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
        {
            var rates = await RateBook.LoadAsync(db, ct);
            return await RecordEndpoints.UpdateAsync(db, db.Opportunities, id, request, response, o => OpportunityRules.ApplyAsync(db, o, input, ct), o => OpportunityDto.From(o, rates), ct);
        }).RequireAuthorization(ApiPolicies.Write);
        g.MapPatch("/{id:guid}", async (Guid id, JsonElement patch, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
        {
            var rates = await RateBook.LoadAsync(db, ct);
            return await RecordEndpoints.UpdateAsync(db, db.Opportunities, id, request, response,
                o => OpportunityRules.ApplyAsync(db, o, MergePatch.Apply(OpportunityInput.From(o), patch, "opportunity"), ct), o => OpportunityDto.From(o, rates), ct);
        })
            .RequireAuthorization(ApiPolicies.Write).Accepts<JsonElement>("application/merge-patch+json", "application/json");
        g.MapDelete("/{id:guid}", (Guid id, RevLoopDb db, HttpRequest request, CancellationToken ct) => RecordEndpoints.DeleteAsync(db, db.Opportunities, id, request, ct)).RequireAuthorization(ApiPolicies.Write);
        HistoryApi.Register("opportunities", "opportunity", (db, id, ct) => db.Opportunities.AnyAsync(o => o.Id == id, ct));
    }

    public static async Task<Ok<Page<OpportunityDto>>> List([AsParameters] OpportunityListQuery query, RevLoopDb db, Viewer viewer, CancellationToken ct)
        => TypedResults.Ok(await query.RunAsync(db, viewer, ct));

    public static async Task<Created<OpportunityDto>> Create(OpportunityInput input, RevLoopDb db, Viewer viewer, HttpResponse response, CancellationToken ct)
    {
        if (input.OwnerId is null && viewer.UserId is { } me && me != Guid.Empty) input = input with { OwnerId = me };
        var o = new Opportunity();
        await OpportunityRules.ApplyAsync(db, o, input, ct);
        db.Opportunities.Add(o);
        await db.SaveChangesAsync(ct);
        response.Headers.ETag = ETags.For(o.Version);
        return TypedResults.Created($"/api/v1/opportunities/{o.Id}", OpportunityDto.From(o, await RateBook.LoadAsync(db, ct)));
    }
}

/// <summary>Validation and stage rules of an opportunity, shared by every door (API, UI board, import).</summary>
public static class OpportunityRules
{
    public static async Task ApplyAsync(RevLoopDb db, Opportunity o, OpportunityInput i, CancellationToken ct)
    {
        var name = i.Name?.Trim() ?? "";
        if (name.Length is 0 or > 300) throw new InputException("name", "is required (at most 300 characters)");
        var accountId = i.AccountId ?? throw new InputException("accountId", "is required");
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) throw new InputException("accountId", $"no account has id {accountId}");
        if (i.PrimaryContactId is { } c && !await db.Contacts.AnyAsync(x => x.Id == c && x.AccountId == accountId, ct))
            throw new InputException("primaryContactId", $"no contact of this account has id {c}");

        var pipelines = await db.Pipelines.AsNoTracking().Include(p => p.Stages).ToListAsync(ct);
        var pipeline = i.PipelineId is { } pid ? pipelines.FirstOrDefault(p => p.Id == pid) ?? throw new InputException("pipelineId", $"no pipeline has id {pid}")
            : pipelines.FirstOrDefault(p => p.IsDefault) ?? throw new InputException("pipelineId", "no pipeline is configured; create one first (POST /api/v1/pipelines)");
        var stages = pipeline.Stages.OrderBy(s => s.SortOrder).ToList();
        Stage stage;
        if (i.StageId is { } sid && stages.FirstOrDefault(s => s.Id == sid) is { } chosen) stage = chosen;
        else if (i.StageId is { } other && o.PipelineId != Guid.Empty && o.PipelineId != pipeline.Id && other == o.StageId)
            stage = MapStage(pipelines.First(p => p.Id == o.PipelineId).Stages.First(s => s.Id == other), stages);
        else if (i.StageId is { } missing) throw new InputException("stageId", $"stage {missing} is not a stage of pipeline '{pipeline.Name}'");
        else stage = stages.First(s => s.Type == StageTypes.Open);

        var currency = (i.Currency ?? o.Currency).Trim().ToUpperInvariant();
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper)) throw new InputException("currency", "must be an ISO 4217 code such as EUR");
        long amount = i.Amount is { } am ? am < 0 ? throw new InputException("amount", "must not be negative")
            : MinorUnits.ToMinor(am, currency) ?? throw new InputException("amount", $"has more decimals than {currency} allows") : 0;
        long? acv = i.Acv is { } ac ? ac < 0 ? throw new InputException("acv", "must not be negative")
            : MinorUnits.ToMinor(ac, currency) ?? throw new InputException("acv", $"has more decimals than {currency} allows") : null;
        Check("sourcingRole", i.SourcingRole, SourcingRoles.All);
        Check("type", i.Type, OpportunityTypes.All);
        Check("forecastCategory", i.ForecastCategory, ForecastCategories.All);
        Check("segment", i.Segment, Account.Segments);

        // Required fields by stage: from the second stage on a deal needs an amount and a close date; lost needs its reason.
        if (stage.SortOrder >= 1 && stage.Type == StageTypes.Open)
        {
            if (amount == 0) throw new InputException("amount", $"is required from stage '{stage.Name}' on");
            if (i.CloseDate is null) throw new InputException("closeDate", $"is required from stage '{stage.Name}' on");
        }
        if (stage.Type == StageTypes.Lost && string.IsNullOrWhiteSpace(i.LostReason)) throw new InputException("lostReason", $"is required to move a deal to '{stage.Name}'");

        var now = db.Clock.GetUtcNow();
        o.Name = name; o.AccountId = accountId; o.PrimaryContactId = i.PrimaryContactId; o.PipelineId = pipeline.Id; o.Currency = currency;
        o.AmountMinor = amount; o.AcvMinor = acv; o.CloseDate = i.CloseDate; o.NextStep = Blank(i.NextStep); o.SourcingRole = i.SourcingRole;
        o.Source = Blank(i.Source); o.Type = i.Type ?? OpportunityTypes.NewBusiness; o.Region = Blank(i.Region); o.Segment = i.Segment;
        o.ProductFamily = Blank(i.ProductFamily); o.LostReason = stage.Type == StageTypes.Lost ? i.LostReason!.Trim() : Blank(i.LostReason);
        if (o.StageId != stage.Id)
        {
            o.StageId = stage.Id;
            o.WonAt = stage.Type == StageTypes.Won ? now : null;
            o.LostAt = stage.Type == StageTypes.Lost ? now : null;
        }
        o.ForecastCategory = stage.Type switch
        {
            StageTypes.Won => ForecastCategories.Closed,
            StageTypes.Lost => ForecastCategories.Omitted,
            _ => i.ForecastCategory is ForecastCategories.Closed ? throw new InputException("forecastCategory", "closed is for won deals") : i.ForecastCategory ?? ForecastCategories.Pipeline,
        };
        await new Ownership(db).AssignAsync(o, i.OwnerId, ct);
    }

    /// <summary>Moving a deal to another pipeline keeps its stage by name, else by position among the stages of the same type.</summary>
    public static Stage MapStage(Stage from, IReadOnlyList<Stage> target)
    {
        var byName = target.FirstOrDefault(s => string.Equals(s.Name, from.Name, StringComparison.OrdinalIgnoreCase));
        if (byName is not null) return byName;
        var sameType = target.Where(s => s.Type == from.Type).OrderBy(s => s.SortOrder).ToList();
        return sameType[Math.Min(from.SortOrder, sameType.Count - 1)];
    }

    private static void Check(string field, string? value, IReadOnlyList<string> allowed)
    {
        if (value is not null && !allowed.Contains(value)) throw new InputException(field, $"must be one of {string.Join(", ", allowed)}");
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
