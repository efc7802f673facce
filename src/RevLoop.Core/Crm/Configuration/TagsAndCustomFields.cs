using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RevLoop.Platform;

namespace RevLoop.Crm.Configuration;

/// <summary>
/// A record that carries tags and custom field values (accounts, contacts, leads, opportunities). Both live on the record
/// (so its JSON and history show them) and, for filtering, in the indexed <see cref="RecordTag"/> and
/// <see cref="CustomFieldValue"/> rows that the history interceptor keeps in step in the same SaveChanges.
/// </summary>
public interface ITaggedRecord : ITrackedRecord
{
    /// <summary>Normalised tags, sorted and comma-separated; null when none.</summary>
    string? Tags { get; set; }
    /// <summary>Custom field values as a JSON object keyed by definition key (canonical: sorted keys, no nulls); null when none.</summary>
    string? CustomFields { get; set; }
}

/// <summary>One tag on one record: what <c>?tag=</c> filters seek.</summary>
public sealed class RecordTag
{
    public string RecordType { get; set; } = "";
    public string Tag { get; set; } = "";
    public Guid RecordId { get; set; }
}

/// <summary>One custom field value of one record, as invariant text (number, yyyy-MM-dd, true/false, or the text).</summary>
public sealed class CustomFieldValue
{
    public string RecordType { get; set; } = "";
    public Guid RecordId { get; set; }
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
}

/// <summary>A custom field of one record type, configured by revops or admins.</summary>
public sealed class CustomFieldDefinition
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>account, contact, lead or opportunity.</summary>
    public string RecordType { get; set; } = "";
    public string Key { get; set; } = "";
    public string Label { get; set; } = "";
    /// <summary>text, number, date, boolean or picklist.</summary>
    public string Type { get; set; } = CustomFieldTypes.Text;
    /// <summary>Picklist options, one per line; null for other types.</summary>
    public string? Options { get; set; }
    public bool Required { get; set; }
    public int SortOrder { get; set; }

    public IReadOnlyList<string> OptionList => Options is null ? [] : Options.Split('\n');
}

public static class CustomFieldTypes
{
    public const string Text = "text", Number = "number", Date = "date", Boolean = "boolean", Picklist = "picklist";
    public static readonly IReadOnlyList<string> All = [Text, Number, Date, Boolean, Picklist];
}

public static class TaggedRecordTypes
{
    public static readonly IReadOnlyList<string> All = ["account", "contact", "lead", "opportunity"];
}

/// <summary>The stored forms of tags and custom field values, shared by the rules, the interceptor and the filters.</summary>
public static class TagText
{
    public static IReadOnlyList<string> Split(string? tags) => string.IsNullOrEmpty(tags) ? [] : tags.Split(',');

    public static string? Join(IEnumerable<string> tags)
    {
        var list = tags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? null : string.Join(',', list);
    }

    /// <summary>Trimmed, lower case, inner whitespace collapsed to one space: "  Churn   Risk " is "churn risk".</summary>
    public static string Normalise(string tag) =>
        string.Join(' ', tag.Trim().ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Custom field values of a stored JSON object as invariant text, keyed by field key.</summary>
    public static Dictionary<string, string> Values(string? customFields)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(customFields)) return result;
        foreach (var (key, node) in JsonNode.Parse(customFields)!.AsObject())
            if (node is not null) result[key] = ValueText(node);
        return result;
    }

    public static string ValueText(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => node.GetValue<decimal>().ToString("G29", CultureInfo.InvariantCulture),
        _ => node.GetValue<string>(),
    };
}
