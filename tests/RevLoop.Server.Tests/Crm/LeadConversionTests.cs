using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RevLoop.Crm;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Crm;

public class LeadConversionTests
{
    [Theory]
    [InlineData("ACME, Inc.", "acme")]
    [InlineData("Acme Incorporated", "acme")]
    [InlineData("acme gmbh", "acme")]
    [InlineData("Müller & Söhne GmbH & Co. KG", "muller and sohne")]
    [InlineData("Orlen S.A.", "orlen")]
    [InlineData("Comarch Sp. z o.o.", "comarch")]
    [InlineData("阿里巴巴有限公司", "阿里巴巴")]
    [InlineData("Petronas Sdn. Bhd.", "petronas")]
    [InlineData("Inc", "inc")]
    public void Company_names_normalise_to_one_directory_key(string name, string key) => Assert.Equal(key, CompanyNames.Normalise(name));

    [Theory]
    [InlineData("jane@gmail.com", null)]
    [InlineData("jane@Example.COM", "example.com")]
    public void Free_mail_says_nothing_about_the_company(string email, string? domain) => Assert.Equal(domain, CompanyNames.DomainOfEmail(email));

    private static async Task<JsonElement> Ok(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK)
    {
        Assert.True(r.StatusCode == expected, $"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        return await r.ReadJsonAsync();
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Conversion_matches_accounts_by_domain_then_name_else_creates_one(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        await Ok(await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "Sales", stages = new[] { new { name = "New", probability = 10, type = "open" }, new { name = "Won", probability = 100, type = "won" }, new { name = "Lost", probability = 0, type = "lost" } },
        }), HttpStatusCode.Created);
        var acme = await Ok(await api.PostAsJsonAsync("/api/v1/accounts", new { name = "ACME, Inc.", domain = "acme.com" }), HttpStatusCode.Created);
        var globex = await Ok(await api.PostAsJsonAsync("/api/v1/accounts", new { name = "Globex GmbH" }), HttpStatusCode.Created);

        async Task<JsonElement> Lead(object body) => await Ok(await api.PostAsJsonAsync("/api/v1/leads", body), HttpStatusCode.Created);
        var byDomain = await Lead(new { firstName = "Ann", lastName = "Lee", email = "ann@acme.com", company = "Acme Corporation", emailConsent = "opted_in" });
        var byName = await Lead(new { firstName = "Bo", lastName = "Chen", email = "bo@gmail.com", company = "GLOBEX", phone = "+49 (30) 123-4567" });
        var fresh = await Lead(new { firstName = "Cy", lastName = "Diaz", email = "cy@initech.io", company = "Initech LLC", employees = 450, country = "us" });

        var c1 = await Ok(await api.PostAsJsonAsync($"/api/v1/leads/{byDomain.GetProperty("id")}/convert", new { }));
        Assert.Equal((acme.GetProperty("id").GetString(), false, "domain"), (c1.GetProperty("accountId").GetString(), c1.GetProperty("accountCreated").GetBoolean(), c1.GetProperty("matchedBy").GetString()));
        var c2 = await Ok(await api.PostAsJsonAsync($"/api/v1/leads/{byName.GetProperty("id")}/convert", new { }));
        Assert.Equal((globex.GetProperty("id").GetString(), "name"), (c2.GetProperty("accountId").GetString(), c2.GetProperty("matchedBy").GetString()));
        var c3 = await Ok(await api.PostAsJsonAsync($"/api/v1/leads/{fresh.GetProperty("id")}/convert", new { opportunity = new { amount = 5000m } }));
        Assert.True(c3.GetProperty("accountCreated").GetBoolean());

        var newAccount = await Ok(await api.GetAsync($"/api/v1/accounts/{c3.GetProperty("accountId")}"));
        Assert.Equal(("Initech LLC", "initech.io", "mid_market", "US"), (newAccount.GetProperty("name").GetString(), newAccount.GetProperty("domain").GetString(),
            newAccount.GetProperty("segment").GetString(), newAccount.GetProperty("country").GetString()));
        var contact = await Ok(await api.GetAsync($"/api/v1/contacts/{c2.GetProperty("contactId")}"));
        Assert.Equal(("+49301234567", "bo@gmail.com"), (contact.GetProperty("phone").GetString(), contact.GetProperty("email").GetString()));
        var consent = await Ok(await api.GetAsync($"/api/v1/contacts/{c1.GetProperty("contactId")}"));
        Assert.Equal("opted_in", consent.GetProperty("emailConsent").GetString());
        var opportunity = await Ok(await api.GetAsync($"/api/v1/opportunities/{c3.GetProperty("opportunityId")}"));
        Assert.Equal(("Initech LLC - new business", 5000m, c3.GetProperty("contactId").GetString()),
            (opportunity.GetProperty("name").GetString(), opportunity.GetProperty("amount").GetDecimal(), opportunity.GetProperty("primaryContactId").GetString()));

        var lead = await Ok(await api.GetAsync($"/api/v1/leads/{fresh.GetProperty("id")}"));
        Assert.Equal(("converted", c3.GetProperty("opportunityId").GetString()), (lead.GetProperty("status").GetString(), lead.GetProperty("convertedOpportunityId").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsJsonAsync($"/api/v1/leads/{fresh.GetProperty("id")}/convert", new { })).StatusCode);

        var badPhone = await api.PostAsJsonAsync("/api/v1/leads", new { firstName = "X", phone = "030 1234" });
        Assert.Equal(HttpStatusCode.BadRequest, badPhone.StatusCode);
        Assert.Contains("\"phone\"", await badPhone.Content.ReadAsStringAsync());
        var dup = await Ok(await api.PostAsJsonAsync("/api/v1/contacts", new { lastName = "Lee", email = "ANN@acme.com" }), HttpStatusCode.Created);
        Assert.Equal([c1.GetProperty("contactId").GetString()], dup.GetProperty("possibleDuplicates").EnumerateArray().Select(x => x.GetString()));
    }
}
