using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Metadata;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Demo;

/// <summary>One simulated SaveChanges: its instant (millisecond precision, as the interceptor stores it), actor and change-set id.</summary>
public readonly record struct ChangeSet(Guid Id, DateTimeOffset At, string Actor)
{
    public static ChangeSet New(DemoRandom rng, DateTimeOffset at, string actor)
    {
        var ms = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
        return new ChangeSet(rng.Guid7(ms), ms, actor);
    }
}

/// <summary>
/// Writes the field-change rows <see cref="HistoryInterceptor"/> would have written had every simulated edit gone through
/// SaveChanges at its simulated time: on creation its non-null tracked fields as <see cref="CreationRecord"/> stores
/// them, on an edit one row per changed field (old and new value), in the model's property order, values formatted by
/// <see cref="HistoryInterceptor.Format"/>;
/// CreatedAt, UpdatedAt and Version move the same way. Source is <see cref="Source"/>; no outbox events are written.
/// </summary>
public sealed class DemoHistory(BulkSink sink)
{
    public const string Source = "demo";

    private readonly BulkSink.TableWriter<FieldChange> rows = sink.Table<FieldChange>();
    private readonly Dictionary<Type, object> recorders = [];
    private readonly FieldChange scratch = new() { Source = Source };

    public long Rows => rows.Count;

    public Recorder<T> For<T>() where T : class, ITrackedRecord
    {
        if (recorders.TryGetValue(typeof(T), out var r)) return (Recorder<T>)r;
        var recorder = new Recorder<T>(this, sink.ModelOf(typeof(T)));
        recorders[typeof(T)] = recorder;
        return recorder;
    }

    private void Write(string entityType, Guid id, string field, string? oldValue, string? newValue, in ChangeSet cs)
    {
        scratch.EntityType = entityType; scratch.EntityId = id; scratch.Field = field; scratch.OldValue = oldValue; scratch.NewValue = newValue;
        scratch.ChangedAt = cs.At; scratch.ChangedBy = cs.Actor; scratch.ChangeSetId = cs.Id;
        rows.Add(scratch);
    }

    /// <summary>The history of one record type: its tracked properties exactly as the interceptor selects them.</summary>
    public sealed class Recorder<T> where T : class, ITrackedRecord
    {
        private readonly DemoHistory history;
        private readonly string type = RecordTypes.NameOf(typeof(T));
        private readonly string[] names;
        private readonly Func<T, object?>[] getters;
        private readonly object?[] before;
        private readonly List<FieldChange> created = [], stored = [];

        internal Recorder(DemoHistory history, IEntityType entity)
        {
            this.history = history;
            var tracked = entity.GetProperties()
                .Where(p => p.PropertyInfo is { } pi && pi.GetCustomAttribute<NotTrackedAttribute>() is null && pi.Name != nameof(ITrackedRecord.Id))
                .Select(p => p.PropertyInfo!).ToList();
            names = tracked.Select(p => p.Name).ToArray();
            getters = tracked.Select(Getter).ToArray();
            before = new object?[names.Length];
        }

        private static Func<T, object?> Getter(PropertyInfo p)
        {
            var e = Expression.Parameter(typeof(T));
            return Expression.Lambda<Func<T, object?>>(Expression.Convert(Expression.Property(e, p), typeof(object)), e).Compile();
        }

        /// <summary>The record was added: CreatedAt = UpdatedAt = the change's time, Version 1, its non-null fields stored
        /// as the interceptor stores a creation (<see cref="CreationRecord"/>).</summary>
        public void Created(T record, in ChangeSet cs)
        {
            record.CreatedAt = cs.At; record.UpdatedAt = cs.At; record.Version = 1;
            created.Clear();
            for (var i = 0; i < getters.Length; i++)
                if (HistoryInterceptor.Format(getters[i](record)) is { } value)
                    created.Add(new FieldChange
                    {
                        EntityType = type, EntityId = record.Id, Field = names[i], NewValue = value,
                        ChangedAt = cs.At, ChangedBy = cs.Actor, Source = Source, ChangeSetId = cs.Id,
                    });
            stored.Clear();
            CreationRecord.Compact(created, stored);
            foreach (var row in stored) history.rows.Add(row);
        }

        /// <summary>Remembers the tracked values before an edit; <see cref="Modified"/> then writes what changed.</summary>
        public void Before(T record)
        {
            for (var i = 0; i < getters.Length; i++) before[i] = getters[i](record);
        }

        /// <summary>The record was edited since <see cref="Before"/>; false (and no version bump) when nothing changed.</summary>
        public bool Modified(T record, in ChangeSet cs)
        {
            var changed = false;
            for (var i = 0; i < getters.Length; i++)
            {
                var now = getters[i](record);
                if (Equals(before[i], now)) continue;
                var oldText = HistoryInterceptor.Format(before[i]);
                var newText = HistoryInterceptor.Format(now);
                if (oldText == newText) continue;
                history.Write(type, record.Id, names[i], oldText, newText, cs);
                changed = true;
            }
            if (!changed) return false;
            record.UpdatedAt = cs.At;
            record.Version++;
            return true;
        }

        /// <summary>Applies an edit and records it in one call.</summary>
        public bool Edit(T record, in ChangeSet cs, Action<T> edit)
        {
            Before(record);
            edit(record);
            return Modified(record, cs);
        }
    }
}
