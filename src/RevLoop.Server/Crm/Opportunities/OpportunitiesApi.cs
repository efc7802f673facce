using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Configuration;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Server.Crm.Configuration;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Opportunities;

public sealed record OpportunityDto(Guid Id, string Name, Guid AccountId, Guid? PrimaryContactId, Guid PipelineId, Guid StageId, decimal Amount, decimal? Acv,
    string Currency, DateOnly? CloseDate, string? NextStep, Guid? OwnerId, string? SourcingRole, string? Source, string Type, string ForecastCategory,
    string? Region, string? Segment, string? ProductFamily, string? LostReason, DateTimeOffset? WonAt, DateTimeOffset? LostAt, long Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string BaseCurrency, decimal? AmountBase, decimal? AcvBase,
    IReadOnlyList<string>? Tags, IReadOnlyDictionary<string, JsonElement>? CustomFields)
{
    /// <summary>With the amounts in the base currency at the close date's rate (null when the currency has no rate yet).</summary>
    public static OpportunityDto From(Opportunity o, RateBook rates) => new(o.Id, o.Name, o.AccountId, o.PrimaryContactId, o.PipelineId, o.StageId,
        MinorUnits.ToAmount(o.AmountMinor, o.Currency), o.AcvMinor is { } acv ? MinorUnits.ToAmount(acv, o.Currency) : null, o.Currency, o.CloseDate,
        o.NextStep, o.OwnerId, o.SourcingRole, o.Source, o.Type, o.ForecastCategory, o.Region, o.Segment, o.ProductFamily, o.LostReason, o.WonAt, o.LostAt,
        o.Version, o.CreatedAt, o.UpdatedAt, rates.BaseCurrency, rates.ToBase(o.AmountMinor, o.Currency, o.CloseDate),
        o.AcvMinor is { } a ? rates.ToBase(a, o.Currency, o.CloseDate) : null, TagsAndCustomFields.TagList(o.Tags), TagsAndCustomFields.ToDictionary(o.CustomFields));
}

/// <summary>Every writable field of an opportunity; POST and PUT send it whole, PATCH merges into it.</summary>
public sealed record OpportunityInput(
    string? Name, Guid? AccountId, Guid? PipelineId = null, Guid? StageId = null, decimal? Amount = null, decimal? Acv = null, string? Currency = null,
    DateOnly? CloseDate = null, string? NextStep = null, Guid? OwnerId = null, Guid? PrimaryContactId = null, string? SourcingRole = null, string? Source = null,
    string? Type = null, string? ForecastCategory = null, string? Region = null, string? Segment = null, string? ProductFamily = null, string? LostReason = null,
    IReadOnlyList<string>? Tags = null, IReadOnlyDictionary<string, JsonElement>? CustomFields = null)
{
    public static OpportunityInput From(Opportunity o) => new(o.Name, o.AccountId, o.PipelineId, o.StageId, MinorUnits.ToAmount(o.AmountMinor, o.Currency),
        o.AcvMinor is { } acv ? MinorUnits.ToAmount(acv, o.Currency) : null, o.Currency, o.CloseDate, o.NextStep, o.OwnerId, o.PrimaryContactId,
        o.SourcingRole, o.Source, o.Type, o.ForecastCategory, o.Region, o.Segment, o.ProductFamily, o.LostReason, TagsAndCustomFields.TagList(o.Tags),
        TagsAndCustomFields.ToDictionary(o.CustomFields));
}

/// <summary>
/// Moves deals to another pipeline in one transaction: each deal's stage is the one <see cref="StageMapping"/> names for
/// its current stage, else the target stage of the same name, else the one at the same position among stages of its type.
/// </summary>
public sealed record MoveInput(IReadOnlyList<Guid>? OpportunityIds, Guid? PipelineId, IReadOnlyDictionary<Guid, Guid>? StageMapping = null);
public sealed record MoveResultDto(IReadOnlyList<OpportunityDto> Moved);

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
        g.MapPost("/move", Move).RequireAuthorization(ApiPolicies.Write);
        HistoryApi.Register("opportunities", "opportunity", (db, id, ct) => db.Opportunities.AnyAsync(o => o.Id == id, ct));
        g.MapOpportunityContactsApi();
    }

    public static async Task<Ok<Page<OpportunityDto>>> List([AsParameters] OpportunityListQuery query, RevLoopDb db, Viewer viewer, HttpRequest request, CancellationToken ct)
        => TypedResults.Ok(await query.RunAsync(db, viewer, request.Query, ct));

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

    public const int MaxMove = 500;

    /// <summary>All or nothing: errors name the deal's position and field (opportunityIds[2].closeDate); nothing moves then.</summary>
    public static async Task<Ok<MoveResultDto>> Move(MoveInput input, RevLoopDb db, CancellationToken ct)
    {
        var ids = input.OpportunityIds ?? [];
        if (ids.Count is 0 or > MaxMove) throw new InputException("opportunityIds", $"give 1 to {MaxMove} opportunity ids");
        var pipelineId = input.PipelineId ?? throw new InputException("pipelineId", "is required");
        var target = await db.Pipelines.AsNoTracking().Include(p => p.Stages).FirstOrDefaultAsync(p => p.Id == pipelineId, ct)
            ?? throw new InputException("pipelineId", $"no pipeline has id {pipelineId}");
        var mapping = input.StageMapping ?? new Dictionary<Guid, Guid>();
        var known = (await db.Stages.AsNoTracking().Where(s => mapping.Keys.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct)).ToHashSet();
        foreach (var (from, to) in mapping)
        {
            if (!known.Contains(from)) throw new InputException($"stageMapping.{from}", $"no stage has id {from}");
            if (target.Stages.All(s => s.Id != to)) throw new InputException($"stageMapping.{from}", $"stage {to} is not a stage of pipeline '{target.Name}'");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var deals = await db.Opportunities.Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, ct);
        // Pipelines, custom field definitions, accounts, contacts and owners' teams read once for all the deals, not per deal.
        var batch = await OpportunityRules.Batch.LoadAsync(db, deals.Values, ct);
        var errors = new List<(string, string)>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (!deals.TryGetValue(ids[i], out var o)) { errors.Add(($"opportunityIds[{i}]", $"no opportunity has id {ids[i]}")); continue; }
            var stageId = mapping.TryGetValue(o.StageId, out var mapped) ? mapped : o.StageId;
            try
            {
                await OpportunityRules.ApplyAsync(db, o, OpportunityInput.From(o) with { PipelineId = pipelineId, StageId = stageId }, ct, batch);
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors.Select(x => ($"opportunityIds[{i}].{x.Field}", x.Reason)));
            }
        }
        if (errors.Count > 0) throw InputException.Of(errors);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        var rates = await RateBook.LoadAsync(db, ct);
        return TypedResults.Ok(new MoveResultDto(ids.Select(id => OpportunityDto.From(deals[id], rates)).ToList()));
    }
}

/// <summary>Validation and stage rules of an opportunity, shared by every door (API, UI board, import).</summary>
public static class OpportunityRules
{
    /// <summary>What <see cref="ApplyAsync"/> reads for every deal, read once for a batch of deals (a move of up to 500).</summary>
    public sealed record Batch(List<Pipeline> Pipelines, List<CustomFieldDefinition> Definitions, HashSet<Guid> Accounts, HashSet<(Guid Contact, Guid Account)> Contacts,
        Ownership Ownership)
    {
        public static async Task<Batch> LoadAsync(RevLoopDb db, IReadOnlyCollection<Opportunity> deals, CancellationToken ct)
        {
            var accountIds = deals.Select(d => d.AccountId).Distinct().ToList();
            var contactIds = deals.Where(d => d.PrimaryContactId is not null).Select(d => d.PrimaryContactId!.Value).Distinct().ToList();
            var accounts = (await db.Accounts.AsNoTracking().Where(a => accountIds.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct)).ToHashSet();
            var contacts = contactIds.Count == 0 ? [] : (await db.Contacts.AsNoTracking().Where(c => contactIds.Contains(c.Id) && c.AccountId != null)
                .Select(c => new { c.Id, Account = c.AccountId!.Value }).ToListAsync(ct)).Select(c => (c.Id, c.Account)).ToHashSet();
            return new Batch(await db.Pipelines.AsNoTracking().Include(p => p.Stages).ToListAsync(ct), await TagsAndCustomFields.DefinitionsAsync(db, "opportunity", ct),
                accounts, contacts, new Ownership(db));
        }
    }

    public static async Task ApplyAsync(RevLoopDb db, Opportunity o, OpportunityInput i, CancellationToken ct, Batch? batch = null)
    {
        var name = i.Name?.Trim() ?? "";
        if (name.Length is 0 or > 300) throw new InputException("name", "is required (at most 300 characters)");
        var accountId = i.AccountId ?? throw new InputException("accountId", "is required");
        if (!(batch?.Accounts.Contains(accountId) ?? await db.Accounts.AnyAsync(a => a.Id == accountId, ct)))
            throw new InputException("accountId", $"no account has id {accountId}");
        if (i.PrimaryContactId is { } c && !(batch?.Contacts.Contains((c, accountId)) ?? await db.Contacts.AnyAsync(x => x.Id == c && x.AccountId == accountId, ct)))
            throw new InputException("primaryContactId", $"no contact of this account has id {c}");

        var pipelines = batch?.Pipelines ?? await db.Pipelines.AsNoTracking().Include(p => p.Stages).ToListAsync(ct);
        var pipeline = i.PipelineId is { } pid ? pipelines.FirstOrDefault(p => p.Id == pid) ?? throw new InputException("pipelineId", $"no pipeline has id {pid}")
            : pipelines.FirstOrDefault(p => p.IsDefault) ?? throw new InputException("pipelineId", "no pipeline is configured; create one first (POST /api/v1/pipelines)");
        var stages = pipeline.Stages.OrderBy(s => s.SortOrder).ToList();
        var moving = o.PipelineId != Guid.Empty && o.PipelineId != pipeline.Id;
        Stage stage;
        if (i.StageId is { } sid && stages.FirstOrDefault(s => s.Id == sid) is { } chosen) stage = chosen;
        else if (moving && (i.StageId is null || i.StageId == o.StageId) && pipelines.FirstOrDefault(p => p.Id == o.PipelineId) is { } source
            && source.Stages.FirstOrDefault(s => s.Id == o.StageId) is { } current)
            stage = MapStage(current, source.Stages, stages);
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

        if (batch is null) await TagsAndCustomFields.ApplyAsync(db, o, "opportunity", i.Tags, i.CustomFields, ct);
        else TagsAndCustomFields.Apply(o, "opportunity", i.Tags, i.CustomFields, batch.Definitions);

        // Required fields by stage, as revops configured them: each stage's fields from that stage on; lost needs its reason instead.
        var errors = new List<(string, string)>();
        if (stage.Type != StageTypes.Lost)
        {
            var values = TagsAndCustomFields.ToDictionary(o.CustomFields);
            foreach (var from in stages.Where(s => s.SortOrder <= stage.SortOrder && s.Type != StageTypes.Lost))
                foreach (var field in RequiredFieldsOf(from))
                    if (IsMissing(field, i, amount, acv, values) && errors.All(e => e.Item1 != field)) errors.Add((field, $"is required from stage '{from.Name}' on"));
        }
        else if (string.IsNullOrWhiteSpace(i.LostReason)) errors.Add(("lostReason", $"is required to move a deal to '{stage.Name}'"));
        if (errors.Count > 0) throw InputException.Of(errors);

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
        await (batch?.Ownership ?? new Ownership(db)).AssignAsync(o, i.OwnerId, ct);
    }

    /// <summary>
    /// Moving a deal to another pipeline keeps its stage by name, else takes the stage at the same position among the stages
    /// of the same type (the 2nd open stage maps to the 2nd open stage, or the last open one when the target has fewer).
    /// </summary>
    public static Stage MapStage(Stage from, IEnumerable<Stage> source, IReadOnlyList<Stage> target)
    {
        var byName = target.FirstOrDefault(s => string.Equals(s.Name, from.Name, StringComparison.OrdinalIgnoreCase));
        if (byName is not null) return byName;
        var position = source.Where(s => s.Type == from.Type).OrderBy(s => s.SortOrder).ToList().FindIndex(s => s.Id == from.Id);
        var sameType = target.Where(s => s.Type == from.Type).OrderBy(s => s.SortOrder).ToList();
        return sameType[Math.Clamp(position, 0, sameType.Count - 1)];
    }

    /// <summary>The opportunity fields a stage can require (API names); custom fields as customFields.key.</summary>
    public static readonly IReadOnlyList<string> RequirableFields =
        ["amount", "acv", "closeDate", "nextStep", "primaryContactId", "ownerId", "sourcingRole", "source", "region", "segment", "productFamily"];

    public static IReadOnlyList<string> RequiredFieldsOf(Stage s) => string.IsNullOrEmpty(s.RequiredFields) ? [] : s.RequiredFields.Split(',');

    private static bool IsMissing(string field, OpportunityInput i, long amount, long? acv, IReadOnlyDictionary<string, JsonElement> custom) => field switch
    {
        "amount" => amount == 0,
        "acv" => acv is null or 0,
        "closeDate" => i.CloseDate is null,
        "nextStep" => string.IsNullOrWhiteSpace(i.NextStep),
        "primaryContactId" => i.PrimaryContactId is null,
        "ownerId" => i.OwnerId is null,
        "sourcingRole" => i.SourcingRole is null,
        "source" => string.IsNullOrWhiteSpace(i.Source),
        "region" => string.IsNullOrWhiteSpace(i.Region),
        "segment" => i.Segment is null,
        "productFamily" => string.IsNullOrWhiteSpace(i.ProductFamily),
        _ when field.StartsWith("customFields.", StringComparison.Ordinal) => !custom.ContainsKey(field["customFields.".Length..]),
        _ => false,
    };

    private static void Check(string field, string? value, IReadOnlyList<string> allowed)
    {
        if (value is not null && !allowed.Contains(value)) throw new InputException(field, $"must be one of {string.Join(", ", allowed)}");
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
