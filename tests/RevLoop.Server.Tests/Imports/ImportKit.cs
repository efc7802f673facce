using RevLoop.Crm.Opportunities;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Imports;

/// <summary>Pipelines and runs shared by the import tests.</summary>
internal static class ImportKit
{
    /// <summary>The default pipeline "New business" and a second one, "Partner", with ids fixed so tests can name them.</summary>
    public static readonly Guid Sales = Guid.Parse("00000000-0000-7000-8000-00000000b001"), Partner = Guid.Parse("00000000-0000-7000-8000-00000000b002");
    public static readonly Guid Discovery = Guid.Parse("00000000-0000-7000-8000-00000000c001"), Proposal = Guid.Parse("00000000-0000-7000-8000-00000000c002"),
        ClosedWon = Guid.Parse("00000000-0000-7000-8000-00000000c003"), ClosedLost = Guid.Parse("00000000-0000-7000-8000-00000000c004"),
        Registered = Guid.Parse("00000000-0000-7000-8000-00000000c011"), PartnerWon = Guid.Parse("00000000-0000-7000-8000-00000000c012");

    public static Task SeedPipelinesAsync(RunningServer server) => server.WithDbAsync(async db =>
    {
        db.Pipelines.Add(new Pipeline
        {
            Id = Sales, Name = "New business", IsDefault = true, SortOrder = 0,
            Stages =
            [
                new Stage { Id = Discovery, Name = "Discovery", SortOrder = 0, Probability = 10, Type = StageTypes.Open },
                new Stage { Id = Proposal, Name = "Proposal", SortOrder = 1, Probability = 40, Type = StageTypes.Open },
                new Stage { Id = ClosedWon, Name = "Closed won", SortOrder = 2, Probability = 100, Type = StageTypes.Won },
                new Stage { Id = ClosedLost, Name = "Closed lost", SortOrder = 3, Probability = 0, Type = StageTypes.Lost },
            ],
        });
        db.Pipelines.Add(new Pipeline
        {
            Id = Partner, Name = "Partner", SortOrder = 1,
            Stages =
            [
                new Stage { Id = Registered, Name = "Registered", SortOrder = 0, Probability = 10, Type = StageTypes.Open },
                new Stage { Id = PartnerWon, Name = "Won", SortOrder = 1, Probability = 100, Type = StageTypes.Won },
            ],
        });
        return await db.SaveChangesAsync();
    });

    /// <summary>Runs `revloop import` and checks the exit code.</summary>
    public static async Task<CliResult> ImportAsync(RunningServer server, int exitCode, params string[] args)
    {
        var result = await RevLoopProcess.RunAsync(server.Database, ["import", .. args]);
        Assert.True(result.ExitCode == exitCode, result.ToString());
        return result;
    }
}
