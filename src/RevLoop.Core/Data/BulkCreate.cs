using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using RevLoop.Crm.Configuration;
using RevLoop.Integration;
using RevLoop.Platform;

namespace RevLoop.Data;

/// <summary>
/// Adds new records without change tracking, for imports: the records, their creation history and their "created"
/// events are appended by <see cref="BulkRows"/> in the caller's transaction. The rows are exactly those SaveChanges with
/// <see cref="HistoryInterceptor"/> would write for the same records in one save (same instant, change set, fields in
/// the model's order, values formatted by <see cref="HistoryInterceptor.Format"/>, same event payload), at a fraction
/// of the cost of tracking each one.
/// </summary>
public static class BulkCreate
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(IModel, Type), (string Name, IProperty Property)[]> Tracked = new();

    public static void Write<T>(RevLoopDb db, IReadOnlyList<T> records) where T : class, ITrackedRecord
    {
        if (records.Count == 0) return;
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("BulkCreate needs an explicit transaction, so history commits with the records.");
        var now = DateTimeOffset.FromUnixTimeMilliseconds(db.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        var changeSet = Guid.CreateVersion7(now);
        var type = RecordTypes.NameOf(typeof(T));
        var properties = Tracked.GetOrAdd((db.Model, typeof(T)), k => db.Model.FindEntityType(k.Item2)!.GetProperties()
            .Where(p => p.PropertyInfo is { } pi && pi.GetCustomAttribute<NotTrackedAttribute>() is null && pi.Name != nameof(ITrackedRecord.Id))
            .Select(p => (p.Name, (IProperty)p)).ToArray());
        var changes = new List<FieldChange>(records.Count * 4);
        var events = new List<OutboxEvent>(records.Count);
        var tags = new List<RecordTag>();
        var customFields = new List<CustomFieldValue>();
        var own = new List<FieldChange>(properties.Length);
        foreach (var record in records) { record.CreatedAt = now; record.UpdatedAt = now; record.Version = 1; }
        // The history and events are built on another core while SQLite inserts the records: both only read the records,
        // and the connection is used by one of them alone (an import of 200,000 deals: ADR 0018).
        try
        {
            Parallel.Invoke(() => BulkRows.Write(db, records), Build);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            // The caller sees the failure itself (a constraint the insert broke), as it did before the two ran together.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        BulkRows.Write(db, changes);
        BulkRows.Write(db, events);
        BulkRows.Write(db, tags);
        BulkRows.Write(db, customFields);

        void Build()
        {
            foreach (var record in records)
            {
                own.Clear();
                foreach (var (name, property) in properties)
                {
                    var value = HistoryInterceptor.Format(property.GetGetter().GetClrValueUsingContainingEntity(record));
                    if (value is not null) own.Add(HistoryInterceptor.Change(db, type, record.Id, name, null, value, now, changeSet));
                }
                if (record is ITaggedRecord tagged)
                {
                    // As the interceptor does for an added record: one history row per custom field key, and the index rows
                    // that tag and custom-field filters read.
                    HistoryInterceptor.AddCustomFieldChanges(db, type, record.Id, null, tagged.CustomFields, now, changeSet, own);
                    foreach (var tag in TagText.Split(tagged.Tags)) tags.Add(new RecordTag { RecordType = type, Tag = tag, RecordId = record.Id });
                    foreach (var (key, value) in TagText.Values(tagged.CustomFields))
                        customFields.Add(new CustomFieldValue { RecordType = type, RecordId = record.Id, Key = key, Value = value });
                }
                CreationRecord.Compact(own, changes);
                events.Add(HistoryInterceptor.EventFor(db, type, record.Id, "created", own, now));
            }
        }
    }
}
