using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Tests.Support;

/// <summary>Small helpers for talking JSON to the API exactly as a client would (raw bodies, explicit headers).</summary>
public static class Api
{
    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string url, string? json = null,
        string? ifMatch = null, string contentType = "application/json", string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, contentType);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string url, string json, string? idempotencyKey = null) =>
        client.SendAsync(HttpMethod.Post, url, json, idempotencyKey: idempotencyKey);

    public static Task<HttpResponseMessage> MergePatchAsync(this HttpClient client, string url, string json, string? ifMatch = null) =>
        client.SendAsync(HttpMethod.Patch, url, json, ifMatch, "application/merge-patch+json");

    /// <summary>Creates an account and returns its JSON; fails the test unless the answer is 201.</summary>
    public static async Task<JsonElement> CreateAccountAsync(this HttpClient client, string json)
    {
        using var response = await client.PostAsync("/api/v1/accounts", json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/v1/accounts {json} -> {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<Guid> CreateAccountIdAsync(this HttpClient client, string json) => (await client.CreateAccountAsync(json)).GetProperty("id").GetGuid();

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} -> {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The names of a list page, in order.</summary>
    public static List<string> Names(this JsonElement page) => page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("name").GetString()!).ToList();

    public static string? Str(this JsonElement e, string property) => e.GetProperty(property).ValueKind == JsonValueKind.Null ? null : e.GetProperty(property).GetString();

    /// <summary>
    /// Asserts an RFC 9457 problem with the status and exactly the given failing field names in "errors"; returns the body.
    /// </summary>
    public static Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, params string[] fields) =>
        AssertProblemAsync(response, status, fields, "");

    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string[] fields, string request)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{request} expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        if (fields.Length > 0)
            Assert.True(fields.SequenceEqual(body.GetProperty("errors").EnumerateObject().Select(p => p.Name)), $"{request} expected errors for [{string.Join(", ", fields)}]: {text}");
        return body;
    }

    /// <summary>The id of the single live API token of a user (history rows name it as token:&lt;id&gt;).</summary>
    public static Guid TokenIdOf(this RunningServer server, User user) =>
        server.Scoped(db => db.ApiTokens.Where(t => t.UserId == user.Id && t.RevokedAt == null).Select(t => t.Id).Single());

    public static async Task<T> WithDbAsync<T>(this RunningServer server, Func<RevLoopDb, Task<T>> action)
    {
        using var scope = server.Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<RevLoopDb>());
    }
}
