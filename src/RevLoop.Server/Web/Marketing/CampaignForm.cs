using System.Globalization;
using RevLoop.Server.Marketing;
using RevLoop.Server.Platform;
using RevLoop.Server.Web.Crm;

namespace RevLoop.Server.Web.Marketing;

/// <summary>The campaign form as posted (text), turned into the API's input so both doors apply the same rules.</summary>
public sealed class CampaignFormModel
{
    public string? Name { get; set; }
    public string? Type { get; set; }
    public string? Channel { get; set; }
    public string? Status { get; set; }
    public string? StartDate { get; set; }
    public string? EndDate { get; set; }
    public string? Budget { get; set; }
    public string? OwnerId { get; set; }
    public string? UtmCampaign { get; set; }
    public string? ParentCampaignId { get; set; }

    public static readonly string[] Fields = ["name", "type", "channel", "status", "startDate", "endDate", "budget", "ownerId", "utmCampaign", "parentCampaignId"];

    public CampaignInput ToInput() => new(Name, FormText.Blank(Type), FormText.Blank(Channel), FormText.Blank(Status), Day("startDate", StartDate), Day("endDate", EndDate),
        null, FormText.Money("budget", Budget), FormText.Owner(OwnerId),
        string.IsNullOrWhiteSpace(ParentCampaignId) ? null : Guid.TryParse(ParentCampaignId, out var p) ? p : throw new InputException("parentCampaignId", "pick a campaign from the list"),
        UtmCampaign);

    public static DateOnly? Day(string field, string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new InputException(field, "must be a date like 2026-11-23");
}

/// <summary>A cost line as posted from the campaign page.</summary>
public sealed class CampaignCostFormModel
{
    public string? Date { get; set; }
    public string? Amount { get; set; }
    public string? Description { get; set; }

    public CampaignCostInput ToInput() => new(CampaignFormModel.Day("date", Date), FormText.Money("amount", Amount), Description);
}
