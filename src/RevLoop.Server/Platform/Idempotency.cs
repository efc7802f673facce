using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Integration;

namespace RevLoop.Server.Platform;

/// <summary>
/// POST with an Idempotency-Key: the first response is stored (24 h at least) and replayed for the same key and body;
/// the same key with another body is 422. Concurrent duplicates are serialised by the unique (principal, key) index.
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
        var existing = await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.Principal == principal && r.Key == key, context.RequestAborted);
        if (existing is not null)
        {
            if (existing.RequestHash != hash) { await WriteProblem(context, 422, "This Idempotency-Key was used with a different request body"); return; }
            await Replay(context, existing);
            return;
        }

        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        var bytes = captured.ToArray();
        if (context.Response.StatusCode < 500)
        {
            db.ChangeTracker.Clear();
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                Principal = principal, Key = key, RequestHash = hash, StatusCode = context.Response.StatusCode,
                ContentType = context.Response.ContentType, Location = context.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null,
                Body = bytes, CreatedAt = db.Clock.GetUtcNow(),
            });
            try { await db.SaveChangesAsync(context.RequestAborted); }
            catch (DbUpdateException)
            {
                // A concurrent request with the same key won the race; its response is the one that counts.
                db.ChangeTracker.Clear();
                var winner = await db.IdempotencyRecords.AsNoTracking().FirstAsync(r => r.Principal == principal && r.Key == key, context.RequestAborted);
                context.Response.Headers.Remove("Location");
                await Replay(context, winner);
                return;
            }
        }
        await original.WriteAsync(bytes, context.RequestAborted);
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
