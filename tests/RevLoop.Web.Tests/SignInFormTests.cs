using System.Net;
using RevLoop.Platform;

namespace RevLoop.Web.Tests;

/// <summary>The sign-in form without a browser: antiforgery is required, statuses say what happened.</summary>
[Collection(UiCollection.Name)]
public class SignInFormTests(UiFixture f)
{
    [Fact]
    public async Task The_sign_in_post_needs_the_antiforgery_token_and_answers_401_423_or_a_redirect()
    {
        var user = await f.Server.CreateUserAsync($"form{Guid.NewGuid():N}@example.com", Roles.Ae);
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = f.Server.BaseAddress };

        using (var forged = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "login", ["email"] = user.Email!, ["password"] = UiFixture.Password })))
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.DoesNotContain(cookies.GetCookies(f.Server.BaseAddress), c => c.Name == "revloop.session");

        using (var wrong = await client.PostLoginAsync(user.Email!, "wrong password!")) Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using (var ok = await client.PostLoginAsync(user.Email!, UiFixture.Password, "/accounts?segment=smb"))
        {
            Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
            Assert.Equal("/accounts?segment=smb", ok.Headers.Location!.PathAndQuery);
        }
        var session = Assert.Single(cookies.GetCookies(f.Server.BaseAddress), c => c.Name == "revloop.session");
        Assert.True(session.HttpOnly);
        using (var evil = await client.PostLoginAsync(user.Email!, UiFixture.Password, "https://evil.example/steal"))
            Assert.Equal("/", evil.Headers.Location!.AbsolutePath);
        using var me = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);

        // Signing out needs the token too.
        using (var noToken = await client.PostAsync("/logout", new FormUrlEncodedContent([]))) Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        var token = await WebForms.AntiforgeryTokenAsync(client, "/settings");
        using (var logout = await client.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token })))
            Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        using var after = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
