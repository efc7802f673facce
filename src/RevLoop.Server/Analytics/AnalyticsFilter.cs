using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

/// <summary>
/// Which deals a pipeline analysis covers, from the query string: owner, owner team, segment, region, source, sourcing
/// role, product family, pipeline. Visibility is not here: the global query filter applies to every read.
/// </summary>
public sealed record AnalyticsFilter(Guid? OwnerId = null, Guid? TeamId = null, string? Segment = null, string? Region = null, string? Source = null,
    string? SourcingRole = null, string? Product = null, Guid? PipelineId = null)
{
    public IQueryable<Opportunity> Apply(IQueryable<Opportunity> q)
    {
        if (OwnerId is { } owner) q = q.Where(o => o.OwnerId == owner);
        if (TeamId is { } team) q = q.Where(o => o.OwnerTeamId == team);
        if (Segment is { } segment) q = q.Where(o => o.Segment == segment);
        if (Region is { } region) q = q.Where(o => o.Region == region);
        if (Source is { } source) q = q.Where(o => o.Source == source);
        if (SourcingRole is { } role) q = q.Where(o => o.SourcingRole == role);
        if (Product is { } product) q = q.Where(o => o.ProductFamily == product);
        if (PipelineId is { } pipeline) q = q.Where(o => o.PipelineId == pipeline);
        return q;
    }

    /// <summary>
    /// The same test as <see cref="Apply"/> on a deal's own columns (the in-memory history of
    /// <see cref="OpportunityHistoryColumns"/>; the pipeline is checked there). Visibility is not part of it.
    /// </summary>
    public bool Matches(Guid? owner, Guid? team, string? segment, string? region, string? source, string? sourcingRole, string? product) =>
        (OwnerId is null || owner == OwnerId) && (TeamId is null || team == TeamId) && (Segment is null || segment == Segment)
        && (Region is null || region == Region) && (Source is null || source == Source) && (SourcingRole is null || sourcingRole == SourcingRole)
        && (Product is null || product == Product);

    /// <summary>
    /// The (owner, owner team) pairs of the pipeline's deals the viewer may see, from the database (its visibility filter
    /// decides, ADR 0003); null when the viewer sees every live deal. Visibility depends on a deal's owner and team only,
    /// so these pairs select exactly the visible deals of the in-memory columns (ADR 0012), from an index-only scan,
    /// where asking for the deals' ids would read every visible row.
    /// </summary>
    public static async Task<HashSet<(Guid? Owner, Guid? Team)>?> VisibleOwnersAsync(RevLoopDb db, Guid? pipeline, CancellationToken ct) =>
        db.Viewer.SeesAll ? null : (await (pipeline is { } p ? db.Opportunities.AsNoTracking().Where(o => o.PipelineId == p) : db.Opportunities.AsNoTracking())
            .Select(o => new { o.OwnerId, o.OwnerTeamId }).Distinct().ToListAsync(ct)).Select(x => (x.OwnerId, x.OwnerTeamId)).ToHashSet();

    /// <summary>The filter as query-string parameters (for links that keep it).</summary>
    public string Query()
    {
        var parts = new List<string>();
        void Add(string name, object? value) { if (value is not null) parts.Add($"{name}={Uri.EscapeDataString(Convert.ToString(value, CultureInfo.InvariantCulture)!)}"); }
        Add("ownerId", OwnerId); Add("teamId", TeamId); Add("segment", Segment); Add("region", Region); Add("source", Source);
        Add("sourcingRole", SourcingRole); Add("product", Product); Add("pipeline", PipelineId);
        return string.Join("&", parts);
    }
}

/// <summary>The query-string form of <see cref="AnalyticsFilter"/>, bound with [AsParameters].</summary>
public sealed record AnalyticsFilterQuery(Guid? OwnerId, Guid? TeamId, string? Segment, string? Region, string? Source, string? SourcingRole, string? Product, Guid? Pipeline)
{
    public AnalyticsFilter Filter()
    {
        var segment = Blank(Segment)?.ToLowerInvariant();
        if (segment is not null && !Account.Segments.Contains(segment)) throw new InputException("segment", $"must be one of {string.Join(", ", Account.Segments)}");
        var role = Blank(SourcingRole)?.ToLowerInvariant();
        if (role is not null && !SourcingRoles.All.Contains(role)) throw new InputException("sourcingRole", $"must be one of {string.Join(", ", SourcingRoles.All)}");
        return new AnalyticsFilter(OwnerId, TeamId, segment, Blank(Region), Blank(Source), role, Blank(Product), Pipeline);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>One deal of a drill-down list: enough to recognise it and open it.</summary>
public sealed record DealLine(Guid Id, string Name, string Stage, decimal? Amount, long AmountMinor, string Currency, DateOnly? CloseDate, string? Owner, DateTimeOffset CreatedAt);

/// <summary>Shared pieces of the pipeline analytics: dates, offset pages over an ordered id list, and deal lines.</summary>
public static class AnalyticsPieces
{
    public static DateOnly Day(string? value, string field, DateOnly? fallback = null)
    {
        if (string.IsNullOrWhiteSpace(value))
            return fallback ?? throw new InputException(field, "is required (YYYY-MM-DD)");
        if (!DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            throw new InputException(field, $"'{value}' is not a date YYYY-MM-DD");
        return d;
    }

    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The pipeline asked for, else the default one (else the first); null when there is none.</summary>
    public static async Task<Pipeline?> PipelineAsync(RevLoopDb db, Guid? id, CancellationToken ct)
    {
        var q = db.Pipelines.AsNoTracking().Include(p => p.Stages);
        if (id is { } given) return await q.FirstOrDefaultAsync(p => p.Id == given, ct) ?? throw new InputException("pipeline", $"no pipeline {given}");
        return await q.OrderByDescending(p => p.IsDefault).ThenBy(p => p.SortOrder).ThenBy(p => p.Name).FirstOrDefaultAsync(ct);
    }

    /// <summary>An offset page of an already ordered list of deal ids (the engine's drill-down lists), as deal lines.</summary>
    public static async Task<Page<DealLine>> PageAsync(RevLoopDb db, IReadOnlyList<Guid> ids, string? cursor, int? pageSize, CancellationToken ct)
    {
        int size = Paging.Size(pageSize);
        int offset = 0;
        if (!string.IsNullOrEmpty(cursor) && (!int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > ids.Count))
            throw new InputException("cursor", "is not a cursor this server issued");
        var slice = ids.Skip(offset).Take(size).ToList();
        var lines = await LinesAsync(db, slice, ct);
        return new Page<DealLine>(lines, offset + size < ids.Count ? (offset + size).ToString(CultureInfo.InvariantCulture) : null, size);
    }

    /// <summary>Deal lines for the given ids, in that order (amounts in the base currency, ADR 0007).</summary>
    public static async Task<IReadOnlyList<DealLine>> LinesAsync(RevLoopDb db, IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var rates = await RateBook.LoadAsync(db, ct);
        var rows = await db.Opportunities.AsNoTracking().Where(o => ids.Contains(o.Id))
            .Select(o => new { o.Id, o.Name, o.StageId, o.AmountMinor, o.Currency, o.CloseDate, o.OwnerId, o.CreatedAt }).ToListAsync(ct);
        var stageIds = rows.Select(r => r.StageId).Distinct().ToList();
        var stages = await db.Stages.AsNoTracking().Where(s => stageIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var ownerIds = rows.Where(r => r.OwnerId != null).Select(r => r.OwnerId!.Value).Distinct().ToList();
        var owners = await db.Users.AsNoTracking().Where(u => ownerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var byId = rows.ToDictionary(r => r.Id);
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).Select(r => new DealLine(r.Id, r.Name, stages.GetValueOrDefault(r.StageId, ""),
            rates.ToBase(r.AmountMinor, r.Currency, r.CloseDate), r.AmountMinor, r.Currency, r.CloseDate,
            r.OwnerId is { } o ? owners.GetValueOrDefault(o) : null, r.CreatedAt)).ToList();
    }
}
