using Microsoft.Extensions.DependencyInjection;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Tests.Demo;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Imports;

/// <summary>
/// Imports add new records with <see cref="BulkCreate"/> instead of SaveChanges: the records, their history and their
/// "created" events must be exactly what SaveChanges and the history interceptor write (storage types included), except
/// the random change-set and event ids.
/// </summary>
public class BulkCreateTests
{
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly DateTimeOffset T0 = new(2026, 2, 9, 8, 15, 42, 789, TimeSpan.Zero);
    private const string Actor = "cli:importer";

    private static List<Opportunity> Deals() =>
    [
        new()
        {
            Id = Guid.Parse("019c4a10-0000-7000-8000-000000000001"), Name = "Nordwind GmbH – Platform", AccountId = Guid.Parse("019c4a10-0000-7000-8000-0000000000a1"),
            PipelineId = Guid.Parse("019c4a10-0000-7000-8000-0000000000b1"), StageId = Guid.Parse("019c4a10-0000-7000-8000-0000000000c1"), AmountMinor = 1_234_567,
            AcvMinor = 1_000_000, Currency = "EUR", CloseDate = new DateOnly(2026, 6, 30), OwnerId = Guid.Parse("019c4a10-0000-7000-8000-0000000000d1"),
            Type = OpportunityTypes.Expansion, ForecastCategory = ForecastCategories.Commit, Region = "EMEA", ExternalId = "SF-0001", Tags = "priority,q2",
            CustomFields = "{\"renewal_risk\":\"high\",\"seats\":\"80\"}",
        },
        new()
        {
            // An empty text is stored as empty, not NULL; text beyond ASCII as its UTF-8 (the bulk writer encodes it itself).
            Id = Guid.Parse("019c4a10-0000-7000-8000-000000000002"), Name = "Lost deal 東京 🎉", NextStep = "", AccountId = Guid.Parse("019c4a10-0000-7000-8000-0000000000a1"),
            PipelineId = Guid.Parse("019c4a10-0000-7000-8000-0000000000b1"), StageId = Guid.Parse("019c4a10-0000-7000-8000-0000000000c9"), AmountMinor = 0,
            Currency = "USD", Type = OpportunityTypes.NewBusiness, ForecastCategory = ForecastCategories.Omitted, LostReason = "Price", LostAt = T0.AddDays(-3),
        },
    ];

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Bulk_created_records_history_and_events_equal_what_SaveChanges_writes(string provider)
    {
        var viaEf = Providers.NewDatabase(provider);
        await using (var services = await DemoDatabase.ServicesFor(viaEf, new Clock(T0)))
        {
            using var scope = services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            db.Origin.Actor = Actor;
            db.Origin.Source = ChangeSources.Import;
            db.Opportunities.AddRange(Deals());
            await db.SaveChangesAsync();
        }

        var viaBulk = Providers.NewDatabase(provider);
        await using (var services = await DemoDatabase.ServicesFor(viaBulk, new Clock(T0)))
        {
            using var scope = services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            db.Origin.Actor = Actor;
            db.Origin.Source = ChangeSources.Import;
            await using var transaction = await db.Database.BeginTransactionAsync();
            BulkCreate.Write(db, Deals());
            await transaction.CommitAsync();
        }

        var records = await DemoBulkWriteTests.RowsAsync(viaEf, "SELECT * FROM \"Opportunities\" ORDER BY \"Id\"");
        Assert.Equal(2, records.Count);
        Assert.Equal(records, await DemoBulkWriteTests.RowsAsync(viaBulk, "SELECT * FROM \"Opportunities\" ORDER BY \"Id\""));
        const string historySql = "SELECT \"Id\", \"EntityType\", \"EntityId\", \"Field\", \"OldValue\", \"NewValue\", \"ChangedAt\", \"ChangedBy\", \"Source\" FROM \"FieldChanges\" ORDER BY \"Id\"";
        var history = await DemoBulkWriteTests.RowsAsync(viaEf, historySql);
        // Each deal: one creation row with its non-null fields (not the id, version or timestamps) and custom fields (CreationRecord).
        Assert.Equal(2, history.Count);
        Assert.Equal(history, await DemoBulkWriteTests.RowsAsync(viaBulk, historySql));
        Assert.Contains(history, r => r.Contains("Field=String:*;") && r.Contains("\"CustomFields.seats\":\"80\"") && r.Contains("\"Tags\":\"priority,q2\"")
            && r.Contains("\"Name\":\"Nordwind GmbH – Platform\"") && r.Contains("Source=String:import"));
        Assert.Contains(history, r => r.Contains("Field=String:*;") && r.Contains("\"StageId\":") && r.Contains("\"AmountMinor\":\"1234567\"") && r.Contains("\"CloseDate\":"));
        const string eventsSql = "SELECT \"Type\", \"EntityType\", \"EntityId\", \"Payload\", \"OccurredAt\", \"FannedOutAt\" FROM \"OutboxEvents\" ORDER BY \"EntityId\"";
        var events = await DemoBulkWriteTests.RowsAsync(viaEf, eventsSql);
        Assert.Equal(2, events.Count);
        Assert.Equal(events, await DemoBulkWriteTests.RowsAsync(viaBulk, eventsSql));
        foreach (var sql in new[] { "SELECT * FROM \"RecordTags\" ORDER BY \"Tag\"", "SELECT * FROM \"CustomFieldValues\" ORDER BY \"Key\"" })
        {
            var rows = await DemoBulkWriteTests.RowsAsync(viaEf, sql);
            Assert.Equal(2, rows.Count);
            Assert.Equal(rows, await DemoBulkWriteTests.RowsAsync(viaBulk, sql));
        }
    }
}
