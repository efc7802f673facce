using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace RevLoop.Testing;

/// <summary>
/// A real PostgreSQL started once per test run from the machine's binaries (initdb, pg_ctl) in a temp directory on a
/// free port, and stopped when the run ends. As root the binaries run as the postgres user, as PostgreSQL requires.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<string> Started = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static string? dataDir;
    private static int databaseCounter;

    public static string AdminConnectionString => Started.Value;

    /// <summary>A new, empty database for one test.</summary>
    public static string CreateDatabase()
    {
        var name = $"t{Environment.ProcessId}_{Interlocked.Increment(ref databaseCounter)}";
        using (var c = new NpgsqlConnection(AdminConnectionString))
        {
            c.Open();
            using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            cmd.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    private static string BinDir()
    {
        var fromEnv = Environment.GetEnvironmentVariable("PG_BIN");
        if (fromEnv is not null) return fromEnv;
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().ToList()
            : [];
        if (candidates.Count > 0) return candidates[0];
        throw new InvalidOperationException("PostgreSQL binaries not found: install postgresql (initdb, pg_ctl) or set PG_BIN");
    }

    private static bool IsRoot() => Environment.UserName == "root";

    private static string Start()
    {
        var bin = BinDir();
        dataDir = Path.Combine(Path.GetTempPath(), $"revloop-pg-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDir);
        if (IsRoot()) Run("chown", $"postgres:postgres {dataDir}", asPostgres: false);
        var port = FreePort();
        Run(Path.Combine(bin, "initdb"), $"-D {dataDir}/data -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync", IsRoot());
        Run(Path.Combine(bin, "pg_ctl"),
            $"-D {dataDir}/data -l {dataDir}/log -w -t 60 -o \"-p {port} -k {dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400\" start", IsRoot());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(bin);
        StartWatchdog(bin);
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=20;Timeout=30";
    }

    private static void Stop(string bin)
    {
        if (dataDir is null) return;
        try
        {
            Run(Path.Combine(bin, "pg_ctl"), $"-D {dataDir}/data -m immediate -w stop", IsRoot());
            Directory.Delete(dataDir, true);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"could not stop test PostgreSQL in {dataDir}: {e.Message}");
        }
    }

    /// <summary>
    /// ProcessExit alone leaked servers and data directories: the test platform may end the test host before (or while)
    /// the handler runs. A detached shell (re-parented to init, its own session, so a process-tree kill of the test host
    /// does not reach it) waits for this process to end, then stops the server if it still runs and removes the directory.
    /// </summary>
    private static void StartWatchdog(string bin)
    {
        var pgCtl = (IsRoot() ? "runuser -u postgres -- " : "") + Path.Combine(bin, "pg_ctl");
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {pgCtl} -D {dataDir}/data -m immediate -w stop; rm -rf {dataDir}";
        var psi = new ProcessStartInfo("sh", ["-c", $"setsid sh -c '{script}' </dev/null >/dev/null 2>&1 &"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath(),
        };
        using var p = Process.Start(psi)!;
        p.WaitForExit(10_000);
    }

    private static void Run(string file, string args, bool asPostgres)
    {
        var psi = asPostgres
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {args}")
            : new ProcessStartInfo(file, args);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.WorkingDirectory = Path.GetTempPath();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"{file} {args} did not finish"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {args} failed ({p.ExitCode}): {stderr.GetAwaiter().GetResult()} {stdout.GetAwaiter().GetResult()}");
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
