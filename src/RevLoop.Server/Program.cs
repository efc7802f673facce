using RevLoop.Server.Cli;

return await RevLoopCli.RunAsync(args);

/// <summary>Entry point type, visible to tests.</summary>
public partial class Program;
