using SQLitePCL;

namespace RevLoop.Data;

/// <summary>Process-wide SQLite settings, applied once before the process opens its first SQLite connection.</summary>
public static class SqliteLibrary
{
    private static readonly int ConfigResult = Apply();

    /// <summary>SQLITE_OK when the settings took effect (they cannot once a connection was opened).</summary>
    public static int Configure() => ConfigResult;

    private static int Apply()
    {
        Batteries_V2.Init();
        // SQLite's memory statistics take one process-wide mutex on every allocation and free. Nothing here reads them,
        // and under load (a hundred requests preparing statements at once) threads queued on that mutex.
        return raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0);
    }
}
