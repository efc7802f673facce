using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using RevLoop.Crm.Configuration;
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

    // With RevLoopDb.WriteHistoryInBulk the rows recorded before the save are appended right after it, still inside the
    // caller's transaction (required), so the change, its history and its events commit or roll back together.
    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is RevLoopDb db) Saved(db);
        return result;
    }

    // The bulk writer is synchronous (SQLite runs in-process; COPY streams through Npgsql's buffer).
    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is RevLoopDb db) Saved(db);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is RevLoopDb db) Failed(db);
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is RevLoopDb db) Failed(db);
        return Task.CompletedTask;
    }

    // What a failed save noted did not happen: nothing to write, no one to rescore.
    private static void Failed(RevLoopDb db)
    {
        db.ClearDeferredHistory();
        if (!db.ScoredChanges.Running) db.ScoredChanges.Clear();
    }

    private static void Saved(RevLoopDb db)
    {
        if (db.SavingSettings)
        {
            db.SavingSettings = false;
            SettingsVersion.Bump();
        }
        if (db.SavingTypes.Count > 0)
        {
            foreach (var type in db.SavingTypes) ChangeVersions.Bump(type);
            db.SavingTypes.Clear();
        }
        WriteDeferred(db);
    }

    private static void WriteDeferred(RevLoopDb db)
    {
        if (db.DeferredChanges.Count == 0 && db.DeferredEvents.Count == 0) return;
        try
        {
            BulkRows.Write(db, db.DeferredChanges);
            BulkRows.Write(db, db.DeferredEvents);
        }
        finally
        {
            db.ClearDeferredHistory();
        }
    }

    private static void Record(RevLoopDb db)
    {
        if (db.WriteHistoryInBulk && db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("WriteHistoryInBulk needs an explicit transaction around SaveChanges, so history commits with the change.");
        db.ChangeTracker.DetectChanges();
        // Millisecond precision: what both databases store, so the saved record and a reload agree.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(db.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        var changeSet = Guid.CreateVersion7(now);
        var entries = db.ChangeTracker.Entries<ITrackedRecord>()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted).ToList();
        db.SavingSettings = false;
        db.SavingTypes.Clear();
        foreach (var e in db.ChangeTracker.Entries())
        {
            if (e.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            if (e.Entity is CompanySettings or ExchangeRate) db.SavingSettings = true;
            db.SavingTypes.Add(e.Entity.GetType());
        }
        if (db.SavingSettings) SettingsVersion.Bump();
        foreach (var type in db.SavingTypes) ChangeVersions.Bump(type);
        // The tag and custom-field index rows are found among tracked entries without detecting changes again per record.
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var entry in entries) Record(db, entry, now, changeSet);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    private static void Record(RevLoopDb db, EntityEntry<ITrackedRecord> entry, DateTimeOffset now, Guid changeSet)
    {
        {
            var record = entry.Entity;
            var type = RecordTypes.NameOf(record.GetType());
            var changes = new List<FieldChange>();
            var added = entry.State == EntityState.Added;
            var tagged = record as ITaggedRecord;
            // What the index rows say now: nothing for a new or soft-deleted record.
            var (oldTags, oldFields) = tagged is null || added || entry.Property(nameof(ITrackedRecord.DeletedAt)).OriginalValue is not null ? (null, null)
                : ((string?)entry.Property(nameof(ITaggedRecord.Tags)).OriginalValue, (string?)entry.Property(nameof(ITaggedRecord.CustomFields)).OriginalValue);
            var oldFieldsForHistory = tagged is null || added ? null : (string?)entry.Property(nameof(ITaggedRecord.CustomFields)).OriginalValue;
            string eventType;
            if (entry.State == EntityState.Added)
            {
                record.CreatedAt = now; record.UpdatedAt = now; record.Version = 1;
                foreach (var p in TrackedProperties(entry))
                {
                    var value = Format(p.CurrentValue);
                    if (value is not null) changes.Add(Change(db, type, record.Id, p.Metadata.Name, null, value, now, changeSet));
                }
                if (tagged is not null) AddCustomFieldChanges(db, type, record.Id, null, tagged.CustomFields, now, changeSet, changes);
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
                if (tagged is not null) AddCustomFieldChanges(db, type, record.Id, oldFieldsForHistory, tagged.CustomFields, now, changeSet, changes);
                if (changes.Count == 0)
                {
                    // Only derived values changed (a lead's score): saved as they are, with no history, event or version bump.
                    if (!DerivedModified(entry)) entry.State = EntityState.Unchanged;
                    return;
                }
                var deleted = changes.Any(c => c.Field == nameof(ITrackedRecord.DeletedAt) && c.OldValue is null);
                var restored = changes.Any(c => c.Field == nameof(ITrackedRecord.DeletedAt) && c.NewValue is null);
                record.UpdatedAt = now;
                record.Version = (long)entry.Property(nameof(ITrackedRecord.Version)).OriginalValue! + 1;
                // Marks the two as modified even when SaveChanges will not detect changes itself (AutoDetectChanges off).
                entry.DetectChanges();
                eventType = deleted ? "deleted" : restored ? "restored" : "updated";
            }
            if (record.DeletedAt is null) db.ScoredChanges.Note(record, record.Id, changes.Select(c => c.Field), added);
            var outboxEvent = EventFor(db, type, record.Id, eventType, changes, now);
            var stored = changes;
            if (added)
            {
                stored = new List<FieldChange>(4);
                CreationRecord.Compact(changes, stored);
            }
            if (db.WriteHistoryInBulk)
            {
                db.DeferredChanges.AddRange(stored);
                db.DeferredEvents.Add(outboxEvent);
            }
            else
            {
                db.FieldChanges.AddRange(stored);
                db.OutboxEvents.Add(outboxEvent);
            }
            if (tagged is not null)
            {
                var live = record.DeletedAt is null;
                SyncTags(db, type, record.Id, oldTags, live ? tagged.Tags : null);
                SyncCustomFields(db, type, record.Id, oldFields, live ? tagged.CustomFields : null);
            }
        }
    }

    /// <summary>One history row per custom field key that changed, named CustomFields.key, like any other field.</summary>
    internal static void AddCustomFieldChanges(RevLoopDb db, string type, Guid id, string? oldJson, string? newJson, DateTimeOffset now, Guid changeSet, List<FieldChange> changes)
    {
        if (oldJson == newJson) return;
        var before = TagText.Values(oldJson);
        var after = TagText.Values(newJson);
        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var o = before.GetValueOrDefault(key);
            var n = after.GetValueOrDefault(key);
            if (o != n) changes.Add(Change(db, type, id, $"{nameof(ITaggedRecord.CustomFields)}.{key}", o, n, now, changeSet));
        }
    }

    private static void SyncTags(RevLoopDb db, string type, Guid id, string? oldTags, string? newTags)
    {
        if (oldTags == newTags) return;
        var before = TagText.Split(oldTags);
        var after = TagText.Split(newTags);
        var local = db.RecordTags.Local;
        foreach (var tag in before.Except(after))
            Remove(db, local.FindEntryUntyped([type, tag, id]), new RecordTag { RecordType = type, Tag = tag, RecordId = id });
        foreach (var tag in after.Except(before))
        {
            var tracked = local.FindEntryUntyped([type, tag, id]);
            if (tracked is null) db.RecordTags.Add(new RecordTag { RecordType = type, Tag = tag, RecordId = id });
            else if (tracked.State == EntityState.Deleted) tracked.State = EntityState.Unchanged;
        }
    }

    private static void SyncCustomFields(RevLoopDb db, string type, Guid id, string? oldJson, string? newJson)
    {
        if (oldJson == newJson) return;
        var before = TagText.Values(oldJson);
        var after = TagText.Values(newJson);
        var local = db.CustomFieldValues.Local;
        foreach (var key in before.Keys.Except(after.Keys))
            Remove(db, local.FindEntryUntyped([type, id, key]), new CustomFieldValue { RecordType = type, RecordId = id, Key = key, Value = before[key] });
        foreach (var (key, value) in after)
        {
            if (before.TryGetValue(key, out var old) && old == value) continue;
            var tracked = local.FindEntryUntyped([type, id, key]);
            if (tracked is not null)
            {
                tracked.Entity.Value = value;
                if (tracked.State is EntityState.Deleted or EntityState.Unchanged) tracked.State = EntityState.Modified;
            }
            else if (before.ContainsKey(key)) db.Entry(new CustomFieldValue { RecordType = type, RecordId = id, Key = key, Value = value }).State = EntityState.Modified;
            else db.CustomFieldValues.Add(new CustomFieldValue { RecordType = type, RecordId = id, Key = key, Value = value });
        }
    }

    private static void Remove<T>(RevLoopDb db, EntityEntry<T>? tracked, T stub) where T : class
    {
        if (tracked is null) db.Entry(stub).State = EntityState.Deleted;
        else if (tracked.State == EntityState.Added) tracked.State = EntityState.Detached;
        else tracked.State = EntityState.Deleted;
    }

    internal static OutboxEvent EventFor(RevLoopDb db, string type, Guid id, string eventType, List<FieldChange> changes, DateTimeOffset now) => new()
    {
        Type = $"{type}.{eventType}",
        EntityType = type,
        EntityId = id,
        OccurredAt = now,
        Payload = JsonSerializer.Serialize(new
        {
            changes = changes.ToDictionary(c => JsonNamingPolicy.CamelCase.ConvertName(c.Field), c => new { old = c.OldValue, @new = c.NewValue }),
            actor = db.Origin.Actor,
            source = db.Origin.Source,
        }),
    };

    internal static FieldChange Change(RevLoopDb db, string type, Guid id, string field, string? oldValue, string? newValue, DateTimeOffset now, Guid changeSet) => new()
    {
        EntityType = type, EntityId = id, Field = field, OldValue = oldValue, NewValue = newValue,
        ChangedAt = now, ChangedBy = db.Origin.Actor, Source = db.Origin.Source, ChangeSetId = changeSet,
    };

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, HashSet<string>> Untracked = new();

    private static IEnumerable<PropertyEntry> TrackedProperties(EntityEntry entry)
    {
        // Reflection once per record type, not once per property of every saved record (imports save thousands).
        var untracked = UntrackedNames(entry.Metadata.ClrType);
        return entry.Properties.Where(p => p.Metadata.PropertyInfo is { } pi && !untracked.Contains(pi.Name));
    }

    private static readonly HashSet<string> Bookkeeping = [nameof(ITrackedRecord.Version), nameof(ITrackedRecord.CreatedAt), nameof(ITrackedRecord.UpdatedAt)];

    private static HashSet<string> UntrackedNames(Type type) => Untracked.GetOrAdd(type, t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(pi => pi.GetCustomAttribute<NotTrackedAttribute>() is not null || pi.Name == nameof(ITrackedRecord.Id)).Select(pi => pi.Name).ToHashSet());

    private static bool DerivedModified(EntityEntry entry)
    {
        var untracked = UntrackedNames(entry.Metadata.ClrType);
        return entry.Properties.Any(p => p.IsModified && untracked.Contains(p.Metadata.Name) && !Bookkeeping.Contains(p.Metadata.Name));
    }

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
