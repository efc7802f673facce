using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Crm.Accounts;
using RevLoop.Data;
using RevLoop.Server.Hosting;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Platform;

/// <summary>Contexts are pooled: a scope gets its own viewer and none of the previous scope's state.</summary>
public class PooledContextTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_context_back_from_the_pool_sees_as_its_new_scope_viewer_and_keeps_nothing_of_the_last_scope(string provider)
    {
        var target = Providers.NewDatabase(provider);
        await using var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddRevLoopData(target).BuildServiceProvider();
        await ServerApp.MigrateAsync(services);
        var rep = Guid.CreateVersion7();
        using (var scope = services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            db.Accounts.AddRange(new Account { Name = "Rep's", OwnerId = rep }, new Account { Name = "Someone else's", OwnerId = Guid.CreateVersion7() });
            await db.SaveChangesAsync();
        }

        RevLoopDb first;
        using (var scope = services.CreateScope())
        {
            first = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            first.Viewer.BecomeUser(rep, "ae", seesAll: false, []);
            first.Origin.Actor = "rep@example.com";
            first.WriteHistoryInBulk = true;
            first.ScoredChanges.Leads.Add(Guid.CreateVersion7());
            Assert.Equal(["Rep's"], await first.Accounts.Select(a => a.Name).ToListAsync());
        }
        using (var scope = services.CreateScope())
        {
            var second = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            Assert.Same(first, second); // the pool hands the same instance back
            Assert.Same(scope.ServiceProvider.GetRequiredService<Viewer>(), second.Viewer);
            Assert.True(second.Viewer.IsSystem);
            Assert.Equal("system", second.Origin.Actor);
            Assert.False(second.WriteHistoryInBulk);
            Assert.Empty(second.ScoredChanges.Leads);
            Assert.Equal(["Rep's", "Someone else's"], await second.Accounts.OrderBy(a => a.Name).Select(a => a.Name).ToListAsync());
        }

        // A context taken from the factory without a scope's lease has no viewer, so it cannot read at all.
        await using var unleased = await services.GetRequiredService<IDbContextFactory<RevLoopDb>>().CreateDbContextAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => unleased.Accounts.CountAsync());
        Assert.Equal("This RevLoopDb was not leased for a scope; resolve it from a service scope.", error.Message);
    }
}
