using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Activities;
using RevLoop.Data;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Activities;

public sealed record ActivityDto(Guid Id, string Type, string Subject, string? Body, DateTimeOffset OccurredAt, DateTimeOffset? DueAt, DateTimeOffset? CompletedAt,
    string Status, Guid? AccountId, Guid? ContactId, Guid? LeadId, Guid? OpportunityId, Guid? OwnerId, long Version)
{
    public static ActivityDto From(Activity a) => new(a.Id, a.Type, a.Subject, a.Body, a.OccurredAt, a.DueAt, a.CompletedAt, a.Status, a.AccountId,
        a.ContactId, a.LeadId, a.OpportunityId, a.OwnerId, a.Version);
}

public sealed record ActivityInput(string? Type, string? Subject, string? Body = null, DateTimeOffset? OccurredAt = null, DateTimeOffset? DueAt = null,
    string? Status = null, Guid? AccountId = null, Guid? ContactId = null, Guid? LeadId = null, Guid? OpportunityId = null, Guid? OwnerId = null)
{
    public static ActivityInput From(Activity a) => new(a.Type, a.Subject, a.Body, a.OccurredAt, a.DueAt, a.Status, a.AccountId, a.ContactId, a.LeadId, a.OpportunityId, a.OwnerId);
}

public static class ActivitiesApi
{
    public static void MapActivitiesApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/activities").WithTags("Activities").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", List);
        g.MapGet("/my-tasks", MyTasks);
        g.MapGet("/{id:guid}", (Guid id, RevLoopDb db, HttpResponse response, CancellationToken ct) => RecordEndpoints.GetAsync(db.Activities, id, ActivityDto.From, response, ct));
        g.MapPost("/", Create).RequireAuthorization(ApiPolicies.Write);
        g.MapPatch("/{id:guid}", (Guid id, JsonElement patch, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
            RecordEndpoints.UpdateAsync(db, db.Activities, id, request, response, a => ActivityRules.ApplyAsync(db, a, MergePatch.Apply(ActivityInput.From(a), patch, "activity"), ct), ActivityDto.From, ct))
            .RequireAuthorization(ApiPolicies.Write).Accepts<JsonElement>("application/merge-patch+json", "application/json");
        g.MapDelete("/{id:guid}", (Guid id, RevLoopDb db, HttpRequest request, CancellationToken ct) => RecordEndpoints.DeleteAsync(db, db.Activities, id, request, ct)).RequireAuthorization(ApiPolicies.Write);
    }

    /// <summary>A record's timeline, newest first: filter by the record the activities hang on.</summary>
    public static async Task<Ok<Page<ActivityDto>>> List(Guid? accountId, Guid? contactId, Guid? leadId, Guid? opportunityId, string? type, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct)
    {
        var size = Paging.Size(pageSize);
        IQueryable<Activity> q = db.Activities.AsNoTracking();
        if (accountId is { } a) q = q.Where(x => x.AccountId == a);
        if (contactId is { } c) q = q.Where(x => x.ContactId == c);
        if (leadId is { } l) q = q.Where(x => x.LeadId == l);
        if (opportunityId is { } o) q = q.Where(x => x.OpportunityId == o);
        if (type is not null) q = q.Where(x => x.Type == type);
        if (cursor is not null)
        {
            var parts = Paging.DecodeCursor(cursor, 2);
            var at = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[0]!, System.Globalization.CultureInfo.InvariantCulture));
            var id = Guid.Parse(parts[1]!);
            q = q.Where(x => x.OccurredAt < at || (x.OccurredAt == at && x.Id.CompareTo(id) < 0));
        }
        var rows = await q.OrderByDescending(x => x.OccurredAt).ThenByDescending(x => x.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].OccurredAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), rows[size - 1].Id.ToString()) : null;
        return TypedResults.Ok(new Page<ActivityDto>(rows.Take(size).Select(ActivityDto.From).ToList(), next, size));
    }

    /// <summary>The signed-in user's open tasks due by the end of today (UTC), overdue first.</summary>
    public static async Task<Ok<IReadOnlyList<ActivityDto>>> MyTasks(Viewer viewer, RevLoopDb db, CancellationToken ct)
    {
        var endOfToday = new DateTimeOffset(db.Clock.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        var tasks = await db.Activities.AsNoTracking()
            .Where(a => a.OwnerId == viewer.UserId && a.Type == ActivityTypes.Task && a.Status == ActivityStatus.Open && a.DueAt < endOfToday)
            .OrderBy(a => a.DueAt).Take(Paging.MaxPageSize).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<ActivityDto>>(tasks.Select(ActivityDto.From).ToList());
    }

    public static async Task<Created<ActivityDto>> Create(ActivityInput input, RevLoopDb db, Viewer viewer, HttpResponse response, CancellationToken ct)
    {
        if (input.OwnerId is null && viewer.UserId is { } me && me != Guid.Empty) input = input with { OwnerId = me };
        var a = new Activity();
        await ActivityRules.ApplyAsync(db, a, input, ct);
        db.Activities.Add(a);
        await db.SaveChangesAsync(ct);
        response.Headers.ETag = ETags.For(a.Version);
        return TypedResults.Created($"/api/v1/activities/{a.Id}", ActivityDto.From(a));
    }
}

public static class ActivityRules
{
    public static async Task ApplyAsync(RevLoopDb db, Activity a, ActivityInput i, CancellationToken ct)
    {
        a.Type = PersonRules.OneOf("type", i.Type, ActivityTypes.All) ?? throw new InputException("type", $"is required ({string.Join(", ", ActivityTypes.All)})");
        a.Subject = PersonRules.Optional("subject", i.Subject, 300) ?? throw new InputException("subject", "is required");
        a.Body = PersonRules.Optional("body", i.Body, 10000);
        a.OccurredAt = i.OccurredAt?.ToUniversalTime() ?? (a.OccurredAt == default ? db.Clock.GetUtcNow() : a.OccurredAt);
        if (a.Type == ActivityTypes.Task && i.DueAt is null) throw new InputException("dueAt", "a task needs a due time");
        a.DueAt = i.DueAt?.ToUniversalTime();
        var status = PersonRules.OneOf("status", i.Status, ActivityStatus.All) ?? ActivityStatus.Open;
        if (status == ActivityStatus.Done && a.Status != ActivityStatus.Done) a.CompletedAt = db.Clock.GetUtcNow();
        if (status != ActivityStatus.Done) a.CompletedAt = null;
        a.Status = a.Type == ActivityTypes.Task ? status : ActivityStatus.Done;
        // A task may stand alone (an action from the weekly APM review); anything else happened with someone.
        if (i.AccountId is null && i.ContactId is null && i.LeadId is null && i.OpportunityId is null && a.Type != ActivityTypes.Task)
            throw new InputException("accountId", "an activity belongs to an account, contact, lead or opportunity");
        if (i.AccountId is { } acc && !await db.Accounts.AnyAsync(x => x.Id == acc, ct)) throw new InputException("accountId", $"no account has id {acc}");
        if (i.ContactId is { } con && !await db.Contacts.AnyAsync(x => x.Id == con, ct)) throw new InputException("contactId", $"no contact has id {con}");
        if (i.LeadId is { } lead && !await db.Leads.AnyAsync(x => x.Id == lead, ct)) throw new InputException("leadId", $"no lead has id {lead}");
        if (i.OpportunityId is { } opp && !await db.Opportunities.AnyAsync(x => x.Id == opp, ct)) throw new InputException("opportunityId", $"no opportunity has id {opp}");
        a.AccountId = i.AccountId; a.ContactId = i.ContactId; a.LeadId = i.LeadId; a.OpportunityId = i.OpportunityId;
        // An activity on a contact or opportunity also shows on its account's timeline.
        a.AccountId ??= i.ContactId is { } c ? await db.Contacts.Where(x => x.Id == c).Select(x => x.AccountId).FirstOrDefaultAsync(ct) : null;
        a.AccountId ??= i.OpportunityId is { } o ? await db.Opportunities.Where(x => x.Id == o).Select(x => (Guid?)x.AccountId).FirstOrDefaultAsync(ct) : null;
        await new Ownership(db).AssignAsync(a, i.OwnerId, ct);
    }
}
