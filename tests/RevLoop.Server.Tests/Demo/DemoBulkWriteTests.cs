using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RevLoop.Crm.Opportunities;
using RevLoop.Crm.Products;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Server.Demo;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Demo;

/// <summary>
/// The demo bypasses EF: its rows and history must be exactly what SaveChanges and the history interceptor write for
/// the same edits at the same times (column by column, storage types included), except the random change-set ids.
/// </summary>
public class DemoBulkWriteTests
{
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset T0 = new(2024, 3, 5, 14, 30, 15, 123, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = new(2024, 3, 17, 9, 2, 44, 456, TimeSpan.Zero);
    private static readonly Guid OpportunityId = Guid.Parse("018e0f3a-1b2c-7d3e-8f40-5a6b7c8d9e0f"), AccountId = Guid.Parse("018e0f3a-0000-7000-8000-00000000000a"),
        ContactId = Guid.Parse("018e0f3a-0000-7000-8000-00000000000c"), PipelineId = Guid.Parse("018e0f3a-0000-7000-8000-0000000000b1"),
        Stage0 = Guid.Parse("018e0f3a-0000-7000-8000-0000000000c0"), Stage1 = Guid.Parse("018e0f3a-0000-7000-8000-0000000000c1"),
        OwnerId = Guid.Parse("018e0f3a-0000-7000-8000-0000000000d1"), TeamId = Guid.Parse("018e0f3a-0000-7000-8000-0000000000e1"),
        PeriodId = Guid.Parse("018e0f3a-0000-7000-8000-0000000000f1"), LineId = Guid.Parse("018e0f3a-0000-7000-8000-0000000000f2"),
        ProductId = Guid.Parse("018e0f3a-0000-7000-8000-0000000000f3");
    private const string Actor = "user:018e0f3a-0000-7000-8000-0000000000d1";

    private static Opportunity NewOpportunity() => new()
    {
        Id = OpportunityId, Name = "Zürich Versicherung AG – Brightwave Enterprise (80 seats)", AccountId = AccountId, PrimaryContactId = ContactId,
        PipelineId = PipelineId, StageId = Stage0, AmountMinor = 9_600_000, AcvMinor = 9_600_000, Currency = "EUR", CloseDate = new DateOnly(2024, 6, 30),
        NextStep = "Book discovery call", OwnerId = OwnerId, OwnerTeamId = TeamId, SourcingRole = "bdr", Source = "outbound", Type = OpportunityTypes.NewBusiness,
        ForecastCategory = ForecastCategories.Pipeline, Region = "EMEA", Segment = "enterprise", ProductFamily = "Platform",
    };

    private static void Win(Opportunity o)
    {
        o.StageId = Stage1; o.AmountMinor = 8_812_500; o.ForecastCategory = ForecastCategories.Closed; o.NextStep = null; o.WonAt = T1;
        o.CloseDate = new DateOnly(2024, 3, 17);
    }

    private static SubscriptionPeriod NewPeriod() => new()
    {
        Id = PeriodId, CustomerId = "CUS-000001", AccountId = AccountId, SubscriptionId = "SUB-000001-01", Start = new DateTimeOffset(2024, 3, 5, 0, 0, 0, TimeSpan.Zero),
        AmountMinor = 110_000, Currency = "USD", Interval = "year", IntervalCount = 1, Quantity = 80.5m,
    };

    private static LineItem NewLine() => new()
    {
        Id = LineId, OpportunityId = OpportunityId, ProductId = ProductId, Quantity = 80m, UnitPriceMinor = 110_000, DiscountPercent = 12.5m, TermMonths = 36,
    };

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Bulk_rows_are_what_SaveChanges_and_the_historySqlinterceptor_write(string provider)
    {
        // Through EF: created at T0, won (and the period ended) at T1.
        var viaEf = Providers.NewDatabase(provider);
        var clock = new Clock(T0);
        await using (var services = await DemoDatabase.ServicesFor(viaEf, clock))
        {
            using var scope = services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            db.Origin.Actor = Actor;
            db.Origin.Source = DemoHistory.Source;
            var o = NewOpportunity();
            var p = NewPeriod();
            db.Opportunities.Add(o);
            db.SubscriptionPeriods.Add(p);
            db.LineItems.Add(NewLine());
            await db.SaveChangesAsync();
            clock.Now = T1;
            Win(o);
            p.End = new DateTimeOffset(2025, 3, 5, 0, 0, 0, TimeSpan.Zero);
            await db.SaveChangesAsync();
        }

        // Through the demo's bulk path: the same records and edits at the same instants.
        var viaBulk = Providers.NewDatabase(provider);
        await using (var services = await DemoDatabase.ServicesFor(viaBulk))
        {
            using var scope = services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            using var sink = BulkSink.Open(db, viaBulk);
            var history = new DemoHistory(sink);
            var o = NewOpportunity();
            var p = NewPeriod();
            var created = new ChangeSet(Guid.NewGuid(), T0, Actor);
            history.For<Opportunity>().Created(o, created);
            history.For<SubscriptionPeriod>().Created(p, created);
            var won = new ChangeSet(Guid.NewGuid(), T1, Actor);
            history.For<Opportunity>().Edit(o, won, Win);
            history.For<SubscriptionPeriod>().Edit(p, won, x => x.End = new DateTimeOffset(2025, 3, 5, 0, 0, 0, TimeSpan.Zero));
            sink.Table<Opportunity>().Add(o);
            sink.Table<SubscriptionPeriod>().Add(p);
            sink.Table<LineItem>().Add(NewLine());
            sink.Commit();
        }

        foreach (var table in new[] { "Opportunities", "SubscriptionPeriods", "LineItems" })
            Assert.Equal(await RowsAsync(viaEf, $"SELECT * FROM \"{table}\""), await RowsAsync(viaBulk, $"SELECT * FROM \"{table}\""));
        const string historySql = "SELECT \"Id\", \"EntityType\", \"EntityId\", \"Field\", \"OldValue\", \"NewValue\", \"ChangedAt\", \"ChangedBy\", \"Source\" FROM \"FieldChanges\" ORDER BY \"Id\"";
        var expected = await RowsAsync(viaEf, historySql);
        Assert.Equal(expected, await RowsAsync(viaBulk, historySql));
        // Opportunity: its creation (19 fields, one row); period: its creation (9 fields, one row); won: 6 changes; period end: 1.
        Assert.Equal(1 + 1 + 6 + 1, expected.Count);
        await using (var services = await DemoDatabase.ServicesFor(viaBulk))
        {
            using var scope = services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            // Read back as changes: opportunity: 19 fields set; period: 9; won: 6 changes; period end: 1.
            Assert.Equal(19 + 9 + 6 + 1, CreationRecord.Expand(await db.FieldChanges.AsNoTracking().ToListAsync()).Count());
        }
    }

    /// <summary>Every row as "column=type:value" text, storage types included (SQLite's dynamic typing would hide them).</summary>
    internal static async Task<List<string>> RowsAsync(DatabaseTarget target, string sql)
    {
        await using DbConnection connection = target.Provider == DatabaseProvider.Sqlite ? new SqliteConnection(target.ConnectionString) : new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var fields = new List<string>();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var value = reader.GetValue(i);
                fields.Add($"{reader.GetName(i)}={value.GetType().Name}:{(value is IFormattable f ? f.ToString(null, System.Globalization.CultureInfo.InvariantCulture) : value.ToString())}");
            }
            rows.Add(string.Join("; ", fields));
        }
        return rows;
    }
}
