using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Platform;

public static class AuthSchemes
{
    public const string Smart = "smart", Cookie = "cookie", Token = "token";
    public const string ScopeClaim = "scope", TokenIdClaim = "token_id", IssuedClaim = "issued";
}

public sealed class SessionLifetime
{
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(12);
}

/// <summary>
/// Authorization: Bearer rl_... ; looks the token up by its hash (through <see cref="ValidatedTokens"/>) and records
/// when it was last used.
/// </summary>
public sealed class TokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        var db = Context.RequestServices.GetRequiredService<RevLoopDb>();
        var now = db.Clock.GetUtcNow();
        var found = await ValidatedTokens.FindAsync(db, ApiTokens.Hash(token), Context.RequestAborted);
        if (found is null) return AuthenticateResult.Fail("unknown or revoked token");
        // One write a minute at most per token: "last used" stays useful without turning every read into a write.
        if (found.LastUsedAt is not { } used || now - used > TimeSpan.FromMinutes(1))
        {
            await db.ApiTokens.Where(t => t.Id == found.TokenId).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
            found.LastUsedAt = now;
        }
        var claims = new List<Claim>(3 + found.Scopes.Length)
        {
            new(ClaimTypes.NameIdentifier, found.UserId.ToString()),
            new(ClaimTypes.Role, found.Role),
            new(AuthSchemes.TokenIdClaim, found.TokenId.ToString()),
        };
        foreach (var scope in found.Scopes) claims.Add(new Claim(AuthSchemes.ScopeClaim, scope));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, AuthSchemes.Token));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, AuthSchemes.Token));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}

/// <summary>
/// API tokens found valid, kept per process and database for a few seconds, so a client's burst of calls does not look
/// its token (and the token's user) up once per request. A save through this process that adds, changes or removes a
/// token or a user (<see cref="ChangeVersions"/>: a revoked token, a changed role) drops them at once; a revocation by
/// another process (<c>revloop user revoke-token</c>) takes effect within <see cref="MaxAge"/>. Unknown and revoked
/// tokens are never kept: they are looked up on every request.
/// </summary>
public static class ValidatedTokens
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    private static readonly ChangeCache<string, Entry?> Cache = new(MaxAge);

    public sealed class Entry(Guid tokenId, Guid userId, string role, string[] scopes, DateTimeOffset? lastUsedAt)
    {
        private long lastUsed = lastUsedAt?.ToUnixTimeMilliseconds() ?? long.MinValue;
        public Guid TokenId { get; } = tokenId;
        public Guid UserId { get; } = userId;
        public string Role { get; } = role;
        public string[] Scopes { get; } = scopes;

        /// <summary>As last written to the token's row (requests of the same token read and write it concurrently).</summary>
        public DateTimeOffset? LastUsedAt
        {
            get => Volatile.Read(ref lastUsed) is var ms && ms != long.MinValue ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
            set => Volatile.Write(ref lastUsed, value?.ToUnixTimeMilliseconds() ?? long.MinValue);
        }
    }

    public static ValueTask<Entry?> FindAsync(RevLoopDb db, string hash, CancellationToken ct) =>
        Cache.GetAsync(db, hash, ChangeVersions.Of(typeof(ApiToken), typeof(User)), async ct =>
        {
            var found = await db.ApiTokens.AsNoTracking().Where(t => t.TokenHash == hash)
                .Join(db.Users, t => t.UserId, u => u.Id, (t, u) => new { t.Id, t.UserId, t.Scopes, t.RevokedAt, t.LastUsedAt, u.Role })
                .FirstOrDefaultAsync(ct);
            return found is null || found.RevokedAt is not null ? null
                : new Entry(found.Id, found.UserId, found.Role, found.Scopes.Split(','), found.LastUsedAt);
        }, ct);
}

public static class AuthenticationSetup
{
    public static void AddRevLoopAuth(this IServiceCollection services, SessionLifetime session)
    {
        services.AddSingleton(session);
        services.AddAuthentication(AuthSchemes.Smart)
            .AddPolicyScheme(AuthSchemes.Smart, "cookie or bearer", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? AuthSchemes.Token : AuthSchemes.Cookie)
            .AddCookie(AuthSchemes.Cookie, o =>
            {
                o.Cookie.Name = "revloop.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.ExpireTimeSpan = session.IdleTimeout;
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = ctx =>
                {
                    var issued = ctx.Principal?.FindFirst(AuthSchemes.IssuedClaim)?.Value;
                    var clock = ctx.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
                    if (issued is null || !long.TryParse(issued, out var t) || clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(t) > session.AbsoluteTimeout)
                    {
                        ctx.RejectPrincipal();
                        return ctx.HttpContext.SignOutAsync(AuthSchemes.Cookie);
                    }
                    return Task.CompletedTask;
                };
                // The API answers 401/403 instead of redirecting to the login page.
                o.Events.OnRedirectToLogin = ctx => Redirect(ctx, 401);
                o.Events.OnRedirectToAccessDenied = ctx => Redirect(ctx, 403);
            })
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(AuthSchemes.Token, null);

        services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.Read, p => p.RequireAuthenticatedUser().RequireAssertion(c => HasScope(c.User, Scopes.Read)))
            .AddPolicy(ApiPolicies.Write, p => p.RequireAuthenticatedUser().RequireAssertion(c => HasScope(c.User, Scopes.Write)))
            .AddPolicy(ApiPolicies.Revenue, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin, Roles.RevOps, Roles.Executive, Roles.Finance))
            .AddPolicy(ApiPolicies.Configure, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin, Roles.RevOps))
            .AddPolicy(ApiPolicies.Admin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin).RequireAssertion(c => HasScope(c.User, Scopes.Admin)));
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Headers.ContainsKey("HX-Request"))
        {
            ctx.Response.StatusCode = status;
            if (ctx.Request.Headers.ContainsKey("HX-Request")) ctx.Response.Headers["HX-Redirect"] = "/login";
        }
        else ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>People signed in with a cookie act with their role's rights; tokens only within their scopes (admin implies write implies read).</summary>
    public static bool HasScope(ClaimsPrincipal user, string scope)
    {
        if (user.Identity?.AuthenticationType == AuthSchemes.Cookie) return true;
        var scopes = user.FindAll(AuthSchemes.ScopeClaim).Select(c => c.Value).ToHashSet();
        return scope switch
        {
            Scopes.Read => scopes.Count > 0,
            Scopes.Write => scopes.Contains(Scopes.Write) || scopes.Contains(Scopes.Admin),
            _ => scopes.Contains(Scopes.Admin),
        };
    }

    public static ClaimsPrincipal CookiePrincipal(User user, DateTimeOffset now) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
        new Claim(ClaimTypes.Name, user.Email ?? ""),
        new Claim(ClaimTypes.Role, user.Role),
        new Claim(AuthSchemes.IssuedClaim, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ], AuthSchemes.Cookie));
}

public static class ApiPolicies
{
    public const string Read = "api.read", Write = "api.write", Admin = "api.admin";
    /// <summary>Company revenue (subscriptions, MRR and SaaS metrics): admin, revops, executive and finance.</summary>
    public const string Revenue = "revenue";
    /// <summary>Configuration of the sales process (pipelines, stages, rules): admin and revops.</summary>
    public const string Configure = "configure";
}

/// <summary>Turns the signed-in principal into the request's <see cref="Viewer"/> and <see cref="ChangeOrigin"/>.</summary>
public sealed class ViewerMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, Viewer viewer, ChangeOrigin origin, RevLoopDb db)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true && Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            var role = user.FindFirstValue(ClaimTypes.Role) ?? Roles.Ae;
            var seesAll = Roles.SeesEverything(role);
            var teams = seesAll ? [] : await Teams.ManagedByCachedAsync(db, userId, context.RequestAborted);
            viewer.BecomeUser(userId, role, seesAll, teams);
            var tokenId = user.FindFirstValue(AuthSchemes.TokenIdClaim);
            origin.Actor = tokenId is null ? $"user:{userId}" : $"token:{tokenId}";
            origin.Source = tokenId is null && !context.Request.Path.StartsWithSegments("/api") ? ChangeSources.Ui : ChangeSources.Api;
        }
        else
        {
            // Anonymous requests see nothing: a viewer that is neither system nor a user.
            viewer.BecomeUser(Guid.Empty, "anonymous", false, []);
        }
        await next(context);
    }
}

public static class Teams
{
    private static readonly ChangeCache<Guid, List<Guid>> Managed = new(ValidatedTokens.MaxAge);

    /// <summary>
    /// <see cref="ManagedByAsync"/> for a request's viewer, kept like <see cref="ValidatedTokens"/>: a save of a team
    /// through this process drops it at once, a change made by another process shows within a few seconds. The list is
    /// shared: callers must not change it.
    /// </summary>
    public static ValueTask<List<Guid>> ManagedByCachedAsync(RevLoopDb db, Guid userId, CancellationToken ct) =>
        Managed.GetAsync(db, userId, ChangeVersions.Of(typeof(Team)), ct => ManagedByAsync(db, userId, ct), ct);

    /// <summary>The teams a user manages, with all their descendant teams.</summary>
    public static async Task<List<Guid>> ManagedByAsync(RevLoopDb db, Guid userId, CancellationToken ct)
    {
        var managed = await db.Teams.Where(t => t.ManagerUserId == userId).Select(t => t.Id).ToListAsync(ct);
        if (managed.Count == 0) return managed;
        var all = await db.Teams.Select(t => new { t.Id, t.ParentTeamId }).ToListAsync(ct);
        var result = new HashSet<Guid>(managed);
        var frontier = new Queue<Guid>(managed);
        while (frontier.TryDequeue(out var id))
            foreach (var child in all.Where(t => t.ParentTeamId == id))
                if (result.Add(child.Id)) frontier.Enqueue(child.Id);
        return result.ToList();
    }
}
