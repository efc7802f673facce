using Npgsql;
using RevLoop.Data;

namespace RevLoop.Server.Tests.Platform;

/// <summary>A PostgreSQL database prepares the statements a connection repeats and does not reset a pooled connection,
/// unless its connection string says otherwise.</summary>
public class PostgresTargetTests
{
    [Theory]
    [InlineData("Host=db.example;Database=revloop;Username=app", 64, 2, true)]
    [InlineData("postgres://app:secret@db.example:5433/revloop", 64, 2, true)]
    [InlineData("Host=db.example;Database=revloop;Max Auto Prepare=5", 5, 5, true)]
    [InlineData("Host=db.example;Database=revloop;Max Auto Prepare=10;Auto Prepare Min Usages=3;No Reset On Close=false", 10, 3, false)]
    [InlineData("Host=db.example;Database=revloop;NoResetOnClose=false", 64, 2, false)]
    public void Statements_are_prepared_and_pooled_connections_kept_as_they_are_by_default(string value, int expected, int minUsages, bool noReset)
    {
        var target = DatabaseTarget.Parse(value);
        Assert.Equal(DatabaseProvider.Postgres, target.Provider);
        var cs = new NpgsqlConnectionStringBuilder(target.ConnectionString);
        Assert.Equal((expected, minUsages, noReset, "db.example", "revloop"), (cs.MaxAutoPrepare, cs.AutoPrepareMinUsages, cs.NoResetOnClose, cs.Host, cs.Database));
    }
}
