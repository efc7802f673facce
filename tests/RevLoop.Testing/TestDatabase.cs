using RevLoop.Data;

namespace RevLoop.Testing;

/// <summary>Every data-touching test runs once per provider: a theory row for SQLite and one for PostgreSQL.</summary>
public static class Providers
{
    public static TheoryData<string> All => new() { "sqlite", "postgres" };

    /// <summary>A fresh, empty database of the provider.</summary>
    public static DatabaseTarget NewDatabase(string provider) => provider switch
    {
        "sqlite" => DatabaseTarget.Parse(Path.Combine(Path.GetTempPath(), "revloop-tests", $"{Guid.NewGuid():N}.db")),
        "postgres" => DatabaseTarget.Parse(PostgresServer.CreateDatabase()),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
