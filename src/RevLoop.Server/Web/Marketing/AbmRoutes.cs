using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;

namespace RevLoop.Server.Web.Marketing;

/// <summary>The ABM page's row action: take an account off a list, then back to the page the row was on.</summary>
public static class AbmRoutes
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/marketing/abm/{id:guid}/accounts/{accountId:guid}/remove", async (Guid id, Guid accountId, HttpContext http, IAntiforgery antiforgery, RevLoopDb db,
            CancellationToken ct) =>
        {
            // The form is not bound, so the antiforgery verdict is checked here.
            if (!await WebRoutes.AntiforgeryValidAsync(http, antiforgery)) return Results.BadRequest();
            if (!await db.TargetAccountLists.AnyAsync(l => l.Id == id, ct)) return Results.NotFound();
            await db.TargetListAccounts.Where(m => m.ListId == id && m.AccountId == accountId).ExecuteDeleteAsync(ct);
            var back = http.Request.Headers.Referer.ToString();
            return Results.Redirect(Uri.TryCreate(back, UriKind.Absolute, out var u) && u.AbsolutePath == $"/marketing/abm/{id}" ? u.PathAndQuery + "#accounts" : $"/marketing/abm/{id}#accounts");
        }).RequireAuthorization().WithMetadata(new RequireAntiforgeryTokenAttribute()).ExcludeFromDescription();
    }
}
