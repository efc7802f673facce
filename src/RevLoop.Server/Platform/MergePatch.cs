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
            node[p.Name] = p.Value.ValueKind == JsonValueKind.Null ? null : JsonNode.Parse(p.Value.GetRawText());
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
}
