using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Configuration;
using RevLoop.Data;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Configuration;

/// <summary>
/// Tags and custom field values of accounts, contacts, leads and opportunities: normalised and validated against the
/// definitions by every door, filtered through the indexed rows the history interceptor keeps in step.
/// </summary>
public static class TagsAndCustomFields
{
    public const int MaxTags = 50, MaxTagLength = 50, MaxTextLength = 400;

    public static async Task ApplyAsync(RevLoopDb db, ITaggedRecord record, string recordType, IReadOnlyList<string>? tags,
        IReadOnlyDictionary<string, JsonElement>? customFields, CancellationToken ct)
    {
        var definitions = await DefinitionsAsync(db, recordType, ct);
        Apply(record, recordType, tags, customFields, definitions);
    }

    public static Task<List<CustomFieldDefinition>> DefinitionsAsync(RevLoopDb db, string recordType, CancellationToken ct) =>
        db.CustomFieldDefinitions.AsNoTracking().Where(d => d.RecordType == recordType).OrderBy(d => d.SortOrder).ThenBy(d => d.Key).ToListAsync(ct);

    /// <summary>Sets both or throws naming every bad tag and custom field (tags[i], customFields.key); the record is unchanged then.</summary>
    public static void Apply(ITaggedRecord record, string recordType, IReadOnlyList<string>? tags, IReadOnlyDictionary<string, JsonElement>? customFields,
        IReadOnlyList<CustomFieldDefinition> definitions)
    {
        var errors = new List<(string, string)>();
        var normalisedTags = NormaliseTags(tags, errors);
        var fields = CustomFieldsJson(recordType, customFields, definitions, errors);
        if (errors.Count > 0) throw InputException.Of(errors);
        record.Tags = normalisedTags;
        record.CustomFields = fields;
    }

    public static string? NormaliseTags(IReadOnlyList<string>? tags, List<(string, string)> errors)
    {
        if (tags is null) return null;
        if (tags.Count > MaxTags) { errors.Add(("tags", $"at most {MaxTags} tags")); return null; }
        var result = new List<string>();
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = TagText.Normalise(tags[i] ?? "");
            if (tag.Length == 0) continue;
            if (tag.Length > MaxTagLength) errors.Add(($"tags[{i}]", $"must be at most {MaxTagLength} characters"));
            else if (tag.Contains(',')) errors.Add(($"tags[{i}]", "must not contain a comma"));
            else result.Add(tag);
        }
        return TagText.Join(result);
    }

    /// <summary>The canonical JSON of the values (sorted keys, typed values, no nulls), or null when there are none.</summary>
    public static string? CustomFieldsJson(string recordType, IReadOnlyDictionary<string, JsonElement>? values, IReadOnlyList<CustomFieldDefinition> definitions,
        List<(string, string)> errors)
    {
        var result = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var (key, value) in values ?? new Dictionary<string, JsonElement>())
        {
            var field = $"customFields.{key}";
            var definition = definitions.FirstOrDefault(d => d.Key == key);
            if (definition is null)
            {
                errors.Add((field, definitions.Count == 0 ? $"is not a custom field of {recordType} (none are defined)"
                    : $"is not a custom field of {recordType} (fields: {string.Join(", ", definitions.Select(d => d.Key))})"));
                continue;
            }
            if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) continue;
            var (node, error) = Parse(definition, value);
            if (error is not null) errors.Add((field, error));
            else if (node is not null) result[key] = node;
        }
        foreach (var d in definitions.Where(d => d.Required && !result.ContainsKey(d.Key)))
            if (!errors.Any(e => e.Item1 == $"customFields.{d.Key}")) errors.Add(($"customFields.{d.Key}", "is required"));
        if (result.Count == 0) return null;
        var o = new JsonObject();
        foreach (var (k, v) in result) o[k] = v;
        return o.ToJsonString();
    }

    /// <summary>One value checked against its definition; a blank string is no value.</summary>
    private static (JsonNode? Value, string? Error) Parse(CustomFieldDefinition d, JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
        if (text is { Length: 0 }) return (null, null);
        switch (d.Type)
        {
            case CustomFieldTypes.Text:
                if (text is null) return (null, "must be text");
                return text.Length > MaxTextLength ? (null, $"must be at most {MaxTextLength} characters") : (JsonValue.Create(text), null);
            case CustomFieldTypes.Number:
                if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var n)) return (JsonValue.Create(n), null);
                if (text is not null && decimal.TryParse(text, NumberStyles.Number & ~NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out n)) return (JsonValue.Create(n), null);
                return (null, "must be a number");
            case CustomFieldTypes.Date:
                return text is not null && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    ? (JsonValue.Create(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), null) : (null, "must be a date like 2026-12-31");
            case CustomFieldTypes.Boolean:
                if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return (JsonValue.Create(value.GetBoolean()), null);
                return text is "true" or "false" ? (JsonValue.Create(text == "true"), null) : (null, "must be true or false");
            default:
                var option = text is null ? null : d.OptionList.FirstOrDefault(o => string.Equals(o, text, StringComparison.OrdinalIgnoreCase));
                return option is not null ? (JsonValue.Create(option), null) : (null, $"must be one of {string.Join(", ", d.OptionList)}");
        }
    }

    /// <summary>The stored values as the API shows them: a JSON object, empty when there are none.</summary>
    public static IReadOnlyDictionary<string, JsonElement> ToDictionary(string? customFields)
    {
        if (string.IsNullOrEmpty(customFields)) return Empty;
        using var doc = JsonDocument.Parse(customFields);
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }

    private static readonly IReadOnlyDictionary<string, JsonElement> Empty = new Dictionary<string, JsonElement>();

    public static IReadOnlyList<string> TagList(string? tags) => TagText.Split(tags);

    /// <summary>
    /// <c>?tag=x</c> and <c>?cf.key=value</c> filters over the indexed rows; values are compared in their stored form, so
    /// <c>cf.seats=10.0</c> finds 10 and <c>cf.tier=GOLD</c> finds the picklist option Gold.
    /// </summary>
    public static async Task<IQueryable<T>> FilterAsync<T>(RevLoopDb db, IQueryable<T> q, string recordType, string? tag, IQueryCollection query, CancellationToken ct)
        where T : class, ITaggedRecord
    {
        if (!string.IsNullOrWhiteSpace(tag))
        {
            var t = TagText.Normalise(tag);
            q = q.Where(r => db.RecordTags.Any(x => x.RecordType == recordType && x.Tag == t && x.RecordId == r.Id));
        }
        var filters = query.Where(p => p.Key.StartsWith("cf.", StringComparison.Ordinal)).ToList();
        if (filters.Count == 0) return q;
        var definitions = await DefinitionsAsync(db, recordType, ct);
        foreach (var (name, values) in filters)
        {
            var key = name[3..];
            var definition = definitions.FirstOrDefault(d => d.Key == key) ?? throw new InputException(name, $"is not a custom field of {recordType}");
            var (node, error) = Parse(definition, JsonSerializer.SerializeToElement(values.ToString()));
            if (error is not null || node is null) throw new InputException(name, error ?? "needs a value");
            var value = TagText.ValueText(node);
            q = q.Where(r => db.CustomFieldValues.Any(v => v.RecordType == recordType && v.Key == key && v.Value == value && v.RecordId == r.Id));
        }
        return q;
    }
}
