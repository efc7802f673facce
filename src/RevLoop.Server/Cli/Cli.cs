using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Platform.Imports;
using RevLoop.Server.Hosting;
using RevLoop.Server.Integration.Webhooks;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Cli;

/// <summary>The revloop executable's verbs. Exit codes: 0 ok, 1 failure, 2 bad input (nothing changed).</summary>
public static class RevLoopCli
{
    public static readonly Option<string?> Database = new("--database")
    {
        Description = "SQLite file path or PostgreSQL connection string (default: $REVLOOP_DATABASE, else ./data/revloop.db)",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("RevLoop: the revenue engine of a B2B SaaS company on one data model.");
        root.Options.Add(Database);
        root.Subcommands.Add(Serve());
        root.Subcommands.Add(Migrate());
        root.Subcommands.Add(UserVerb());
        root.Subcommands.Add(Backup());
        root.Subcommands.Add(Import());
        root.Subcommands.Add(Export());
        root.Subcommands.Add(Crm.Duplicates.MergeVerb.Build());
        root.Subcommands.Add(Analytics.MetricsVerb.Build());
        root.Subcommands.Add(Demo.DemoVerb.Build());
        root.Subcommands.Add(Crm.Routing.RoutingVerb.Build());
        root.Subcommands.Add(Marketing.AttributionVerb.Build());
        root.Subcommands.Add(Marketing.Scoring.ScoringVerb.Build());
        root.Subcommands.Add(Marketing.Abm.AbmVerb.Build());
        root.Subcommands.Add(Marketing.MarketingVerb.Build());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return await Build().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"error: {e.Field}: {e.Reason}");
            return 2;
        }
    }

    private static Command Serve()
    {
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var rate = new Option<int>("--rate-limit") { Description = "API requests per minute per token or user", DefaultValueFactory = _ => 1200 };
        var idle = new Option<int>("--session-idle-minutes") { Description = "Sign people out after this many idle minutes", DefaultValueFactory = _ => 30 };
        var absolute = new Option<int>("--session-max-hours") { Description = "Sign people out this many hours after they signed in, active or not", DefaultValueFactory = _ => 12 };
        var lease = new Option<int>("--webhook-lease-seconds")
        {
            Description = "How long a node holds a webhook delivery it is sending; after a crash it is sent again once this ran out (HTTP timeout: 10 s or half of it)",
            DefaultValueFactory = _ => 60,
        };
        lease.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 2 or > 3600) r.AddError("--webhook-lease-seconds must be between 2 and 3600"); });
        var demo = new Option<bool>("--demo") { Description = "Load the demo company (as `revloop demo`) into an empty database before serving" };
        var cmd = new Command("serve", "Run the web UI, the REST API and the background workers (migrates the database first).") { urls, rate, idle, absolute, lease, demo };
        cmd.SetAction(async (pr, ct) =>
        {
            var target = DatabaseTarget.Resolve(pr.GetValue(Database));
            if (pr.GetValue(idle) < 1) throw new InputException("--session-idle-minutes", "must be at least 1");
            if (pr.GetValue(absolute) < 1) throw new InputException("--session-max-hours", "must be at least 1");
            var app = ServerApp.Build(new ServeOptions
            {
                Database = target, Urls = pr.GetValue(urls)!, RateLimitPerMinute = pr.GetValue(rate),
                Session = new SessionLifetime { IdleTimeout = TimeSpan.FromMinutes(pr.GetValue(idle)), AbsoluteTimeout = TimeSpan.FromHours(pr.GetValue(absolute)) },
                Webhooks = new WebhookOptions { LeaseDuration = TimeSpan.FromSeconds(pr.GetValue(lease)) },
            });
            await ServerApp.MigrateAsync(app.Services, ct);
            if (pr.GetValue(demo)) await Demo.DemoServe.LoadIfEmptyAsync(app.Services, app.Logger, ct);
            app.Logger.LogInformation("Data lives in {Database}", target.Display);
            await app.RunAsync();
            return 0;
        });
        return cmd;
    }

    private static Command Migrate()
    {
        var cmd = new Command("migrate", "Apply the schema migrations to the database and exit.");
        cmd.SetAction(async (pr, ct) =>
        {
            await using var services = CliServices(pr);
            await ServerApp.MigrateAsync(services, ct);
            Console.Error.WriteLine($"Migrated {services.GetRequiredService<DatabaseTarget>().Display}");
            return 0;
        });
        return cmd;
    }

    private static Command UserVerb()
    {
        var email = new Option<string>("--email") { Description = "The user's email", Required = true };
        var password = new Option<string>("--password") { Description = "At least 12 characters", Required = true };
        var role = new Option<string>("--role") { Description = "One of: " + string.Join(", ", Roles.All), Required = true };
        var team = new Option<string?>("--team") { Description = "Team name (created when missing)" };
        var name = new Option<string?>("--name") { Description = "Display name" };
        var create = new Command("create", "Create a user.") { email, password, role, team, name };
        create.SetAction((pr, ct) => WithServices(pr, ChangeSources.Cli, async (sp, db) =>
        {
            var r = pr.GetValue(role)!;
            if (!Roles.All.Contains(r)) throw new InputException("--role", $"'{r}' is not a role (one of: {string.Join(", ", Roles.All)})");
            // One transaction: a refused password or email must not leave a new team behind.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            Guid? teamId = null;
            if (pr.GetValue(team) is { } teamName)
            {
                var t = await db.Teams.FirstOrDefaultAsync(x => x.Name == teamName, ct);
                if (t is null) { t = new Team { Id = Guid.CreateVersion7(), Name = teamName }; db.Teams.Add(t); await db.SaveChangesAsync(ct); }
                teamId = t.Id;
            }
            var users = sp.GetRequiredService<UserManager<User>>();
            var mail = pr.GetValue(email)!.Trim();
            var user = new User
            {
                Id = Guid.CreateVersion7(), Email = mail, UserName = mail, DisplayName = pr.GetValue(name) ?? mail.Split('@')[0],
                Role = r, TeamId = teamId, CreatedAt = db.Clock.GetUtcNow(), EmailConfirmed = true,
            };
            var result = await users.CreateAsync(user, pr.GetValue(password)!);
            if (!result.Succeeded)
                throw new InputException(result.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "--password" : "--email",
                    string.Join("; ", result.Errors.Select(e => e.Description)));
            if (teamId is { } tid && r == Roles.SalesManager)
            {
                var t = await db.Teams.FirstAsync(x => x.Id == tid, ct);
                t.ManagerUserId ??= user.Id;
                await db.SaveChangesAsync(ct);
            }
            await transaction.CommitAsync(ct);
            Console.Error.WriteLine($"Created {r} {mail} ({user.Id})");
            return 0;
        }, ct));

        var scopes = new Option<string>("--scopes") { Description = "Comma-separated: read, write, admin", DefaultValueFactory = _ => "read" };
        var tokenEmail = new Option<string>("--email") { Required = true, Description = "The user's email" };
        var token = new Command("token", "Issue an API token; prints only the token on stdout (shown once).") { tokenEmail, scopes };
        token.SetAction((pr, ct) => WithServices(pr, ChangeSources.Cli, async (sp, db) =>
        {
            var user = await FindUser(db, pr.GetValue(tokenEmail)!, ct);
            IReadOnlyList<string> list;
            try { list = ApiTokens.ParseScopes(pr.GetValue(scopes)!); }
            catch (InputException e) { throw new InputException("--scopes", e.Reason); }
            if (list.Contains(Scopes.Admin) && user.Role != Roles.Admin) throw new InputException("--scopes", "only an admin user can hold an admin-scoped token");
            Console.Out.WriteLine(await ApiTokens.IssueAsync(db, user, list, ct));
            return 0;
        }, ct));

        var revokeEmail = new Option<string>("--email") { Required = true, Description = "The user's email" };
        var revoke = new Command("revoke-token", "Revoke every API token of a user.") { revokeEmail };
        revoke.SetAction((pr, ct) => WithServices(pr, ChangeSources.Cli, async (sp, db) =>
        {
            var user = await FindUser(db, pr.GetValue(revokeEmail)!, ct);
            var n = await ApiTokens.RevokeAllAsync(db, user.Id, ct);
            Console.Error.WriteLine($"Revoked {n} token(s) of {user.Email}");
            return 0;
        }, ct));

        return new Command("user", "Manage users and API tokens.") { create, token, revoke };
    }

    private static async Task<User> FindUser(RevLoopDb db, string email, CancellationToken ct)
    {
        var normalised = email.Trim().ToUpperInvariant();
        return await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalised, ct)
            ?? throw new InputException("--email", $"no user has email {email}");
    }

    private static Command Backup()
    {
        var output = new Option<string>("--out") { Description = "Backup file to write (SQLite)", Required = true };
        var cmd = new Command("backup", "Consistent online backup of a SQLite database (VACUUM INTO); prints the pg_dump command for PostgreSQL.") { output };
        cmd.SetAction((pr, ct) => WithServices(pr, ChangeSources.Cli, async (sp, db) =>
        {
            var target = sp.GetRequiredService<DatabaseTarget>();
            if (target.Provider == DatabaseProvider.Postgres)
            {
                var cs = new Npgsql.NpgsqlConnectionStringBuilder(target.ConnectionString);
                Console.Out.WriteLine($"pg_dump --format=custom --host={cs.Host} --port={cs.Port} --username={cs.Username} --file={pr.GetValue(output)} {cs.Database}");
                return 0;
            }
            var path = Path.GetFullPath(pr.GetValue(output)!);
            if (File.Exists(path)) throw new InputException("--out", $"{path} already exists; choose a new file");
            await db.Database.ExecuteSqlRawAsync("VACUUM INTO {0}", [path], ct);
            Console.Error.WriteLine($"Backed up {target.Display} to {path}");
            return 0;
        }, ct));
        return cmd;
    }

    private static Command Import()
    {
        var cmd = new Command("import", "Import records from CSV: bad rows go to a reject file with their line and reason.");
        foreach (var name in CsvObjects.Names)
            cmd.Subcommands.Add(ImportVerb(name, $"Import {name} (the columns `export {name}` writes; --map for other files, Salesforce exports are detected)." +
                (name == "opportunities" ? " A file with changed_at (or Salesforce OpportunityHistory.csv) adds past stage changes." : ""), withOptions: true,
                (db, path, rejectPath, options, progress, ct) => CsvObjects.ImportAsync(name, db, path, rejectPath, options, progress, ct)));
        cmd.Subcommands.Add(ImportVerb("subscriptions", "Import subscription item periods (METRICS.md §1 columns); a stored (customer_id, subscription_id, start) is updated.", withOptions: false,
            (db, path, rejectPath, options, progress, ct) => RevLoop.Server.Finance.SubscriptionImport.RunAsync(db, path, rejectPath, options.AllOrNothing, null, ct)));
        return cmd;
    }

    private delegate Task<ImportResult> ImportRun(RevLoopDb db, string path, string rejectPath, ImportOptions options, Func<ImportProgress, Task>? progress, CancellationToken ct);

    private static Command ImportVerb(string name, string description, bool withOptions, ImportRun run)
    {
        var file = new Argument<FileInfo>("file") { Description = "CSV file with a header row" };
        var rejects = new Option<string?>("--rejects") { Description = "Where bad rows go (line, field, reason, then the row); default FILE.rejects.csv beside the input" };
        var allOrNothing = new Option<bool>("--all-or-nothing") { Description = "Import nothing when any row is bad" };
        var map = new Option<string?>("--map") { Description = "map.json renaming file columns to RevLoop's ({\"File column\": \"revloop_column\"}), or 'salesforce'" };
        var dedupe = new Option<string?>("--dedupe") { Description = "A row matching a stored record by natural key: skip (reject as duplicate, default), merge (update it), create (add anyway)" };
        var cmd = new Command(name, description) { file, rejects, allOrNothing };
        if (withOptions) { cmd.Options.Add(map); cmd.Options.Add(dedupe); }
        cmd.SetAction((pr, ct) => WithServices(pr, ChangeSources.Import, async (sp, db) =>
        {
            var input = pr.GetValue(file)!;
            if (!input.Exists) throw new InputException("file", $"{input.FullName} does not exist");
            var options = new ImportOptions(ImportOptions.ParseDedupe(pr.GetValue(dedupe)), pr.GetValue(allOrNothing), withOptions ? CsvObjects.Map(name, pr.GetValue(map)) : null,
                TakeUnusedDatabase: true);
            var rejectPath = pr.GetValue(rejects) ?? Path.Combine(input.DirectoryName!, Path.GetFileNameWithoutExtension(input.Name) + ".rejects.csv");
            var bar = new ConsoleProgress();
            var result = await run(db, input.FullName, rejectPath, options, bar.Report, ct);
            bar.Done();
            Console.Error.WriteLine(result.Summary);
            return result.Rejected > 0 ? 2 : 0;
        }, ct));
        return cmd;
    }

    private static Command Export()
    {
        var cmd = new Command("export", "Export records as CSV with the columns their import reads.");
        foreach (var name in CsvObjects.Names)
        {
            var output = new Option<string?>("--out") { Description = "File to write (default: stdout)" };
            var verb = new Command(name, $"Export {name} as CSV (the columns `import {name}` reads).") { output };
            verb.SetAction((pr, ct) => WithServices(pr, ChangeSources.Cli, async (sp, db) =>
            {
                var path = pr.GetValue(output);
                await using var stream = path is null ? Console.OpenStandardOutput() : File.Create(path);
                var n = await CsvObjects.ExportAsync(name, db, stream, ct);
                Console.Error.WriteLine($"Exported {n} {name}");
                return 0;
            }, ct));
            cmd.Subcommands.Add(verb);
        }
        return cmd;
    }

    public static ServiceProvider CliServices(ParseResult pr)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddRevLoopData(DatabaseTarget.Resolve(pr.GetValue(Database)), new Marketing.Scoring.RescoreAfterSave());
        services.AddIdentityCore<User>(o => { o.Password.RequiredLength = 12; o.Password.RequireDigit = false; o.Password.RequireLowercase = false; o.Password.RequireUppercase = false; o.Password.RequireNonAlphanumeric = false; o.User.RequireUniqueEmail = true; })
            .AddEntityFrameworkStores<RevLoopDb>();
        return services.BuildServiceProvider();
    }

    /// <summary>Runs a verb against a migrated database as the system viewer; input errors print their field and exit 2.</summary>
    public static async Task<int> WithServices(ParseResult pr, string source, Func<IServiceProvider, RevLoopDb, Task<int>> action, CancellationToken ct)
    {
        try
        {
            await using var root = CliServices(pr);
            await ServerApp.MigrateAsync(root, ct);
            using var scope = root.CreateScope();
            var origin = scope.ServiceProvider.GetRequiredService<ChangeOrigin>();
            origin.Actor = "cli:" + Environment.UserName;
            origin.Source = source;
            return await action(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<RevLoopDb>());
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"error: {e.Field}: {e.Reason}");
            return 2;
        }
    }
}

/// <summary>A progress bar for long CLI work, on stderr so stdout stays machine-readable; only when stderr is a terminal.</summary>
public sealed class ConsoleProgress
{
    private readonly bool enabled = !Console.IsErrorRedirected;
    private bool drawn;

    public Task Report(ImportProgress p)
    {
        if (!enabled)
        {
            // A step after the rows (building indexes) can take a while with nothing else said: a line of its own, for logs too.
            if (p.Step is { } step) Console.Error.WriteLine(step + "...");
            return Task.CompletedTask;
        }
        var share = p.TotalBytes > 0 ? Math.Clamp((double)p.Bytes / p.TotalBytes, 0, 1) : 0;
        var filled = (int)(share * 30);
        Console.Error.Write($"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {share,4:P0}  {p.Rows:N0} rows{(p.Step is { } s ? $"  {s}..." : "")}");
        drawn = true;
        return Task.CompletedTask;
    }

    /// <summary>Ends the bar's line so the summary starts on its own.</summary>
    public void Done()
    {
        if (drawn) Console.Error.WriteLine();
    }
}
