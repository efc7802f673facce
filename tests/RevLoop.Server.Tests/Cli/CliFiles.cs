using Microsoft.EntityFrameworkCore;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Cli;

/// <summary>Files and counts shared by the CLI tests.</summary>
internal static class CliFiles
{
    public const string Header = "id,name,domain,industry,employees,segment,region,country,parent_account_id,owner_email";

    /// <summary>What `export accounts` writes: the import columns plus the external id.</summary>
    public const string ExportHeader = Header + ",external_id,tags,custom_fields";

    /// <summary>The actor the CLI writes onto history rows: cli:&lt;OS user&gt;.</summary>
    public static readonly string Actor = "cli:" + Environment.UserName;

    /// <summary>A fresh directory for a test's files, removed when the test ends.</summary>
    public static TempDirectory TempDir() => new();

    public sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "revloop-tests", "cli-" + Guid.NewGuid().ToString("N"));
        public TempDirectory() => Directory.CreateDirectory(Path);
        public static implicit operator string(TempDirectory d) => d.Path;
        public void Dispose()
        {
            try { Directory.Delete(Path, true); } catch (IOException) { } // best effort: a file may still be open briefly
        }
    }

    /// <summary>Lines joined by \n with a final \n, as the CLI writes them on Linux.</summary>
    public static string Lines(params string[] lines) => string.Join("\n", lines) + "\n";

    public static Task<(int Accounts, int Changes, int Events)> Counts(RunningServer server) => server.WithDbAsync(async db =>
        (await db.Accounts.IgnoreQueryFilters().CountAsync(), await db.FieldChanges.CountAsync(), await db.OutboxEvents.CountAsync()));
}
