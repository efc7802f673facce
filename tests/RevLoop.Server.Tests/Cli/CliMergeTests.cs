using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Cli;

/// <summary>`revloop merge` runs the API's merge: same result, history source "merge", exit codes for bad input.</summary>
public class CliMergeTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Merge_verb_merges_like_the_API(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var survivor = await api.CreateAccountIdAsync("""{"name":"Vandelay","domain":"vandelay.com"}""");
        var duplicate = await api.CreateAccountIdAsync("""{"name":"Vandelay Industries","country":"US"}""");

        var bad = await RevLoopProcess.RunAsync(server.Database, "merge", "accounts", survivor.ToString(), duplicate.ToString(), "--take", "colour");
        Assert.Equal((2, $"error: fields.colour: is not a field of account that a merge picks (fields: name, domain, industry, employees, segment, region, country, parentAccountId, ownerId, tags, customFields){Environment.NewLine}"),
            (bad.ExitCode, bad.StdErr));
        var missing = await RevLoopProcess.RunAsync(server.Database, "merge", "accounts", Guid.NewGuid().ToString(), duplicate.ToString());
        Assert.Equal(1, missing.ExitCode);

        var merged = await RevLoopProcess.RunAsync(server.Database, "merge", "accounts", survivor.ToString(), duplicate.ToString(), "--take", "name");
        Assert.True(merged.ExitCode == 0, merged.ToString());
        Assert.Equal($"Merged {duplicate} into {survivor}; moved 0 contacts, 0 opportunities, 0 lineItems, 0 activities, 0 subscriptionPeriods, 0 childAccounts, 0 leadConversions, 0 targetLists{Environment.NewLine}", merged.StdErr);
        var account = await server.WithDbAsync(db => db.Accounts.AsNoTracking().SingleAsync());
        Assert.Equal((survivor, "Vandelay Industries", "vandelay.com", "US"), (account.Id, account.Name, account.Domain, account.Country));
        var history = await server.WithDbAsync(db => db.FieldChanges.AsNoTracking().Where(c => c.EntityId == survivor).OrderBy(c => c.Id).ToListAsync());
        var sources = CreationRecord.Expand(history).Where(c => c.Field == "Name").Select(c => c.Source).ToList();
        Assert.Equal(["api", "merge"], sources);
    }
}
