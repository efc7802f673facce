using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class ImportPageTests(UiFixture f)
{
    [Fact]
    public async Task Uploading_a_csv_runs_the_import_shows_its_progress_then_the_summary_and_the_reject_file()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/imports");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Import from CSV");

        var csv = new StringBuilder("first_name,last_name,email,title\n");
        for (var i = 1; i <= 2500; i++) csv.Append($"Person,{u}{i:D4},p{i}.{u}@example.com,Buyer\n");
        csv.Append($"Broken,{u}-bad,not-an-email,\n");
        await page.GetByLabel("Import into").SelectOptionAsync("contacts");
        await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload { Name = $"people-{u}.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and import" }).ClickAsync();

        await page.WaitForURLAsync(new Regex("/imports/[0-9a-f-]{36}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Import of people-{u}.csv");
        // The status panel polls until the job is done, then stops polling.
        await Expect(page.GetByTestId("import-status")).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("import-summary")).ToHaveTextAsync("Read 2,501 rows: 2,500 created, 0 updated, 1 rejected.");
        await Expect(page.Locator("#import-status progress")).ToHaveAttributeAsync("value", "100");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download the reject file" }).ClickAsync());
        Assert.Equal($"people-{u}.rejects.csv", download.SuggestedFilename);
        Assert.Equal($"line,field,reason,first_name,last_name,email,title\n2502,email,'not-an-email' is not an email address,Broken,{u}-bad,not-an-email,\n",
            await File.ReadAllTextAsync((await download.PathAsync())!));
        Assert.Equal(2500, await f.WithDbAsync(db => db.Contacts.CountAsync(c => c.LastName.StartsWith(u))));

        // The list of recent imports links to it; a bad upload comes back with the reason.
        await page.GotoAsync("/imports");
        await Expect(page.GetByTestId("import-list").GetByRole(AriaRole.Link, new() { Name = $"people-{u}.csv" })).ToBeVisibleAsync();
        await page.EvaluateAsync("() => { document.querySelector('#i-file').removeAttribute('required'); document.querySelector('[data-testid=import-form]').submit(); }");
        await Expect(page.GetByTestId("import-error")).ToHaveTextAsync("file: choose a CSV file to upload");
        await page.Context.CloseAsync();
    }
}
