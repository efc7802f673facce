using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Crm.Accounts;
using RevLoop.Data;
using RevLoop.Server.Hosting;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Platform;

/// <summary>The bulk history path (imports) writes the same history rows and outbox events as the tracked path, atomically.</summary>
public class BulkHistoryTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Bulk_history_writes_the_same_rows_and_events_and_needs_a_transaction(string provider)
    {
        var target = Providers.NewDatabase(provider);
        await using var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddRevLoopData(target).BuildServiceProvider();
        await ServerApp.MigrateAsync(services);
        var owner = Guid.CreateVersion7();

        Account Make(string name) => new() { Name = name, Domain = "same.example", Employees = 12, Segment = "smb", Country = "NL", OwnerId = owner };

        using (var scope = services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            var tracked = Make("Tracked");
            db.Accounts.Add(tracked);
            await db.SaveChangesAsync();
            tracked.Employees = 40;
            tracked.Domain = null;
            await db.SaveChangesAsync();
        }
        using (var scope = services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            db.WriteHistoryInBulk = true;
            db.ChangeTracker.AutoDetectChangesEnabled = false;

            // Without a transaction the change could commit without its history: refused, and nothing is written.
            db.Accounts.Add(Make("Refused"));
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();

            var bulk = Make("Bulk");
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                db.Accounts.Add(bulk);
                await db.SaveChangesAsync();
                await tx.CommitAsync();
            }
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                bulk.Employees = 40;
                bulk.Domain = null;
                await db.SaveChangesAsync();
                await tx.CommitAsync();
            }
            // Rolled back: neither the change nor its history nor its event stays.
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                bulk.Country = "BE";
                await db.SaveChangesAsync();
                await tx.RollbackAsync();
            }
        }

        using (var scope = services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            var accounts = await db.Accounts.AsNoTracking().OrderBy(a => a.Name).ToListAsync();
            Assert.Equal(["Bulk", "Tracked"], accounts.Select(a => a.Name));
            Assert.All(accounts, a => Assert.Equal((2L, (string?)"NL", (int?)40, (string?)null), (a.Version, a.Country, a.Employees, a.Domain)));
            var changes = await db.FieldChanges.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
            var events = await db.OutboxEvents.AsNoTracking().OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync();
            // Saves in order of their first row (change-set ids made in the same millisecond need not sort in save order).
            string Rows(Guid id) => string.Join("\n", changes.Where(c => c.EntityId == id).OrderBy(c => changes.Where(x => x.ChangeSetId == c.ChangeSetId).Min(x => x.Id)).ThenBy(c => c.Field, StringComparer.Ordinal)
                .Select(c => $"{c.EntityType}|{c.Field}|{c.OldValue}|{c.NewValue}|{c.ChangedBy}|{c.Source}"));
            string Events(Guid id) => string.Join("\n", events.Where(e => e.EntityId == id).Select(e => $"{e.Type}|{e.EntityType}|{e.Payload}|{e.FannedOutAt}"));
            var (bulk, tracked) = (accounts[0].Id, accounts[1].Id);
            // Identical but for the name each was given.
            Assert.Equal(Rows(tracked).Replace("Tracked", "NAME"), Rows(bulk).Replace("Bulk", "NAME"));
            Assert.Equal(1 + 2, changes.Count(c => c.EntityId == bulk)); // the creation (6 fields, one row) and 2 changes
            Assert.Equal(6 + 2, CreationRecord.Expand(changes.Where(c => c.EntityId == bulk)).Count());
            Assert.Equal(Events(tracked).Replace("Tracked", "NAME"), Events(bulk).Replace("Bulk", "NAME"));
            Assert.Equal(["account.created", "account.updated"], events.Where(e => e.EntityId == bulk).Select(e => e.Type));
            // The stored instants read back equal to the change time on both paths (the converter applied on SQLite).
            Assert.All(changes.Where(c => c.EntityId == bulk), c => Assert.True(c.ChangedAt == accounts[0].CreatedAt || c.ChangedAt == accounts[0].UpdatedAt));
            Assert.Equal(4, changes.Select(c => c.ChangeSetId).Distinct().Count());
        }
    }
}
