using RevLoop.Server.Marketing.Abm;
using RevLoop.Server.Platform;
using RevLoop.Server.Web.Crm;

namespace RevLoop.Server.Web.Marketing;

/// <summary>The new-list form as posted, turned into the API's input so both doors apply the same rules.</summary>
public sealed class TargetListFormModel
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? CampaignId { get; set; }
    public string? OwnerId { get; set; }

    public static readonly string[] Fields = ["name", "description", "campaignId", "ownerId"];

    public TargetListInput ToInput() => new(Name, FormText.Owner(OwnerId),
        string.IsNullOrWhiteSpace(CampaignId) ? null : Guid.TryParse(CampaignId, out var c) ? c : throw new InputException("campaignId", "pick a campaign from the list"),
        Description);
}

/// <summary>Accounts pasted into the list page: domains, emails or company names, one per line (or a CSV with a header).</summary>
public sealed class TargetAccountsFormModel
{
    public string? Accounts { get; set; }
}

/// <summary>Addresses of the ABM pages that keep the window and deal scope the page is showing.</summary>
public static class AbmUi
{
    public static string Query(EngagementOptions o, params (string Key, string? Value)[] more)
    {
        var parts = new List<string>();
        if (o.Days != EngagementOptions.DefaultDays) parts.Add("days=" + o.Days.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!o.SinceAdded) parts.Add("opportunities=" + EngagementOptions.AllScope);
        foreach (var (k, v) in more)
            if (v is not null) parts.Add(k + "=" + Uri.EscapeDataString(v));
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    public static string Account(Guid list, Guid account, EngagementOptions o, string? anchor = null) =>
        $"/marketing/abm/{list}/accounts/{account}{Query(o)}{(anchor is null ? "" : "#" + anchor)}";

    public static readonly int[] Windows = [7, 30, 60, 90, 180, 365];

    /// <summary>"1 touch", "3 touches".</summary>
    public static string Count(long n, string one, string many) => $"{Ui.Number(n)} {(n == 1 ? one : many)}";

    /// <summary>A big money figure for a stat card (1.2M USD); the exact amount goes in its title.</summary>
    public static string CompactMoney(decimal amount, string currency) => $"{Ui.Compact((long)Math.Round(amount, MidpointRounding.AwayFromZero))} {currency}";
}
