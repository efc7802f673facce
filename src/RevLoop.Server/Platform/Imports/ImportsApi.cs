using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Platform.Imports;

public sealed record ImportJobDto(Guid Id, string Object, string FileName, string Dedupe, bool AllOrNothing, string Status, long BytesTotal, long BytesRead,
    long Read, long Created, long Updated, long Rejected, bool RolledBack, string? Error, string? RejectsUrl, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt,
    string? Step)
{
    public static ImportJobDto From(ImportJob j, ImportProgress? live) => new(j.Id, j.Object, j.FileName, j.Dedupe, j.AllOrNothing, j.Status, j.BytesTotal,
        live?.Bytes ?? j.BytesRead, live?.Rows ?? j.Read, j.Created, j.Updated, j.Rejected, j.RolledBack, j.Error,
        j.Status == ImportJobStatus.Done && j.Rejected > 0 ? $"/api/v1/imports/{j.Id}/rejects" : null, j.CreatedAt, j.FinishedAt,
        j.Status is ImportJobStatus.Queued or ImportJobStatus.Running ? live?.Step : null);

    public int Percent => Status is ImportJobStatus.Done or ImportJobStatus.Failed ? 100 : BytesTotal > 0 ? (int)Math.Min(99, BytesRead * 100 / BytesTotal) : 0;
}

/// <summary>
/// POST /api/v1/imports: the CLI's import for the UI and integrations. The upload (multipart: object, file, dedupe,
/// allOrNothing, map) becomes a background job; poll GET /api/v1/imports/{id} for progress and the outcome, and fetch
/// the reject file from /api/v1/imports/{id}/rejects.
/// </summary>
public static class ImportsApi
{
    /// <summary>Imports are files, not JSON bodies: up to 2 GiB instead of the API's 4 MiB.</summary>
    public const long MaxUploadBytes = 2L * 1024 * 1024 * 1024;

    public static void MapImportsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/imports").WithTags("Imports").RequireAuthorization(ApiPolicies.Write);
        g.MapPost("/", Create).DisableAntiforgery().Accepts<IFormFile>("multipart/form-data")
            .WithMetadata(new RequestSizeLimitAttribute(MaxUploadBytes)).WithFormOptions(multipartBodyLengthLimit: MaxUploadBytes);
        g.MapGet("/", List);
        g.MapGet("/{id:guid}", Get);
        g.MapGet("/{id:guid}/rejects", Rejects);
    }

    public static async Task<Results<Accepted<ImportJobDto>, ValidationProblem>> Create(HttpRequest request, RevLoopDb db, Viewer viewer, ChangeOrigin origin, ImportJobs jobs, CancellationToken ct)
    {
        if (!request.HasFormContentType) return Problems.Field("file", "send multipart/form-data with the CSV in a 'file' part");
        var form = await request.ReadFormAsync(ct);
        try
        {
            var file = form.Files.GetFile("file") ?? throw new InputException("file", "is required (a CSV file part named 'file')");
            var allOrNothing = form["allOrNothing"].ToString() is { Length: > 0 } a
                ? bool.TryParse(a, out var b) ? b : a == "on" || (a == "1" ? true : a == "0" ? false : throw new InputException("allOrNothing", "must be true or false"))
                : false;
            var job = await jobs.StartAsync(db, viewer, origin, form["object"].ToString().Trim().ToLowerInvariant(), file, form["dedupe"], allOrNothing,
                form["map"].ToString(), form.Files.GetFile("map"), ct);
            return TypedResults.Accepted($"/api/v1/imports/{job.Id}", ImportJobDto.From(job, jobs.Progress(job.Id)));
        }
        catch (InputException e)
        {
            return Problems.Field(e.Field, e.Reason);
        }
    }

    /// <summary>Jobs newest first; people who do not see everything see their own.</summary>
    public static async Task<Ok<Page<ImportJobDto>>> List(string? cursor, int? pageSize, RevLoopDb db, Viewer viewer, ImportJobs jobs, CancellationToken ct)
    {
        var size = Paging.Size(pageSize);
        var q = Visible(db, viewer);
        if (cursor is not null)
        {
            var parts = Paging.DecodeCursor(cursor, 2);
            if (!long.TryParse(parts[0], out var ms) || !Guid.TryParse(parts[1], out var after)) throw new InputException("cursor", "is not a cursor this list returned");
            var at = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            q = q.Where(j => j.CreatedAt < at || (j.CreatedAt == at && j.Id.CompareTo(after) < 0));
        }
        var rows = await q.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].CreatedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), rows[size - 1].Id.ToString()) : null;
        return TypedResults.Ok(new Page<ImportJobDto>(rows.Take(size).Select(j => ImportJobDto.From(j, jobs.Progress(j.Id))).ToList(), next, size));
    }

    public static async Task<Results<Ok<ImportJobDto>, NotFound>> Get(Guid id, RevLoopDb db, Viewer viewer, ImportJobs jobs, CancellationToken ct)
    {
        var job = await Visible(db, viewer).FirstOrDefaultAsync(j => j.Id == id, ct);
        return job is null ? TypedResults.NotFound() : TypedResults.Ok(ImportJobDto.From(job, jobs.Progress(id)));
    }

    public static async Task<IResult> Rejects(Guid id, RevLoopDb db, Viewer viewer, CancellationToken ct)
    {
        var job = await Visible(db, viewer).FirstOrDefaultAsync(j => j.Id == id, ct);
        if (job is null || job.Status != ImportJobStatus.Done || !File.Exists(ImportJobs.RejectPath(id))) return TypedResults.NotFound();
        return TypedResults.PhysicalFile(ImportJobs.RejectPath(id), "text/csv; charset=utf-8", Path.GetFileNameWithoutExtension(job.FileName) + ".rejects.csv");
    }

    public static IQueryable<ImportJob> Visible(RevLoopDb db, Viewer viewer) =>
        viewer.SeesAll ? db.ImportJobs.AsNoTracking() : db.ImportJobs.AsNoTracking().Where(j => j.CreatedByUserId == viewer.UserId);
}
