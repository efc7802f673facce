using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Configuration;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Platform.Imports;

/// <summary>
/// One object's CSV: its column table (shared by import and export) and the rules a row goes through — checks across
/// columns, batch look-ups of references, the natural keys duplicates are matched by, and derived fields.
/// </summary>
public abstract class RecordCsv<T> where T : class, ITrackedRecord, IOwnedRecord, new()
{
    /// <summary>The plural the CLI and API use: accounts, contacts, leads, opportunities.</summary>
    public abstract string Object { get; }
    public string RecordName => RecordTypes.NameOf(typeof(T));
    public abstract IReadOnlyList<CsvColumn<T>> Columns { get; }
    /// <summary>Columns the header must have.</summary>
    public virtual IReadOnlyList<string> RequiredColumns => [];
    public abstract DbSet<T> Set(RevLoopDb db);
    public abstract string? ExternalIdOf(T record);

    /// <summary>Checks a row once all its cells are read: required values, values that depend on other columns.</summary>
    public virtual void Check(ImportRow<T> row, ImportContext context) { }

    /// <summary>Resolves the references of a batch of rows with a few queries (not one per row); marks rows that fail.</summary>
    public virtual Task ResolveAsync(ImportContext context, IReadOnlyList<ImportRow<T>> rows, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The natural keys of a record, most telling first, as (column, key): a stored record with one of them is a duplicate.</summary>
    public abstract IEnumerable<(string Column, string Key)> Keys(T record);

    /// <summary>
    /// The columns (besides the id) whose indexes the import's own lookups on this object's table read: its natural keys.
    /// Null when not stated; then a large all-or-nothing import keeps every index (<see cref="IndexRebuild"/>).
    /// </summary>
    public virtual IReadOnlyList<string>? LookupColumns => null;

    /// <summary>Visible stored records that have one of these keys (column, key).</summary>
    public abstract Task<List<T>> FindAsync(RevLoopDb db, IReadOnlyCollection<(string Column, string Key)> keys, CancellationToken ct);

    /// <summary>Derived fields once the row's values are on the record that will be saved; may still reject the row.</summary>
    public virtual void Finish(T record, ImportRow<T> row, ImportContext context)
    {
        record.OwnerTeamId = record.OwnerId is { } o ? context.TeamOf(o) : null;
    }

    public CsvColumn<T>? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>The owner column every owned record has: resolved by email, exported as the owner's email.</summary>
    protected static CsvColumn<T> OwnerEmail() => new()
    {
        Name = "owner_email", Fields = [nameof(IOwnedRecord.OwnerId)], Export = (r, names) => names.Email(r.OwnerId),
        Import = (row, v) => row.Deferred["owner_email"] = v,
    };

    /// <summary>Tags, comma-separated as stored (so quoted in the file), normalised and checked like the API's.</summary>
    protected static CsvColumn<T> TagsColumn() => new()
    {
        Name = "tags", Fields = [nameof(ITaggedRecord.Tags)], Export = (r, _) => ((ITaggedRecord)r).Tags,
        Import = (row, v) =>
        {
            var errors = new List<(string, string)>();
            var tags = Server.Crm.Configuration.TagsAndCustomFields.NormaliseTags(v.Split(','), errors);
            if (errors.Count > 0) throw new InputException("tags", $"{errors[0].Item2} ({errors[0].Item1})");
            ((ITaggedRecord)row.Draft).Tags = tags;
        },
    };

    /// <summary>Custom field values as the JSON object the API shows (<c>{"tier":"gold"}</c>), checked per batch against the definitions.</summary>
    protected static CsvColumn<T> CustomFieldsColumn() =>
        CsvColumn<T>.Deferred("custom_fields", (r, _) => ((ITaggedRecord)r).CustomFields, nameof(ITaggedRecord.CustomFields));

    /// <summary>Reads each row's custom_fields cell through the API's rules (one read of the definitions per batch).</summary>
    public async Task ResolveCustomFieldsAsync(ImportContext context, IReadOnlyList<ImportRow<T>> rows, CancellationToken ct)
    {
        if (Column("custom_fields") is null) return;
        List<CustomFieldDefinition>? definitions = null;
        foreach (var row in rows)
        {
            if (row.Error is not null || row.Cell("custom_fields") is not { } text) continue;
            definitions ??= await Server.Crm.Configuration.TagsAndCustomFields.DefinitionsAsync(context.Db, RecordName, ct);
            row.Try(() =>
            {
                Dictionary<string, JsonElement>? values;
                try { values = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(text); }
                catch (JsonException) { values = null; }
                if (values is null) throw new InputException("custom_fields", "must be a JSON object of field keys and values, like {\"tier\":\"gold\"}");
                var errors = new List<(string, string)>();
                var json = Server.Crm.Configuration.TagsAndCustomFields.CustomFieldsJson(RecordName, values, definitions, errors);
                if (errors.Count > 0) throw new InputException("custom_fields." + errors[0].Item1["customFields.".Length..], errors[0].Item2);
                ((ITaggedRecord)row.Draft).CustomFields = json;
            });
        }
    }

    protected static void ResolveOwner(ImportContext context, ImportRow<T> row)
    {
        if (row.Cell("owner_email") is { } mail)
            row.Try(() => row.Draft.OwnerId = context.UserByEmail(mail) ?? throw new InputException("owner_email", $"no user has email {mail}"));
    }
}

/// <summary>What every row of one import may look up without a query: users, teams, pipelines and stages.</summary>
public sealed class ImportContext
{
    private readonly Dictionary<string, Guid> usersByEmail;
    private readonly Dictionary<Guid, Guid?> teams;

    private ImportContext(RevLoopDb db, Dictionary<string, Guid> usersByEmail, Dictionary<Guid, Guid?> teams, List<Pipeline> pipelines, ImportOptions options, SegmentBands bands,
        string? callingCode)
    {
        Db = db; this.usersByEmail = usersByEmail; this.teams = teams; Pipelines = pipelines; Options = options; Bands = bands; CallingCode = callingCode;
    }

    /// <summary>The company's calling code for phone numbers written without one, as the API uses it.</summary>
    public string? CallingCode { get; }

    /// <summary>The company's segment bands: an imported account without a segment of its own gets the one its employees give.</summary>
    public SegmentBands Bands { get; }

    public RevLoopDb Db { get; }
    public List<Pipeline> Pipelines { get; }
    public ImportOptions Options { get; }
    public DateTimeOffset Now => DateTimeOffset.FromUnixTimeMilliseconds(Db.Clock.GetUtcNow().ToUnixTimeMilliseconds());

    public static async Task<ImportContext> LoadAsync(RevLoopDb db, ImportOptions options, CancellationToken ct)
    {
        var users = await db.Users.AsNoTracking().Select(u => new { u.Id, u.NormalizedEmail, u.TeamId }).ToListAsync(ct);
        var pipelines = await db.Pipelines.AsNoTracking().Include(p => p.Stages).OrderBy(p => p.SortOrder).ThenBy(p => p.Name).ToListAsync(ct);
        foreach (var p in pipelines) p.Stages = p.Stages.OrderBy(s => s.SortOrder).ToList();
        return new ImportContext(db,
            users.Where(u => u.NormalizedEmail != null).ToDictionary(u => u.NormalizedEmail!, u => u.Id),
            users.ToDictionary(u => u.Id, u => u.TeamId), pipelines, options, (await SettingsApi.LoadAsync(db, ct)).Bands,
            await Server.Crm.PersonRules.CallingCodeAsync(db, ct));
    }

    public Guid? UserByEmail(string email) => usersByEmail.TryGetValue(email.Trim().ToUpperInvariant(), out var id) ? id : null;
    public Guid? TeamOf(Guid user) => teams.TryGetValue(user, out var t) ? t : null;
}
