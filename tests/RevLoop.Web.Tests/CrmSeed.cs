using Microsoft.Extensions.DependencyInjection;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Web.Tests;

/// <summary>CRM records for the browser tests, written through the data layer (history and all) as a given user.</summary>
public static class CrmSeed
{
    public static async Task<T[]> AddAsync<T>(this UiFixture f, User by, params T[] records) where T : class
    {
        using var scope = f.Server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var origin = scope.ServiceProvider.GetRequiredService<ChangeOrigin>();
        origin.Actor = $"user:{by.Id}";
        origin.Source = ChangeSources.Api;
        db.AddRange(records);
        await db.SaveChangesAsync();
        return records;
    }

    /// <summary>A pipeline of its own per test, so column counts and sums are exact whatever else the shared server holds.</summary>
    public static async Task<Pipeline> PipelineAsync(this UiFixture f, string name, params (string Name, string Type)[] stages)
    {
        var p = new Pipeline { Name = name, SortOrder = 100 };
        for (var i = 0; i < stages.Length; i++)
            p.Stages.Add(new Stage { PipelineId = p.Id, Name = stages[i].Name, SortOrder = i, Type = stages[i].Type, Probability = stages[i].Type == StageTypes.Won ? 100 : stages[i].Type == StageTypes.Lost ? 0 : 10 * (i + 1) });
        using var scope = f.Server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        db.Pipelines.Add(p);
        await db.SaveChangesAsync();
        return p;
    }

    public static Stage Stage(this Pipeline p, string name) => p.Stages.Single(s => s.Name == name);
}
