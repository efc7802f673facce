using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Crm.Opportunities;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class CrmPagesTests(UiFixture f)
{
    private static string U() => Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task Contacts_list_filters_by_account_and_owner_and_the_url_keeps_the_view()
    {
        var u = U();
        var account = (await f.AddAsync(f.Admin, new Account { Name = $"Contactco {u}", Domain = $"contactco-{u}.com" }))[0];
        await f.AddAsync(f.Admin,
            new Contact { AccountId = account.Id, FirstName = "Ann", LastName = $"Abbot{u}", Email = $"ann@contactco-{u}.com", NormalizedEmail = $"ann@contactco-{u}.com", OwnerId = f.Rep.Id },
            new Contact { AccountId = account.Id, FirstName = "Bea", LastName = $"Baker{u}", OwnerId = f.Rep.Id },
            new Contact { AccountId = account.Id, FirstName = "Cid", LastName = $"Carter{u}", OwnerId = f.Manager.Id },
            new Contact { FirstName = "Dan", LastName = $"Doe{u}", OwnerId = f.Rep.Id });
        var page = await f.SignedInAsync(f.Admin);

        // The account page lists its contacts; the count opens them in the list.
        await page.GotoAsync($"/accounts/{account.Id}");
        await Expect(page.GetByTestId("account-contacts").Locator(".link-list li")).ToHaveTextAsync([new Regex($"^Ann Abbot{u}"), new Regex($"^Bea Baker{u}"), new Regex($"^Cid Carter{u}")]);
        await page.GetByTestId("account-contacts").Locator(".count-link").ClickAsync();
        await page.WaitForURLAsync(new Regex($"/contacts\\?account={account.Id}$"));
        await Expect(page.GetByTestId("match-count")).ToHaveTextAsync("3 contacts");
        await Expect(page.Locator(".chip")).ToContainTextAsync($"Contactco {u}");

        await page.Locator(".filter-menu summary").ClickAsync();
        await page.GetByLabel("Owner").SelectOptionAsync(new SelectOptionValue { Label = "Ravi Patel" });
        await Expect(page.GetByTestId("match-count")).ToHaveTextAsync("2 contacts");
        await Expect(page.Locator("table.grid tbody td.name")).ToHaveTextAsync([$"Ann Abbot{u}", $"Bea Baker{u}"]);
        await Expect(page).ToHaveURLAsync(new Regex($"account={account.Id}&owner={f.Rep.Id}"));

        // The address alone reproduces the view, sorted the other way.
        await page.GotoAsync($"/contacts?account={account.Id}&owner={f.Rep.Id}&sort=-name");
        await Expect(page.Locator("table.grid tbody td.name")).ToHaveTextAsync([$"Bea Baker{u}", $"Ann Abbot{u}"]);
        // Search in the list by email prefix.
        await page.GotoAsync($"/contacts?q=ann@contactco-{u}");
        await Expect(page.Locator("table.grid tbody td.name")).ToHaveTextAsync([$"Ann Abbot{u}"]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Contact_form_shows_errors_next_to_the_field_and_the_record_page_shows_the_change_in_its_history()
    {
        var u = U();
        var account = (await f.AddAsync(f.Admin, new Account { Name = $"Formco {u}" }))[0];
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/contacts/new?account={account.Id}");
        await Expect(page.GetByLabel("Account", new() { Exact = true })).ToHaveValueAsync($"Formco {u}");
        await page.GetByLabel("First name").FillAsync("Grace");
        await page.GetByLabel("Last name").FillAsync($"Hopper{u}");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync("grace-at-example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create contact" }).ClickAsync();
        await Expect(page.Locator(".field[data-field='email'] .field-error")).ToHaveTextAsync("'grace-at-example' is not an email address.");
        await Expect(page.GetByLabel("Email", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Last name")).ToHaveValueAsync($"Hopper{u}");
        Assert.Equal(0, await f.WithDbAsync(db => db.Contacts.CountAsync(c => c.LastName == $"Hopper{u}")));

        await page.GetByLabel("Email", new() { Exact = true }).FillAsync($"grace@formco-{u}.com");
        await page.GetByLabel("Phone", new() { Exact = true }).FillAsync("+49 30 1234567");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create contact" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/contacts/[0-9a-f-]{36}\?created=true$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Grace Hopper{u}");
        var saved = await f.WithDbAsync(db => db.Contacts.SingleAsync(c => c.LastName == $"Hopper{u}"));
        Assert.Equal((account.Id, "+49301234567", $"grace@formco-{u}.com", f.Admin.Id), (saved.AccountId, saved.Phone, saved.NormalizedEmail, saved.OwnerId));

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
        await page.GetByLabel("Title", new() { Exact = true }).FillAsync("Rear Admiral");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"\?saved=true$"));
        var history = page.Locator("#timeline .tl-item");
        await Expect(history).ToHaveCountAsync(2);
        await Expect(history.First).ToContainTextAsync("Ada Lovelace changed 1 field");
        await Expect(history.First).ToContainTextAsync("Title");
        await Expect(history.First.Locator(".tl-new")).ToHaveTextAsync("Rear Admiral");
        await Expect(history.First).ToContainTextAsync("via web");
        await Expect(history.Nth(1)).ToContainTextAsync("created the contact");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Lead_list_filters_by_status_and_source_and_convert_shows_and_uses_the_account_matched_by_domain()
    {
        var u = U();
        var account = (await f.AddAsync(f.Admin, new Account { Name = $"Matchco {u}", Domain = $"matchco-{u}.io" }))[0];
        await f.AddAsync(f.Admin,
            new Lead { FirstName = "Lin", LastName = $"Lead{u}", Company = $"Matchco {u} Ltd", Domain = $"matchco-{u}.io", Status = LeadStatus.Sql, Source = "event", Region = $"R{u}", OwnerId = f.Rep.Id },
            new Lead { FirstName = "Max", LastName = $"Lead{u}", Company = "Other", Status = LeadStatus.Sql, Source = "inbound", Region = $"R{u}" },
            new Lead { FirstName = "Noa", LastName = $"Lead{u}", Company = "Third", Status = LeadStatus.New, Source = "event", Region = $"R{u}" });
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/leads?region=R{u}");
        await Expect(page.GetByTestId("match-count")).ToHaveTextAsync("3 leads");
        await page.Locator(".filter-menu summary").ClickAsync();
        await page.GetByLabel("Status").SelectOptionAsync("sql");
        await Expect(page.GetByTestId("match-count")).ToHaveTextAsync("2 leads");
        await page.GetByLabel("Source").SelectOptionAsync("event");
        await Expect(page.GetByTestId("match-count")).ToHaveTextAsync("1 lead");
        await Expect(page).ToHaveURLAsync(new Regex($"/leads\\?region=R{u}&source=event&status=sql$"));
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("table.grid tbody td.name a").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Lin Lead{u}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Convert" }).ClickAsync();
        await Expect(page.GetByTestId("match")).ToHaveTextAsync($"the existing account Matchco {u} (matched by domain)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Convert lead" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"\?matched=domain$"));
        var converted = page.GetByTestId("converted");
        await Expect(converted).ToContainTextAsync("Converted into an existing account, matched by domain:");
        await Expect(converted.GetByRole(AriaRole.Link, new() { Name = $"Matchco {u}" })).ToHaveAttributeAsync("href", $"/accounts/{account.Id}");
        var lead = await f.WithDbAsync(db => db.Leads.SingleAsync(l => l.FirstName == "Lin" && l.LastName == $"Lead{u}"));
        Assert.Equal((LeadStatus.Converted, account.Id), (lead.Status, lead.ConvertedAccountId));
        var contact = await f.WithDbAsync(db => db.Contacts.SingleAsync(c => c.Id == lead.ConvertedContactId));
        Assert.Equal((account.Id, "Lin"), (contact.AccountId, contact.FirstName));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Opportunity_form_validates_by_stage_and_the_list_filters_by_stage_and_close_period()
    {
        var u = U();
        var p = await f.PipelineAsync($"Form pipeline {u}", ("Start", "open"), ("Proposal", "open"), ("Won", "won"), ("Lost", "lost"));
        var account = (await f.AddAsync(f.Admin, new Account { Name = $"Dealco {u}" }))[0];
        await f.AddAsync(f.Admin,
            new Opportunity { Name = $"A deal {u}", AccountId = account.Id, PipelineId = p.Id, StageId = p.Stage("Proposal").Id, AmountMinor = 100_000, CloseDate = new DateOnly(2027, 1, 10), OwnerId = f.Rep.Id },
            new Opportunity { Name = $"B deal {u}", AccountId = account.Id, PipelineId = p.Id, StageId = p.Stage("Proposal").Id, AmountMinor = 200_000, CloseDate = new DateOnly(2027, 3, 10), OwnerId = f.Rep.Id },
            new Opportunity { Name = $"C deal {u}", AccountId = account.Id, PipelineId = p.Id, StageId = p.Stage("Start").Id, OwnerId = f.Rep.Id });

        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/opportunities?pipeline={p.Id}&stage={p.Stage("Proposal").Id}&closeFrom=2027-01-01&closeTo=2027-01-31");
        await Expect(page.GetByTestId("match-count")).ToHaveTextAsync("1 opportunity");
        await Expect(page.Locator("table.grid tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("table.grid tbody tr").First).ToContainTextAsync("1,000.00 USD");
        await page.GotoAsync($"/opportunities?account={account.Id}");
        await Expect(page.Locator("table.grid tbody td.name")).ToHaveTextAsync([$"A deal {u}", $"B deal {u}", $"C deal {u}"]);

        await page.GotoAsync($"/opportunities/new?account={account.Id}");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync($"D deal {u}");
        await page.GetByLabel("Stage").SelectOptionAsync(p.Stage("Proposal").Id.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Create opportunity" }).ClickAsync();
        await Expect(page.Locator(".field[data-field='amount'] .field-error")).ToHaveTextAsync("Amount is required from stage 'Proposal' on.");
        await page.GetByLabel("Amount").FillAsync("7,500.25");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create opportunity" }).ClickAsync();
        await Expect(page.Locator(".field[data-field='closeDate'] .field-error")).ToHaveTextAsync("Close date is required from stage 'Proposal' on.");
        await Expect(page.GetByLabel("Amount")).ToHaveValueAsync("7,500.25");
        await page.GetByLabel("Close date").FillAsync("2027-02-15");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create opportunity" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/opportunities/[0-9a-f-]{36}\?created=true$"));
        await Expect(page.GetByTestId("stage")).ToHaveTextAsync("Proposal");
        await Expect(page.GetByTestId("amount")).ToHaveTextAsync("7,500.25 USD");

        // The account page shows its deals too.
        await page.GotoAsync($"/accounts/{account.Id}");
        await Expect(page.GetByTestId("account-opportunities").Locator(".count-link")).ToHaveTextAsync("4");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Global_search_finds_a_contact_by_email_and_groups_the_four_kinds()
    {
        var u = U();
        var account = (await f.AddAsync(f.Admin, new Account { Name = $"Searchy {u}", Domain = $"searchy-{u}.com" }))[0];
        await f.AddAsync(f.Admin, new Contact { AccountId = account.Id, FirstName = "Sam", LastName = $"Seeker{u}", Email = $"Sam.Seeker@searchy-{u}.com", NormalizedEmail = $"sam.seeker@searchy-{u}.com" });
        await f.AddAsync(f.Admin, new Lead { FirstName = "Lou", LastName = $"Looker{u}", Email = $"lou@searchy-{u}.com", NormalizedEmail = $"lou@searchy-{u}.com", Domain = $"searchy-{u}.com" });
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/");
        await page.Keyboard.PressAsync("/");
        await page.Keyboard.TypeAsync($"sam.seeker@searchy-{u}");
        var results = page.Locator("#global-search-results");
        await Expect(results.Locator(".search-group")).ToHaveTextAsync(["Contacts"]);
        await Expect(results.Locator(".search-hit")).ToHaveCountAsync(1);
        await Expect(results.Locator(".search-hit")).ToContainTextAsync($"Sam Seeker{u}");
        await results.Locator(".search-hit").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Sam Seeker{u}");

        // A domain finds the account and the lead from that company.
        await page.GetByLabel("Search accounts, contacts, leads and opportunities").FillAsync($"searchy-{u}");
        await Expect(results.Locator(".search-group")).ToHaveTextAsync(["Accounts", "Leads"]);
        await Expect(results.Locator(".search-hit")).ToHaveTextAsync([new Regex($"Searchy {u}"), new Regex($"Lou Looker{u}")]);
        await page.Context.CloseAsync();
    }
}
