using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Marketing;

public class UnsubscribeTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task The_signed_link_opts_the_person_out_of_email_once_with_its_source_in_the_history(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var account = await api.CreateAccountIdAsync("""{"name":"Acme"}""");
        var ann = (await (await api.PostAsJsonAsync("/api/v1/contacts", new { firstName = "Ann", lastName = "Able", email = "ann@acme.com", accountId = account })).ReadJsonAsync())
            .GetProperty("contact").GetProperty("id").GetGuid();
        var cy = (await (await api.PostAsJsonAsync("/api/v1/leads", new { firstName = "Cy", lastName = "Cole", email = "cy@cole.example", emailConsent = "opted_in" })).ReadJsonAsync())
            .GetProperty("id").GetGuid();

        var link = await (await api.PostAsJsonAsync("/api/v1/consent/unsubscribe-links", new { contactId = ann })).ReadJsonAsync();
        var path = link.GetProperty("path").GetString()!;
        Assert.Matches("^/unsubscribe/[A-Za-z0-9_-]{44}$", path);
        Assert.Equal(new Uri(server.BaseAddress, path).ToString(), link.GetProperty("url").GetString());
        // The same person always gets the same link; another person another one.
        Assert.Equal(path, (await (await api.PostAsJsonAsync("/api/v1/consent/unsubscribe-links", new { contactId = ann })).ReadJsonAsync()).GetProperty("path").GetString());
        var leadPath = (await (await api.PostAsJsonAsync("/api/v1/consent/unsubscribe-links", new { leadId = cy })).ReadJsonAsync()).GetProperty("path").GetString()!;
        Assert.NotEqual(path, leadPath);
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/consent/unsubscribe-links", new { contactId = Guid.NewGuid() }), HttpStatusCode.BadRequest, "contactId");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/consent/unsubscribe-links", new { }), HttpStatusCode.BadRequest, "contactId");

        // Nobody signed in: the link is the permission. GET only asks; it changes nothing (mail scanners follow links).
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        var page = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("a***@acme.com will get no more marketing email", await page.Content.ReadAsStringAsync());
        Assert.Equal("unknown", (await api.GetJsonAsync($"/api/v1/contacts/{ann}")).GetProperty("emailConsent").GetString());

        // POST (the button, or a mail client's RFC 8058 one-click) opts out; a second time changes nothing more.
        var done = await anonymous.PostAsync(path, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("You are unsubscribed", await done.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync(path, null)).StatusCode);
        Assert.Equal("opted_out", (await api.GetJsonAsync($"/api/v1/contacts/{ann}")).GetProperty("emailConsent").GetString());
        var history = (await api.GetJsonAsync($"/api/v1/contacts/{ann}/history")).GetProperty("items").EnumerateArray()
            .Where(c => c.GetProperty("field").GetString() == "EmailConsent").Select(c => $"{c.GetProperty("oldValue").GetString()}>{c.GetProperty("newValue").GetString()} {c.GetProperty("source").GetString()} {c.GetProperty("changedBy").GetString()}").ToList();
        // Created with "unknown" through the API, then opted out by the link: with its source and the person as the actor.
        Assert.Equal([">unknown api", $"unknown>opted_out unsubscribe contact:{ann}"], [history[0][..">unknown api".Length], history[1]]);
        var check = await (await api.PostAsJsonAsync("/api/v1/consent/check", new { contactId = ann, channel = "email" })).ReadJsonAsync();
        Assert.Equal((false, "opted out of email"), (check.GetProperty("allowed").GetBoolean(), check.GetProperty("reason").GetString()));

        // Leads too; a link changed by one character, or cut short, does nothing.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync(leadPath, null)).StatusCode);
        Assert.Equal("opted_out", (await api.GetJsonAsync($"/api/v1/leads/{cy}")).GetProperty("emailConsent").GetString());
        var forged = path[..^1] + (path[^1] == 'A' ? 'B' : 'A');
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsync(forged, null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(path[..^4])).StatusCode);
        Assert.Contains("This link does not work", await (await anonymous.GetAsync(forged)).Content.ReadAsStringAsync());
    }
}
