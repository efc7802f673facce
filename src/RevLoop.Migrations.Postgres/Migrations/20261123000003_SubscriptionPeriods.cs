using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Postgres;

/// <summary>Subscription item periods: the input of the SaaS metrics (METRICS.md section 1).</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000003_SubscriptionPeriods")]
public sealed class SubscriptionPeriods : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(name: "SubscriptionPeriods", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "uuid", nullable: false),
            CustomerId = table.Column<string>(type: "character varying(200)", nullable: false, maxLength: 200),
            AccountId = table.Column<System.Guid>(type: "uuid", nullable: true),
            SubscriptionId = table.Column<string>(type: "character varying(200)", nullable: true, maxLength: 200),
            Start = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            End = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
            AmountMinor = table.Column<long>(type: "bigint", nullable: false),
            Currency = table.Column<string>(type: "character varying(3)", nullable: false, maxLength: 3),
            Interval = table.Column<string>(type: "character varying(10)", nullable: false, maxLength: 10),
            IntervalCount = table.Column<int>(type: "integer", nullable: false),
            Quantity = table.Column<decimal>(type: "numeric(18,4)", nullable: false),
            Version = table.Column<long>(type: "bigint", nullable: false),
            CreatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            UpdatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            DeletedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_SubscriptionPeriods", x => x.Id);
        });

        migrationBuilder.CreateIndex(name: "IX_SubscriptionPeriods_AccountId", table: "SubscriptionPeriods", column: "AccountId");
        migrationBuilder.CreateIndex(name: "IX_SubscriptionPeriods_CustomerId_Start", table: "SubscriptionPeriods", columns: new[] { "CustomerId", "Start" });
        migrationBuilder.CreateIndex(name: "IX_SubscriptionPeriods_SubscriptionId", table: "SubscriptionPeriods", column: "SubscriptionId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "SubscriptionPeriods");
    }
}
