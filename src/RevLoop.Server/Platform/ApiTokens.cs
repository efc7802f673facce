using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Platform;

/// <summary>Issues, checks and revokes API tokens. A token is shown once; only its SHA-256 is stored.</summary>
public static class ApiTokens
{
    public const string Prefix = "rl_";

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static IReadOnlyList<string> ParseScopes(string scopes)
    {
        var list = scopes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (list.Count == 0) throw new InputException("scopes", "at least one scope is required (read, write, admin)");
        foreach (var s in list)
            if (!Scopes.All.Contains(s)) throw new InputException("scopes", $"unknown scope '{s}' (allowed: read, write, admin)");
        return list;
    }

    public static async Task<string> IssueAsync(RevLoopDb db, User user, IReadOnlyList<string> scopes, CancellationToken ct = default)
    {
        var token = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        db.ApiTokens.Add(new ApiToken
        {
            Id = Guid.CreateVersion7(), UserId = user.Id, TokenHash = Hash(token), Prefix = token[..10],
            Scopes = string.Join(',', scopes), CreatedAt = db.Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
        return token;
    }

    /// <summary>Revokes every live token of the user; returns how many.</summary>
    public static async Task<int> RevokeAllAsync(RevLoopDb db, Guid userId, CancellationToken ct = default)
    {
        var now = db.Clock.GetUtcNow();
        var live = await db.ApiTokens.Where(t => t.UserId == userId && t.RevokedAt == null).ToListAsync(ct);
        foreach (var t in live) t.RevokedAt = now;
        await db.SaveChangesAsync(ct);
        return live.Count;
    }
}

/// <summary>Bad input from a user: names the field (or line) and says what is wrong.</summary>
public sealed class InputException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
    public string Reason { get; } = message;
    /// <summary>Every failing field with its reason (several when a rule checks many fields at once); the first is <see cref="Field"/>.</summary>
    public IReadOnlyList<(string Field, string Reason)> Errors { get; private init; } = [(field, message)];

    public static InputException Of(IReadOnlyList<(string Field, string Reason)> errors) => errors.Count == 1 ? new(errors[0].Field, errors[0].Reason)
        : new(errors[0].Field, string.Join("; ", errors.Select(e => $"{e.Field} {e.Reason}"))) { Errors = errors };
}
