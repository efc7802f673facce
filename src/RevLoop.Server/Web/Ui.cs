using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Web;

/// <summary>Formatting and small lookups shared by the pages: numbers, dates in the user's zone, labels.</summary>
public static class Ui
{
    public const string TimeZoneCookie = "revloop.tz";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The user's time zone, sent by the browser in a cookie (app.js); UTC until it has.</summary>
    public static TimeZoneInfo TimeZone(HttpContext? http)
    {
        var id = http?.Request.Cookies[TimeZoneCookie];
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64 || id.Contains("..", StringComparison.Ordinal)) return TimeZoneInfo.Utc;
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    public static DateTimeOffset Local(DateTimeOffset t, TimeZoneInfo tz) => TimeZoneInfo.ConvertTime(t, tz);

    /// <summary>Midnight of a calendar day in the zone, as an instant.</summary>
    public static DateTimeOffset StartOfDay(DateOnly day, TimeZoneInfo tz)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, tz.GetUtcOffset(local));
    }

    public static string Date(DateTimeOffset t, TimeZoneInfo tz) => Local(t, tz).ToString("d MMM yyyy", Inv);
    public static string DateTime(DateTimeOffset t, TimeZoneInfo tz) => Local(t, tz).ToString("d MMM yyyy, HH:mm", Inv);
    public static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", Inv);

    public static string Number(long n) => n.ToString("N0", Inv);

    /// <summary>12.4k, 3.1M; the exact value goes in a title attribute.</summary>
    public static string Compact(long n) => Math.Abs(n) switch
    {
        < 10_000 => Number(n),
        < 1_000_000 => (n / 1000d).ToString("0.#", Inv) + "k",
        < 1_000_000_000 => (n / 1_000_000d).ToString("0.#", Inv) + "M",
        _ => (n / 1_000_000_000d).ToString("0.#", Inv) + "B",
    };

    public static string Segment(string? s) => s switch
    {
        "smb" => "SMB", "mid_market" => "Mid-market", "enterprise" => "Enterprise", null => "", _ => s,
    };

    public static string Role(string role) => role switch
    {
        Roles.Admin => "Admin", Roles.RevOps => "RevOps", Roles.Executive => "Executive", Roles.SalesManager => "Sales manager",
        Roles.Ae => "Account executive", Roles.Sdr => "SDR", Roles.Bdr => "BDR", Roles.Marketing => "Marketing", Roles.Csm => "Customer success",
        Roles.Finance => "Finance", Roles.ProjectManager => "Project manager", Roles.Partner => "Partner", _ => role,
    };

    public static string Initials(string name)
    {
        var parts = name.Split([' ', '.', '_', '-'], StringSplitOptions.RemoveEmptyEntries);
        return parts.Length switch
        {
            0 => "?",
            1 => parts[0][..Math.Min(2, parts[0].Length)].ToUpperInvariant(),
            _ => $"{char.ToUpperInvariant(parts[0][0])}{char.ToUpperInvariant(parts[^1][0])}",
        };
    }

    public static string Month(int m) => CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(m);

    public static Guid? UserId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    /// <summary>Names for user ids (owners, authors of changes); only the ids asked for are loaded.</summary>
    public static async Task<Dictionary<Guid, string>> UserNamesAsync(RevLoopDb db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        if (wanted.Count == 0) return [];
        var rows = await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync(ct);
        return rows.ToDictionary(u => u.Id, u => string.IsNullOrWhiteSpace(u.DisplayName) ? u.Email ?? u.Id.ToString() : u.DisplayName);
    }

    /// <summary>People who can own records, for pickers: bounded, ordered by name.</summary>
    public static async Task<List<(Guid Id, string Name)>> OwnersAsync(RevLoopDb db, CancellationToken ct)
    {
        var rows = await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).ThenBy(u => u.Email).Take(500)
            .Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync(ct);
        return rows.Select(u => (u.Id, string.IsNullOrWhiteSpace(u.DisplayName) ? u.Email ?? "" : u.DisplayName)).ToList();
    }
}

/// <summary>URLs of static files with a content hash, so browsers cache them until they change.</summary>
public sealed class AssetUrls(IWebHostEnvironment env)
{
    private readonly Dictionary<string, string> urls = [];
    private readonly Lock gate = new();

    public string this[string path]
    {
        get
        {
            lock (gate)
            {
                if (urls.TryGetValue(path, out var url)) return url;
                var file = env.WebRootFileProvider.GetFileInfo(path.TrimStart('/'));
                if (file.Exists && file.PhysicalPath is { } physical)
                {
                    using var stream = File.OpenRead(physical);
                    url = $"{path}?v={Convert.ToHexStringLower(SHA256.HashData(stream))[..12]}";
                }
                else url = path;
                urls[path] = url;
                return url;
            }
        }
    }
}
