using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using RevLoop.Integration;
using RevLoop.Platform;

namespace RevLoop.Data;

/// <summary>
/// The one place where changes to business records become history rows and outbox events, in the same
/// transaction as the change itself. Hard deletes of tracked records are turned into soft deletes.
/// </summary>
public sealed class HistoryInterceptor : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is RevLoopDb db) Record(db);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is RevLoopDb db) Record(db);
        return ValueTask.FromResult(result);
    }

    private static void Record(RevLoopDb db)
    {
        db.ChangeTracker.DetectChanges();
        // Millisecond precision: what both databases store, so the saved record and a reload agree.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(db.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        var changeSet = Guid.CreateVersion7(now);
        var entries = db.ChangeTracker.Entries<ITrackedRecord>()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted).ToList();
        foreach (var entry in entries)
        {
            var record = entry.Entity;
            var type = RecordTypes.NameOf(record.GetType());
            var changes = new List<FieldChange>();
            string eventType;
            if (entry.State == EntityState.Added)
            {
                record.CreatedAt = now; record.UpdatedAt = now; record.Version = 1;
                foreach (var p in TrackedProperties(entry))
                {
                    var value = Format(p.CurrentValue);
                    if (value is not null) changes.Add(Change(db, type, record.Id, p.Metadata.Name, null, value, now, changeSet));
                }
                eventType = "created";
            }
            else
            {
                if (entry.State == EntityState.Deleted)
                {
                    entry.State = EntityState.Modified;
                    record.DeletedAt = now;
                    entry.DetectChanges();
                }
                foreach (var p in TrackedProperties(entry))
                {
                    var oldValue = Format(p.OriginalValue);
                    var newValue = Format(p.CurrentValue);
                    if (oldValue != newValue) changes.Add(Change(db, type, record.Id, p.Metadata.Name, oldValue, newValue, now, changeSet));
                }
                if (changes.Count == 0) { entry.State = EntityState.Unchanged; continue; }
                var deleted = changes.Any(c => c.Field == nameof(ITrackedRecord.DeletedAt) && c.OldValue is null);
                var restored = changes.Any(c => c.Field == nameof(ITrackedRecord.DeletedAt) && c.NewValue is null);
                record.UpdatedAt = now;
                record.Version = (long)entry.Property(nameof(ITrackedRecord.Version)).OriginalValue! + 1;
                eventType = deleted ? "deleted" : restored ? "restored" : "updated";
            }
            db.FieldChanges.AddRange(changes);
            db.OutboxEvents.Add(new OutboxEvent
            {
                Type = $"{type}.{eventType}",
                EntityType = type,
                EntityId = record.Id,
                OccurredAt = now,
                Payload = JsonSerializer.Serialize(new
                {
                    changes = changes.ToDictionary(c => JsonNamingPolicy.CamelCase.ConvertName(c.Field), c => new { old = c.OldValue, @new = c.NewValue }),
                    actor = db.Origin.Actor,
                    source = db.Origin.Source,
                }),
            });
        }
    }

    private static FieldChange Change(RevLoopDb db, string type, Guid id, string field, string? oldValue, string? newValue, DateTimeOffset now, Guid changeSet) => new()
    {
        EntityType = type, EntityId = id, Field = field, OldValue = oldValue, NewValue = newValue,
        ChangedAt = now, ChangedBy = db.Origin.Actor, Source = db.Origin.Source, ChangeSetId = changeSet,
    };

    private static IEnumerable<PropertyEntry> TrackedProperties(EntityEntry entry) =>
        entry.Properties.Where(p => p.Metadata.PropertyInfo is { } pi && pi.GetCustomAttribute<NotTrackedAttribute>() is null
            && pi.Name != nameof(ITrackedRecord.Id));

    /// <summary>Invariant text form of a field value, the same one <see cref="History.AsOf{T}"/> parses back.</summary>
    public static string? Format(object? value) => value switch
    {
        null => null,
        string s => s,
        DateTimeOffset d => d.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}

public static class RecordTypes
{
    /// <summary>The record type's name in API paths, events and history: Account -> account, LineItem -> line_item.</summary>
    public static string NameOf(Type type) => JsonNamingPolicy.SnakeCaseLower.ConvertName(type.Name);
}
