using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Server.Marketing.Scoring;
using RevLoop.Server.Platform;
using RevLoop.Server.Web.Components;

namespace RevLoop.Server.Web.Marketing;

/// <summary>The scoring settings page's rule form: text as typed, turned into the API's input (errors keyed by the API's field names).</summary>
public sealed class ScoringRuleForm
{
    public string? Kind { get; set; } public string? Name { get; set; } public string? Points { get; set; } public string? Cap { get; set; }
    public string? HalfLifeDays { get; set; } public string? MinEmployees { get; set; } public string? MaxEmployees { get; set; } public string? Industries { get; set; }
    public string? Countries { get; set; } public string? TitleKeywords { get; set; } public string? EventType { get; set; } public string? UrlPattern { get; set; }
    public string? Feature { get; set; } public string? MinCount { get; set; } public string? WithinDays { get; set; }
    /// <summary>The lead to test the rule on: its email or id.</summary>
    public string? Lead { get; set; }
    /// <summary>Set by the "Test on this lead" button: preview instead of saving.</summary>
    public string? Test { get; set; }

    public static ScoringRuleForm From(IFormCollection f)
    {
        string? V(string name) => f.TryGetValue($"Rule.{name}", out var v) ? v.ToString() : null;
        return new ScoringRuleForm
        {
            Kind = V("Kind"), Name = V("Name"), Points = V("Points"), Cap = V("Cap"), HalfLifeDays = V("HalfLifeDays"), MinEmployees = V("MinEmployees"),
            MaxEmployees = V("MaxEmployees"), Industries = V("Industries"), Countries = V("Countries"), TitleKeywords = V("TitleKeywords"), EventType = V("EventType"),
            UrlPattern = V("UrlPattern"), Feature = V("Feature"), MinCount = V("MinCount"), WithinDays = V("WithinDays"), Lead = V("Lead"), Test = V("Test"),
        };
    }

    /// <summary>The API input; a number that is not one is added to <paramref name="errors"/> under the API's field name.</summary>
    public ScoringRuleInput ToInput(Dictionary<string, string> errors)
    {
        int? Int(string? v, string key)
        {
            if (string.IsNullOrWhiteSpace(v)) return null;
            if (int.TryParse(v.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)) return n;
            errors[key] = "must be a whole number";
            return null;
        }
        static IReadOnlyList<string>? List(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
        var fit = Kind?.Trim() != "behaviour";
        // The form shows both kinds' fields; only the chosen kind's are sent, so a leftover value of the other kind is no error.
        return new ScoringRuleInput(Name, Kind, Int(Points, "points"), Int(Cap, "cap"), fit ? null : Int(HalfLifeDays, "halfLifeDays"), true,
            fit ? Int(MinEmployees, "minEmployees") : null, fit ? Int(MaxEmployees, "maxEmployees") : null, fit ? List(Industries) : null,
            fit ? List(Countries) : null, fit ? List(TitleKeywords) : null, fit ? null : Blank(EventType), fit ? null : Blank(UrlPattern), fit ? null : Blank(Feature),
            fit ? null : Int(MinCount, "minCount"), fit ? null : Int(WithinDays, "withinDays"));
    }

    /// <summary>The rule's preview on the chosen lead, or the reason there is none (a field of the rule, or the lead).</summary>
    public async Task<(PreviewDto? Preview, string? Field, string? Error)> PreviewAsync(RevLoopDb db, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var input = ToInput(errors);
        if (errors.Count > 0) return (null, errors.First().Key, errors.First().Value);
        try
        {
            var lead = Lead?.Trim() ?? "";
            if (lead.Length == 0) throw new InputException("lead", "is required: the email or id of a lead to test the rule on");
            Guid? id = Guid.TryParse(lead, out var g) ? g
                : await db.Leads.AsNoTracking().Where(l => l.NormalizedEmail == lead.ToLowerInvariant()).OrderBy(l => l.CreatedAt).Select(l => (Guid?)l.Id).FirstOrDefaultAsync(ct);
            if (id is null) throw new InputException("lead", $"no lead you can see has the email {lead}");
            var result = await ScoringApi.Preview(new PreviewInput(input, id), db, ct);
            return (result.Value, null, null);
        }
        catch (InputException e)
        {
            return (null, e.Field.StartsWith("rule.", StringComparison.Ordinal) ? e.Field[5..] : e.Field, e.Reason);
        }
    }
}

/// <summary>The htmx door of "Test this rule on a lead": the form is read by hand, so the antiforgery check is done here.</summary>
public static class ScoringUi
{
    public static void Map(RouteGroupBuilder ui) =>
        ui.MapPost("/scoring/preview", Preview).WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute());

    public static async Task<IResult> Preview(HttpContext http, RevLoopDb db, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (!await WebRoutes.AntiforgeryValidAsync(http, antiforgery) || !http.Request.HasFormContentType)
            return new RazorComponentResult<Problem>(new { Message = "The page is out of date; reload it and try again.", Id = "preview" }) { StatusCode = 400 };
        var form = ScoringRuleForm.From(await http.Request.ReadFormAsync(ct));
        var (preview, field, error) = await form.PreviewAsync(db, ct);
        // 200 either way: htmx swaps only successful answers, and a refused rule is this fragment's content (the API answers 400).
        return new RazorComponentResult<ScorePreview>(new { Preview = preview, Field = field, Error = error });
    }
}
