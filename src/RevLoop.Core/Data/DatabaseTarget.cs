using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace RevLoop.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>Where the data lives: a SQLite file (the default) or a PostgreSQL connection string.</summary>
public sealed record DatabaseTarget(DatabaseProvider Provider, string ConnectionString, string Display)
{
    // Every database the process opens is named by a DatabaseTarget first, so this runs before SQLite's first connection.
    static DatabaseTarget() => SqliteLibrary.Configure();

    public const string EnvironmentVariable = "REVLOOP_DATABASE";
    public static string DefaultSqlitePath => Path.Combine(Environment.CurrentDirectory, "data", "revloop.db");

    /// <summary>--database wins, then REVLOOP_DATABASE, then ./data/revloop.db.</summary>
    public static DatabaseTarget Resolve(string? option)
    {
        var value = !string.IsNullOrWhiteSpace(option) ? option : Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value)) value = DefaultSqlitePath;
        return Parse(value);
    }

    public static DatabaseTarget Parse(string value)
    {
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return FromUri(new Uri(value));
        if (value.Contains("Host=", StringComparison.OrdinalIgnoreCase) || value.Contains("Server=", StringComparison.OrdinalIgnoreCase))
        {
            var cs = new Npgsql.NpgsqlConnectionStringBuilder(value);
            return Postgres(cs);
        }
        var path = value.StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase) ? new SqliteConnectionStringBuilder(value).DataSource : value;
        path = Path.GetFullPath(path);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 };
        return new(DatabaseProvider.Sqlite, builder.ConnectionString, $"SQLite {path}");
    }

    private static DatabaseTarget FromUri(Uri uri)
    {
        var user = uri.UserInfo.Split(':', 2);
        var cs = new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = uri.Host, Port = uri.Port > 0 ? uri.Port : 5432, Database = uri.AbsolutePath.TrimStart('/'),
            Username = Uri.UnescapeDataString(user[0]), Password = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : null,
        };
        return Postgres(cs);
    }

    /// <summary>Statements a connection runs repeatedly are prepared on the server once (Npgsql's automatic preparation,
    /// unless the connection string sets Max Auto Prepare): PostgreSQL otherwise parses and plans every query anew, which
    /// was most of its CPU under the list API's load (1M deals, 100 clients: 1,815 → ~3,100 req/s, ADR 0016).</summary>
    private static DatabaseTarget Postgres(Npgsql.NpgsqlConnectionStringBuilder cs)
    {
        if (cs.MaxAutoPrepare == 0)
        {
            cs.MaxAutoPrepare = AutoPreparedStatements;
            // Prepared from a statement's second run on a connection, not its fifth: the pool has up to 100 connections.
            cs.AutoPrepareMinUsages = 2;
        }
        // A connection back in the pool is not reset (7 statements on its next use: RESET ALL, DISCARD TEMP, UNLISTEN ...):
        // RevLoop keeps no session state (its one SET is SET LOCAL, inside a transaction), and the reset was ~0.07 ms of
        // PostgreSQL's CPU per short request (ADR 0017). A connection string that names the setting keeps its own value.
        // (Npgsql's builder answers ContainsKey for every keyword it knows; its connection string lists those set, by their
        // canonical names.)
        if (!new System.Data.Common.DbConnectionStringBuilder { ConnectionString = cs.ConnectionString }.ContainsKey("No Reset On Close")) cs.NoResetOnClose = true;
        return new(DatabaseProvider.Postgres, cs.ConnectionString, $"PostgreSQL {cs.Host}:{cs.Port}/{cs.Database}");
    }

    /// <summary>Prepared statements kept per PostgreSQL connection by default.</summary>
    public const int AutoPreparedStatements = 64;

    public void Configure(DbContextOptionsBuilder options) => Configure(options, []);

    /// <param name="interceptors">Run after the history interceptor (the server's: scoring after a save that changed scored fields).</param>
    public void Configure(DbContextOptionsBuilder options, IInterceptor[] interceptors)
    {
        // A list in a query (ids.Contains(x.Id)) goes as one array parameter (json_each on SQLite, = ANY on PostgreSQL):
        // EF 10's default of one parameter per element makes a 1,000-id lookup a new SQL text per size, and SQLite binds
        // parameters by name with a linear search each, so the cost grows with the square of the list.
        if (Provider == DatabaseProvider.Sqlite)
            options.UseSqlite(ConnectionString, o => o.MigrationsAssembly("RevLoop.Migrations.Sqlite").UseParameterizedCollectionMode(ParameterTranslationMode.Parameter));
        else
            options.UseNpgsql(ConnectionString, o => o.MigrationsAssembly("RevLoop.Migrations.Postgres").UseParameterizedCollectionMode(ParameterTranslationMode.Parameter));
        options.AddInterceptors([new HistoryInterceptor(), new SqlitePragmas(), .. interceptors]);
        options.ReplaceService<IModelCacheKeyFactory, ProviderModelCacheKeyFactory>();
        // Migrations are hand-written (no design-time package); SchemaMatchesModel tests compare them with the model instead.
        options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    /// <summary>Creates the SQLite file's folder and switches it to WAL; a no-op for PostgreSQL.</summary>
    public void Prepare()
    {
        if (Provider != DatabaseProvider.Sqlite) return;
        var path = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}

/// <summary>
/// Per-connection SQLite settings: writers wait for each other instead of failing, and WAL needs only NORMAL sync. Pages
/// are read through a memory map and a 64 MB cache instead of a copy per read, and the WAL is folded back into the
/// database every 40 MB rather than every 4 MB (each checkpoint rewrites the same hot index pages and syncs the file).
/// They live on the native connection, which the pool keeps open across SqliteConnection objects, so they are sent once
/// per native connection rather than on every open (EF opens the connection for each query: several times a request).
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Settings = "PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        + "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=10000;";
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = new();

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is not SqliteConnection sqlite || Configured.TryGetValue(sqlite.Handle!, out _)) return;
        using var command = connection.CreateCommand();
        command.CommandText = Settings;
        command.ExecuteNonQuery();
        Configured.AddOrUpdate(sqlite.Handle!, Settings);
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (connection is not SqliteConnection sqlite || Configured.TryGetValue(sqlite.Handle!, out _)) return;
        await using var command = connection.CreateCommand();
        command.CommandText = Settings;
        await command.ExecuteNonQueryAsync(cancellationToken);
        Configured.AddOrUpdate(sqlite.Handle!, Settings);
    }
}

public static class DatabaseServices
{
    public static IServiceCollection AddRevLoopData(this IServiceCollection services, DatabaseTarget target, params IInterceptor[] interceptors)
    {
        services.AddSingleton(target);
        services.AddScoped<Viewer>();
        services.AddScoped<ChangeOrigin>();
        // Pooled contexts with options built once: a new context per request set up EF's internal services scope,
        // looked up the model and compared the options every time, about a seventh of a short API request's CPU. Each
        // scope leases a context and gives it its own viewer, clock and change origin (docs/decisions/0014).
        services.AddPooledDbContextFactory<RevLoopDb>(o => target.Configure(o, interceptors));
        services.AddScoped(sp =>
        {
            var db = sp.GetRequiredService<IDbContextFactory<RevLoopDb>>().CreateDbContext();
            db.Lease(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Viewer>(), sp.GetRequiredService<ChangeOrigin>());
            return db;
        });
        return services;
    }
}
