using RevLoop.Integration;

namespace RevLoop.Server.Tests.Platform;

public class EventIdTests
{
    [Fact]
    public void Ids_made_in_the_same_millisecond_still_sort_in_the_order_they_were_made()
    {
        var ids = Enumerable.Range(0, 50_000).Select(_ => EventId.Next()).ToList();
        // Tens of thousands of ids share a millisecond here; each must still be greater than the one before,
        // in .NET's order and in the text order SQLite sorts the stored ids by.
        Assert.All(ids.Zip(ids.Skip(1)), p => Assert.True(p.First.CompareTo(p.Second) < 0, $"{p.First} !< {p.Second}"));
        Assert.All(ids.Zip(ids.Skip(1)), p => Assert.True(string.CompareOrdinal(p.First.ToString().ToUpperInvariant(), p.Second.ToString().ToUpperInvariant()) < 0));
        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.True(ids.GroupBy(id => id.ToString()[..13]).Max(g => g.Count()) > 1);
    }
}
