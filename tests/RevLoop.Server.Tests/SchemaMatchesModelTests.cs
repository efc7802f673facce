using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Data;
using RevLoop.Server.Hosting;

namespace RevLoop.Server.Tests;

/// <summary>The hand-written migrations of each provider produce exactly the schema the EF model expects.</summary>
public class SchemaMatchesModelTests
{
    private sealed record Column(string Table, string Name, string Type, bool Nullable);
    private sealed record Index(string Table, string Name, string Columns, bool Unique);

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Migrated_schema_matches_the_model(string provider)
    {
        var target = Providers.NewDatabase(provider);
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddRevLoopData(target).BuildServiceProvider();
        await ServerApp.MigrateAsync(services);
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var model = db.GetService<IDesignTimeModel>().Model.GetRelationalModel();

        var expectedColumns = model.Tables.SelectMany(t => t.Columns.Select(c => new Column(t.Name, c.Name, c.StoreType, c.IsNullable))).OrderBy(c => c.Table).ThenBy(c => c.Name).ToList();
        var expectedIndexes = model.Tables.SelectMany(t => t.Indexes.Select(i => new Index(t.Name, i.Name, string.Join(",", i.Columns.Select(c => c.Name)), i.IsUnique))
            .Concat(t.UniqueConstraints.Where(u => !u.GetIsPrimaryKey()).Select(u => new Index(t.Name, u.Name, string.Join(",", u.Columns.Select(c => c.Name)), true))))
            .OrderBy(i => i.Table).ThenBy(i => i.Name).ToList();

        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var (actualColumns, actualIndexes) = provider == "sqlite" ? await ReadSqlite(connection) : await ReadPostgres(connection);

        Assert.Equal(expectedColumns.Select(c => c.Table).Distinct(), actualColumns.Select(c => c.Table).Distinct());
        Assert.Equal(expectedColumns, actualColumns);
        Assert.Equal(expectedIndexes, actualIndexes);
        Assert.True(expectedColumns.Count > 80, $"model has {expectedColumns.Count} columns");
    }

    private static async Task<(List<Column>, List<Index>)> ReadSqlite(DbConnection c)
    {
        var tables = await Strings(c, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('__EFMigrationsHistory', '__EFMigrationsLock') ORDER BY name");
        var columns = new List<Column>();
        var indexes = new List<Index>();
        foreach (var t in tables)
        {
            foreach (var row in await Rows(c, $"PRAGMA table_info(\"{t}\")"))
                columns.Add(new Column(t, (string)row["name"], (string)row["type"], (long)row["notnull"] == 0 && (long)row["pk"] == 0));
            foreach (var row in await Rows(c, $"PRAGMA index_list(\"{t}\")"))
            {
                var name = (string)row["name"];
                if (name.StartsWith("sqlite_autoindex_", StringComparison.Ordinal)) continue;
                var cols = (await Rows(c, $"PRAGMA index_info(\"{name}\")")).OrderBy(r => (long)r["seqno"]).Select(r => (string)r["name"]);
                indexes.Add(new Index(t, name, string.Join(",", cols), (long)row["unique"] == 1));
            }
        }
        return (columns.OrderBy(x => x.Table).ThenBy(x => x.Name).ToList(), indexes.OrderBy(i => i.Table).ThenBy(i => i.Name).ToList());
    }

    private static async Task<(List<Column>, List<Index>)> ReadPostgres(DbConnection c)
    {
        var columns = (await Rows(c, """
            SELECT cl.relname AS t, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
            FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
            WHERE n.nspname = 'public' AND cl.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND cl.relname <> '__EFMigrationsHistory'
            """)).Select(r => new Column((string)r["t"], (string)r["name"], (string)r["type"], (bool)r["nullable"])).OrderBy(x => x.Table).ThenBy(x => x.Name).ToList();
        var indexes = (await Rows(c, """
            SELECT t.relname AS t, i.relname AS name, ix.indisunique AS uniq,
                   (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS cols
            FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'public' AND NOT ix.indisprimary AND t.relname <> '__EFMigrationsHistory'
            """)).Select(r => new Index((string)r["t"], (string)r["name"], (string)r["cols"], (bool)r["uniq"])).OrderBy(i => i.Table).ThenBy(i => i.Name).ToList();
        return (columns, indexes);
    }

    private static async Task<List<string>> Strings(DbConnection c, string sql) => (await Rows(c, sql)).Select(r => (string)r.Values.First()).ToList();

    private static async Task<List<Dictionary<string, object>>> Rows(DbConnection c, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object>>();
        while (await reader.ReadAsync())
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, reader.GetValue));
        return rows;
    }
}
