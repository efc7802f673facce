namespace RevLoop.Server.Integration.Webhooks;

/// <summary>
/// The background loop of <c>serve</c>: fan out new outbox events, claim due deliveries up to
/// <see cref="WebhookOptions.MaxConcurrency"/> in flight, send them, and sleep for the poll interval when idle.
/// </summary>
public sealed class WebhookWorker(WebhookDispatcher dispatcher, WebhookOptions options, TimeProvider clock, ILogger<WebhookWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        await Task.Yield();
        var inFlight = new List<Task>();
        while (!stopping.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                busy |= await dispatcher.FanOutAsync(stopping) > 0;
                inFlight.RemoveAll(t => t.IsCompleted);
                var free = options.MaxConcurrency - inFlight.Count;
                if (free > 0)
                {
                    var claimed = await dispatcher.ClaimAsync(free, stopping);
                    foreach (var claim in claimed) inFlight.Add(dispatcher.SendAsync(claim, stopping));
                    busy |= claimed.Count > 0;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // A database hiccup (busy, failover, a unique-index race with another node) is retried on the next round.
                log.LogWarning(e, "Webhook worker round failed; retrying in {Interval}", options.PollInterval);
            }
            if (busy) continue;
            try
            {
                var sleep = Task.Delay(options.PollInterval, clock, stopping);
                await (inFlight.Count == 0 ? sleep : Task.WhenAny([sleep, .. inFlight]));
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
        }
        // SendAsync never throws; on shutdown it hands its delivery back.
        await Task.WhenAll(inFlight);
    }
}

public static class WebhookServices
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, WebhookOptions options, bool runWorker)
    {
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<WebhookDispatcher>();
        if (runWorker) services.AddHostedService<WebhookWorker>();
        return services;
    }
}
