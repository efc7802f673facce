namespace RevLoop.Platform;

/// <summary>
/// A random secret of this installation, made on first use and kept in the database so every server process signs and
/// checks the same way across restarts (e.g. the key behind unsubscribe links).
/// </summary>
public sealed class InstallationSecret
{
    public string Name { get; set; } = "";
    public string Value { get; set; } = "";
}
