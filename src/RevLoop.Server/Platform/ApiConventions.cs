using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace RevLoop.Server.Platform;

public static class ApiJson
{
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(o);
        return o;
    }
}

public static class Problems
{
    public static ValidationProblem Field(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "Invalid input", detail: $"{field}: {message}");

    public static ProblemHttpResult Status(int status, string title, string? detail = null) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}

/// <summary>Maps exceptions to RFC 9457 problem details; input errors name their field, nothing is swallowed.</summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, field, detail) = exception switch
        {
            InputException e => (400, "Invalid input", e.Field, e.Reason),
            BadHttpRequestException { InnerException: JsonException je } => (400, "Invalid JSON", JsonField(je), Clean(je.Message)),
            BadHttpRequestException e => (e.StatusCode, e.StatusCode == 413 ? "Request body too large" : "Bad request", null, e.Message),
            JsonException je => (400, "Invalid JSON", JsonField(je), Clean(je.Message)),
            DbUpdateConcurrencyException => (412, "The record was changed by someone else", null, "Reload it and apply your change again."),
            _ => (500, "Unexpected error", null, "The error was logged."),
        };
        if (status == 500) log.LogError(exception, "Unhandled error on {Path}", http.Request.Path);
        http.Response.StatusCode = status;
        var pd = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        if (exception is InputException { Errors.Count: > 1 } many)
            pd.Extensions["errors"] = many.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Reason).ToArray());
        else if (field is not null) pd.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail ?? title] };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = pd, Exception = exception });
    }

    private static string JsonField(JsonException e)
    {
        var path = e.Path ?? "$";
        // "The JSON property 'foo' could not be mapped" carries the unknown member name in the message, not the path.
        var m = System.Text.RegularExpressions.Regex.Match(e.Message, "property '([^']+)' could not be mapped");
        if (m.Success && path == "$") return m.Groups[1].Value;
        return path == "$" ? "body" : path.TrimStart('$', '.');
    }

    private static string Clean(string message)
    {
        var i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }
}

/// <summary>Optimistic concurrency on the wire: the record's version as a strong ETag.</summary>
public static class ETags
{
    public static string For(long version) => $"\"{version}\"";

    /// <summary>The version an If-Match header asks for; null when absent. "*" means any.</summary>
    public static long? Requested(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header) || header.Trim() == "*") return null;
        var v = header.Trim().TrimStart('W', '/').Trim('"');
        if (!long.TryParse(v, out var version)) throw new InputException("If-Match", $"'{header}' is not an ETag this server issued");
        return version;
    }
}

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor, int PageSize);

public static class Paging
{
    public const int DefaultPageSize = 50, MaxPageSize = 500;

    public static int Size(int? requested)
    {
        if (requested is null) return DefaultPageSize;
        if (requested < 1 || requested > MaxPageSize) throw new InputException("pageSize", $"must be between 1 and {MaxPageSize}");
        return requested.Value;
    }

    public static string EncodeCursor(params string?[] parts) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(parts))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string?[] DecodeCursor(string cursor, int expectedParts)
    {
        try
        {
            var s = cursor.Replace('-', '+').Replace('_', '/');
            s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
            var parts = JsonSerializer.Deserialize<string?[]>(Convert.FromBase64String(s));
            if (parts is null || parts.Length != expectedParts) throw new FormatException();
            return parts;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new InputException("cursor", "is not a cursor this list returned (it may belong to another sort order)");
        }
    }
}
