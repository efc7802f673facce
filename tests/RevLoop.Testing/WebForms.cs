using System.Net;
using System.Text.RegularExpressions;

namespace RevLoop.Testing;

/// <summary>
/// Posts the web UI's forms as a browser would: the sign-in form is a Razor component, so a POST needs the antiforgery
/// token from the page (and its cookie, so use an <see cref="HttpClient"/> with a cookie container) and the form's name.
/// </summary>
public static partial class WebForms
{
    /// <summary>GET /login, then POST the form. Answers 302 (signed in), 401 (wrong email or password) or 423 (locked).</summary>
    public static async Task<HttpResponseMessage> PostLoginAsync(this HttpClient client, string email, string password, string? returnUrl = null)
    {
        var token = await AntiforgeryTokenAsync(client, "/login");
        var fields = new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["email"] = email, ["password"] = password,
        };
        if (returnUrl is not null) fields["returnUrl"] = returnUrl;
        return await client.PostAsync("/login", new FormUrlEncodedContent(fields));
    }

    /// <summary>The antiforgery token a page renders into its forms (its cookie lands in the client's container).</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string path)
    {
        using var page = await client.GetAsync(path);
        if (page.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {path} answered {(int)page.StatusCode}");
        var match = TokenField().Match(await page.Content.ReadAsStringAsync());
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"{path} has no antiforgery token");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
