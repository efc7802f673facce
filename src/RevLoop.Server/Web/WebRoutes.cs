using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Web;

public static class WebRoutes
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/login", Login).DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/logout", async (HttpContext http) => { await http.SignOutAsync(AuthSchemes.Cookie); return Results.Redirect("/login"); }).ExcludeFromDescription();
        app.MapGet("/login", () => Results.Content(LoginPage(null), "text/html")).ExcludeFromDescription();
    }

    public sealed record LoginForm(string? Email, string? Password, string? ReturnUrl);

    /// <summary>Password check with Identity's lockout: five failures lock the account for 15 minutes.</summary>
    public static async Task<IResult> Login(HttpContext http, UserManager<User> users, TimeProvider clock)
    {
        var form = await http.Request.ReadFormAsync();
        var email = form["email"].ToString().Trim();
        var password = form["password"].ToString();
        var returnUrl = form["returnUrl"].ToString();
        var user = await users.FindByEmailAsync(email);
        if (user is null) return Results.Content(LoginPage("Email or password is wrong."), "text/html", statusCode: 401);
        if (await users.IsLockedOutAsync(user)) return Results.Content(LoginPage("Too many failed attempts: the account is locked for 15 minutes."), "text/html", statusCode: 423);
        if (!await users.CheckPasswordAsync(user, password))
        {
            await users.AccessFailedAsync(user);
            return Results.Content(LoginPage("Email or password is wrong."), "text/html", statusCode: 401);
        }
        await users.ResetAccessFailedCountAsync(user);
        await http.SignInAsync(AuthSchemes.Cookie, AuthenticationSetup.CookiePrincipal(user, clock.GetUtcNow()));
        return Results.Redirect(Uri.IsWellFormedUriString(returnUrl, UriKind.Relative) && returnUrl.StartsWith('/') ? returnUrl : "/");
    }

    private static string LoginPage(string? error) => $$"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · RevLoop</title>
        <meta name="viewport" content="width=device-width,initial-scale=1"><link rel="stylesheet" href="/css/app.css"></head>
        <body class="login"><main class="login-card"><h1>RevLoop</h1>
        {{(error is null ? "" : $"<p class=\"error\" role=\"alert\">{System.Net.WebUtility.HtmlEncode(error)}</p>")}}
        <form method="post" action="/login"><label>Email<input name="email" type="email" autocomplete="username" required autofocus></label>
        <label>Password<input name="password" type="password" autocomplete="current-password" required minlength="12"></label>
        <button type="submit">Sign in</button></form></main></body></html>
        """;
}
