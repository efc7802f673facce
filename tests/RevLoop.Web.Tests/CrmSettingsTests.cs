using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Opportunities;
using RevLoop.Platform;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class CrmSettingsTests(UiFixture f)
{
    [Fact]
    public async Task Revops_settings_change_bands_stage_rules_and_custom_fields_and_the_account_page_shows_tags_and_fields()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var key = $"tier_{u}";
        var pipeline = new Pipeline { Name = $"Sales {u}", SortOrder = 99 };
        pipeline.Stages =
        [
            new Stage { PipelineId = pipeline.Id, Name = "Discovery", SortOrder = 0, Probability = 10 },
            new Stage { PipelineId = pipeline.Id, Name = "Qualify", SortOrder = 1, Probability = 30, RequiredFields = "amount,closeDate" },
            new Stage { PipelineId = pipeline.Id, Name = "Won", SortOrder = 2, Probability = 100, Type = StageTypes.Won },
            new Stage { PipelineId = pipeline.Id, Name = "Lost", SortOrder = 3, Type = StageTypes.Lost },
        ];
        await f.WithDbAsync(async db => { db.Pipelines.Add(pipeline); return await db.SaveChangesAsync(); });
        var account = (await f.SeedAsync([new Account { Name = $"Banded {u}", Employees = 150, Segment = "smb", OwnerId = f.Admin.Id }]))[0];
        await f.WithDbAsync(async db =>
        {
            var contact = new RevLoop.Crm.Contacts.Contact { FirstName = "Cleo", LastName = $"Champion {u}", AccountId = account.Id, OwnerId = f.Admin.Id };
            var deal = new Opportunity { Name = $"Platform deal {u}", AccountId = account.Id, PipelineId = pipeline.Id, StageId = pipeline.Stages[0].Id, OwnerId = f.Admin.Id, PrimaryContactId = contact.Id };
            db.AddRange(contact, deal, new OpportunityContactRole { OpportunityId = deal.Id, ContactId = contact.Id, Role = "champion" });
            return await db.SaveChangesAsync();
        });

        var page = await f.SignedInAsync(f.Admin);
        try
        {
            await page.GotoAsync("/settings");
            await page.GetByRole(AriaRole.Link, new() { Name = "CRM configuration" }).ClickAsync();
            await page.WaitForURLAsync(new Regex("/settings/crm$"));

            // Segment bands: a bad pair is refused next to its field, a good one re-derives the seeded account.
            await page.GetByLabel("Mid-market from (employees)").FillAsync("500");
            await page.GetByLabel("Enterprise from (employees)").FillAsync("400");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save bands" }).ClickAsync();
            await Expect(page.Locator(".field[data-field='enterpriseFromEmployees'] .field-error")).ToContainTextAsync("must be greater than midMarketFromEmployees (500)");
            await page.GetByLabel("Mid-market from (employees)").FillAsync("100");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save bands" }).ClickAsync();
            await Expect(page.GetByTestId("saved")).ToContainTextAsync("Segment bands saved: mid-market from 100, enterprise from 400 employees.");
            Assert.Equal("mid_market", await f.WithDbAsync(db => db.Accounts.Where(a => a.Id == account.Id).Select(a => a.Segment).SingleAsync()));

            // Stage rules: Qualify now also needs a next step.
            await page.GetByLabel($"Sales {u}: Qualify requires Next step").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = $"Save Sales {u} rules" }).ClickAsync();
            await Expect(page.GetByTestId("saved")).ToContainTextAsync($"Required fields of Sales {u} saved.");
            await Expect(page.GetByLabel($"Sales {u}: Qualify requires Next step")).ToBeCheckedAsync();
            Assert.Equal(["", "amount,closeDate,nextStep", "", ""], await f.WithDbAsync(db => db.Stages.Where(s => s.PipelineId == pipeline.Id)
                .OrderBy(s => s.SortOrder).Select(s => s.RequiredFields ?? "").ToListAsync()));

            // Custom fields: a bad key is named next to the field; a picklist is added.
            await page.GetByLabel("Key", new() { Exact = true }).FillAsync("Bad Key");
            await page.GetByLabel("Label", new() { Exact = true }).FillAsync("Tier");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add field" }).ClickAsync();
            await Expect(page.Locator(".field[data-field='key'] .field-error")).ToContainTextAsync("a lower-case letter");
            await page.GetByLabel("Key", new() { Exact = true }).FillAsync(key);
            await page.GetByLabel("Label", new() { Exact = true }).FillAsync($"Tier {u}");
            await page.GetByLabel("Type", new() { Exact = true }).SelectOptionAsync("picklist");
            await page.GetByLabel("Options (picklist)").FillAsync("Gold, Silver");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add field" }).ClickAsync();
            await Expect(page.GetByTestId("saved")).ToContainTextAsync($"Custom field {key} added to account.");
            await Expect(page.GetByTestId("custom-fields")).ToContainTextAsync("Gold, Silver");

            // The account form carries tags and the new field; the page shows them.
            await page.GotoAsync($"/accounts/{account.Id}/edit");
            await page.GetByLabel("Tags").FillAsync($"VIP, Strategic {u}");
            await page.GetByLabel($"Tier {u}").SelectOptionAsync("Gold");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
            await page.WaitForURLAsync(new Regex(@"\?saved=true"));
            await Expect(page.GetByTestId("account-tag")).ToHaveTextAsync([$"#strategic {u}", "#vip"]);
            await Expect(page.GetByTestId("custom-field").Filter(new() { HasText = $"Tier {u}" })).ToContainTextAsync("Gold");
            await Expect(page.Locator("#details")).ToContainTextAsync("Mid-market (from employees)");
            await Expect(page.GetByTestId("contact-roles")).ToContainTextAsync(new Regex($@"Cleo Champion {u} · champion\s*primary\s*Platform deal {u}"));
            var saved = await f.WithDbAsync(db => db.Accounts.AsNoTracking().SingleAsync(a => a.Id == account.Id));
            Assert.Equal(($"strategic {u},vip", $$"""{"{{key}}":"Gold"}""", "mid_market", (bool?)null), (saved.Tags, saved.CustomFields, saved.Segment, saved.SegmentExplicit));

            // Tags in use link to the filtered list; a field in use cannot be deleted.
            await page.GotoAsync("/settings/crm");
            await page.GetByTestId("tags").GetByRole(AriaRole.Link, new() { Name = $"#strategic {u}" }).ClickAsync();
            await page.WaitForURLAsync(new Regex(@"/accounts\?tag="));
            await page.GotoAsync("/settings/crm");
            await page.GetByRole(AriaRole.Button, new() { Name = $"Delete account field {key}" }).ClickAsync();
            await Expect(page.GetByTestId("general-error")).ToContainTextAsync($"1 account record(s) have a value for '{key}'");

            // Someone without the configure role sees it read-only.
            var rep = await f.SignedInAsync(f.Rep);
            await rep.GotoAsync("/settings/crm");
            await Expect(rep.GetByRole(AriaRole.Status)).ToContainTextAsync("You see it read-only");
            await Expect(rep.GetByRole(AriaRole.Button, new() { Name = "Add field" })).ToHaveCountAsync(0);
            await Expect(rep.GetByLabel($"Sales {u}: Qualify requires Next step")).ToBeDisabledAsync();
            await rep.Context.CloseAsync();
        }
        finally
        {
            // The collection's other tests expect the default bands.
            await f.WithDbAsync(async db =>
            {
                var s = await db.CompanySettings.SingleAsync();
                (s.MidMarketFromEmployees, s.EnterpriseFromEmployees) = (SegmentBands.Default.MidMarketFrom, SegmentBands.Default.EnterpriseFrom);
                return await db.SaveChangesAsync();
            });
            await page.Context.CloseAsync();
        }
    }
}
