using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Postgres;

/// <summary>Lead scoring: rules as data, each lead's and contact's score with its breakdown, the MQL threshold and the lead's lifecycle times.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261205000025_LeadScoring")]
public sealed class LeadScoring : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(name: "ScoringRules", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "uuid", nullable: false),
            Name = table.Column<string>(type: "character varying(200)", nullable: false, maxLength: 200),
            Kind = table.Column<string>(type: "character varying(10)", nullable: false, maxLength: 10),
            Active = table.Column<bool>(type: "boolean", nullable: false),
            Points = table.Column<int>(type: "integer", nullable: false),
            Cap = table.Column<int>(type: "integer", nullable: true),
            HalfLifeDays = table.Column<int>(type: "integer", nullable: false),
            MinEmployees = table.Column<int>(type: "integer", nullable: true),
            MaxEmployees = table.Column<int>(type: "integer", nullable: true),
            Industries = table.Column<string>(type: "character varying(2000)", nullable: true, maxLength: 2000),
            Countries = table.Column<string>(type: "character varying(1000)", nullable: true, maxLength: 1000),
            TitleKeywords = table.Column<string>(type: "character varying(2000)", nullable: true, maxLength: 2000),
            EventType = table.Column<string>(type: "character varying(30)", nullable: true, maxLength: 30),
            UrlPattern = table.Column<string>(type: "character varying(500)", nullable: true, maxLength: 500),
            Feature = table.Column<string>(type: "character varying(200)", nullable: true, maxLength: 200),
            MinCount = table.Column<int>(type: "integer", nullable: true),
            WithinDays = table.Column<int>(type: "integer", nullable: true),
            CreatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            UpdatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_ScoringRules", x => x.Id);
        });
        migrationBuilder.AddColumn<int>(name: "MqlThreshold", table: "CompanySettings", type: "integer", nullable: false, defaultValue: 80);
        migrationBuilder.AddColumn<System.DateTimeOffset>(name: "MqlAt", table: "Leads", type: "timestamp with time zone", nullable: true);
        migrationBuilder.AddColumn<System.DateTimeOffset>(name: "SqlAt", table: "Leads", type: "timestamp with time zone", nullable: true);
        migrationBuilder.AddColumn<System.DateTimeOffset>(name: "SqlRejectedAt", table: "Leads", type: "timestamp with time zone", nullable: true);
        migrationBuilder.AddColumn<string>(name: "SqlRejectedReason", table: "Leads", type: "character varying(500)", maxLength: 500, nullable: true);
        foreach (var table in new[] { "Leads", "Contacts" })
        {
            migrationBuilder.AddColumn<int>(name: "Score", table: table, type: "integer", nullable: false, defaultValue: 0);
            migrationBuilder.AddColumn<string>(name: "ScoreBreakdown", table: table, type: "text", maxLength: 2147483647, nullable: true);
            migrationBuilder.AddColumn<System.DateTimeOffset>(name: "ScoredAt", table: table, type: "timestamp with time zone", nullable: true);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ScoringRules");
        migrationBuilder.DropColumn(name: "MqlThreshold", table: "CompanySettings");
        foreach (var column in new[] { "MqlAt", "SqlAt", "SqlRejectedAt", "SqlRejectedReason" }) migrationBuilder.DropColumn(name: column, table: "Leads");
        foreach (var table in new[] { "Leads", "Contacts" })
            foreach (var column in new[] { "Score", "ScoreBreakdown", "ScoredAt" }) migrationBuilder.DropColumn(name: column, table: table);
    }
}
