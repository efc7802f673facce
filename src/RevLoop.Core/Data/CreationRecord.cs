using System.Text.Encodings.Web;
using System.Text.Json;
using RevLoop.Platform;

namespace RevLoop.Data;

/// <summary>
/// How a record's creation is stored in the history: one row, field <see cref="Field"/>, whose new value is a JSON object
/// of the created values (field name to text as <see cref="HistoryInterceptor.Format"/> gives it, in the model's order),
/// instead of one row per field. A created deal is one row, not ~16: the history is most of what an import writes (ADR
/// 0015). An opportunity's stage, amount and close date at creation are in that row too; the analytics, which read those
/// fields row by row, derive their first row from the deal and its later changes (<see cref="OpportunityHistoryRows"/>,
/// ADR 0020). Readers that show or rebuild whole records go through <see cref="Expand"/>, which gives back exactly the
/// per-field changes; the "created" event still lists every field.
/// </summary>
public static class CreationRecord
{
    /// <summary>The field name of a creation row.</summary>
    public const string Field = "*";

    /// <summary>A creation row's JSON stays within the history's value column (4,000 characters); a longer record takes more rows.</summary>
    internal const int MaxJsonLength = 4000;

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Appends the stored rows for one record's creation changes (one per non-null field, all of one change set, in the
    /// model's order) to <paramref name="into"/>: the creation row(s) first, then any value too long to share one.
    /// </summary>
    public static void Compact(IReadOnlyList<FieldChange> created, List<FieldChange> into)
    {
        if (created.Count == 0) return;
        var first = created[0];
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        var writer = new Utf8JsonWriter(buffer, Options);
        var open = false;
        var own = new bool[created.Count];
        for (var i = 0; i < created.Count; i++)
        {
            var c = created[i];
            var size = Size(c);
            // A value too long to share a row with its field name (a long note) keeps the row it always had.
            own[i] = size + 2 > MaxJsonLength;
            if (own[i]) continue;
            // Bound each row's JSON: close it before this value could take it past the column's length.
            if (open && buffer.WrittenCount + size + 1 > MaxJsonLength) Close();
            if (!open) { writer.WriteStartObject(); open = true; }
            writer.WriteString(c.Field, c.NewValue);
            writer.Flush();
        }
        if (open) Close();
        for (var i = 0; i < created.Count; i++)
            if (own[i]) into.Add(created[i]);

        void Close()
        {
            writer.WriteEndObject();
            writer.Flush();
            into.Add(new FieldChange
            {
                EntityType = first.EntityType, EntityId = first.EntityId, Field = Field, OldValue = null,
                NewValue = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan),
                ChangedAt = first.ChangedAt, ChangedBy = first.ChangedBy, Source = first.Source, ChangeSetId = first.ChangeSetId,
            });
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            open = false;
        }
    }

    /// <summary>An upper bound of a member's JSON in UTF-8 bytes (at least its length in characters): "name":"value",
    /// where a quote or backslash takes 2 characters, a control character 6, and each half of a surrogate pair (an emoji)
    /// 6, as the relaxed encoder writes them.</summary>
    private static int Size(FieldChange c)
    {
        var value = c.NewValue ?? "";
        var escapes = 0;
        foreach (var ch in value) escapes += Escape(ch);
        foreach (var ch in c.Field) escapes += Escape(ch);
        return System.Text.Encoding.UTF8.GetByteCount(value) + System.Text.Encoding.UTF8.GetByteCount(c.Field) + escapes + 6;

        static int Escape(char ch) => ch < ' ' || ch == '"' || ch == '\\' ? 5 : char.IsSurrogate(ch) ? 4 : 0;
    }

    /// <summary>The stored rows as per-field changes: a creation row becomes one change per field it holds (same id,
    /// time, author, source and change set), any other row is passed on as it is.</summary>
    public static IEnumerable<FieldChange> Expand(IEnumerable<FieldChange> rows)
    {
        foreach (var row in rows)
        {
            if (row.Field != Field || row.NewValue is null)
            {
                yield return row;
                continue;
            }
            using var json = JsonDocument.Parse(row.NewValue);
            foreach (var member in json.RootElement.EnumerateObject())
                yield return new FieldChange
                {
                    Id = row.Id, EntityType = row.EntityType, EntityId = row.EntityId, Field = member.Name, OldValue = null,
                    NewValue = member.Value.GetString(), ChangedAt = row.ChangedAt, ChangedBy = row.ChangedBy, Source = row.Source,
                    ChangeSetId = row.ChangeSetId,
                };
        }
    }
}
