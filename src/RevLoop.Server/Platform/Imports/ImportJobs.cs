using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Platform.Imports;

/// <summary>
/// Runs uploaded imports in the background, one scope each, as the user who uploaded them (their visibility, their name
/// on every history row, source "import"). The job row records the request and the outcome; live progress is kept in
/// memory, because an all-or-nothing import holds SQLite's write lock until it ends and could not write it meanwhile.
/// </summary>
public sealed class ImportJobs(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, ILogger<ImportJobs> logger)
{
    private readonly ConcurrentDictionary<Guid, ImportProgress> live = new();
    private readonly ConcurrentDictionary<Guid, Task> running = new();

    /// <summary>Where uploads wait for their job and where reject files stay to be downloaded.</summary>
    public static string Folder { get; } = Path.Combine(Path.GetTempPath(), "revloop-imports");

    public static string UploadPath(Guid id) => Path.Combine(Folder, $"{id}.csv");
    public static string RejectPath(Guid id) => Path.Combine(Folder, $"{id}.rejects.csv");
    private static string MapPath(Guid id) => Path.Combine(Folder, $"{id}.map.json");

    public ImportProgress? Progress(Guid id) => live.TryGetValue(id, out var p) ? p : null;

    /// <summary>Saves the upload, records the job and starts it; bad options are refused before anything is stored.</summary>
    public async Task<ImportJob> StartAsync(RevLoopDb db, Viewer viewer, ChangeOrigin origin, string recordObject, IFormFile file, string? dedupe, bool allOrNothing,
        string? map, IFormFile? mapFile, CancellationToken ct)
    {
        CsvObjects.Check(recordObject, "object");
        var policy = ImportOptions.ParseDedupe(dedupe);
        if (file.Length == 0) throw new InputException("file", "is empty; upload a CSV file with a header row");
        Directory.CreateDirectory(Folder);
        var job = new ImportJob
        {
            Object = recordObject, FileName = Path.GetFileName(file.FileName) is { Length: > 0 and <= 300 } n ? n : "upload.csv", Dedupe = policy.ToString().ToLowerInvariant(),
            AllOrNothing = allOrNothing, BytesTotal = file.Length, CreatedBy = origin.Actor, CreatedByUserId = viewer.UserId, CreatedAt = db.Clock.GetUtcNow(),
        };
        string? mapOption = map is { Length: > 0 } ? map.Trim() : null;
        if (mapFile is { Length: > 0 })
        {
            await using (var m = File.Create(MapPath(job.Id))) await mapFile.CopyToAsync(m, ct);
            mapOption = MapPath(job.Id);
        }
        if (mapOption is not null && mapOption != "salesforce" && mapOption != MapPath(job.Id))
            throw new InputException("map", "must be 'salesforce' or an uploaded map.json file");
        if (mapOption is not null) CsvObjects.Map(recordObject, mapOption); // refuse an unreadable map now, not in the background
        await using (var target = File.Create(UploadPath(job.Id))) await file.CopyToAsync(target, ct);
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync(ct);

        var who = (viewer.UserId, viewer.Role, viewer.SeesAll, viewer.TeamIds.ToList(), origin.Actor);
        live[job.Id] = new ImportProgress(0, 0, job.BytesTotal);
        running[job.Id] = Task.Run(() => RunAsync(job.Id, recordObject, new ImportOptions(policy, allOrNothing), mapOption, who), CancellationToken.None);
        return job;
    }

    /// <summary>Waits for a job started on this node (tests, shutdown).</summary>
    public Task WaitAsync(Guid id) => running.TryGetValue(id, out var t) ? t : Task.CompletedTask;

    private async Task RunAsync(Guid id, string recordObject, ImportOptions options, string? map, (Guid? UserId, string Role, bool SeesAll, List<Guid> Teams, string Actor) who)
    {
        var ct = lifetime.ApplicationStopping;
        ImportResult? result = null;
        string? error = null;
        try
        {
            using var scope = scopes.CreateScope();
            var sp = scope.ServiceProvider;
            if (who.UserId is { } user) sp.GetRequiredService<Viewer>().BecomeUser(user, who.Role, who.SeesAll, who.Teams);
            var origin = sp.GetRequiredService<ChangeOrigin>();
            origin.Actor = who.Actor;
            origin.Source = ChangeSources.Import;
            var db = sp.GetRequiredService<RevLoopDb>();
            await db.ImportJobs.Where(j => j.Id == id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, ImportJobStatus.Running), ct);
            result = await CsvObjects.ImportAsync(recordObject, db, UploadPath(id), RejectPath(id), options with { Map = CsvObjects.Map(recordObject, map) },
                p => { live[id] = p; return Task.CompletedTask; }, ct);
        }
        catch (InputException e)
        {
            error = $"{e.Field}: {e.Reason}";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "Import {Job} failed", id);
            error = ct.IsCancellationRequested ? "the server stopped during the import" : "the import failed: " + e.Message;
        }
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            var job = await db.ImportJobs.FirstAsync(j => j.Id == id, CancellationToken.None);
            job.Status = error is null ? ImportJobStatus.Done : ImportJobStatus.Failed;
            job.Error = error?.Length > 2000 ? error[..2000] : error;
            job.FinishedAt = db.Clock.GetUtcNow();
            job.BytesRead = job.BytesTotal;
            if (result is not null)
                (job.Read, job.Created, job.Updated, job.Rejected, job.RolledBack) = (result.Read, result.Created, result.Updated, result.Rejected, result.RolledBack);
            await db.SaveChangesAsync(CancellationToken.None);
        }
        finally
        {
            live.TryRemove(id, out _);
            running.TryRemove(id, out _);
            File.Delete(UploadPath(id));
            File.Delete(MapPath(id));
        }
    }
}
