using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace RevLoop.Data;

/// <summary>
/// Per record type, a counter bumped before and after every save through this process that adds, changes or removes a
/// record of that type (by <see cref="HistoryInterceptor"/>), so a per-process cache of rarely changing rows (validated
/// API tokens, the teams a manager sees, user and stage ids by name) can tell in a few nanoseconds whether what it holds
/// is still current: the bump after the save also drops whatever was read while it ran. Writes that bypass SaveChanges
/// (bulk loads) call <see cref="BumpAll"/>; changes made by another process reach a cache when its entry's short maximum
/// age runs out (<see cref="ChangeCache{TKey, TValue}"/>).
/// </summary>
public static class ChangeVersions
{
    private static readonly ConcurrentDictionary<Type, StrongBox<long>> Counters = new();
    private static long all;

    /// <summary>A number that grows whenever a record of any of the types is saved (the sum of monotonic counters).</summary>
    public static long Of(params ReadOnlySpan<Type> types)
    {
        var sum = Volatile.Read(ref all);
        foreach (var type in types) sum += Volatile.Read(ref Counter(type).Value);
        return sum;
    }

    public static void Bump(Type type) => Interlocked.Increment(ref Counter(type).Value);

    /// <summary>Every type at once: rows were written past EF (the demo loader).</summary>
    public static void BumpAll() => Interlocked.Increment(ref all);

    private static StrongBox<long> Counter(Type type) => Counters.GetOrAdd(type, _ => new StrongBox<long>());
}

/// <summary>
/// Values read from the database, kept per process and database while the <see cref="ChangeVersions"/> of the record
/// types they were read from stay the same, and at most <see cref="MaxAge"/> (for changes made by another process).
/// </summary>
public sealed class ChangeCache<TKey, TValue>(TimeSpan maxAge, int maxEntries = 10_000) where TKey : notnull
{
    private sealed record Entry(long Version, DateTimeOffset At, TValue Value);
    private readonly ConcurrentDictionary<(string Database, TKey Key), Entry> entries = new();

    public TimeSpan MaxAge { get; } = maxAge;

    /// <summary>
    /// The kept value, else <paramref name="load"/>'s, kept unless it is null (a miss is read again next time).
    /// <paramref name="version"/> is read by the caller before the load: a change saved meanwhile leaves the value
    /// already outdated.
    /// </summary>
    public async ValueTask<TValue> GetAsync(RevLoopDb db, TKey key, long version, Func<CancellationToken, Task<TValue>> load, CancellationToken ct)
    {
        var at = (db.DatabaseKey, key);
        var now = db.Clock.GetUtcNow();
        if (entries.TryGetValue(at, out var kept) && kept.Version == version && now >= kept.At && now - kept.At <= MaxAge) return kept.Value;
        var value = await load(ct);
        if (value is null) entries.TryRemove(at, out _);
        else
        {
            if (entries.Count >= maxEntries) entries.Clear();
            entries[at] = new Entry(version, now, value);
        }
        return value;
    }
}
