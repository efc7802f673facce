using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Tests.Platform;

/// <summary>A creation is stored as few rows (<see cref="CreationRecord"/>) and read back as exactly the per-field changes.</summary>
public class CreationRecordTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 7, 30, 0, 123, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("019c4a10-0000-7000-8000-000000000001"), Set = Guid.Parse("019c4a10-0000-7000-8000-0000000000f1");

    private static FieldChange Created(string type, string field, string value) => new()
    {
        EntityType = type, EntityId = Id, Field = field, NewValue = value, ChangedAt = At, ChangedBy = "user:x", Source = "api", ChangeSetId = Set,
    };

    private static string Text(FieldChange c) => $"{c.EntityType}|{c.EntityId}|{c.Field}|{c.OldValue}|{c.NewValue}|{c.ChangedAt:O}|{c.ChangedBy}|{c.Source}|{c.ChangeSetId}";

    [Fact]
    public void An_opportunity_is_one_row_with_its_stage_amount_and_close_date_and_expands_back()
    {
        List<FieldChange> created =
        [
            Created("opportunity", "Name", "Nordwind \"East\" – Platform 🚀"), Created("opportunity", "AccountId", "019c4a10-0000-7000-8000-0000000000a1"),
            Created("opportunity", "StageId", "019c4a10-0000-7000-8000-0000000000c1"), Created("opportunity", "AmountMinor", "1234567"),
            Created("opportunity", "Currency", "EUR"), Created("opportunity", "CloseDate", "2026-06-30"), Created("opportunity", "NextStep", "Call\tback\\later"),
            Created("opportunity", "CustomFields.seats", "80"),
        ];
        var stored = new List<FieldChange>();
        CreationRecord.Compact(created, stored);

        Assert.Equal("*", Assert.Single(stored).Field);
        Assert.Equal("""{"Name":"Nordwind \"East\" – Platform \uD83D\uDE80","AccountId":"019c4a10-0000-7000-8000-0000000000a1","StageId":"019c4a10-0000-7000-8000-0000000000c1","AmountMinor":"1234567","Currency":"EUR","CloseDate":"2026-06-30","NextStep":"Call\tback\\later","CustomFields.seats":"80"}""",
            stored[0].NewValue);
        Assert.All(stored, c => Assert.Equal((Id, At, "user:x", "api", Set, (string?)null), (c.EntityId, c.ChangedAt, c.ChangedBy, c.Source, c.ChangeSetId, c.OldValue)));
        // Read back: every created field with its value, in the order they were created.
        var expanded = CreationRecord.Expand(stored).ToList();
        Assert.Equal(["Name", "AccountId", "StageId", "AmountMinor", "Currency", "CloseDate", "NextStep", "CustomFields.seats"], expanded.Select(c => c.Field));
        Assert.Equal(created.Select(Text).Order(StringComparer.Ordinal), expanded.Select(Text).Order(StringComparer.Ordinal));
        // Other rows pass through unchanged.
        var edit = new FieldChange { EntityType = "opportunity", EntityId = Id, Field = "StageId", OldValue = "a", NewValue = "b", ChangedAt = At, ChangedBy = "user:x", Source = "ui", ChangeSetId = Set };
        Assert.Same(edit, Assert.Single(CreationRecord.Expand([edit])));
    }

    [Fact]
    public void Creation_rows_stay_within_the_value_column_and_a_value_too_long_to_share_keeps_its_own_row()
    {
        // 30 fields of 300 characters (~9,600 characters of JSON with names) and one 3,998-character note.
        var created = Enumerable.Range(0, 30).Select(i => Created("account", $"Field{i:D2}", new string((char)('a' + i % 26), 300))).ToList();
        created.Insert(10, Created("account", "Notes", new string('n', 3998)));
        var stored = new List<FieldChange>();
        CreationRecord.Compact(created, stored);

        Assert.All(stored, c => Assert.True(c.NewValue!.Length <= 4000, $"{c.Field}: {c.NewValue!.Length} characters"));
        Assert.Equal(["*", "*", "*", "Notes"], stored.Select(c => c.Field));
        Assert.Equal([12, 12, 6], stored.Take(3).Select(c => System.Text.Json.JsonDocument.Parse(c.NewValue!).RootElement.EnumerateObject().Count()));
        Assert.Equal(created.Select(Text).Order(StringComparer.Ordinal), CreationRecord.Expand(stored).Select(Text).Order(StringComparer.Ordinal));
    }
}
