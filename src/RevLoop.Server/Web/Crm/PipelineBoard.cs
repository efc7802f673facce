using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Server.Crm.Opportunities;
using RevLoop.Server.Platform;
using RevLoop.Server.Web.Components;

namespace RevLoop.Server.Web.Crm;

/// <summary>What the board page shows: the pipeline's columns for the filters in the URL, and the pickers around it.</summary>
public sealed record BoardModel(ListState State, BoardDto Board, IReadOnlyList<(Guid Id, string Name)> Pipelines, IReadOnlyList<(Guid Id, string Name)> Owners,
    IReadOnlyList<(Guid Id, string Name)> Teams)
{
    /// <summary>The opportunity list behind a column: same filters, that stage.</summary>
    public string ListUrl(Guid stageId)
    {
        var f = new Dictionary<string, string>(State.Filters) { ["pipeline"] = Board.PipelineId.ToString(), ["stage"] = stageId.ToString() };
        return new ListState("/opportunities", new SortedDictionary<string, string>(f, StringComparer.Ordinal), "closeDate", "closeDate", null, ListState.DefaultSize).Url();
    }

    public string CardsUrl(Guid stageId, string cursor) => PipelineBoard.MoreUrl(Board.PipelineId, stageId, State, cursor);

    public string FragmentUrl => $"/ui/pipeline/{Board.PipelineId}/board{State.QueryString(withPosition: false)}";
}

public static class PipelineBoard
{
    public static readonly string[] Filters = ["owner", "team", "segment", "region", "closeFrom", "closeTo"];

    public static ListState Read(Guid pipelineId, IQueryCollection query) => ListState.Read($"/pipeline/{pipelineId}", query, Filters, ["closeDate"]);

    public static BoardFilter Filter(ListState s) =>
        new BoardFilter(s.Id("owner"), s.Id("team"), s["segment"], s["region"], s.Date("closeFrom"), s.Date("closeTo")).Checked();

    public static async Task<BoardModel?> LoadAsync(RevLoopDb db, Guid pipelineId, ListState state, CancellationToken ct)
    {
        var board = await BoardApi.LoadAsync(db, pipelineId, Filter(state), BoardApi.DefaultCards, ct);
        if (board is null) return null;
        var pipelines = await db.Pipelines.AsNoTracking().OrderBy(p => p.SortOrder).ThenBy(p => p.Name).Select(p => new { p.Id, p.Name }).ToListAsync(ct);
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).Take(500).Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        return new BoardModel(state, board, pipelines.Select(p => (p.Id, p.Name)).ToList(), await Ui.OwnersAsync(db, ct), teams.Select(t => (t.Id, t.Name)).ToList());
    }

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/pipeline/{id:guid}/board", async (Guid id, HttpContext http, RevLoopDb db, CancellationToken ct) =>
        {
            BoardModel? model;
            try { model = await LoadAsync(db, id, Read(id, http.Request.Query), ct); }
            catch (InputException e) { return (IResult)new RazorComponentResult<Problem>(new { Message = $"This filter is not valid: {e.Field} {e.Reason}.", Id = "board" }) { StatusCode = 400 }; }
            if (model is null) return new RazorComponentResult<Problem>(new { Message = "This pipeline is gone.", Id = "board" }) { StatusCode = 404 };
            http.Response.Headers["HX-Push-Url"] = model.State.Url();
            http.Response.Headers.CacheControl = "no-store";
            return new RazorComponentResult<BoardView>(new { Model = model });
        });
        ui.MapGet("/pipeline/{id:guid}/stages/{stageId:guid}/cards", async (Guid id, Guid stageId, string? cursor, HttpContext http, RevLoopDb db, CancellationToken ct) =>
        {
            var state = Read(id, http.Request.Query);
            if (!await db.Stages.AnyAsync(s => s.Id == stageId && s.PipelineId == id, ct)) return (IResult)TypedResults.NotFound();
            var (cards, next) = await BoardApi.CardsAsync(db, id, stageId, Filter(state), cursor, BoardApi.DefaultCards, ct);
            var stages = await db.Stages.AsNoTracking().Where(s => s.PipelineId == id).OrderBy(s => s.SortOrder).ToListAsync(ct);
            return new RazorComponentResult<BoardCards>(new { Cards = cards, Stages = stages, StageId = stageId, NextUrl = next is null ? null : MoreUrl(id, stageId, state, next) });
        });
        // The cards' risk flags (deal id -> flags), fetched by the board after it shows: they read the whole pipeline's history.
        ui.MapGet("/pipeline/{id:guid}/risks", async (Guid id, RevLoopDb db, CancellationToken ct) =>
        {
            var r = await RevLoop.Server.Analytics.RiskAnalytics.ComputeAsync(db, id, new RevLoop.Server.Analytics.AnalyticsFilter(), RevLoop.Server.Analytics.RiskAnalytics.DefaultNoActivityDays, ct);
            if (r is null) return (IResult)TypedResults.NotFound();
            return TypedResults.Ok(r.Value.Risks.ToDictionary(x => x.OpportunityId, x => RevLoop.Server.Analytics.RiskAnalytics.Names(x.Flags)));
        });
        // The form is read by hand, so the endpoint asks for the antiforgery check itself (the board sends the token as a header).
        ui.MapPost("/opportunities/{id:guid}/stage", Move).WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute());
    }

    public static string MoreUrl(Guid pipelineId, Guid stageId, ListState state, string cursor) =>
        $"/ui/pipeline/{pipelineId}/stages/{stageId}/cards{state.QueryString(withPosition: false)}{(state.HasFilters ? "&" : "?")}cursor={Uri.EscapeDataString(cursor)}";

    public sealed record MoveResult(Guid Id, Guid StageId, string Stage, long Version);
    public sealed record MoveError(string? Field, string Message);

    /// <summary>
    /// A card dropped on another column: the same rules as the API (<see cref="OpportunityRules"/>), written to the history
    /// as a change from the web. A refusal names the field, so the board can ask for a lost reason or explain the snap-back.
    /// </summary>
    public static async Task<IResult> Move(Guid id, HttpContext http, RevLoopDb db, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, CancellationToken ct)
    {
        // The verdict first: touching the form after a failed check throws.
        if (!await WebRoutes.AntiforgeryValidAsync(http, antiforgery) || !http.Request.HasFormContentType)
            return TypedResults.BadRequest(new MoveError(null, "The page is out of date; reload it and try again."));
        var form = await http.Request.ReadFormAsync(ct);
        if (!Guid.TryParse(form["stageId"], out var stageId)) return TypedResults.UnprocessableEntity(new MoveError("stageId", "Pick a stage to move the deal to."));
        var o = await db.Opportunities.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (o is null) return TypedResults.NotFound(new MoveError(null, "This deal is gone, or you can no longer see it."));
        if (long.TryParse(form["version"], out var version) && version != o.Version)
            return TypedResults.Conflict(new MoveError(null, $"“{o.Name}” was changed by someone else meanwhile; the board is reloaded, try again."));
        var reason = form["lostReason"].ToString();
        var input = OpportunityInput.From(o) with { StageId = stageId, LostReason = string.IsNullOrWhiteSpace(reason) ? o.LostReason : reason.Trim() };
        try
        {
            await OpportunityRules.ApplyAsync(db, o, input, ct);
            await db.SaveChangesAsync(ct);
        }
        catch (InputException e)
        {
            return TypedResults.UnprocessableEntity(new MoveError(e.Field, $"“{o.Name}” was not moved: {Sentence(e.Field, e.Reason)}"));
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Conflict(new MoveError(null, $"“{o.Name}” was changed by someone else meanwhile; the board is reloaded, try again."));
        }
        var stage = await db.Stages.AsNoTracking().Where(s => s.Id == o.StageId).Select(s => s.Name).FirstAsync(ct);
        return TypedResults.Ok(new MoveResult(o.Id, o.StageId, stage, o.Version));
    }

    private static string Sentence(string field, string reason)
    {
        var label = field switch
        {
            "amount" => "Amount", "closeDate" => "Close date", "lostReason" => "Lost reason", "stageId" => "Stage", "accountId" => "Account",
            _ => char.ToUpperInvariant(field[0]) + field[1..],
        };
        return reason.StartsWith("is ", StringComparison.Ordinal) || reason.StartsWith("must ", StringComparison.Ordinal) ? $"{label} {reason}." : $"{label}: {reason}.";
    }
}
