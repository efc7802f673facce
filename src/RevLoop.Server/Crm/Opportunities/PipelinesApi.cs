using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Opportunities;

public sealed record StageDto(Guid Id, string Name, int SortOrder, int Probability, string Type, IReadOnlyList<string> RequiredFields);
public sealed record PipelineDto(Guid Id, string Name, bool IsDefault, IReadOnlyList<StageDto> Stages)
{
    public static PipelineDto From(Pipeline p) => new(p.Id, p.Name, p.IsDefault,
        p.Stages.OrderBy(s => s.SortOrder).Select(s => new StageDto(s.Id, s.Name, s.SortOrder, s.Probability, s.Type, OpportunityRules.RequiredFieldsOf(s))).ToList());
}
/// <param name="RequiredFields">Opportunity fields required from this stage on; null keeps a listed stage's current ones.</param>
public sealed record StageInput(Guid? Id, string? Name, int? Probability, string? Type, IReadOnlyList<string>? RequiredFields = null);
public sealed record PipelineInput(string? Name, bool? IsDefault, IReadOnlyList<StageInput>? Stages);

/// <summary>Pipelines and their stages, configured by revops and admins to the company's own process.</summary>
public static class PipelinesApi
{
    public static void MapPipelinesApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/pipelines").WithTags("Pipelines").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", async (RevLoopDb db, CancellationToken ct) =>
            TypedResults.Ok((await db.Pipelines.AsNoTracking().Include(p => p.Stages).OrderBy(p => p.SortOrder).ThenBy(p => p.Name).ToListAsync(ct)).Select(PipelineDto.From).ToList()));
        g.MapPost("/", Create).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        g.MapPut("/{id:guid}", Replace).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
    }

    public static async Task<Created<PipelineDto>> Create(PipelineInput input, RevLoopDb db, CancellationToken ct)
    {
        var pipeline = new Pipeline { SortOrder = await db.Pipelines.CountAsync(ct) };
        await ApplyAsync(db, pipeline, input, ct);
        db.Pipelines.Add(pipeline);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/pipelines/{pipeline.Id}", PipelineDto.From(pipeline));
    }

    /// <summary>Replaces name and stages; stages keep their ids when listed with them, and a stage that deals sit in cannot be dropped.</summary>
    public static async Task<Results<Ok<PipelineDto>, NotFound>> Replace(Guid id, PipelineInput input, RevLoopDb db, CancellationToken ct)
    {
        var pipeline = await db.Pipelines.Include(p => p.Stages).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (pipeline is null) return TypedResults.NotFound();
        await ApplyAsync(db, pipeline, input, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(PipelineDto.From(pipeline));
    }

    private static async Task ApplyAsync(RevLoopDb db, Pipeline pipeline, PipelineInput input, CancellationToken ct)
    {
        var name = input.Name?.Trim() ?? "";
        if (name.Length is 0 or > 100) throw new InputException("name", "must be 1 to 100 characters");
        if (await db.Pipelines.AnyAsync(p => p.Name == name && p.Id != pipeline.Id, ct)) throw new InputException("name", $"a pipeline named '{name}' exists");
        var stages = input.Stages ?? [];
        if (stages.Count == 0) throw new InputException("stages", "a pipeline needs its stages (at least one open, one won and one lost)");
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < stages.Count; i++)
        {
            var s = stages[i];
            var field = $"stages[{i}]";
            if (string.IsNullOrWhiteSpace(s.Name) || s.Name.Trim().Length > 100) throw new InputException($"{field}.name", "must be 1 to 100 characters");
            if (!seen.Add(s.Name.Trim())) throw new InputException($"{field}.name", $"'{s.Name}' appears twice");
            if (!StageTypes.All.Contains(s.Type ?? StageTypes.Open)) throw new InputException($"{field}.type", "must be open, won or lost");
            if (s.Probability is < 0 or > 100) throw new InputException($"{field}.probability", "must be 0 to 100 (percent)");
        }
        foreach (var type in StageTypes.All)
            if (!stages.Any(s => (s.Type ?? StageTypes.Open) == type)) throw new InputException("stages", $"needs at least one {type} stage");
        var customKeys = (await db.CustomFieldDefinitions.AsNoTracking().Where(d => d.RecordType == "opportunity").Select(d => d.Key).ToListAsync(ct))
            .Select(k => $"customFields.{k}").ToHashSet();
        var required = new List<string?>();
        for (var i = 0; i < stages.Count; i++)
        {
            if (stages[i].RequiredFields is not { } fields) { required.Add(null); continue; }
            var list = new List<string>();
            for (var j = 0; j < fields.Count; j++)
            {
                var f = fields[j]?.Trim() ?? "";
                if (!OpportunityRules.RequirableFields.Contains(f) && !customKeys.Contains(f))
                    throw new InputException($"stages[{i}].requiredFields[{j}]", $"'{f}' is not a field a stage can require (fields: {string.Join(", ", OpportunityRules.RequirableFields.Concat(customKeys))})");
                if ((stages[i].Type ?? StageTypes.Open) == StageTypes.Lost)
                    throw new InputException($"stages[{i}].requiredFields", "a lost stage requires its lost reason only");
                if (!list.Contains(f)) list.Add(f);
            }
            required.Add(string.Join(',', list));
        }
        // A new pipeline that says nothing about required fields gets the documented default: amount and close date from the
        // second stage on (when that stage is open).
        if (pipeline.Stages.Count == 0 && required.All(r => r is null) && stages.Count > 1 && (stages[1].Type ?? StageTypes.Open) == StageTypes.Open)
            required[1] = "amount,closeDate";

        var kept = stages.Where(s => s.Id is not null).Select(s => s.Id!.Value).ToHashSet();
        foreach (var unknown in kept.Where(k => pipeline.Stages.All(s => s.Id != k)))
            throw new InputException("stages", $"stage {unknown} is not a stage of this pipeline");
        var dropped = pipeline.Stages.Where(s => !kept.Contains(s.Id)).ToList();
        var droppedIds = dropped.Select(d => d.Id).ToList();
        if (droppedIds.Count > 0 && await db.Opportunities.IgnoreQueryFilters().AnyAsync(o => droppedIds.Contains(o.StageId), ct))
            throw new InputException("stages", "a removed stage still has deals; move them to another stage first");
        foreach (var d in dropped) pipeline.Stages.Remove(d);

        for (var i = 0; i < stages.Count; i++)
        {
            var s = stages[i];
            var stage = s.Id is { } sid ? pipeline.Stages.First(x => x.Id == sid) : new Stage { PipelineId = pipeline.Id };
            if (s.Id is null) pipeline.Stages.Add(stage);
            stage.Name = s.Name!.Trim();
            stage.SortOrder = i;
            stage.Type = s.Type ?? StageTypes.Open;
            stage.Probability = stage.Type switch { StageTypes.Won => 100, StageTypes.Lost => 0, _ => s.Probability ?? 0 };
            if (required[i] is { } r) stage.RequiredFields = r.Length == 0 ? null : r;
        }
        pipeline.Name = name;
        if (input.IsDefault == true)
        {
            await db.Pipelines.Where(p => p.Id != pipeline.Id && p.IsDefault).ExecuteUpdateAsync(u => u.SetProperty(p => p.IsDefault, false), ct);
            pipeline.IsDefault = true;
        }
        else if (input.IsDefault == false) pipeline.IsDefault = false;
        else if (!await db.Pipelines.AnyAsync(p => p.IsDefault && p.Id != pipeline.Id, ct)) pipeline.IsDefault = true;
    }
}
