using System.Text.Json;

namespace RevLoop.Server.Platform.Imports;

/// <summary>
/// Renames the file's columns to RevLoop's (file column -> RevLoop column; null drops a column) and, for built-in maps,
/// translates values (Salesforce picklists to RevLoop's lists). A file column the map does not name keeps its name,
/// unless the map drops everything else (the Salesforce maps ignore the dozens of columns RevLoop has no field for).
/// </summary>
public sealed class ColumnMap
{
    public required string Name { get; init; }
    public required IReadOnlyDictionary<string, string?> Columns { get; init; }
    public IReadOnlyDictionary<string, Func<string, string>> Values { get; init; } = new Dictionary<string, Func<string, string>>();
    public bool DropUnmapped { get; init; }

    /// <summary>Reads map.json: one JSON object of "file column": "revloop column" (or null to ignore the column).</summary>
    public static ColumnMap Load(string path)
    {
        if (!File.Exists(path)) throw new InputException("--map", $"{path} does not exist");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InputException("--map", "must be a JSON object of \"file column\": \"revloop column\" pairs");
            var columns = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in doc.RootElement.EnumerateObject())
                columns[p.Name.Trim()] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString()!.Trim().ToLowerInvariant(),
                    JsonValueKind.Null => null,
                    _ => throw new InputException("--map", $"the value of \"{p.Name}\" must be a column name (string) or null"),
                };
            return new ColumnMap { Name = Path.GetFileName(path), Columns = columns };
        }
        catch (JsonException e)
        {
            throw new InputException("--map", $"{path} is not valid JSON: {e.Message}");
        }
    }

    /// <summary>--map: "salesforce" for the built-in map, else a map.json path.</summary>
    public static ColumnMap? FromOption(string? value, string recordObject) => value switch
    {
        null or "" => null,
        "salesforce" => SalesforceMaps.For(recordObject) ?? throw new InputException("--map", $"there is no Salesforce map for {recordObject}"),
        _ => Load(value),
    };

    /// <summary>The RevLoop column a file column becomes: null when it is dropped.</summary>
    public string? Target(string fileColumn) =>
        Columns.TryGetValue(fileColumn, out var to) ? to : DropUnmapped ? null : fileColumn;
}
