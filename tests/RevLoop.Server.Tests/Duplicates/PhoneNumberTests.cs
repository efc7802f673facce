using RevLoop.Crm;

namespace RevLoop.Server.Tests.Duplicates;

public class PhoneNumberTests
{
    [Theory]
    [InlineData("+49 (30) 123-4567", null, "+49301234567")]
    [InlineData("0049 30 1234567", null, "+49301234567")]
    [InlineData("030 1234567", "49", "+49301234567")]
    [InlineData("030/123 45 67", "49", "+49301234567")]
    [InlineData("+44 (0)20 7946 0958", null, "+442079460958")]
    [InlineData("020 7946 0958", "44", "+442079460958")]
    [InlineData("(415) 555-2671", "1", "+14155552671")]
    [InlineData("1-415-555-2671", "1", "+14155552671")]
    [InlineData("415.555.2671", "1", "+14155552671")]
    [InlineData("06 12 34 56 78", "33", "+33612345678")]
    [InlineData("06 1234 5678", "39", "+390612345678")]
    [InlineData("8 (495) 123-45-67", "7", "+74951234567")]
    [InlineData("+7 495 123 45 67", "49", "+74951234567")]
    [InlineData("  +86 10 1234 5678 ", null, "+861012345678")]
    public void Numbers_become_E164(string text, string? callingCode, string expected)
    {
        var r = PhoneNumbers.ToE164(text, callingCode);
        Assert.Equal((expected, null), (r.Number, r.Error));
    }

    [Theory]
    [InlineData("030 1234567", null, "'030 1234567' needs its country code, e.g. +49 30 1234567 (or set a default calling code in settings)")]
    [InlineData("+49 30 CALL-NOW", null, "'+49 30 CALL-NOW' has characters a phone number cannot have")]
    [InlineData("+49 30 1234567 ext. 12", null, "'+49 30 1234567 ext. 12' has characters a phone number cannot have")]
    [InlineData("+49 30 12+34567", null, "'+49 30 12+34567' has a '+' that is not at the start")]
    [InlineData("+049 30 1234567", null, "'+049 30 1234567' has no country code after the international prefix")]
    [InlineData("+49 1234", null, "'+49 1234' is not an E.164 number (+ and 8 to 15 digits)")]
    [InlineData("+49 30 1234 5678 9012 34", null, "'+49 30 1234 5678 9012 34' is not an E.164 number (+ and 8 to 15 digits)")]
    [InlineData("+1 415 555 267", null, "'+1 415 555 267' is not a North American number (+1 and ten digits)")]
    [InlineData("(015) 555-2671", "1", "'(015) 555-2671' is not a North American number (+1 and ten digits)")]
    [InlineData("-", "49", "'-' is not an E.164 number (+ and 8 to 15 digits)")]
    public void What_cannot_be_a_number_is_refused_with_the_reason(string text, string? callingCode, string error)
    {
        var r = PhoneNumbers.ToE164(text, callingCode);
        Assert.Equal((null, error), (r.Number, r.Error));
    }

    [Theory]
    [InlineData("+49", "49")]
    [InlineData(" 1 ", "1")]
    [InlineData("", null)]
    public void Calling_codes_are_stored_as_digits(string text, string? expected) => Assert.Equal(expected, PhoneNumbers.CallingCode(text));

    [Theory]
    [InlineData("+049")]
    [InlineData("+1234")]
    [InlineData("DE")]
    public void Bad_calling_codes_are_refused(string text) => Assert.Throws<FormatException>(() => PhoneNumbers.CallingCode(text));
}

public class DomainTests
{
    [Theory]
    [InlineData("acme.com", "acme.com")]
    [InlineData("  HTTPS://WWW.Acme.com/about/team ", "acme.com")]
    [InlineData("http://acme.com:8080/", "acme.com")]
    [InlineData("www.acme.com?utm_source=x", "acme.com")]
    [InlineData("acme.com.", "acme.com")]
    [InlineData("shop.acme.co.uk#top", "shop.acme.co.uk")]
    public void Domains_lose_scheme_www_path_query_and_port(string text, string expected) =>
        Assert.Equal(expected, RevLoop.Server.Crm.Accounts.AccountRules.NormaliseDomain(text));
}
