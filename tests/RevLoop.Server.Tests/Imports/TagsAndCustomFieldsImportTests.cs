using Microsoft.EntityFrameworkCore;
using RevLoop.Server.Tests.Support;
using static RevLoop.Server.Tests.Cli.CliFiles;
using static RevLoop.Server.Tests.Imports.ImportKit;

namespace RevLoop.Server.Tests.Imports;

/// <summary>The tags and custom_fields columns: read through the API's rules, filterable afterwards, exported back as read.</summary>
public class TagsAndCustomFieldsImportTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Tags_and_custom_fields_import_with_the_apis_rules_and_export_back_unchanged(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        Assert.True((await api.PostAsync("/api/v1/custom-fields", """{"recordType":"account","key":"tier","label":"Tier","type":"picklist","options":["Gold","Silver"]}""")).IsSuccessStatusCode);
        Assert.True((await api.PostAsync("/api/v1/custom-fields", """{"recordType":"account","key":"seats","label":"Seats","type":"number"}""")).IsSuccessStatusCode);
        using var dir = TempDir();
        var file = Path.Combine(dir, "accounts.csv");
        await File.WriteAllTextAsync(file, Lines("name,domain,tags,custom_fields",
            "Acme,acme.com,\" VIP ,emea,vip\",\"{\"\"tier\"\":\"\"gold\"\",\"\"seats\"\":\"\"120\"\"}\"",
            "Globex,globex.com,,",
            "Hooli,hooli.xyz,churn-risk,\"{\"\"tier\"\":\"\"bronze\"\"}\"",
            "Initech,initech.io,,\"{\"\"colour\"\":\"\"red\"\"}\"",
            "Umbrella,umbrella.io,,not json"));

        // All or nothing: the three bad rows are named with their line and field; nothing is stored.
        var refused = await ImportAsync(server, 2, "accounts", file, "--all-or-nothing");
        Assert.StartsWith("Imported nothing: 3 of 5 rows are bad", refused.StdErr);
        Assert.Equal(Lines("line,field,reason,name,domain,tags,custom_fields",
            "4,custom_fields.tier,\"must be one of Gold, Silver\",Hooli,hooli.xyz,churn-risk,\"{\"\"tier\"\":\"\"bronze\"\"}\"",
            "5,custom_fields.colour,\"is not a custom field of account (fields: tier, seats)\",Initech,initech.io,,\"{\"\"colour\"\":\"\"red\"\"}\"",
            "6,custom_fields,\"must be a JSON object of field keys and values, like {\"\"tier\"\":\"\"gold\"\"}\",Umbrella,umbrella.io,,not json"),
            await File.ReadAllTextAsync(Path.Combine(dir, "accounts.rejects.csv")));
        Assert.Equal(0, await server.WithDbAsync(db => db.Accounts.CountAsync()));

        var imported = await ImportAsync(server, 2, "accounts", file);
        Assert.StartsWith("Read 5 rows: 2 created, 0 updated, 3 rejected", imported.StdErr);
        // Tags normalised (trimmed, lower case, once each, sorted) and filterable; custom fields typed as the API types them.
        var vip = await api.GetJsonAsync("/api/v1/accounts?tag=vip");
        Assert.Equal(["Acme"], vip.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        var acme = vip.GetProperty("items")[0];
        Assert.Equal(["emea", "vip"], acme.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("""{"seats":120,"tier":"Gold"}""", acme.GetProperty("customFields").GetRawText().Replace(" ", ""));
        Assert.Equal(1, (await api.GetJsonAsync("/api/v1/accounts?cf.tier=Gold")).GetProperty("items").GetArrayLength());

        var export = await RevLoopProcess.RunAsync(server.Database, "export", "accounts");
        Assert.True(export.ExitCode == 0, export.ToString());
        var acmeLine = export.StdOut.Split('\n').Single(l => l.Contains(",Acme,acme.com,", StringComparison.Ordinal));
        Assert.EndsWith(",\"emea,vip\",\"{\"\"seats\"\":120,\"\"tier\"\":\"\"Gold\"\"}\"", acmeLine);
        Assert.EndsWith(",,", export.StdOut.Split('\n').Single(l => l.Contains(",Globex,globex.com,", StringComparison.Ordinal)));
        // The export imports back as updates that change nothing.
        var back = Path.Combine(dir, "back.csv");
        await File.WriteAllTextAsync(back, export.StdOut);
        var history = await server.WithDbAsync(db => db.FieldChanges.CountAsync());
        var again = await ImportAsync(server, 0, "accounts", back);
        Assert.Equal($"Read 2 rows: 0 created, 2 updated, 0 rejected{Environment.NewLine}", again.StdErr);
        Assert.Equal(history, await server.WithDbAsync(db => db.FieldChanges.CountAsync()));
    }
}
