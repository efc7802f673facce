using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Configuration;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Crm.Accounts;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Web.Accounts;

/// <summary>The account form as posted: text as typed, so a bad value comes back to the user unchanged.</summary>
public sealed class AccountFormModel
{
    public string? Name { get; set; }
    public string? Domain { get; set; }
    public string? Industry { get; set; }
    public string? Employees { get; set; }
    public string? Segment { get; set; }
    public string? Region { get; set; }
    public string? Country { get; set; }
    /// <summary>The parent account's exact name or id.</summary>
    public string? Parent { get; set; }
    public string? OwnerId { get; set; }
    /// <summary>Tags as typed, comma-separated.</summary>
    public string? Tags { get; set; }
    /// <summary>Custom field values as typed, by key; posted as cf.key (filled by the page from the form).</summary>
    public Dictionary<string, string>? CustomFields { get; set; } = [];
    public long Version { get; set; }

    /// <summary>A derived segment shows as "Automatic", so saving the form keeps it derived.</summary>
    public static AccountFormModel From(Account a, string? parentName) => new()
    {
        Name = a.Name, Domain = a.Domain, Industry = a.Industry, Employees = a.Employees?.ToString(CultureInfo.InvariantCulture),
        Segment = a.SegmentExplicit == true ? a.Segment : null, Region = a.Region, Country = a.Country, Parent = parentName ?? a.ParentAccountId?.ToString(),
        OwnerId = a.OwnerId?.ToString(), Version = a.Version, Tags = string.Join(", ", TagText.Split(a.Tags)),
        CustomFields = TagText.Values(a.CustomFields),
    };

    /// <summary>The custom field inputs of a posted form (named cf.key).</summary>
    public void ReadCustomFields(IFormCollection form)
    {
        CustomFields = form.Where(f => f.Key.StartsWith("cf.", StringComparison.Ordinal)).ToDictionary(f => f.Key[3..], f => f.Value.ToString(), StringComparer.Ordinal);
    }

    /// <summary>Form keys an error can sit next to: the API's field names, with tags[i] shown at the tags input.</summary>
    public static string FormKey(string field) => field.StartsWith("tags[", StringComparison.Ordinal) ? "tags" : field;

    /// <summary>Turns the text into the API's input; throws <see cref="InputException"/> with the API's field names.</summary>
    public async Task<AccountInput> ToInputAsync(RevLoopDb db, Guid? self, CancellationToken ct)
    {
        int? employees = null;
        if (!string.IsNullOrWhiteSpace(Employees))
        {
            var text = Employees.Trim().Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
            employees = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new InputException("employees", "must be a whole number");
        }
        Guid? owner = null;
        if (!string.IsNullOrWhiteSpace(OwnerId))
            owner = Guid.TryParse(OwnerId, out var o) ? o : throw new InputException("ownerId", "pick an owner from the list");
        Guid? parent = null;
        if (!string.IsNullOrWhiteSpace(Parent))
        {
            var p = Parent.Trim();
            if (Guid.TryParse(p, out var pid)) parent = pid;
            else
            {
                var matches = await db.Accounts.AsNoTracking().Where(a => a.Name == p && a.Id != self).Select(a => a.Id).Take(2).ToListAsync(ct);
                parent = matches.Count switch
                {
                    1 => matches[0],
                    0 => throw new InputException("parentAccountId", $"no account is named “{p}”"),
                    _ => throw new InputException("parentAccountId", $"several accounts are named “{p}”; paste the parent's id instead"),
                };
            }
        }
        var tags = (Tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var fields = (CustomFields ?? []).Where(f => !string.IsNullOrWhiteSpace(f.Value))
            .ToDictionary(f => f.Key, f => System.Text.Json.JsonSerializer.SerializeToElement(f.Value.Trim()), StringComparer.Ordinal);
        return new AccountInput(Name, Domain, Industry, employees, Segment, Region, Country, parent, owner, tags, fields);
    }
}

/// <summary>One edit in the timeline: the fields one save changed, with who, when and through which door.</summary>
public sealed record ChangeGroup(Guid ChangeSetId, DateTimeOffset At, string Who, string Source, bool Created, bool Deleted, IReadOnlyList<FieldDiff> Fields, long LastId);

public sealed record FieldDiff(string Field, string Label, string? Old, string? New, string? OldHref = null, string? NewHref = null);

public static class AccountHistory
{
    public const string EntityType = "account";

    private static readonly Dictionary<string, string> Labels = new()
    {
        ["Name"] = "Name", ["Domain"] = "Domain", ["Industry"] = "Industry", ["Employees"] = "Employees", ["Segment"] = "Segment",
        ["Region"] = "Region", ["Country"] = "Country", ["ParentAccountId"] = "Parent account", ["OwnerId"] = "Owner",
        ["OwnerTeamId"] = "Owner team", ["DeletedAt"] = "Deleted", ["Tags"] = "Tags", ["SegmentExplicit"] = "Segment set by hand", ["MergedIntoId"] = "Merged into",
        // Contacts, leads and opportunities share the timeline.
        ["FirstName"] = "First name", ["LastName"] = "Last name", ["Title"] = "Title", ["DealRole"] = "Deal role", ["Email"] = "Email", ["Phone"] = "Phone",
        ["EmailConsent"] = "Email consent", ["PhoneConsent"] = "Phone consent", ["SmsConsent"] = "SMS consent", ["AccountId"] = "Account",
        ["Company"] = "Company", ["Status"] = "Status", ["Source"] = "Source", ["Pool"] = "Pool", ["ConvertedAt"] = "Converted",
        ["ConvertedAccountId"] = "Converted to account", ["ConvertedContactId"] = "Converted to contact", ["ConvertedOpportunityId"] = "Converted to opportunity",
        ["PrimaryContactId"] = "Primary contact", ["PipelineId"] = "Pipeline", ["StageId"] = "Stage", ["AmountMinor"] = "Amount", ["AcvMinor"] = "ACV",
        ["Currency"] = "Currency", ["CloseDate"] = "Close date", ["NextStep"] = "Next step", ["SourcingRole"] = "Sourced by", ["Type"] = "Type",
        ["ForecastCategory"] = "Forecast category", ["ProductFamily"] = "Product family", ["LostReason"] = "Lost reason", ["WonAt"] = "Won", ["LostAt"] = "Lost",
        ["MqlAt"] = "Became MQL", ["SqlAt"] = "Accepted by sales", ["SqlRejectedAt"] = "Rejected by sales", ["SqlRejectedReason"] = "Rejection reason",
    };

    /// <summary>Form field (and API field) for a history field, to point a conflict at the input.</summary>
    public static string FormField(string historyField) => historyField switch
    {
        "ParentAccountId" => "parentAccountId", "OwnerId" => "ownerId", _ => JsonCamel(historyField),
    };

    private static string JsonCamel(string s) => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..];

    /// <summary>
    /// A page of the timeline, newest first: up to about <paramref name="size"/> field changes, never splitting one save
    /// across pages. <paramref name="beforeId"/> continues from an earlier page.
    /// </summary>
    public static Task<(List<ChangeGroup> Groups, long? Older)> PageAsync(RevLoopDb db, Guid accountId, long? beforeId, int size, TimeZoneInfo zone, CancellationToken ct) =>
        PageAsync(db, EntityType, accountId, beforeId, size, zone, ct);

    /// <summary>The same timeline for any tracked record (<c>contact</c>, <c>lead</c>, <c>opportunity</c>, …).</summary>
    public static async Task<(List<ChangeGroup> Groups, long? Older)> PageAsync(RevLoopDb db, string entityType, Guid entityId, long? beforeId, int size, TimeZoneInfo zone, CancellationToken ct)
    {
        var q = db.FieldChanges.AsNoTracking().Where(c => c.EntityType == entityType && c.EntityId == entityId);
        if (beforeId is { } b) q = q.Where(c => c.Id < b);
        var rows = await q.OrderByDescending(c => c.Id).Take(size + 1).ToListAsync(ct);
        long? older = null;
        if (rows.Count > size)
        {
            var cut = rows[size].ChangeSetId;
            var keep = rows.Take(size).Where(r => r.ChangeSetId != cut).ToList();
            if (keep.Count == 0) keep = rows.Take(size).ToList(); // one enormous save: split it rather than stall
            rows = keep;
            older = rows[^1].Id;
        }
        return (await GroupAsync(db, rows, ct), older);
    }

    /// <summary>The saves made after <paramref name="version"/>: what changed while someone was editing an older copy.</summary>
    public static async Task<List<ChangeGroup>> SinceVersionAsync(RevLoopDb db, Guid accountId, long version, long currentVersion, CancellationToken ct)
    {
        var saves = (int)Math.Clamp(currentVersion - version, 0, 50);
        if (saves == 0) return [];
        var rows = await db.FieldChanges.AsNoTracking().Where(c => c.EntityType == EntityType && c.EntityId == accountId)
            .OrderByDescending(c => c.Id).Take(500).ToListAsync(ct);
        var sets = rows.Select(r => r.ChangeSetId).Distinct().Take(saves).ToHashSet();
        return await GroupAsync(db, rows.Where(r => sets.Contains(r.ChangeSetId)).ToList(), ct);
    }

    private static async Task<List<ChangeGroup>> GroupAsync(RevLoopDb db, List<FieldChange> stored, CancellationToken ct)
    {
        var rows = CreationRecord.Expand(stored).ToList();
        // Names for the ids that appear: authors, owners, parent accounts, teams.
        var userIds = new HashSet<Guid>();
        var tokenIds = new HashSet<Guid>();
        var accountIds = new HashSet<Guid>();
        var teamIds = new HashSet<Guid>();
        var contactIds = new HashSet<Guid>();
        var stageIds = new HashSet<Guid>();
        var pipelineIds = new HashSet<Guid>();
        var opportunityIds = new HashSet<Guid>();
        foreach (var r in rows)
        {
            if (r.ChangedBy.StartsWith("user:", StringComparison.Ordinal) && Guid.TryParse(r.ChangedBy[5..], out var u)) userIds.Add(u);
            if (r.ChangedBy.StartsWith("token:", StringComparison.Ordinal) && Guid.TryParse(r.ChangedBy[6..], out var t)) tokenIds.Add(t);
            foreach (var v in new[] { r.OldValue, r.NewValue })
            {
                if (!Guid.TryParse(v, out var g)) continue;
                switch (r.Field)
                {
                    case "OwnerId": userIds.Add(g); break;
                    case "ParentAccountId" or "AccountId" or "ConvertedAccountId": accountIds.Add(g); break;
                    // The survivor of a merge is a record of the same type: an account, a contact or a lead.
                    case "MergedIntoId": accountIds.Add(g); contactIds.Add(g); break;
                    case "OwnerTeamId": teamIds.Add(g); break;
                    case "PrimaryContactId" or "ConvertedContactId": contactIds.Add(g); break;
                    case "StageId": stageIds.Add(g); break;
                    case "PipelineId": pipelineIds.Add(g); break;
                    case "ConvertedOpportunityId": opportunityIds.Add(g); break;
                }
            }
        }
        var tokens = tokenIds.Count == 0 ? [] : await db.ApiTokens.AsNoTracking().Where(t => tokenIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.UserId, ct);
        userIds.UnionWith(tokens.Values);
        var users = await Ui.UserNamesAsync(db, userIds, ct);
        var accounts = accountIds.Count == 0 ? [] : await db.Accounts.AsNoTracking().IgnoreQueryFilters().Where(a => accountIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, ct);
        var teams = teamIds.Count == 0 ? [] : await db.Teams.AsNoTracking().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var contacts = contactIds.Count == 0 ? [] : await db.Contacts.AsNoTracking().IgnoreQueryFilters().Where(c => contactIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => (c.FirstName + " " + c.LastName).Trim(), ct);
        var stages = stageIds.Count == 0 ? [] : await db.Stages.AsNoTracking().Where(s => stageIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var pipelines = pipelineIds.Count == 0 ? [] : await db.Pipelines.AsNoTracking().Where(p => pipelineIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var opportunities = opportunityIds.Count == 0 ? [] : await db.Opportunities.AsNoTracking().IgnoreQueryFilters().Where(o => opportunityIds.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, o => o.Name, ct);

        string Who(string changedBy)
        {
            if (changedBy.StartsWith("user:", StringComparison.Ordinal) && Guid.TryParse(changedBy[5..], out var u)) return users.GetValueOrDefault(u, "a removed user");
            if (changedBy.StartsWith("token:", StringComparison.Ordinal) && Guid.TryParse(changedBy[6..], out var t))
                return tokens.TryGetValue(t, out var owner) ? $"{users.GetValueOrDefault(owner, "a removed user")} (API token)" : "an API token";
            return changedBy switch { "system" => "RevLoop", RevLoop.Server.Marketing.Scoring.LeadScoring.Actor => "Lead scoring", "" => "unknown", _ => changedBy };
        }

        (string? Text, string? Href) Value(string field, string? value)
        {
            if (value is null) return (null, null);
            if (Guid.TryParse(value, out var g))
            {
                return field switch
                {
                    "OwnerId" => (users.GetValueOrDefault(g, "a removed user"), null),
                    "ParentAccountId" or "AccountId" or "ConvertedAccountId" => (accounts.GetValueOrDefault(g, "a removed account"), $"/accounts/{g}"),
                    "MergedIntoId" => accounts.TryGetValue(g, out var account) ? (account, $"/accounts/{g}")
                        : contacts.TryGetValue(g, out var contact) ? (contact, $"/contacts/{g}") : ("another lead", $"/leads/{g}"),
                    "OwnerTeamId" => (teams.GetValueOrDefault(g, "a removed team"), null),
                    "PrimaryContactId" or "ConvertedContactId" => (contacts.GetValueOrDefault(g, "a removed contact"), $"/contacts/{g}"),
                    "ConvertedOpportunityId" => (opportunities.GetValueOrDefault(g, "a removed opportunity"), $"/opportunities/{g}"),
                    "StageId" => (stages.GetValueOrDefault(g, "a removed stage"), null),
                    "PipelineId" => (pipelines.GetValueOrDefault(g, "a removed pipeline"), $"/pipeline/{g}"),
                    _ => (value, null),
                };
            }
            if (field == "Segment") return (Ui.Segment(value), null);
            if (field == "Employees" && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return (Ui.Number(n), null);
            if (field == "DeletedAt") return ("yes", null);
            // Amounts are stored in minor units; two decimals fit every currency the demo and most companies use.
            if (field is "AmountMinor" or "AcvMinor" && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var minor))
                return ((minor / 100m).ToString("#,##0.00", CultureInfo.InvariantCulture), null);
            return (value, null);
        }

        return rows.GroupBy(r => r.ChangeSetId)
            .Select(g =>
            {
                var first = g.First();
                var fields = g.OrderBy(r => Order(r.Field)).Select(r =>
                {
                    var (oldText, oldHref) = Value(r.Field, r.OldValue);
                    var (newText, newHref) = Value(r.Field, r.NewValue);
                    var label = Labels.GetValueOrDefault(r.Field) ?? (r.Field.StartsWith("CustomFields.", StringComparison.Ordinal) ? r.Field["CustomFields.".Length..] : r.Field);
                    return new FieldDiff(r.Field, label, oldText, newText, oldHref, newHref);
                }).ToList();
                var created = g.Any(r => r.Field is "Name" or "LastName" && r.OldValue is null);
                var deleted = g.Any(r => r.Field == "DeletedAt" && r.OldValue is null && r.NewValue is not null);
                return new ChangeGroup(g.Key, first.ChangedAt, Who(first.ChangedBy), first.Source, created, deleted, fields, g.Min(r => r.Id));
            })
            .OrderByDescending(g => g.LastId).ToList();
    }

    private static int Order(string field) => field switch
    {
        "Name" => 0, "Domain" => 1, "Industry" => 2, "Employees" => 3, "Segment" => 4, "Region" => 5, "Country" => 6,
        "ParentAccountId" => 7, "OwnerId" => 8, "OwnerTeamId" => 9, _ => 10,
    };

    public static string SourceLabel(string source) => source switch
    {
        ChangeSources.Ui => "web", ChangeSources.Api => "API", ChangeSources.Import => "import", ChangeSources.Sync => "sync",
        ChangeSources.Cli => "command line", ChangeSources.System => "system", ChangeSources.Merge => "merge", _ => source,
    };
}
