using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Configuration;
using RevLoop.Data;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Configuration;

public sealed record CustomFieldDto(Guid Id, string RecordType, string Key, string Label, string Type, IReadOnlyList<string> Options, bool Required, int SortOrder)
{
    public static CustomFieldDto From(CustomFieldDefinition d) => new(d.Id, d.RecordType, d.Key, d.Label, d.Type, d.OptionList, d.Required, d.SortOrder);
}

/// <summary>POST sends all of it; PUT changes label, options, required and order (key, record type and type stay).</summary>
public sealed record CustomFieldInput(string? RecordType = null, string? Key = null, string? Label = null, string? Type = null,
    IReadOnlyList<string>? Options = null, bool? Required = null, int? SortOrder = null);

public sealed record TagCountDto(string RecordType, string Tag, int Count);

/// <summary>Custom field definitions per record type, configured by revops and admins; and the tags in use.</summary>
public static partial class CustomFieldsApi
{
    public static void MapCustomFieldsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1").WithTags("Custom fields and tags").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/custom-fields", List);
        g.MapPost("/custom-fields", Create).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        g.MapPut("/custom-fields/{id:guid}", Update).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        g.MapDelete("/custom-fields/{id:guid}", Delete).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        g.MapGet("/tags", Tags);
    }

    public static async Task<Ok<List<CustomFieldDto>>> List(string? recordType, RevLoopDb db, CancellationToken ct)
    {
        var q = db.CustomFieldDefinitions.AsNoTracking();
        if (recordType is not null) q = q.Where(d => d.RecordType == RecordType(recordType));
        // Bounded: definitions are configuration, at most MaxPerRecordType per record type.
        var rows = await q.OrderBy(d => d.RecordType).ThenBy(d => d.SortOrder).ThenBy(d => d.Key).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(CustomFieldDto.From).ToList());
    }

    public const int MaxPerRecordType = 100;

    public static async Task<Created<CustomFieldDto>> Create(CustomFieldInput input, RevLoopDb db, CancellationToken ct)
    {
        var recordType = RecordType(input.RecordType);
        var key = input.Key?.Trim() ?? "";
        if (!KeyPattern().IsMatch(key)) throw new InputException("key", "must be 1 to 50 characters: a lower-case letter, then letters, digits or _ (e.g. contract_tier)");
        if (await db.CustomFieldDefinitions.AnyAsync(d => d.RecordType == recordType && d.Key == key, ct)) throw new InputException("key", $"{recordType} already has a custom field '{key}'");
        var count = await db.CustomFieldDefinitions.CountAsync(d => d.RecordType == recordType, ct);
        if (count >= MaxPerRecordType) throw new InputException("recordType", $"{recordType} has {MaxPerRecordType} custom fields, the most allowed");
        var type = input.Type?.Trim().ToLowerInvariant() ?? "";
        if (!CustomFieldTypes.All.Contains(type)) throw new InputException("type", $"must be one of {string.Join(", ", CustomFieldTypes.All)}");
        var d = new CustomFieldDefinition { RecordType = recordType, Key = key, Type = type, SortOrder = input.SortOrder ?? count };
        Apply(d, input);
        db.CustomFieldDefinitions.Add(d);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/custom-fields/{d.Id}", CustomFieldDto.From(d));
    }

    public static async Task<Results<Ok<CustomFieldDto>, NotFound>> Update(Guid id, CustomFieldInput input, RevLoopDb db, CancellationToken ct)
    {
        var d = await db.CustomFieldDefinitions.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (d is null) return TypedResults.NotFound();
        if (input.RecordType is not null && RecordType(input.RecordType) != d.RecordType) throw new InputException("recordType", "cannot change; define a new field instead");
        if (input.Key is not null && input.Key.Trim() != d.Key) throw new InputException("key", "cannot change: stored values and filters use it");
        if (input.Type is not null && input.Type.Trim().ToLowerInvariant() != d.Type) throw new InputException("type", "cannot change once defined; define a new field instead");
        if (d.Type == CustomFieldTypes.Picklist && input.Options is not null)
        {
            var removed = d.OptionList.Except(input.Options.Select(o => o.Trim()), StringComparer.Ordinal).ToList();
            if (removed.Count > 0 && await db.CustomFieldValues.AnyAsync(v => v.RecordType == d.RecordType && v.Key == d.Key && removed.Contains(v.Value), ct))
                throw new InputException("options", $"records still use {string.Join(", ", removed)}; change them first");
        }
        Apply(d, input);
        if (input.SortOrder is { } order) d.SortOrder = order;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(CustomFieldDto.From(d));
    }

    /// <summary>Only a field no record has a value for can go, so no value is silently dropped.</summary>
    public static async Task<Results<NoContent, NotFound>> Delete(Guid id, RevLoopDb db, CancellationToken ct)
    {
        var d = await db.CustomFieldDefinitions.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (d is null) return TypedResults.NotFound();
        var used = await db.CustomFieldValues.CountAsync(v => v.RecordType == d.RecordType && v.Key == d.Key, ct);
        if (used > 0) throw new InputException("id", $"{used} {d.RecordType} record(s) have a value for '{d.Key}'; clear them first");
        db.CustomFieldDefinitions.Remove(d);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Tags in use with how many live records carry each, most used first (the first 500).</summary>
    public static async Task<Ok<List<TagCountDto>>> Tags(string? recordType, RevLoopDb db, CancellationToken ct)
    {
        var q = db.RecordTags.AsNoTracking();
        if (recordType is not null) { var rt = RecordType(recordType); q = q.Where(t => t.RecordType == rt); }
        var rows = await q.GroupBy(t => new { t.RecordType, t.Tag }).Select(g => new { g.Key.RecordType, g.Key.Tag, Count = g.Count() })
            .OrderByDescending(t => t.Count).ThenBy(t => t.Tag).ThenBy(t => t.RecordType).Take(500).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(t => new TagCountDto(t.RecordType, t.Tag, t.Count)).ToList());
    }

    private static void Apply(CustomFieldDefinition d, CustomFieldInput input)
    {
        var label = input.Label?.Trim() ?? "";
        if (label.Length is 0 or > 200) throw new InputException("label", "must be 1 to 200 characters");
        d.Label = label;
        d.Required = input.Required ?? d.Required;
        if (d.Type == CustomFieldTypes.Picklist)
        {
            var options = (input.Options ?? d.OptionList).Select(o => o?.Trim() ?? "").ToList();
            if (options.Count == 0) throw new InputException("options", "a picklist needs at least one option");
            for (var i = 0; i < options.Count; i++)
            {
                if (options[i].Length is 0 or > 100 || options[i].Contains('\n')) throw new InputException($"options[{i}]", "must be 1 to 100 characters on one line");
                if (options.Take(i).Contains(options[i], StringComparer.OrdinalIgnoreCase)) throw new InputException($"options[{i}]", $"'{options[i]}' appears twice");
            }
            d.Options = string.Join('\n', options);
        }
        else if (input.Options is { Count: > 0 }) throw new InputException("options", "only a picklist has options");
    }

    public static string RecordType(string? value)
    {
        var v = value?.Trim().ToLowerInvariant() ?? "";
        return TaggedRecordTypes.All.Contains(v) ? v : throw new InputException("recordType", $"must be one of {string.Join(", ", TaggedRecordTypes.All)}");
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,49}$")]
    private static partial Regex KeyPattern();
}
