using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Crm.Accounts;
using RevLoop.Server.Integration.Webhooks;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Hosting;

public sealed class ServeOptions
{
    public required DatabaseTarget Database { get; init; }
    public string Urls { get; init; } = "http://127.0.0.1:5080";
    /// <summary>Requests per minute per token (or user, or client address).</summary>
    public int RateLimitPerMinute { get; init; } = 1200;
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;
    public SessionLifetime Session { get; init; } = new();
    public string? ContentRoot { get; init; }
    public bool RunWorkers { get; init; } = true;
    /// <summary>Webhook delivery timings (lease, poll interval, backoff); registered in DI as a singleton.</summary>
    public WebhookOptions Webhooks { get; init; } = new();
    public Action<IServiceCollection>? ConfigureServices { get; init; }
    /// <summary>How often the forecast snapshot worker runs (weekly by default).</summary>
    public Forecasting.ForecastSnapshotOptions ForecastSnapshots { get; init; } = new();
}

public static class ServerApp
{
    public static WebApplication Build(ServeOptions options, string[]? args = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args ?? [],
            ContentRootPath = options.ContentRoot ?? AppContext.BaseDirectory,
            WebRootPath = Path.Combine(options.ContentRoot ?? AppContext.BaseDirectory, "wwwroot"),
        });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddRevLoopData(options.Database, new Marketing.Scoring.RescoreAfterSave());
        services.AddIdentityCore<User>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false; o.Password.RequireLowercase = false; o.Password.RequireUppercase = false; o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = true;
            })
            .AddEntityFrameworkStores<RevLoopDb>();
        services.AddRevLoopAuth(options.Session);
        services.AddAntiforgery(o => { o.HeaderName = "X-CSRF-TOKEN"; o.Cookie.Name = "revloop.csrf"; });
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddOpenApi("v1");
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (!http.Request.Path.StartsWithSegments("/api")) return RateLimitPartition.GetNoLimiter("ui");
                var key = http.User.FindFirst(AuthSchemes.TokenIdClaim)?.Value
                    ?? http.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value
                    ?? http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.RateLimitPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
                });
            });
            o.OnRejected = async (ctx, ct) =>
            {
                var retry = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : 60;
                ctx.HttpContext.Response.StatusCode = 429;
                ctx.HttpContext.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ctx.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = ctx.HttpContext,
                    ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 429, Title = "Too many requests", Detail = $"Rate limit of {options.RateLimitPerMinute} requests per minute; retry after {retry} s." },
                });
            };
        });
        Web.WebRoutes.AddRevLoopWeb(services);
        services.AddWebhooks(options.Webhooks, options.RunWorkers);
        services.AddHostedService<SqliteFileInUse>();
        services.AddSingleton<Platform.Imports.ImportJobs>();
        services.AddSingleton<Analytics.WinModels>();
        services.AddSingleton(options.ForecastSnapshots);
        if (options.RunWorkers) services.AddHostedService<Forecasting.ForecastSnapshotWorker>();
        if (options.RunWorkers) services.AddHostedService<Crm.Routing.LeadSlaWorker>();
        if (options.RunWorkers) services.AddHostedService<Analytics.OpportunityHistoryWarmUp>();
        services.AddSingleton<Marketing.Scoring.ScoringRecompute>();
        if (options.RunWorkers) services.AddHostedService<Marketing.Scoring.ScoringWorker>();
        options.ConfigureServices?.Invoke(services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseMiddleware<ViewerMiddleware>();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseMiddleware<IdempotencyMiddleware>();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o => { o.RoutePrefix = "api/docs"; o.SwaggerEndpoint("/openapi/v1.json", "RevLoop API v1"); o.DocumentTitle = "RevLoop API"; });
        app.MapGet("/health", () => TypedResults.Ok(new { status = "ok" })).ExcludeFromDescription();
        app.MapAccountsApi();
        Finance.SubscriptionsApi.MapSubscriptionsApi(app);
        Analytics.MetricsApi.MapMetricsApi(app);
        Analytics.WinProbabilityApi.MapWinProbabilityApi(app);
        Analytics.AnalyticsApi.MapAnalyticsApi(app);
        app.MapHistoryApi();
        app.MapSettingsApi();
        app.MapPeopleApi();
        Crm.Contacts.ContactsApi.MapContactsApi(app);
        Crm.Leads.LeadsApi.MapLeadsApi(app);
        Crm.Routing.RoutingApi.MapRoutingApi(app);
        Crm.Duplicates.DuplicatesApi.MapDuplicatesApi(app);
        Crm.Activities.ActivitiesApi.MapActivitiesApi(app);
        Crm.Products.ProductsApi.MapProductsApi(app);
        Crm.Opportunities.PipelinesApi.MapPipelinesApi(app);
        Crm.Opportunities.OpportunitiesApi.MapOpportunitiesApi(app);
        Crm.Configuration.CustomFieldsApi.MapCustomFieldsApi(app);
        Crm.Search.SearchApi.MapSearchApi(app);
        Crm.Opportunities.BoardApi.MapBoardApi(app);
        Marketing.CampaignsApi.MapCampaignsApi(app);
        Marketing.Abm.TargetListsApi.MapTargetListsApi(app);
        Marketing.EventsApi.MapEventsApi(app);
        Marketing.AttributionApi.MapAttributionApi(app);
        Marketing.MarketingFunnelApi.MapMarketingFunnelApi(app);
        Marketing.Scoring.ScoringApi.MapScoringApi(app);
        Marketing.ConsentApi.MapConsentApi(app);
        Marketing.Unsubscribe.MapUnsubscribe(app);
        app.MapWebhooksApi();
        Platform.Imports.ImportsApi.MapImportsApi(app);
        Forecasting.TargetsApi.MapTargetsApi(app);
        Forecasting.ForecastsApi.MapForecastsApi(app);
        Analytics.ApmApi.MapApmApi(app);
        Web.WebRoutes.Map(app);
        return app;
    }

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        using var scope = services.CreateScope();
        var target = scope.ServiceProvider.GetRequiredService<DatabaseTarget>();
        target.Prepare();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        await db.Database.MigrateAsync(ct);
        if (!await db.CompanySettings.AnyAsync(ct))
        {
            db.CompanySettings.Add(new CompanySettings());
            if (!await db.Currencies.AnyAsync(ct)) db.Currencies.Add(new Currency { Code = "USD", Name = "US dollar" });
            await db.SaveChangesAsync(ct);
        }
    }
}
