using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Integration;

namespace RevLoop.Server.Platform;

/// <summary>
/// POST with an Idempotency-Key: the first response is stored (24 h at least) and replayed for the same key and body;
/// the same key with another body is 422. Concurrent duplicates are serialised by reserving the key first (unique
/// (principal, key) index): they wait for the first request's response and replay it.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next)
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Path.StartsWithSegments("/api")
            || !context.Request.Headers.TryGetValue("Idempotency-Key", out var keyValues))
        {
            await next(context);
            return;
        }
        var key = keyValues.ToString();
        if (key.Length is 0 or > 200) { await WriteProblem(context, 400, "Idempotency-Key must be 1 to 200 characters"); return; }
        var principal = context.User.FindFirstValue(AuthSchemes.TokenIdClaim) ?? context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";

        context.Request.EnableBuffering();
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        context.Request.Body.Position = 0;
        var hash = Convert.ToHexStringLower(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(context.Request.Path + "\n"), .. body.ToArray()]));

        var db = context.RequestServices.GetRequiredService<RevLoopDb>();
        // Reserve the key before the handler runs (StatusCode 0 = in progress): the unique (principal, key) index lets
        // exactly one request through, so concurrent retries wait for its answer instead of creating a duplicate.
        var started = db.Clock.GetUtcNow();
        IdempotencyRecord reservation;
        while (true)
        {
            var existing = await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.Principal == principal && r.Key == key, context.RequestAborted);
            if (existing is not null)
            {
                if (existing.RequestHash != hash) { await WriteProblem(context, 422, "This Idempotency-Key was used with a different request body"); return; }
                if (existing.StatusCode != InProgress) { await Replay(context, existing); return; }
                var now = db.Clock.GetUtcNow();
                if (now - existing.CreatedAt > AbandonedAfter)
                {
                    // The request that reserved it died (a crash mid-request); let this one take over.
                    await db.IdempotencyRecords.Where(r => r.Id == existing.Id && r.StatusCode == InProgress).ExecuteDeleteAsync(context.RequestAborted);
                    continue;
                }
                if (now - started > WaitForFirst) { await WriteProblem(context, 409, "A request with this Idempotency-Key is still in progress; retry later"); return; }
                await Task.Delay(25, context.RequestAborted);
                continue;
            }
            reservation = new IdempotencyRecord { Principal = principal, Key = key, RequestHash = hash, StatusCode = InProgress, Body = [], CreatedAt = db.Clock.GetUtcNow() };
            db.IdempotencyRecords.Add(reservation);
            try
            {
                await db.SaveChangesAsync(context.RequestAborted);
                db.Entry(reservation).State = EntityState.Detached;
                break;
            }
            catch (DbUpdateException) when (db.Clock.GetUtcNow() - started <= WaitForFirst)
            {
                // Another request reserved the key first: look again and wait for its answer.
                db.ChangeTracker.Clear();
            }
        }

        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            await next(context);
        }
        catch
        {
            await Release(db, reservation.Id);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }
        var bytes = captured.ToArray();
        if (context.Response.StatusCode < 500)
        {
            db.ChangeTracker.Clear();
            var status = context.Response.StatusCode;
            var contentType = context.Response.ContentType;
            var location = context.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null;
            await db.IdempotencyRecords.Where(r => r.Id == reservation.Id).ExecuteUpdateAsync(u => u
                .SetProperty(r => r.StatusCode, status).SetProperty(r => r.ContentType, contentType)
                .SetProperty(r => r.Location, location).SetProperty(r => r.Body, bytes), CancellationToken.None);
        }
        else await Release(db, reservation.Id);
        await original.WriteAsync(bytes, context.RequestAborted);
    }

    private const int InProgress = 0;
    /// <summary>How long a duplicate waits for the first request's answer before it is told to retry (409).</summary>
    private static readonly TimeSpan WaitForFirst = TimeSpan.FromSeconds(30);
    /// <summary>An in-progress reservation older than this belongs to a request that died; a retry may take it over.</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(5);

    /// <summary>Frees the key after a failure (exception or 5xx), so that a retry runs the request again.</summary>
    private static async Task Release(RevLoopDb db, long id)
    {
        db.ChangeTracker.Clear();
        await db.IdempotencyRecords.Where(r => r.Id == id && r.StatusCode == InProgress).ExecuteDeleteAsync(CancellationToken.None);
    }

    private static async Task Replay(HttpContext context, IdempotencyRecord record)
    {
        context.Response.StatusCode = record.StatusCode;
        if (record.ContentType is not null) context.Response.ContentType = record.ContentType;
        if (record.Location is not null) context.Response.Headers.Location = record.Location;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        await context.Response.Body.WriteAsync(record.Body, context.RequestAborted);
    }

    private static Task WriteProblem(HttpContext context, int status, string title)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Extensions = { ["errors"] = new Dictionary<string, string[]> { ["Idempotency-Key"] = [title] } } },
        }).AsTask();
    }
}
