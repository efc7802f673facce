using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Marketing;

public class ConsentTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task One_check_decides_each_channel_from_consent_and_the_suppression_list_and_logs_every_block(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var account = await api.CreateAccountIdAsync("""{"name":"Acme"}""");
        async Task<Guid> ContactAsync(object body) => (await (await api.PostAsJsonAsync("/api/v1/contacts", body)).ReadJsonAsync()).GetProperty("contact").GetProperty("id").GetGuid();
        var ann = await ContactAsync(new { firstName = "Ann", lastName = "Able", email = "Ann@Acme.com", smsConsent = "opted_in", accountId = account });
        var ben = await ContactAsync(new { firstName = "Ben", lastName = "Best", email = "ben@acme.com", emailConsent = "opted_out", phoneConsent = "opted_in", accountId = account });
        var cy = (await (await api.PostAsJsonAsync("/api/v1/leads", new { firstName = "Cy", lastName = "Cole", email = "cy@spam.example", emailConsent = "opted_in" })).ReadJsonAsync()).GetProperty("id").GetGuid();

        async Task<string> Check(object body)
        {
            using var r = await api.PostAsJsonAsync("/api/v1/consent/check", body);
            var j = await r.ReadJsonAsync();
            Assert.True(r.StatusCode == HttpStatusCode.OK, j.ToString());
            return j.GetProperty("allowed").GetBoolean() ? "allowed" : "blocked: " + j.GetProperty("reason").GetString();
        }

        Assert.Equal("allowed", await Check(new { contactId = ann, channel = "email" }));
        var domain = await (await api.PostAsJsonAsync("/api/v1/suppressions", new { domain = " Spam.Example ", reason = "spam trap" })).ReadJsonAsync();
        Assert.Equal("spam.example", domain.GetProperty("value").GetString());
        var email = await (await api.PostAsJsonAsync("/api/v1/suppressions", new { email = "ANN@acme.com" })).ReadJsonAsync();
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/suppressions", new { email = "ann@acme.com" }), HttpStatusCode.BadRequest, "email");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/suppressions", new { email = "x@y.com", domain = "y.com" }), HttpStatusCode.BadRequest, "domain");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/suppressions", new { reason = "nothing" }), HttpStatusCode.BadRequest, "email");
        Assert.Equal(["domain spam.example", "email ann@acme.com"], (await api.GetJsonAsync("/api/v1/suppressions")).GetProperty("items").EnumerateArray()
            .Select(s => $"{s.Str("kind")} {s.Str("value")}"));

        // Email: not opted out and not suppressed (the address or its domain). Phone and SMS: opted in only.
        Assert.Equal("blocked: email ann@acme.com is on the suppression list", await Check(new { contactId = ann, channel = "email" }));
        Assert.Equal("blocked: has not opted in to calls", await Check(new { contactId = ann, channel = "phone" }));
        Assert.Equal("allowed", await Check(new { contactId = ann, channel = "sms" }));
        Assert.Equal("blocked: opted out of email", await Check(new { contactId = ben, channel = "email" }));
        Assert.Equal("allowed", await Check(new { contactId = ben, channel = "phone" }));
        Assert.Equal("blocked: has not opted in to SMS", await Check(new { contactId = ben, channel = "sms", action = "sequence_step" }));
        Assert.Equal("blocked: domain spam.example is on the suppression list", await Check(new { leadId = cy, channel = "email" }));
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/consent/check", new { contactId = ann, channel = "fax" }), HttpStatusCode.BadRequest, "channel");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/consent/check", new { contactId = Guid.NewGuid(), channel = "email" }), HttpStatusCode.BadRequest, "contactId");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/consent/check", new { channel = "email" }), HttpStatusCode.BadRequest, "contactId");

        // Every "no" is in the log, newest first, with the action it stopped.
        static List<string> Log(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(b => $"{b.Str("channel")} {b.Str("action")}: {b.Str("reason")}").ToList();
        Assert.Equal(["phone call_task: has not opted in to calls", "email send_email: email ann@acme.com is on the suppression list"], Log(await api.GetJsonAsync($"/api/v1/consent/blocks?contactId={ann}")));
        Assert.Equal(["sms sequence_step: has not opted in to SMS", "email send_email: opted out of email"], Log(await api.GetJsonAsync($"/api/v1/consent/blocks?contactId={ben}")));
        Assert.Equal(["email send_email: domain spam.example is on the suppression list"], Log(await api.GetJsonAsync($"/api/v1/consent/blocks?leadId={cy}")));

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/suppressions/{email.GetProperty("id").GetInt64()}")).StatusCode);
        Assert.Equal("allowed", await Check(new { contactId = ann, channel = "email" }));
    }
}
