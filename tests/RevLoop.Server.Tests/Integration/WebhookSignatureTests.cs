using System.Security.Cryptography;
using System.Text;
using RevLoop.Integration;
using RevLoop.Server.Integration.Webhooks;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Tests.Integration;

/// <summary>Pure functions of webhook delivery: the signature header, event filters, the retry schedule.</summary>
public class WebhookSignatureTests
{
    private const string Body = """{"id":"0190b5c2-0000-7000-8000-000000000001","type":"account.created","data":{}}""";

    [Fact]
    public void Signature_header_is_t_and_hex_hmac_sha256_of_t_dot_body()
    {
        // Expected value computed here without the server's code: HMAC-SHA256(secret, "1700000000." + body), lower-case hex.
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes("whsec_fixed_test_secret"));
        var expected = Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes("1700000000." + Body))).ToLowerInvariant();

        var header = WebhookSignature.HeaderValue(["whsec_fixed_test_secret"], 1700000000, Encoding.UTF8.GetBytes(Body));

        Assert.Equal($"t=1700000000,v1={expected}", header);
        Assert.Equal(64, expected.Length);
    }

    [Fact]
    public void Signature_has_one_v1_per_active_secret_current_first()
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var header = WebhookSignature.HeaderValue(["new_secret_0123456789", "old_secret_0123456789"], 1700000123, body);
        Assert.Equal($"t=1700000123,v1={SignatureCheck.Hmac("new_secret_0123456789", "1700000123." + Body)},v1={SignatureCheck.Hmac("old_secret_0123456789", "1700000123." + Body)}", header);

        var now = DateTimeOffset.FromUnixTimeSeconds(1700000000);
        var rotating = new WebhookSubscription { Secret = "new", PreviousSecret = "old", PreviousSecretExpiresAt = now.AddHours(1) };
        Assert.Equal(["new", "old"], WebhookSignature.ActiveSecrets(rotating, now));
        Assert.Equal(["new"], WebhookSignature.ActiveSecrets(rotating, now.AddHours(2)));
    }

    [Fact]
    public void Receiver_verification_accepts_valid_and_rejects_tampered_stale_or_foreign_signatures()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1700000000);
        var header = WebhookSignature.HeaderValue(["whsec_a_secret_value", "whsec_previous_value"], now.ToUnixTimeSeconds(), Encoding.UTF8.GetBytes(Body));

        Assert.True(SignatureCheck.Verify(header, Body, "whsec_a_secret_value", now));
        Assert.True(SignatureCheck.Verify(header, Body, "whsec_previous_value", now.AddSeconds(299)));
        Assert.False(SignatureCheck.Verify(header, Body.Replace("created", "deleted"), "whsec_a_secret_value", now));
        Assert.False(SignatureCheck.Verify(header, Body, "whsec_someone_else", now));
        Assert.False(SignatureCheck.Verify(header, Body, "whsec_a_secret_value", now.AddSeconds(301)));
        Assert.False(SignatureCheck.Verify(header, Body, "whsec_a_secret_value", now.AddSeconds(-301)));
    }

    [Fact]
    public void Generated_secrets_are_random_and_prefixed()
    {
        var a = WebhookSignature.NewSecret();
        var b = WebhookSignature.NewSecret();
        Assert.StartsWith("whsec_", a);
        Assert.NotEqual(a, b);
        Assert.True(a.Length >= 40);
    }

    [Theory]
    [InlineData("*", "account.created", true)]
    [InlineData("account.*", "account.created", true)]
    [InlineData("account.*", "account_team.created", false)]
    [InlineData("account.*", "contact.created", false)]
    [InlineData("account.created", "account.created", true)]
    [InlineData("account.created", "account.updated", false)]
    [InlineData("contact.*, account.deleted", "account.deleted", true)]
    [InlineData("*.deleted", "account.deleted", true)]
    [InlineData("*.deleted", "account.restored", false)]
    public void Event_filter_matches_types_with_wildcards(string filter, string type, bool matches) =>
        Assert.Equal(matches, EventFilter.Matches(EventFilter.Normalise(filter), type));

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("account..created")]
    [InlineData("account.created,")]
    [InlineData("account created")]
    [InlineData("account.cre*ted")]
    [InlineData("account/created")]
    public void Bad_event_filters_are_refused_naming_the_field(string filter)
    {
        var e = Assert.Throws<InputException>(() => EventFilter.Normalise(filter));
        Assert.Equal("eventFilter", e.Field);
    }

    [Fact]
    public void Event_filter_is_normalised()
    {
        Assert.Equal("account.*,contact.created", EventFilter.Normalise(" Account.* , contact.created,account.*"));
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 40)]
    [InlineData(6, 320)]
    public void Backoff_doubles_from_10_s_with_20_percent_jitter(int failures, double seconds)
    {
        var low = WebhookRetry.Backoff(failures, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), 0.0);
        var high = WebhookRetry.Backoff(failures, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), 0.999999);
        var mid = WebhookRetry.Backoff(failures, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), 0.5);
        Assert.Equal(seconds * 0.8, low.TotalSeconds, 3);
        Assert.Equal(seconds * 1.2, high.TotalSeconds, 3);
        Assert.Equal(seconds, mid.TotalSeconds, 3);
    }

    [Fact]
    public void Backoff_is_capped_at_one_hour_per_step()
    {
        Assert.Equal(TimeSpan.FromHours(1), WebhookRetry.Backoff(12, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), 0.5));
        Assert.Equal(TimeSpan.FromHours(1), WebhookRetry.Backoff(500, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), 0.0));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(302, true)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    [InlineData(410, false)]
    public void Only_408_and_429_of_the_4xx_answers_are_retried(int? status, bool retried) => Assert.Equal(retried, WebhookRetry.IsRetryable(status));

    [Fact]
    public void Retry_after_is_read_as_seconds_or_http_date()
    {
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(7), WebhookRetry.RetryAfter("7", now));
        Assert.Equal(TimeSpan.FromSeconds(90), WebhookRetry.RetryAfter("Mon, 23 Nov 2026 12:01:30 GMT", now));
        Assert.Equal(TimeSpan.Zero, WebhookRetry.RetryAfter("Mon, 23 Nov 2026 11:00:00 GMT", now));
        Assert.Null(WebhookRetry.RetryAfter("soon", now));
        Assert.Null(WebhookRetry.RetryAfter(null, now));
    }
}
