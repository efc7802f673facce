using Microsoft.Extensions.DependencyInjection;
using RevLoop.Data;
using RevLoop.Server.Hosting;
using RevLoop.Server.Marketing;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Marketing;

/// <summary>Event batches take turns at SQLite's write lock in arrival order, small batches (a demo request) first.</summary>
public class EventWriteTurnsTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_small_batch_waiting_goes_before_large_ones_that_came_earlier(string provider)
    {
        var target = Providers.NewDatabase(provider);
        await using var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddRevLoopData(target).BuildServiceProvider();
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();

        var order = new List<string>();
        var first = await EventWriteTurns.TakeAsync(db, 1000, CancellationToken.None);
        async Task Take(string name, int events, CancellationToken ct = default)
        {
            using var turn = await EventWriteTurns.TakeAsync(db, events, ct);
            lock (order) order.Add(name);
        }
        var large1 = Take("large 1", 1000);
        var large2 = Take("large 2", 500);
        using var gaveUp = new CancellationTokenSource();
        var cancelled = Take("cancelled small", 1, gaveUp.Token);
        var small = Take("small", 1);

        if (provider == "postgres")
        {
            // PostgreSQL has no single write lock: nobody waits.
            await Task.WhenAll(large1, large2, cancelled, small);
            Assert.Equal(4, order.Count);
            first.Dispose();
            return;
        }

        await Task.Delay(50);
        Assert.Empty(order);
        await gaveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        first.Dispose();
        await Task.WhenAll(large1, large2, small);
        Assert.Equal(new[] { "small", "large 1", "large 2" }, order);

        // With nobody waiting the next batch takes its turn at once.
        var next = EventWriteTurns.TakeAsync(db, 1000, CancellationToken.None);
        Assert.True(next.IsCompletedSuccessfully);
        (await next).Dispose();
    }
}
