using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;
using static RevLoop.Server.Tests.Cli.CliFiles;
using static RevLoop.Server.Tests.Imports.ImportKit;

namespace RevLoop.Server.Tests.Imports;

/// <summary>Export → import into an empty database → export gives the same bytes, for every object; and the import API.</summary>
public class RoundTripTests
{
    private const string Parent = "00000000-0000-7000-8000-0000000000a1", Child = "00000000-0000-7000-8000-0000000000a2", Ada = "00000000-0000-7000-8000-0000000000e1";

    private static async Task SeedAsync(RunningServer server, string dir)
    {
        await server.CreateUserAsync("owner@example.com", Roles.Ae, "Sales");
        await SeedPipelinesAsync(server);
        async Task Import(string obj, params string[] lines)
        {
            var file = Path.Combine(dir, obj + "-seed.csv");
            await File.WriteAllTextAsync(file, Lines(lines));
            await ImportAsync(server, 0, obj, file);
        }
        await Import("accounts", "id,name,domain,employees,country,parent_account_id,owner_email,external_id",
            $"{Parent},\"Parent, Inc.\",parent.com,5000,de,,owner@example.com,SF-1", $"{Child},\"Child \"\"Two\"\"\nLine\",,,,{Parent},,");
        await Import("contacts", "id,first_name,last_name,email,phone,account_id,deal_role,sms_consent",
            $"{Ada},Ada,Lovelace,Ada@Parent.com,+49 30 1234567,{Parent},champion,opted_in", ",Émile,Zola,,,,,");
        await Import("leads", "first_name,last_name,email,company,employees,status,source,converted_at,converted_contact_id",
            "Lin,Ng,lin@initech.io,Initech,120,mql,inbound,,", $"Bo,Li,,Hooli,,converted,event,2026-03-01T10:00:00.123Z,{Ada}");
        await Import("opportunities", "name,account_id,stage,amount,acv,currency,close_date,owner_email,primary_contact_id,next_step,lost_reason,external_id",
            $"Platform,{Parent},Proposal,12000.50,10000,,2026-12-31,owner@example.com,{Ada},\"Send contract, then call\",,O-1",
            $"Renewal,{Parent},Closed won,300000,,JPY,2026-06-30,,,,,",
            $"Pilot,{Child},Closed lost,99.99,,EUR,,,,,Too expensive,");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Every_object_exports_imports_into_an_empty_database_and_exports_byte_identical(string provider)
    {
        using var dir = TempDir();
        var first = new Dictionary<string, string>();
        await using (var source = await RunningServer.StartAsync(provider))
        {
            await SeedAsync(source, dir);
            foreach (var obj in new[] { "accounts", "contacts", "leads", "opportunities" })
            {
                var result = await RevLoopProcess.RunAsync(source.Database, "export", obj);
                Assert.True(result.ExitCode == 0, result.ToString());
                first[obj] = result.StdOut;
            }
        }
        Assert.Equal(4, first["opportunities"].Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("id,name,account_id,primary_contact_id,pipeline,stage,amount,acv,currency,close_date,next_step,owner_email,sourcing_role,source,type,forecast_category,region,segment,product_family,lost_reason,won_at,lost_at,external_id,tags,custom_fields\n", first["opportunities"]);
        Assert.Contains(",New business,Proposal,12000.50,10000.00,USD,2026-12-31,\"Send contract, then call\",owner@example.com,,,new_business,pipeline,,,,,,,O-1,,\n", first["opportunities"]);

        await using var target = await RunningServer.StartAsync(provider);
        await target.CreateUserAsync("owner@example.com", Roles.Ae, "Sales");
        await SeedPipelinesAsync(target);
        foreach (var (obj, csv) in first)
        {
            var file = Path.Combine(dir, obj + ".csv");
            await File.WriteAllTextAsync(file, csv);
            var imported = await ImportAsync(target, 0, obj, file);
            var rows = csv.Count(c => c == '\n') - 1 - (obj == "accounts" ? 1 : 0); // the child account's name holds a line break
            Assert.Equal($"Read {rows} rows: {rows} created, 0 updated, 0 rejected{Environment.NewLine}", imported.StdErr);
            var again = await RevLoopProcess.RunAsync(target.Database, "export", obj);
            Assert.Equal(csv, again.StdOut);
        }
        Assert.Equal((2, 2, 2, 3), await target.WithDbAsync(async db =>
            (await db.Accounts.CountAsync(), await db.Contacts.CountAsync(), await db.Leads.CountAsync(), await db.Opportunities.CountAsync())));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task The_import_api_runs_a_job_with_progress_rejects_and_the_uploader_on_history(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var rep = await server.CreateUserAsync("rep@example.com", Roles.Ae, "Sales");
        var api = await server.ClientForAsync(rep);
        const string csv = "name,domain,owner_email\nInitech,initech.io,rep@example.com\nBroken,not a domain,\nHooli,hooli.xyz,rep@example.com\n";

        HttpContent Form(string obj, string? dedupe = null)
        {
            var form = new MultipartFormDataContent { { new StringContent(obj), "object" } };
            var file = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv));
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(file, "file", "crm accounts.csv");
            if (dedupe is not null) form.Add(new StringContent(dedupe), "dedupe");
            return form;
        }

        var bad = await api.PostAsync("/api/v1/imports", Form("widgets"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("'widgets' is not one of accounts, contacts, leads, opportunities", (await bad.ReadJsonAsync()).GetProperty("errors").GetProperty("object")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/v1/imports", Form("accounts", "always"))).StatusCode);

        var started = await api.PostAsync("/api/v1/imports", Form("accounts"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.ReadJsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/imports/{id}", started.Headers.Location!.OriginalString);
        await server.Services.GetRequiredService<RevLoop.Server.Platform.Imports.ImportJobs>().WaitAsync(id);

        var job = await api.GetJsonAsync($"/api/v1/imports/{id}");
        Assert.Equal(("done", "accounts", "crm accounts.csv", "skip", 3L, 2L, 0L, 1L, false, $"/api/v1/imports/{id}/rejects"),
            (job.GetProperty("status").GetString(), job.GetProperty("object").GetString(), job.GetProperty("fileName").GetString(), job.GetProperty("dedupe").GetString(),
             job.GetProperty("read").GetInt64(), job.GetProperty("created").GetInt64(), job.GetProperty("updated").GetInt64(), job.GetProperty("rejected").GetInt64(),
             job.GetProperty("rolledBack").GetBoolean(), job.GetProperty("rejectsUrl").GetString()));
        Assert.Equal("line,field,reason,name,domain,owner_email\n3,domain,'not a domain' is not a domain name like example.com,Broken,not a domain,\n",
            await api.GetStringAsync($"/api/v1/imports/{id}/rejects"));
        var list = await api.GetJsonAsync("/api/v1/imports");
        Assert.Equal([id], list.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetGuid()));

        var accounts = await server.WithDbAsync(db => db.Accounts.AsNoTracking().OrderBy(a => a.Name).Select(a => new { a.Name, a.OwnerId }).ToListAsync());
        Assert.Equal([("Hooli", (Guid?)rep.Id), ("Initech", rep.Id)], accounts.Select(a => (a.Name, a.OwnerId)));
        var sources = await server.WithDbAsync(db => db.FieldChanges.Select(c => new { c.Source, c.ChangedBy }).Distinct().ToListAsync());
        Assert.Equal("import", Assert.Single(sources).Source);
        Assert.StartsWith("token:", sources[0].ChangedBy);

        // Someone else does not see the job.
        var other = await server.ClientForAsync(await server.CreateUserAsync("other@example.com", Roles.Ae, "Sales"));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/imports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/imports/{id}/rejects")).StatusCode);
    }
}
