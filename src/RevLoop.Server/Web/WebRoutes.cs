using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Server.Platform;
using RevLoop.Server.Web.Accounts;
using RevLoop.Platform;
using RevLoop.Server.Web.Components;
using RevLoop.Server.Web.Crm;
using RevLoop.Server.Web.Layout;

namespace RevLoop.Server.Web;

/// <summary>
/// The web UI: Razor component pages rendered on the server (no interactive circuits), htmx fragments from
/// <c>/ui/*</c>, the CSV export and sign-out. Every page needs a signed-in user except the sign-in page.
/// </summary>
public static class WebRoutes
{
    public static IServiceCollection AddRevLoopWeb(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddSingleton<AssetUrls>();
        return services;
    }

    public static void Map(WebApplication app)
    {
        app.MapRazorComponents<App>().RequireAuthorization();

        app.MapPost("/logout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            // The antiforgery middleware only records its verdict; an endpoint that binds no form must check it itself.
            if (!await AntiforgeryValidAsync(http, antiforgery)) return Results.BadRequest();
            await http.SignOutAsync(AuthSchemes.Cookie);
            return Results.Redirect("/login");
        }).WithMetadata(new RequireAntiforgeryTokenAttribute()).ExcludeFromDescription();

        Marketing.AbmRoutes.Map(app);
        app.MapGet("/accounts/export.csv", ExportCsv).RequireAuthorization().ExcludeFromDescription();
        app.MapPost("/imports/upload", UploadImport).RequireAuthorization().DisableAntiforgery().ExcludeFromDescription()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(Platform.Imports.ImportsApi.MaxUploadBytes))
            .WithFormOptions(multipartBodyLengthLimit: Platform.Imports.ImportsApi.MaxUploadBytes);

        // Any other page address (never /api, never a file) gets a friendly page instead of a bare 404.
        app.MapGet("/{**path:regex(^(?!api/|ui/).*$):nonfile}", (HttpContext http) =>
            new RazorComponentResult<NotFoundDocument>(new { Path = http.Request.Path.Value ?? "/" }) { StatusCode = 404 })
            .WithOrder(int.MaxValue).AllowAnonymous().ExcludeFromDescription();

        var ui = app.MapGroup("/ui").RequireAuthorization().ExcludeFromDescription();
        ui.MapGet("/accounts/grid", Grid);
        ui.MapGet("/accounts/{id:guid}/timeline", Timeline);
        ui.MapGet("/accounts/options", ParentOptions);
        ui.MapGet("/contacts/grid", (HttpContext http, RevLoopDb db, CancellationToken ct) =>
            ListGrid(http, ContactList.Read, (st, z) => ContactList.LoadAsync(db, st, z, ct), m => new RazorComponentResult<ContactGrid>(new { Model = m })));
        ui.MapGet("/leads/grid", (HttpContext http, RevLoopDb db, CancellationToken ct) =>
            ListGrid(http, LeadList.Read, (st, z) => LeadList.LoadAsync(db, st, z, ct), m => new RazorComponentResult<LeadGrid>(new { Model = m })));
        ui.MapGet("/opportunities/grid", (HttpContext http, RevLoopDb db, CancellationToken ct) =>
            ListGrid(http, OpportunityList.Read, (st, z) => OpportunityList.LoadAsync(db, st, z, ct), m => new RazorComponentResult<OpportunityGrid>(new { Model = m })));
        ui.MapGet("/contacts/{id:guid}/timeline", (Guid id, long? before, HttpContext http, RevLoopDb db, CancellationToken ct) =>
            RecordTimeline(db.Contacts, "contact", "/contacts", id, before, http, db, ct));
        ui.MapGet("/leads/{id:guid}/timeline", (Guid id, long? before, HttpContext http, RevLoopDb db, CancellationToken ct) =>
            RecordTimeline(db.Leads, "lead", "/leads", id, before, http, db, ct));
        ui.MapGet("/opportunities/{id:guid}/timeline", (Guid id, long? before, HttpContext http, RevLoopDb db, CancellationToken ct) =>
            RecordTimeline(db.Opportunities, "opportunity", "/opportunities", id, before, http, db, ct));
        PipelineBoard.Map(ui);
        Marketing.ScoringUi.Map(ui);
        // The forecast page loads this after it shows: the first call may train the win model (seconds on a big database).
        ui.MapGet("/forecast/ai-weighted", async (DateOnly? from, DateOnly? to, HttpContext http, RevLoopDb db, RevLoop.Server.Analytics.WinModels models, TimeProvider clock, CancellationToken ct) =>
        {
            try
            {
                var forecast = (await RevLoop.Server.Analytics.WinProbabilityApi.AiWeighted(from, to, db, models, clock, ct)).Value!;
                var deals = "/opportunities" + Web.Analytics.MetricsUi.Query(("status", "open"), ("closeFrom", forecast.From.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
                    ("closeTo", forecast.To.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), ("sort", "closeDate"));
                return (IResult)new RazorComponentResult<AiWeightedPanel>(new { Forecast = forecast, DealsUrl = deals });
            }
            catch (InputException e) { return new RazorComponentResult<Problem>(new { Message = $"{e.Field} {e.Reason}", Id = "ai-weighted" }) { StatusCode = 400 }; }
        });
        // The campaign page loads its attribution after it shows: the report reads every deal and touch of the period.
        ui.MapGet("/campaigns/{id:guid}/attribution", async (Guid id, string? from, string? to, RevLoopDb db, TimeProvider clock, CancellationToken ct) =>
        {
            try
            {
                var (f, t) = Web.Analytics.PipelineUi.DefaultWindow(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
                var query = new RevLoop.Server.Marketing.AttributionQuery(from ?? Web.Analytics.PipelineUi.Day(f), to ?? Web.Analytics.PipelineUi.Day(t), null, null, null, null);
                var report = await RevLoop.Server.Marketing.Attribution.ReportAsync(db, query.Parse(), ct);
                return (IResult)new RazorComponentResult<CampaignAttributionPanel>(new { Report = report, CampaignId = id });
            }
            catch (InputException e) { return new RazorComponentResult<Problem>(new { Message = $"{e.Field} {e.Reason}", Id = "attribution" }) { StatusCode = 400 }; }
        });
        ui.MapGet("/search", Search);
        ui.MapGet("/imports/{id:guid}", ImportStatusFragment);
        ui.MapGet("/palette", Palette);
    }

    public static async Task<bool> AntiforgeryValidAsync(HttpContext http, IAntiforgery antiforgery)
    {
        if (http.Features.Get<IAntiforgeryValidationFeature>() is { } verdict) return verdict.IsValid;
        try
        {
            await antiforgery.ValidateRequestAsync(http);
            return true;
        }
        catch (Exception e) when (e is AntiforgeryValidationException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    /// <summary>The upload form: starts the import job and shows its page, which follows the progress.</summary>
    public static async Task<IResult> UploadImport(HttpContext http, IAntiforgery antiforgery, RevLoopDb db, Viewer viewer, ChangeOrigin origin, Platform.Imports.ImportJobs jobs, CancellationToken ct)
    {
        // The form is read here (not bound), so the antiforgery check is done here too, before anything is stored.
        if (!http.Request.HasFormContentType) return Results.BadRequest();
        var form = await http.Request.ReadFormAsync(ct);
        if (!await AntiforgeryValidAsync(http, antiforgery)) return Results.BadRequest();
        try
        {
            var file = form.Files.GetFile("file") is { Length: > 0 } f ? f : throw new InputException("file", "choose a CSV file to upload");
            var job = await jobs.StartAsync(db, viewer, origin, form["object"].ToString(), file, form["dedupe"], form["allOrNothing"] == "true", null, form.Files.GetFile("map"), ct);
            return Results.Redirect($"/imports/{job.Id}");
        }
        catch (InputException e)
        {
            return Results.Redirect("/imports?error=" + Uri.EscapeDataString($"{e.Field}: {e.Reason}"));
        }
    }

    public static async Task<IResult> ImportStatusFragment(Guid id, RevLoopDb db, Viewer viewer, Platform.Imports.ImportJobs jobs, HttpContext http, CancellationToken ct)
    {
        var job = await Platform.Imports.ImportsApi.Visible(db, viewer).FirstOrDefaultAsync(j => j.Id == id, ct);
        http.Response.Headers.CacheControl = "no-store";
        if (job is null) return new RazorComponentResult<Problem>(new { Message = "This import is gone.", Id = "import-status" }) { StatusCode = 404 };
        return new RazorComponentResult<Components.Imports.ImportStatus>(new { Job = Platform.Imports.ImportJobDto.From(job, jobs.Progress(id)) });
    }

    /// <summary>The grid fragment for htmx; the address bar follows through HX-Push-Url (the page URL, not this one).</summary>
    public static async Task<IResult> Grid(HttpContext http, RevLoopDb db, CancellationToken ct)
    {
        AccountListState state;
        try { state = AccountListState.From(http.Request.Query); }
        catch (InputException e)
        {
            return new RazorComponentResult<Problem>(new { Message = $"This filter is not valid: {e.Field} {e.Reason}.", Id = "grid" }) { StatusCode = 400 };
        }
        var model = await AccountList.LoadAsync(db, state, Ui.TimeZone(http), ct);
        http.Response.Headers["HX-Push-Url"] = state.Url();
        http.Response.Headers.CacheControl = "no-store";
        return new RazorComponentResult<AccountGrid>(new { Model = model });
    }

    /// <summary>A CRM list's grid fragment; the address bar follows through HX-Push-Url.</summary>
    private static async Task<IResult> ListGrid<TRow>(HttpContext http, Func<IQueryCollection, ListState> read, Func<ListState, TimeZoneInfo, Task<ListModel<TRow>>> load,
        Func<ListModel<TRow>, IResult> render)
    {
        ListState state;
        ListModel<TRow> model;
        try
        {
            state = read(http.Request.Query);
            model = await load(state, Ui.TimeZone(http));
        }
        catch (InputException e)
        {
            return new RazorComponentResult<Problem>(new { Message = $"This filter is not valid: {e.Field} {e.Reason}.", Id = "grid" }) { StatusCode = 400 };
        }
        http.Response.Headers["HX-Push-Url"] = state.Url();
        http.Response.Headers.CacheControl = "no-store";
        return render(model);
    }

    private static async Task<RazorComponentResult> RecordTimeline<T>(IQueryable<T> set, string entityType, string basePath, Guid id, long? before, HttpContext http,
        RevLoopDb db, CancellationToken ct) where T : class, ITrackedRecord
    {
        if (!await set.AnyAsync(r => r.Id == id, ct)) return new RazorComponentResult<Problem>(new { Message = "This record is gone." }) { StatusCode = 404 };
        var zone = Ui.TimeZone(http);
        var (groups, older) = await AccountHistory.PageAsync(db, entityType, id, before, 40, zone, ct);
        return new RazorComponentResult<TimelineItems>(new { Groups = groups, AccountId = id, Older = older, Zone = zone, BasePath = basePath, Noun = entityType });
    }

    public static async Task<IResult> ExportCsv(HttpContext http, RevLoopDb db, TimeProvider clock, CancellationToken ct)
    {
        AccountListState state;
        try { state = AccountListState.From(http.Request.Query); }
        catch (InputException e) { return Problems.Field(e.Field, e.Reason); }
        var zone = Ui.TimeZone(http);
        var name = $"accounts-{Ui.Local(clock.GetUtcNow(), zone):yyyy-MM-dd}.csv";
        return Results.Stream(async body => await AccountList.WriteCsvAsync(db, state, zone, body, ct), "text/csv; charset=utf-8", name);
    }

    public static async Task<RazorComponentResult> Timeline(Guid id, long? before, HttpContext http, RevLoopDb db, CancellationToken ct)
    {
        if (!await db.Accounts.AnyAsync(a => a.Id == id, ct)) return new RazorComponentResult<Problem>(new { Message = "This account is gone." }) { StatusCode = 404 };
        var zone = Ui.TimeZone(http);
        var (groups, older) = await AccountHistory.PageAsync(db, id, before, 40, zone, ct);
        return new RazorComponentResult<TimelineItems>(new { Groups = groups, AccountId = id, Older = older, Zone = zone });
    }

    /// <summary>Suggestions for the parent-account field: accounts whose name starts with what was typed.</summary>
    public static async Task<RazorComponentResult> ParentOptions(HttpContext http, RevLoopDb db, CancellationToken ct)
    {
        // The account pickers of the contact and opportunity forms name their input in "field".
        var field = http.Request.Query["field"].ToString() is { Length: > 0 } f && f.StartsWith("Input.", StringComparison.Ordinal) ? f : "Input.Parent";
        var q = http.Request.Query[field].ToString().Trim();
        var names = q.Length == 0 ? [] : await db.Accounts.AsNoTracking().Where(a => a.Name.StartsWith(q)).OrderBy(a => a.Name).Take(10).Select(a => a.Name).ToListAsync(ct);
        return new RazorComponentResult<Options>(new { Values = names });
    }

    /// <summary>The top bar's search: accounts, contacts, leads and opportunities (the search API's matching).</summary>
    public static async Task<RazorComponentResult> Search(string? q, RevLoopDb db, CancellationToken ct)
    {
        var results = await RevLoop.Server.Crm.Search.SearchApi.FindAsync(db, q?.Length > 200 ? q[..200] : q, 5, ct);
        return new RazorComponentResult<SearchResults>(new { Results = results });
    }

    public sealed record PaletteItem(string Kind, string Title, string Href, string Icon, string? Detail = null);

    /// <summary>Ctrl+K: pages, actions and accounts matching what was typed.</summary>
    public static async Task<RazorComponentResult> Palette(string? q, RevLoopDb db, CancellationToken ct)
    {
        var term = q?.Trim() ?? "";
        var items = new List<PaletteItem>();
        bool Matches(string text) => term.Length == 0 || text.Contains(term, StringComparison.OrdinalIgnoreCase);
        foreach (var (noun, href) in new[] { ("account", "/accounts/new"), ("contact", "/contacts/new"), ("lead", "/leads/new"), ("opportunity", "/opportunities/new") })
            if (Matches($"New {noun}") || Matches($"create {noun}") || Matches($"add {noun}"))
                items.Add(new PaletteItem("Action", $"New {noun}", href, "plus"));
        if (Matches("Pipeline board") || Matches("board") || Matches("kanban"))
            items.Add(new PaletteItem("Page", "Pipeline board", "/pipeline", "opportunities"));
        if (Matches("Duplicates") || Matches("merge duplicates") || Matches("dedupe"))
            items.Add(new PaletteItem("Page", "Duplicates", "/duplicates", "swap", "review and merge"));
        foreach (var m in Navigation.Modules.Where(m => Matches(m.Title) || m.Keywords.Any(Matches)))
            items.Add(new PaletteItem("Page", m.Title, m.Href, m.Icon, m.Built ? null : "coming soon"));
        if (term.Length > 0)
        {
            var found = await RevLoop.Server.Crm.Search.SearchApi.FindAsync(db, term.Length > 200 ? term[..200] : term, 5, ct);
            items.AddRange(found.Accounts.Select(h => new PaletteItem("Account", h.Name, h.Href, "accounts", h.Detail)));
            items.AddRange(found.Contacts.Select(h => new PaletteItem("Contact", h.Name, h.Href, "contacts", h.Detail)));
            items.AddRange(found.Leads.Select(h => new PaletteItem("Lead", h.Name, h.Href, "leads", h.Detail)));
            items.AddRange(found.Opportunities.Select(h => new PaletteItem("Opportunity", h.Name, h.Href, "opportunities", h.Detail)));
        }
        return new RazorComponentResult<PaletteResults>(new { Items = items, Query = term });
    }
}
