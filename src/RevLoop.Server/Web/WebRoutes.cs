using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Server.Platform;
using RevLoop.Server.Web.Accounts;
using RevLoop.Server.Web.Components;
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

        app.MapGet("/accounts/export.csv", ExportCsv).RequireAuthorization().ExcludeFromDescription();

        // Any other page address (never /api, never a file) gets a friendly page instead of a bare 404.
        app.MapGet("/{**path:regex(^(?!api/|ui/).*$):nonfile}", (HttpContext http) =>
            new RazorComponentResult<NotFoundDocument>(new { Path = http.Request.Path.Value ?? "/" }) { StatusCode = 404 })
            .WithOrder(int.MaxValue).AllowAnonymous().ExcludeFromDescription();

        var ui = app.MapGroup("/ui").RequireAuthorization().ExcludeFromDescription();
        ui.MapGet("/accounts/grid", Grid);
        ui.MapGet("/accounts/{id:guid}/timeline", Timeline);
        ui.MapGet("/accounts/options", ParentOptions);
        ui.MapGet("/search", Search);
        ui.MapGet("/palette", Palette);
    }

    private static async Task<bool> AntiforgeryValidAsync(HttpContext http, IAntiforgery antiforgery)
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
        var q = http.Request.Query["Input.Parent"].ToString().Trim();
        var names = q.Length == 0 ? [] : await db.Accounts.AsNoTracking().Where(a => a.Name.StartsWith(q)).OrderBy(a => a.Name).Take(10).Select(a => a.Name).ToListAsync(ct);
        return new RazorComponentResult<Options>(new { Values = names });
    }

    /// <summary>The top bar's search: accounts by name prefix (or exact domain).</summary>
    public static async Task<RazorComponentResult> Search(string? q, RevLoopDb db, CancellationToken ct)
    {
        var term = q?.Trim() ?? "";
        var hits = term.Length == 0 ? [] : await FindAccountsAsync(db, term, 8, ct);
        return new RazorComponentResult<SearchResults>(new { Query = term, Hits = hits });
    }

    public static async Task<List<(Guid Id, string Name, string? Domain)>> FindAccountsAsync(RevLoopDb db, string term, int take, CancellationToken ct)
    {
        var lower = term.ToLowerInvariant();
        var rows = await db.Accounts.AsNoTracking().Where(a => a.Name.StartsWith(term) || a.Domain == lower)
            .OrderBy(a => a.Name).ThenBy(a => a.Id).Take(take).Select(a => new { a.Id, a.Name, a.Domain }).ToListAsync(ct);
        return rows.Select(r => (r.Id, r.Name, r.Domain)).ToList();
    }

    public sealed record PaletteItem(string Kind, string Title, string Href, string Icon, string? Detail = null);

    /// <summary>Ctrl+K: pages, actions and accounts matching what was typed.</summary>
    public static async Task<RazorComponentResult> Palette(string? q, RevLoopDb db, CancellationToken ct)
    {
        var term = q?.Trim() ?? "";
        var items = new List<PaletteItem>();
        bool Matches(string text) => term.Length == 0 || text.Contains(term, StringComparison.OrdinalIgnoreCase);
        if (Matches("New account") || Matches("create account") || Matches("add account"))
            items.Add(new PaletteItem("Action", "New account", "/accounts/new", "plus"));
        if (Matches("Duplicates") || Matches("merge duplicates") || Matches("dedupe"))
            items.Add(new PaletteItem("Page", "Duplicates", "/duplicates", "swap", "review and merge"));
        foreach (var m in Navigation.Modules.Where(m => Matches(m.Title) || m.Keywords.Any(Matches)))
            items.Add(new PaletteItem("Page", m.Title, m.Href, m.Icon, m.Built ? null : "coming soon"));
        if (term.Length > 0)
            foreach (var (id, name, domain) in await FindAccountsAsync(db, term, 8, ct))
                items.Add(new PaletteItem("Account", name, $"/accounts/{id}", "accounts", domain));
        return new RazorComponentResult<PaletteResults>(new { Items = items, Query = term });
    }
}
