#:package Microsoft.EntityFrameworkCore.Sqlite
// The SQLite floor of an import (a benchmark, not a test): how long SQLite itself takes to store the rows an import of
// N opportunities wrote, given those rows ready-made. It replays the import's own output (staged by floor.sh: the
// opportunities, their field history and their outbox events, in the order the import wrote them) into a copy of the
// database as it was before the import, with INSERT … SELECT in the import's commit groups and with the import's
// connection settings, through the same SQLite library as RevLoop (Microsoft.Data.Sqlite's e_sqlite3). No CSV is read,
// no value bound, no lookup made: whatever an import does besides storing rows comes on top of these times.
//
//   dotnet run bench/imports/floor.cs -- BEFORE.db STAGE.db WORK.db [ROWS_PER_COMMIT]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: floor.cs BEFORE.db STAGE.db WORK.db [ROWS_PER_COMMIT]");
    return 2;
}
var (before, stage, work) = (args[0], args[1], args[2]);
var perCommit = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 50_000;

long deals;
// Commit groups as the import makes them: deals first..last, with the staged rows of their history and events (the
// staging tables carry the number of the deal each row belongs to, in the order the import wrote them).
var chunks = new List<(long First, long Last, long History0, long History1, long Events0, long Events1)>();
using (var s = Open(stage))
{
    deals = Scalar(s, "SELECT count(*) FROM o");
    for (long first = 1; first <= deals; first += perCommit)
    {
        var last = Math.Min(deals, first + perCommit - 1);
        chunks.Add((first, last,
            Scalar(s, $"SELECT min(rowid) FROM f WHERE deal >= {first}"), Scalar(s, $"SELECT max(rowid) FROM f WHERE deal <= {last}"),
            Scalar(s, $"SELECT min(rowid) FROM e WHERE deal >= {first}"), Scalar(s, $"SELECT max(rowid) FROM e WHERE deal <= {last}")));
    }
}
Console.WriteLine($"SQLite {Version()}, {deals:N0} deals, {perCommit:N0} per commit");
Console.WriteLine();
Console.WriteLine("| what SQLite stores | wall | deals/s |");
Console.WriteLine("|---|---:|---:|");

Read();
Run("the opportunities, their history and events (what an import stores)", o: true, history: true, secondary: true);
Run("the opportunities alone, with their indexes", o: true, history: false, secondary: true);
Run("their history and events alone", o: false, history: true, secondary: true);
Run("all, without the opportunities' secondary indexes", o: true, history: true, secondary: false);
Run("all, without them, then the indexes built (CREATE INDEX)", o: true, history: true, secondary: false, rebuild: true);
return 0;

void Run(string label, bool o, bool history, bool secondary, bool rebuild = false)
{
    foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(work + suffix);
    File.Copy(before, work);
    using var db = Open(work);
    // RevLoop's connection settings (DatabaseTarget), then the import's own (RecordImport).
    Exec(db, "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        + "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-524288; PRAGMA wal_autocheckpoint=16384;");
    Exec(db, $"ATTACH '{stage}' AS s");
    var indexes = new List<string>();
    if (!secondary)
    {
        // Every secondary index of the table but the external id, which an import's matching reads.
        using var c = db.CreateCommand();
        c.CommandText = "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = 'Opportunities' AND sql IS NOT NULL AND name <> 'IX_Opportunities_ExternalId'";
        using var r = c.ExecuteReader();
        var drop = new List<string>();
        while (r.Read()) { drop.Add(r.GetString(0)); indexes.Add(r.GetString(1)); }
        r.Close();
        foreach (var name in drop) Exec(db, $"DROP INDEX main.\"{name}\"");
    }
    var columns = new Dictionary<string, string>();
    foreach (var table in new[] { "Opportunities", "FieldChanges", "OutboxEvents" })
    {
        using var c = db.CreateCommand();
        c.CommandText = $"SELECT group_concat('\"' || name || '\"', ', ') FROM pragma_table_info('{table}')";
        columns[table] = (string)c.ExecuteScalar()!;
    }
    var clock = Stopwatch.StartNew();
    foreach (var (first, last, history0, history1, events0, events1) in chunks)
    {
        using var tx = db.BeginTransaction();
        if (o) Exec(db, $"INSERT INTO main.\"Opportunities\" ({columns["Opportunities"]}) SELECT {columns["Opportunities"]} FROM s.o WHERE rowid BETWEEN {first} AND {last}", tx);
        if (history)
        {
            Exec(db, $"INSERT INTO main.\"FieldChanges\" ({columns["FieldChanges"]}) SELECT {columns["FieldChanges"]} FROM s.f WHERE rowid BETWEEN {history0} AND {history1}", tx);
            Exec(db, $"INSERT INTO main.\"OutboxEvents\" ({columns["OutboxEvents"]}) SELECT {columns["OutboxEvents"]} FROM s.e WHERE rowid BETWEEN {events0} AND {events1}", tx);
        }
        tx.Commit();
    }
    var load = clock.Elapsed.TotalSeconds;
    var built = 0.0;
    if (rebuild)
    {
        clock.Restart();
        Exec(db, "PRAGMA threads=2");
        using var tx = db.BeginTransaction();
        foreach (var sql in indexes) Exec(db, sql, tx);
        tx.Commit();
        built = clock.Elapsed.TotalSeconds;
    }
    var total = load + built;
    var parts = rebuild ? $"{load:F1} s + {built:F1} s = {total:F1} s" : $"{total:F1} s";
    Console.WriteLine($"| {label} | {parts} | {deals / total:N0} |");
    db.Close();
    SqliteConnection.ClearAllPools();
}

// What the replay pays to read the staged rows (every column of every row), which the times above include: without it,
// SQLite's storing alone is that much faster.
void Read()
{
    using var s = Open(stage);
    var clock = Stopwatch.StartNew();
    foreach (var table in new[] { "o", "f", "e" })
    {
        using var c = s.CreateCommand();
        c.CommandText = $"SELECT group_concat('coalesce(length(\"' || name || '\"), 0)', ' + ') FROM pragma_table_info('{table}')";
        var sum = (string)c.ExecuteScalar()!;
        foreach (var (first, last, history0, history1, events0, events1) in chunks)
        {
            var (lo, hi) = table switch { "o" => (first, last), "f" => (history0, history1), _ => (events0, events1) };
            Scalar(s, $"SELECT sum({sum}) FROM {table} WHERE rowid BETWEEN {lo} AND {hi}");
        }
    }
    Console.WriteLine($"| (reading the staged rows, included in each line below) | {clock.Elapsed.TotalSeconds:F1} s | |");
}

static SqliteConnection Open(string path)
{
    var c = new SqliteConnection($"Data Source={path};Pooling=False");
    c.Open();
    return c;
}

static void Exec(SqliteConnection db, string sql, SqliteTransaction? tx = null)
{
    using var c = db.CreateCommand();
    c.Transaction = tx;
    c.CommandText = sql;
    c.CommandTimeout = 0;
    c.ExecuteNonQuery();
}

static long Scalar(SqliteConnection db, string sql)
{
    using var c = db.CreateCommand();
    c.CommandText = sql;
    return (long)c.ExecuteScalar()!;
}

static string Version()
{
    using var c = new SqliteConnection("Data Source=:memory:");
    c.Open();
    using var cmd = c.CreateCommand();
    cmd.CommandText = "SELECT sqlite_version()";
    return (string)cmd.ExecuteScalar()!;
}
