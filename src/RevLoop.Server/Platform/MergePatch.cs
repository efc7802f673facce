using System.Text.Json;
using System.Text.Json.Nodes;

namespace RevLoop.Server.Platform;

/// <summary>RFC 7396 merge patch over a record's input shape: fields present replace, null clears, unknown names are refused.</summary>
public static class MergePatch
{
    public static TInput Apply<TInput>(TInput current, JsonElement patch, string recordName)
    {
        if (patch.ValueKind != JsonValueKind.Object) throw new InputException("body", "must be a JSON object");
        var node = JsonSerializer.SerializeToNode(current, ApiJson.Options)!.AsObject();
        foreach (var p in patch.EnumerateObject())
        {
            if (!node.ContainsKey(p.Name)) throw new InputException(p.Name, $"is not a field of {recordName} (fields: {string.Join(", ", node.Select(n => n.Key))})");
            // RFC 7396: an object merges into the object it patches (customFields: {"tier": null} clears just tier).
            node[p.Name] = p.Value.ValueKind == JsonValueKind.Object && node[p.Name] is JsonObject target ? Merge(target, p.Value)
                : p.Value.ValueKind == JsonValueKind.Null ? null : JsonNode.Parse(p.Value.GetRawText());
        }
        try
        {
            return node.Deserialize<TInput>(ApiJson.Options)!;
        }
        catch (JsonException e)
        {
            throw new InputException(e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body", "has the wrong type");
        }
    }

    private static JsonObject Merge(JsonObject target, JsonElement patch)
    {
        var result = target.DeepClone().AsObject();
        foreach (var p in patch.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Null) result.Remove(p.Name);
            else result[p.Name] = p.Value.ValueKind == JsonValueKind.Object && result[p.Name] is JsonObject inner ? Merge(inner, p.Value) : JsonNode.Parse(p.Value.GetRawText());
        }
        return result;
    }

    /// <summary>A merge patch of a JSON object field such as customFields: keys given replace, null removes, others stay.</summary>
    public static IReadOnlyDictionary<string, JsonElement>? MergeObject(IReadOnlyDictionary<string, JsonElement>? current, JsonElement patch, string field)
    {
        if (patch.ValueKind == JsonValueKind.Null) return null;
        if (patch.ValueKind != JsonValueKind.Object) throw new InputException(field, "must be a JSON object");
        var result = current is null ? new Dictionary<string, JsonElement>() : new Dictionary<string, JsonElement>(current);
        foreach (var p in patch.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Null) result.Remove(p.Name);
            else result[p.Name] = p.Value.Clone();
        }
        return result;
    }

    public static IReadOnlyList<string>? StringList(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.Array when value.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String) => value.EnumerateArray().Select(x => x.GetString()!).ToList(),
        _ => throw new InputException(field, "must be an array of strings"),
    };
}
