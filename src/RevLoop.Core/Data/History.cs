using System.Globalization;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using RevLoop.Platform;

namespace RevLoop.Data;

public static class History
{
    public static IQueryable<FieldChange> Of(RevLoopDb db, string entityType, Guid id) =>
        db.FieldChanges.Where(c => c.EntityType == entityType && c.EntityId == id)
            .OrderBy(c => c.ChangedAt).ThenBy(c => c.Id);

    /// <summary>
    /// Rebuilds a record as it stood at <paramref name="instant"/> (inclusive) from its field changes; null when it did
    /// not exist yet. A record that was deleted by then comes back with DeletedAt set.
    /// </summary>
    public static async Task<T?> AsOf<T>(RevLoopDb db, Guid id, DateTimeOffset instant, CancellationToken ct = default) where T : class, ITrackedRecord, new()
    {
        var type = RecordTypes.NameOf(typeof(T));
        var changes = await Of(db, type, id).Where(c => c.ChangedAt <= instant).ToListAsync(ct);
        if (changes.Count == 0) return null;
        var record = new T();
        typeof(T).GetProperty(nameof(ITrackedRecord.Id))!.SetValue(record, id);
        foreach (var change in CreationRecord.Expand(changes))
        {
            var property = typeof(T).GetProperty(change.Field, BindingFlags.Public | BindingFlags.Instance);
            if (property is null || !property.CanWrite) continue;
            property.SetValue(record, Parse(change.NewValue, property.PropertyType));
        }
        record.CreatedAt = changes[0].ChangedAt;
        record.UpdatedAt = changes[^1].ChangedAt;
        return record;
    }

    public static object? Parse(string? text, Type type)
    {
        if (text is null) return null;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string)) return text;
        if (target == typeof(Guid)) return Guid.Parse(text);
        if (target == typeof(DateTimeOffset)) return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        if (target == typeof(DateOnly)) return DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (target == typeof(bool)) return text == "true";
        if (target.IsEnum) return Enum.Parse(target, text);
        return Convert.ChangeType(text, target, CultureInfo.InvariantCulture);
    }
}
