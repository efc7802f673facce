using System.CommandLine;
using System.Text.Json;
using RevLoop.Platform;
using RevLoop.Server.Cli;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing.Abm;

/// <summary>
/// `revloop abm engagement --list NAME|ID [--days 90] [--opportunities since_added|all] [--weights type:points,...] [--format csv|json|table]`:
/// a target account list's engagement from the database, the same numbers as GET /api/v1/target-lists/{id}/engagement
/// (its ?format=csv is this CSV). Runs as the system viewer, so every account counts.
/// </summary>
public static class AbmVerb
{
    /// <summary>The API's JSON, escaped as the API escapes it (names with quotes or non-Latin letters stay readable).</summary>
    private static readonly JsonSerializerOptions Json = new(ApiJson.Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Build()
    {
        var list = new Option<string>("--list") { Description = "The target account list: its name or id", Required = true };
        var days = new Option<int>("--days") { Description = "The engagement window in days", DefaultValueFactory = _ => EngagementOptions.DefaultDays };
        var opportunities = new Option<string>("--opportunities")
        {
            Description = "Deals counted: since_added (created once the account was on the list) or all", DefaultValueFactory = _ => EngagementOptions.SinceAddedScope,
        };
        var weights = new Option<string?>("--weights") { Description = "Points per event type instead of the defaults, such as page_view:2,email_open:0" };
        var format = new Option<string>("--format") { Description = "csv, json or table", DefaultValueFactory = _ => "table" };
        var engagement = new Command("engagement", "Account engagement of a target account list: score, engaged people, last touch, campaigns, open pipeline and won.")
            { list, days, opportunities, weights, format };
        engagement.SetAction((pr, ct) => RevLoopCli.WithServices(pr, ChangeSources.Cli, async (_, db) =>
        {
            var f = pr.GetValue(format)!.Trim().ToLowerInvariant();
            if (f is not ("csv" or "json" or "table")) throw new InputException("--format", "must be csv, json or table");
            EngagementOptions options;
            try { options = EngagementOptions.Parse(pr.GetValue(days), pr.GetValue(opportunities), pr.GetValue(weights)); }
            catch (InputException e) { throw new InputException("--" + e.Field, e.Reason); }
            var target = await TargetListsApi.ResolveAsync(db, pr.GetValue(list)!, "--list", ct);
            var dto = await AbmEngagement.ComputeAsync(db, target, options, ct);
            Console.Out.Write(f switch
            {
                "csv" => AbmEngagement.Csv(dto),
                "json" => JsonSerializer.Serialize(dto, Json) + "\n",
                _ => AbmEngagement.Table(dto),
            });
            return 0;
        }, ct));
        return new Command("abm", "Account-based marketing: target account lists and their engagement.") { engagement };
    }
}
