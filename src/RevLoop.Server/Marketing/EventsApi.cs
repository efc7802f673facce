using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Marketing;
using RevLoop.Platform;
using RevLoop.Server.Crm;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing;

public sealed record MarketingEventDto(long Id, string EventId, string Type, DateTimeOffset OccurredAt, string? PersonType, Guid? PersonId, string? VisitorId,
    string? Email, Guid? CampaignId, string? Url, string? Feature, string? UtmSource, string? UtmMedium, string? UtmCampaign)
{
    public static MarketingEventDto From(MarketingEvent e) => new(e.Id, e.EventId, e.Type, e.OccurredAt, e.PersonType, e.PersonId, e.VisitorId, e.Email,
        e.CampaignId, e.Url, e.Feature, e.UtmSource, e.UtmMedium, e.UtmCampaign);
}

public sealed record TrackingKeyDto(Guid Id, string Name, string Key, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
public sealed record TrackingKeyInput(string? Name);

/// <summary>
/// Behavioural events in (POST /api/v1/events for integrations; POST /api/v1/track for the website snippet with a public
/// write-only key) and out (a person's or campaign's touches, newest first).
/// </summary>
public static class EventsApi
{
    /// <summary>What a public key may send: website touches of visitors and people who give their email, nothing naming records by id.</summary>
    private static readonly HashSet<string> PublicTypes = [MarketingEventTypes.PageView, MarketingEventTypes.FormSubmit, MarketingEventTypes.ContentDownload, MarketingEventTypes.DemoRequest];

    public static void MapEventsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/events").WithTags("Events").RequireAuthorization(ApiPolicies.Read);
        g.MapPost("/", Post).RequireAuthorization(ApiPolicies.Write);
        g.MapGet("/", List);
        app.MapPost("/api/v1/track", Track).WithTags("Events").AllowAnonymous().DisableAntiforgery();
        var keys = app.MapGroup("/api/v1/tracking-keys").WithTags("Events").RequireAuthorization(ApiPolicies.Read, ApiPolicies.Configure);
        keys.MapGet("/", (RevLoopDb db, CancellationToken ct) => ListKeys(db, ct));
        keys.MapPost("/", CreateKey).RequireAuthorization(ApiPolicies.Write);
        keys.MapDelete("/{id:guid}", RevokeKey).RequireAuthorization(ApiPolicies.Write);
    }

    /// <summary>200 when every event was taken (or was a duplicate); 207 when some were rejected, each with its index, field and reason.</summary>
    public static async Task<IResult> Post(JsonElement body, RevLoopDb db, CancellationToken ct)
    {
        var result = await EventIngestion.IngestAsync(db, EventIngestion.Items(body), ct);
        return TypedResults.Json(result, ApiJson.Options, statusCode: result.Rejected.Count == 0 ? 200 : 207);
    }

    public static async Task<Ok<Page<MarketingEventDto>>> List(Guid? contactId, Guid? leadId, Guid? campaignId, string? visitorId, string? type, string? cursor,
        int? pageSize, RevLoopDb db, CancellationToken ct)
    {
        var q = db.MarketingEvents.AsNoTracking();
        // Through the person's own (filtered) set: touches of someone you may not see are not yours to read.
        if (contactId is { } c)
        {
            if (!await db.Contacts.AnyAsync(x => x.Id == c, ct)) throw new InputException("contactId", $"no contact has id {c}");
            q = q.Where(e => e.PersonType == PersonTypes.Contact && e.PersonId == c);
        }
        else if (leadId is { } l)
        {
            if (!await db.Leads.AnyAsync(x => x.Id == l, ct)) throw new InputException("leadId", $"no lead has id {l}");
            q = q.Where(e => e.PersonType == PersonTypes.Lead && e.PersonId == l);
        }
        else if (campaignId is { } cid) q = q.Where(e => e.CampaignId == cid);
        else if (visitorId is not null) q = q.Where(e => e.VisitorId == visitorId);
        else throw new InputException("contactId", "give contactId, leadId, campaignId or visitorId");
        if (type is not null) q = q.Where(e => e.Type == type);
        var size = Paging.Size(pageSize);
        if (cursor is not null)
        {
            var before = long.TryParse(Paging.DecodeCursor(cursor, 1)[0], out var n) ? n : throw new InputException("cursor", "is not a cursor this list returned");
            q = q.Where(e => e.Id < before);
        }
        var rows = await q.OrderByDescending(e => e.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].Id.ToString(CultureInfo.InvariantCulture)) : null;
        return TypedResults.Ok(new Page<MarketingEventDto>(rows.Take(size).Select(MarketingEventDto.From).ToList(), next, size));
    }

    /// <summary>
    /// The website snippet's door: the key in the query string and a text/plain JSON body make a "simple" cross-origin
    /// request (no preflight), as navigator.sendBeacon sends it. The key can add website touches and nothing else.
    /// </summary>
    public static async Task<IResult> Track(string? key, HttpRequest request, IServiceScopeFactory scopes, CancellationToken ct)
    {
        request.HttpContext.Response.Headers.AccessControlAllowOrigin = "*";
        if (string.IsNullOrWhiteSpace(key)) return Problems.Field("key", "is required (the site's tracking key)");
        JsonElement body;
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            body = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return Problems.Field("body", "is not JSON: " + e.Message.Split(" Path:")[0]);
        }
        // The request itself is anonymous (it sees nothing); the events are written as the system, named after the key.
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var found = await db.TrackingKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Key == key.Trim(), ct);
        if (found is null || found.RevokedAt is not null) return Problems.Status(401, "Unknown or revoked tracking key");
        var origin = scope.ServiceProvider.GetRequiredService<ChangeOrigin>();
        origin.Actor = $"tracking_key:{found.Id}";
        origin.Source = ChangeSources.Api;
        var items = EventIngestion.Items(body);
        var allowed = new List<JsonElement>(items.Count);
        var refused = new List<RejectedEvent>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var reason = item.ValueKind != JsonValueKind.Object ? ("event", "must be a JSON object")
                : item.TryGetProperty("contactId", out _) ? ("contactId", "a public tracking key cannot name records; send email or visitorId")
                : item.TryGetProperty("leadId", out _) ? ("leadId", "a public tracking key cannot name records; send email or visitorId")
                : item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && !PublicTypes.Contains(t.GetString()!)
                    ? ("type", $"a public tracking key sends only {string.Join(", ", PublicTypes)}")
                : ((string, string)?)null;
            if (reason is { } r) refused.Add(new RejectedEvent(i, null, r.Item1, r.Item2));
            else allowed.Add(item);
        }
        var result = allowed.Count == 0 ? new EventBatchResult(0, 0, [], []) : await EventIngestion.IngestAsync(db, allowed, ct);
        // Indexes in the answer are positions in the request, so map the allowed subset back.
        var positions = Enumerable.Range(0, items.Count).Where(i => !refused.Any(r => r.Index == i)).ToList();
        var rejected = refused.Concat(result.Rejected.Select(r => r with { Index = positions[r.Index] })).OrderBy(r => r.Index).ToList();
        var created = result.CreatedLeads.Select(c => c with { Index = positions[c.Index] }).ToList();
        var answer = new EventBatchResult(result.Accepted, result.Duplicates, rejected, created);
        return TypedResults.Json(answer, ApiJson.Options, statusCode: rejected.Count == 0 ? 200 : 207);
    }

    public static async Task<Ok<List<TrackingKeyDto>>> ListKeys(RevLoopDb db, CancellationToken ct) =>
        TypedResults.Ok((await db.TrackingKeys.AsNoTracking().OrderBy(k => k.CreatedAt).Take(Paging.MaxPageSize).ToListAsync(ct))
            .Select(k => new TrackingKeyDto(k.Id, k.Name, k.Key, k.CreatedAt, k.RevokedAt)).ToList());

    public static async Task<Created<TrackingKeyDto>> CreateKey(TrackingKeyInput input, RevLoopDb db, CancellationToken ct)
    {
        // Public by design (it sits in the website's HTML), so it is stored as is and shown again, unlike API tokens.
        var k = new TrackingKey
        {
            Name = PersonRules.Optional("name", input.Name, 200) ?? throw new InputException("name", "is required (say which site embeds it)"),
            Key = "rlt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            CreatedAt = db.Clock.GetUtcNow(),
        };
        db.TrackingKeys.Add(k);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/tracking-keys/{k.Id}", new TrackingKeyDto(k.Id, k.Name, k.Key, k.CreatedAt, k.RevokedAt));
    }

    public static async Task<Results<NoContent, NotFound>> RevokeKey(Guid id, RevLoopDb db, CancellationToken ct)
    {
        var now = db.Clock.GetUtcNow();
        var n = await db.TrackingKeys.Where(k => k.Id == id && k.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), ct);
        return n == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }
}
