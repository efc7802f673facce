using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Server.Crm.Accounts;
using RevLoop.Server.Platform;
using RevLoop.Server.Platform.Imports;

namespace RevLoop.Server.Crm.Opportunities;

/// <summary>
/// Opportunities as CSV. Pipeline and stage by name (the stage within the pipeline; without a pipeline column, the
/// default pipeline, else the one pipeline that has a stage of that name), amounts in the row's currency, the account
/// by id, external id, name or domain. A stored id updates; the same external id is a duplicate (see --dedupe).
/// Imports load records as they stand in the source system, so the stage's required-field rules, which guard moves
/// made in RevLoop, are not applied; won/lost stages still set the forecast category, and the won/lost time (won_at,
/// lost_at, else the close date, else now).
/// </summary>
public sealed class OpportunityCsv : RecordCsv<Opportunity>
{
    public static readonly OpportunityCsv Instance = new();

    public override string Object => "opportunities";
    public override IReadOnlyList<string> RequiredColumns => ["name"];
    public override DbSet<Opportunity> Set(RevLoopDb db) => db.Opportunities;
    public override string? ExternalIdOf(Opportunity o) => o.ExternalId;

    public override IReadOnlyList<CsvColumn<Opportunity>> Columns { get; } =
    [
        CsvColumn<Opportunity>.Id("id", nameof(Opportunity.Id), o => o.Id, (o, v) => o.Id = v!.Value),
        CsvColumn<Opportunity>.Text("name", nameof(Opportunity.Name), o => o.Name, (o, v) => o.Name = v ?? "", 300),
        CsvColumn<Opportunity>.Id("account_id", nameof(Opportunity.AccountId), o => o.AccountId, (o, v) => o.AccountId = v!.Value),
        CsvColumn<Opportunity>.Id("primary_contact_id", nameof(Opportunity.PrimaryContactId), o => o.PrimaryContactId, (o, v) => o.PrimaryContactId = v),
        CsvColumn<Opportunity>.Deferred("pipeline", (o, n) => n.PipelineNames.GetValueOrDefault(o.PipelineId), nameof(Opportunity.PipelineId), nameof(Opportunity.StageId)),
        CsvColumn<Opportunity>.Deferred("stage", (o, n) => n.StageNames.GetValueOrDefault(o.StageId), nameof(Opportunity.StageId), nameof(Opportunity.PipelineId)),
        CsvColumn<Opportunity>.Deferred("amount", (o, _) => Amount(o.AmountMinor, o.Currency), nameof(Opportunity.AmountMinor)),
        CsvColumn<Opportunity>.Deferred("acv", (o, _) => o.AcvMinor is { } acv ? Amount(acv, o.Currency) : null, nameof(Opportunity.AcvMinor)),
        CsvColumn<Opportunity>.Deferred("currency", (o, _) => o.Currency, nameof(Opportunity.Currency)),
        CsvColumn<Opportunity>.Date("close_date", nameof(Opportunity.CloseDate), o => o.CloseDate, (o, v) => o.CloseDate = v),
        CsvColumn<Opportunity>.Text("next_step", nameof(Opportunity.NextStep), o => o.NextStep, (o, v) => o.NextStep = v, 500),
        OwnerEmail(),
        CsvColumn<Opportunity>.OneOf("sourcing_role", nameof(Opportunity.SourcingRole), o => o.SourcingRole, (o, v) => o.SourcingRole = v, SourcingRoles.All),
        CsvColumn<Opportunity>.Text("source", nameof(Opportunity.Source), o => o.Source, (o, v) => o.Source = v, 40),
        CsvColumn<Opportunity>.OneOf("type", nameof(Opportunity.Type), o => o.Type, (o, v) => o.Type = v!, OpportunityTypes.All),
        CsvColumn<Opportunity>.OneOf("forecast_category", nameof(Opportunity.ForecastCategory), o => o.ForecastCategory, (o, v) => o.ForecastCategory = v!, ForecastCategories.All),
        CsvColumn<Opportunity>.Text("region", nameof(Opportunity.Region), o => o.Region, (o, v) => o.Region = v, 60),
        CsvColumn<Opportunity>.OneOf("segment", nameof(Opportunity.Segment), o => o.Segment, (o, v) => o.Segment = v, Account.Segments),
        CsvColumn<Opportunity>.Text("product_family", nameof(Opportunity.ProductFamily), o => o.ProductFamily, (o, v) => o.ProductFamily = v, 100),
        CsvColumn<Opportunity>.Text("lost_reason", nameof(Opportunity.LostReason), o => o.LostReason, (o, v) => o.LostReason = v, 200),
        CsvColumn<Opportunity>.Instant("won_at", nameof(Opportunity.WonAt), o => o.WonAt, (o, v) => o.WonAt = v),
        CsvColumn<Opportunity>.Instant("lost_at", nameof(Opportunity.LostAt), o => o.LostAt, (o, v) => o.LostAt = v),
        CsvColumn<Opportunity>.Text("external_id", nameof(Opportunity.ExternalId), o => o.ExternalId, (o, v) => o.ExternalId = v, 100),
        TagsColumn(),
        CustomFieldsColumn(),
        CsvColumn<Opportunity>.Deferred("account", null, nameof(Opportunity.AccountId)),
        CsvColumn<Opportunity>.Deferred("account_external_id", null, nameof(Opportunity.AccountId)),
    ];

    private static string Amount(long minor, string currency) =>
        MinorUnits.ToAmount(minor, currency).ToString("F" + MinorUnits.Decimals(currency), System.Globalization.CultureInfo.InvariantCulture);

    public override void Check(ImportRow<Opportunity> row, ImportContext context)
    {
        var o = row.Draft;
        if (o.Name.Length == 0) throw new InputException("name", "is required");
        var currency = (row.Cell("currency") ?? o.Currency).ToUpperInvariant();
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper)) throw new InputException("currency", $"'{currency}' is not an ISO 4217 code such as EUR");
        o.Currency = currency;
        o.AmountMinor = row.Cell("amount") is { } amount ? Minor("amount", amount, currency) : 0;
        o.AcvMinor = row.Cell("acv") is { } acv ? Minor("acv", acv, currency) : null;
        var (pipeline, stage) = StageOf(context.Pipelines, row.Cell("pipeline"), row.Cell("stage"));
        (o.PipelineId, o.StageId) = (pipeline.Id, stage.Id);
    }

    private static long Minor(string column, string text, string currency)
    {
        var amount = CsvValues.Amount(column, text);
        if (amount < 0) throw new InputException(column, "must not be negative");
        return MinorUnits.ToMinor(amount, currency) ?? throw new InputException(column, $"'{text}' has more decimals than {currency} allows");
    }

    /// <summary>The pipeline by name (else the default one) and the stage by name within it (else its first open stage).</summary>
    public static (Pipeline, Stage) StageOf(IReadOnlyList<Pipeline> pipelines, string? pipelineName, string? stageName)
    {
        if (pipelines.Count == 0) throw new InputException("pipeline", "no pipeline is configured; create one first (POST /api/v1/pipelines)");
        Pipeline pipeline;
        if (pipelineName is not null)
            pipeline = pipelines.FirstOrDefault(p => string.Equals(p.Name, pipelineName, StringComparison.OrdinalIgnoreCase))
                ?? throw new InputException("pipeline", $"no pipeline is named '{pipelineName}'");
        else
        {
            pipeline = pipelines.FirstOrDefault(p => p.IsDefault) ?? pipelines[0];
            // A file without pipelines (a Salesforce export) names stages only: the one pipeline that has the stage.
            if (stageName is not null && !HasStage(pipeline, stageName))
            {
                var having = pipelines.Where(p => HasStage(p, stageName)).ToList();
                if (having.Count == 1) pipeline = having[0];
            }
        }
        if (stageName is null) return (pipeline, pipeline.Stages.FirstOrDefault(s => s.Type == StageTypes.Open) ?? pipeline.Stages[0]);
        var stage = pipeline.Stages.FirstOrDefault(s => string.Equals(s.Name, stageName, StringComparison.OrdinalIgnoreCase))
            ?? throw new InputException("stage", $"pipeline '{pipeline.Name}' has no stage named '{stageName}' (stages: {string.Join(", ", pipeline.Stages.Select(s => s.Name))})");
        return (pipeline, stage);
    }

    private static bool HasStage(Pipeline p, string name) => p.Stages.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    public override async Task ResolveAsync(ImportContext context, IReadOnlyList<ImportRow<Opportunity>> rows, CancellationToken ct)
    {
        foreach (var row in rows) ResolveOwner(context, row);
        await AccountReferences.ResolveAsync(context.Db, rows, (o, a) => o.AccountId = a ?? Guid.Empty, o => o.AccountId, required: true, ct);
        var contacts = rows.Where(r => r.Error is null && r.Draft.PrimaryContactId is not null).Select(r => r.Draft.PrimaryContactId!.Value).Distinct().ToList();
        var accountOf = contacts.Count == 0 ? [] : await context.Db.Contacts.Where(c => contacts.Contains(c.Id)).Select(c => new { c.Id, c.AccountId }).ToDictionaryAsync(c => c.Id, c => c.AccountId, ct);
        foreach (var row in rows.Where(r => r.Error is null && r.Draft.PrimaryContactId is not null))
        {
            var id = row.Draft.PrimaryContactId!.Value;
            if (!accountOf.TryGetValue(id, out var account) || account != row.Draft.AccountId)
                row.Try(() => throw new InputException("primary_contact_id", $"no contact of this account has id {id}"));
        }
    }

    /// <summary>A closed deal from another system was won or lost on its close date (Salesforce exports no such time), else now.</summary>
    private static DateTimeOffset ClosedAt(Opportunity o, ImportContext context) =>
        o.CloseDate is { } d ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : context.Now;

    public override IEnumerable<(string Column, string Key)> Keys(Opportunity o)
    {
        if (o.ExternalId is { } e) yield return ("external_id", e);
    }

    public override IReadOnlyList<string> LookupColumns => [nameof(Opportunity.ExternalId)];

    public override Task<List<Opportunity>> FindAsync(RevLoopDb db, IReadOnlyCollection<(string Column, string Key)> keys, CancellationToken ct)
    {
        var externals = keys.Where(k => k.Column == "external_id").Select(k => k.Key).ToList();
        return db.Opportunities.Where(o => o.ExternalId != null && externals.Contains(o.ExternalId)).ToListAsync(ct);
    }

    public override void Finish(Opportunity o, ImportRow<Opportunity> row, ImportContext context)
    {
        base.Finish(o, row, context);
        var stage = context.Pipelines.SelectMany(p => p.Stages).First(s => s.Id == o.StageId);
        switch (stage.Type)
        {
            case StageTypes.Won:
                o.WonAt ??= ClosedAt(o, context); o.LostAt = null; o.ForecastCategory = ForecastCategories.Closed;
                break;
            case StageTypes.Lost:
                o.LostAt ??= ClosedAt(o, context); o.WonAt = null; o.ForecastCategory = ForecastCategories.Omitted;
                break;
            default:
                o.WonAt = null; o.LostAt = null;
                if (o.ForecastCategory == ForecastCategories.Closed) throw new InputException("forecast_category", "closed is for won deals");
                break;
        }
    }
}
