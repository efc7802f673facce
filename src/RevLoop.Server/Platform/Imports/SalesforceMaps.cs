namespace RevLoop.Server.Platform.Imports;

/// <summary>
/// Built-in maps for Salesforce exports (Data Export / Data Loader: Account.csv, Contact.csv, Lead.csv, Opportunity.csv
/// with their standard field names). Salesforce ids become external ids, so references between the files (AccountId)
/// resolve and a second import of the same files matches instead of duplicating. Fields RevLoop has no place for are
/// ignored. A file is taken for a Salesforce export when its header has the object's Id and standard name fields.
/// </summary>
public static class SalesforceMaps
{
    private static readonly Dictionary<string, ColumnMap> Maps = new()
    {
        ["accounts"] = Map("accounts", new()
        {
            ["Id"] = "external_id", ["Name"] = "name", ["Website"] = "domain", ["Industry"] = "industry", ["NumberOfEmployees"] = "employees",
            ["BillingCountryCode"] = "country", ["BillingCountry"] = "country", ["ParentId"] = "parent_account_external_id",
        }, new() { ["country"] = Country }),
        ["contacts"] = Map("contacts", new()
        {
            ["Id"] = "external_id", ["AccountId"] = "account_external_id", ["FirstName"] = "first_name", ["LastName"] = "last_name", ["Title"] = "title",
            ["Email"] = "email", ["Phone"] = "phone", ["HasOptedOutOfEmail"] = "email_consent", ["DoNotCall"] = "phone_consent",
        }, new() { ["email_consent"] = OptOut, ["phone_consent"] = OptOut }),
        ["leads"] = Map("leads", new()
        {
            ["Id"] = "external_id", ["FirstName"] = "first_name", ["LastName"] = "last_name", ["Title"] = "title", ["Email"] = "email", ["Phone"] = "phone",
            ["Company"] = "company", ["Website"] = "domain", ["NumberOfEmployees"] = "employees", ["Industry"] = "industry", ["CountryCode"] = "country",
            ["Country"] = "country", ["Status"] = "status", ["LeadSource"] = "source", ["HasOptedOutOfEmail"] = "email_consent", ["DoNotCall"] = "phone_consent",
        }, new() { ["country"] = Country, ["status"] = LeadStatus, ["source"] = LeadSource, ["email_consent"] = OptOut, ["phone_consent"] = OptOut }),
        ["opportunities"] = Map("opportunities", new()
        {
            ["Id"] = "external_id", ["AccountId"] = "account_external_id", ["Name"] = "name", ["StageName"] = "stage", ["Amount"] = "amount",
            ["CloseDate"] = "close_date", ["Type"] = "type", ["NextStep"] = "next_step", ["LeadSource"] = "source",
            ["ForecastCategoryName"] = "forecast_category", ["CurrencyIsoCode"] = "currency",
        }, new() { ["type"] = OpportunityType, ["forecast_category"] = Snake }),
    };

    /// <summary>OpportunityHistory.csv: one row per stage (and amount/date) change of an opportunity, with its time.</summary>
    public static readonly ColumnMap OpportunityHistory = Map("opportunity-history", new()
    {
        ["OpportunityId"] = "opportunity_external_id", ["StageName"] = "stage", ["CreatedDate"] = "changed_at",
    }, []);

    public static ColumnMap? For(string recordObject) => Maps.GetValueOrDefault(recordObject);

    /// <summary>The Salesforce map when the header looks like the object's Salesforce export.</summary>
    public static ColumnMap? Detect(string recordObject, IReadOnlyList<string> header)
    {
        bool Has(string c) => header.Contains(c, StringComparer.Ordinal);
        var looksLike = recordObject switch
        {
            "accounts" => Has("Id") && Has("Name") && (Has("BillingCountry") || Has("NumberOfEmployees") || Has("Website") || Has("ParentId")),
            "contacts" or "leads" => Has("Id") && Has("LastName"),
            "opportunities" => Has("Id") && Has("StageName"),
            _ => false,
        };
        return looksLike ? Maps[recordObject] : null;
    }

    public static bool IsOpportunityHistory(IReadOnlyList<string> header) =>
        header.Contains("OpportunityId", StringComparer.Ordinal) && header.Contains("StageName", StringComparer.Ordinal) && header.Contains("CreatedDate", StringComparer.Ordinal);

    private static ColumnMap Map(string name, Dictionary<string, string?> columns, Dictionary<string, Func<string, string>> values) => new()
    {
        Name = "salesforce " + name,
        Columns = new Dictionary<string, string?>(columns, StringComparer.OrdinalIgnoreCase),
        Values = values,
        DropUnmapped = true,
    };

    private static string OptOut(string v) => v.Trim().ToLowerInvariant() switch
    {
        "true" or "1" => "opted_out",
        "false" or "0" => "unknown",
        _ => v,
    };

    private static string Snake(string v) => v.Trim().ToLowerInvariant().Replace(' ', '_');

    private static string OpportunityType(string v) => v.Trim().ToLowerInvariant() switch
    {
        "new customer" or "new business" or "new" => "new_business",
        "existing customer - upgrade" or "existing customer - replacement" or "existing customer - downgrade" or "upsell" or "expansion" => "expansion",
        "renewal" or "existing customer - renewal" => "renewal",
        _ => v,
    };

    private static string LeadStatus(string v) => v.Trim().ToLowerInvariant() switch
    {
        "open - not contacted" or "open" => "new",
        "working - contacted" or "working" or "contacted" => "working",
        "nurturing" => "nurturing",
        "qualified" => "sql",
        "closed - converted" or "converted" => "converted",
        "closed - not converted" or "unqualified" or "disqualified" => "disqualified",
        _ => v,
    };

    private static string LeadSource(string v) => v.Trim().ToLowerInvariant() switch
    {
        "web" or "phone inquiry" or "inbound" => "inbound",
        "partner referral" or "partner" => "partner",
        "purchased list" or "outbound" => "outbound",
        "advertisement" or "paid" => "paid",
        "employee referral" or "external referral" or "word of mouth" or "referral" => "referral",
        "public relations" or "organic" => "organic",
        "seminar - internal" or "seminar - partner" or "trade show" or "event" => "event",
        _ => "other",
    };

    // Salesforce writes billing countries as names unless state and country picklists are on; these are the common ones.
    private static readonly Dictionary<string, string> Countries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["United States"] = "US", ["United States of America"] = "US", ["USA"] = "US", ["US"] = "US", ["Canada"] = "CA", ["Mexico"] = "MX", ["Brazil"] = "BR",
        ["United Kingdom"] = "GB", ["UK"] = "GB", ["Great Britain"] = "GB", ["Ireland"] = "IE", ["Germany"] = "DE", ["France"] = "FR", ["Spain"] = "ES",
        ["Italy"] = "IT", ["Netherlands"] = "NL", ["Belgium"] = "BE", ["Switzerland"] = "CH", ["Austria"] = "AT", ["Sweden"] = "SE", ["Norway"] = "NO",
        ["Denmark"] = "DK", ["Finland"] = "FI", ["Poland"] = "PL", ["Portugal"] = "PT", ["Czech Republic"] = "CZ", ["Czechia"] = "CZ", ["Israel"] = "IL",
        ["India"] = "IN", ["China"] = "CN", ["Japan"] = "JP", ["South Korea"] = "KR", ["Singapore"] = "SG", ["Australia"] = "AU", ["New Zealand"] = "NZ",
        ["South Africa"] = "ZA", ["United Arab Emirates"] = "AE", ["Argentina"] = "AR", ["Chile"] = "CL", ["Colombia"] = "CO",
    };

    private static string Country(string v) => Countries.TryGetValue(v.Trim(), out var code) ? code : v;
}
