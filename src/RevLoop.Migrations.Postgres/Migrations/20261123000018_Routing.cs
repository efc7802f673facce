using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Postgres;

/// <summary>Lead routing: ordered rules, queues (pools) with an SLA, reps' capacity and out-of-office, and each lead's routing decisions.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000018_Routing")]
public sealed class Routing : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(name: "LeadAssignments", columns: table => new
        {
            Id = table.Column<long>(type: "bigint", nullable: false).Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
            LeadId = table.Column<System.Guid>(type: "uuid", nullable: false),
            AssignedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            RuleId = table.Column<System.Guid>(type: "uuid", nullable: true),
            Rule = table.Column<string>(type: "character varying(200)", nullable: false, maxLength: 200),
            Reason = table.Column<string>(type: "character varying(500)", nullable: false, maxLength: 500),
            OwnerId = table.Column<System.Guid>(type: "uuid", nullable: true),
            QueueId = table.Column<System.Guid>(type: "uuid", nullable: true),
            SlaDueAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
            ClaimedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
            FirstTouchedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
            BreachedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
            Current = table.Column<bool>(type: "boolean", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_LeadAssignments", x => x.Id);
        });
        migrationBuilder.CreateTable(name: "LeadQueues", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "uuid", nullable: false),
            Name = table.Column<string>(type: "character varying(100)", nullable: false, maxLength: 100),
            SlaMinutes = table.Column<int>(type: "integer", nullable: false),
            EscalateToUserId = table.Column<System.Guid>(type: "uuid", nullable: true),
            CreatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_LeadQueues", x => x.Id);
        });
        migrationBuilder.CreateTable(name: "RepAvailability", columns: table => new
        {
            UserId = table.Column<System.Guid>(type: "uuid", nullable: false),
            Capacity = table.Column<int>(type: "integer", nullable: true),
            OutOfOfficeUntil = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_RepAvailability", x => x.UserId);
        });
        migrationBuilder.CreateTable(name: "RoutingRules", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "uuid", nullable: false),
            Position = table.Column<int>(type: "integer", nullable: false),
            Name = table.Column<string>(type: "character varying(200)", nullable: false, maxLength: 200),
            Active = table.Column<bool>(type: "boolean", nullable: false),
            Regions = table.Column<string>(type: "character varying(1000)", nullable: true, maxLength: 1000),
            Countries = table.Column<string>(type: "character varying(1000)", nullable: true, maxLength: 1000),
            Segments = table.Column<string>(type: "character varying(200)", nullable: true, maxLength: 200),
            MinEmployees = table.Column<int>(type: "integer", nullable: true),
            MaxEmployees = table.Column<int>(type: "integer", nullable: true),
            Sources = table.Column<string>(type: "character varying(1000)", nullable: true, maxLength: 1000),
            Products = table.Column<string>(type: "character varying(1000)", nullable: true, maxLength: 1000),
            AccountOwned = table.Column<bool>(type: "boolean", nullable: true),
            Action = table.Column<string>(type: "character varying(20)", nullable: false, maxLength: 20),
            UserId = table.Column<System.Guid>(type: "uuid", nullable: true),
            TeamId = table.Column<System.Guid>(type: "uuid", nullable: true),
            QueueId = table.Column<System.Guid>(type: "uuid", nullable: true),
            LastUserId = table.Column<System.Guid>(type: "uuid", nullable: true),
            CreatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            UpdatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_RoutingRules", x => x.Id);
        });
        migrationBuilder.CreateIndex(name: "IX_LeadAssignments_Current_OwnerId_SlaDueAt", table: "LeadAssignments", columns: new[] { "Current", "OwnerId", "SlaDueAt" });
        migrationBuilder.CreateIndex(name: "IX_LeadAssignments_Current_QueueId_SlaDueAt", table: "LeadAssignments", columns: new[] { "Current", "QueueId", "SlaDueAt" });
        migrationBuilder.CreateIndex(name: "IX_LeadAssignments_LeadId_Id", table: "LeadAssignments", columns: new[] { "LeadId", "Id" });
        migrationBuilder.CreateIndex(name: "IX_LeadQueues_Name", table: "LeadQueues", column: "Name", unique: true);
        migrationBuilder.CreateIndex(name: "IX_RoutingRules_Position", table: "RoutingRules", column: "Position");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "LeadAssignments");
        migrationBuilder.DropTable(name: "LeadQueues");
        migrationBuilder.DropTable(name: "RepAvailability");
        migrationBuilder.DropTable(name: "RoutingRules");
    }
}
