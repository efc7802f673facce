using Microsoft.EntityFrameworkCore;
using RevLoop.Data;

namespace RevLoop.Server.Demo;

/// <summary>`serve --demo`: the default demo company is loaded when the database is empty, then the server starts as usual.</summary>
public static class DemoServe
{
    public static async Task LoadIfEmptyAsync(IServiceProvider services, ILogger logger, CancellationToken ct, DemoOptions? options = null)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var target = scope.ServiceProvider.GetRequiredService<DatabaseTarget>();
        var existing = await DemoLoader.ExistingDataAsync(db, ct);
        if (existing.Count > 0)
        {
            logger.LogInformation("--demo: {Database} already holds data; not loading the demo company", target.Display);
        }
        else
        {
            logger.LogInformation("--demo: loading the demo company into {Database}…", target.Display);
            var summary = await DemoLoader.LoadAsync(db, target, options ?? new DemoOptions(), line => logger.LogInformation("--demo: {Progress}", line.Trim()), ct);
            logger.LogInformation("--demo: loaded in {Seconds:0.0} s: {Summary}", summary.Elapsed.TotalSeconds, summary.ToString());
        }
        var admin = DemoOptions.AdminEmail.ToUpperInvariant();
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == admin, ct))
            foreach (var line in DemoLoader.LoginHelp()) logger.LogInformation("{Login}", line);
    }
}
