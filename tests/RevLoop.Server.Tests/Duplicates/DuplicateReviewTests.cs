using RevLoop.Server.Tests.Support;
using RevLoop.Server.Web.Duplicates;

namespace RevLoop.Server.Tests.Duplicates;

/// <summary>The review page's grouping query on both databases: groups of two or more, keyset-paged by the shared key.</summary>
public class DuplicateReviewTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Review_groups_records_sharing_a_key_and_pages_by_the_key(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        for (var i = 0; i < DuplicateReview.PageSize + 2; i++)
        {
            await api.CreateAccountIdAsync($$"""{"name":"Firm {{i:D2}}","domain":"firm{{i:D2}}.com"}""");
            await api.CreateAccountIdAsync($$"""{"name":"Firm {{i:D2}} Ltd","domain":"https://www.firm{{i:D2}}.com/"}""");
        }
        await api.CreateAccountIdAsync("""{"name":"Loner","domain":"loner.com"}""");
        await api.CreateAccountIdAsync("""{"name":"Firm 00 GmbH"}""");

        var (first, next) = await server.WithDbAsync(db => DuplicateReview.PageAsync(db, "accounts-domain", null, CancellationToken.None));
        Assert.Equal(Enumerable.Range(0, DuplicateReview.PageSize).Select(i => $"firm{i:D2}.com"), first.Select(g => g.Key));
        Assert.Equal(["Firm 00", "Firm 00 Ltd"], first[0].Members.Select(m => m.Name));
        Assert.Equal($"firm{DuplicateReview.PageSize - 1:D2}.com", next);
        var (second, end) = await server.WithDbAsync(db => DuplicateReview.PageAsync(db, "accounts-domain", next, CancellationToken.None));
        Assert.Equal([$"firm{DuplicateReview.PageSize:D2}.com", $"firm{DuplicateReview.PageSize + 1:D2}.com"], second.Select(g => g.Key));
        Assert.Null(end);

        var (byName, _) = await server.WithDbAsync(db => DuplicateReview.PageAsync(db, "accounts-name", null, CancellationToken.None));
        Assert.Equal(["Firm 00", "Firm 00 Ltd", "Firm 00 GmbH"], byName[0].Members.Select(m => m.Name));
        Assert.Equal("firm 00", byName[0].Key);
    }
}
