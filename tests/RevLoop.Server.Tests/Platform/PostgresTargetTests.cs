using Npgsql;
using RevLoop.Data;

namespace RevLoop.Server.Tests.Platform;

/// <summary>A PostgreSQL database prepares the statements a connection repeats, unless its connection string says otherwise.</summary>
public class PostgresTargetTests
{
    [Theory]
    [InlineData("Host=db.example;Database=revloop;Username=app", 64, 2)]
    [InlineData("postgres://app:secret@db.example:5433/revloop", 64, 2)]
    [InlineData("Host=db.example;Database=revloop;Max Auto Prepare=5", 5, 5)]
    [InlineData("Host=db.example;Database=revloop;Max Auto Prepare=10;Auto Prepare Min Usages=3", 10, 3)]
    public void Statements_are_prepared_by_default(string value, int expected, int minUsages)
    {
        var target = DatabaseTarget.Parse(value);
        Assert.Equal(DatabaseProvider.Postgres, target.Provider);
        var cs = new NpgsqlConnectionStringBuilder(target.ConnectionString);
        Assert.Equal((expected, minUsages, "db.example", "revloop"), (cs.MaxAutoPrepare, cs.AutoPrepareMinUsages, cs.Host, cs.Database));
    }
}
