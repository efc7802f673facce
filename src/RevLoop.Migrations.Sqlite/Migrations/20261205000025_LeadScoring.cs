using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>Lead scoring: rules as data, each lead's and contact's score with its breakdown, the MQL threshold and the lead's lifecycle times.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261205000025_LeadScoring")]
public sealed class LeadScoring : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(name: "ScoringRules", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Name = table.Column<string>(type: "TEXT", nullable: false, maxLength: 200),
            Kind = table.Column<string>(type: "TEXT", nullable: false, maxLength: 10),
            Active = table.Column<bool>(type: "INTEGER", nullable: false),
            Points = table.Column<int>(type: "INTEGER", nullable: false),
            Cap = table.Column<int>(type: "INTEGER", nullable: true),
            HalfLifeDays = table.Column<int>(type: "INTEGER", nullable: false),
            MinEmployees = table.Column<int>(type: "INTEGER", nullable: true),
            MaxEmployees = table.Column<int>(type: "INTEGER", nullable: true),
            Industries = table.Column<string>(type: "TEXT", nullable: true, maxLength: 2000),
            Countries = table.Column<string>(type: "TEXT", nullable: true, maxLength: 1000),
            TitleKeywords = table.Column<string>(type: "TEXT", nullable: true, maxLength: 2000),
            EventType = table.Column<string>(type: "TEXT", nullable: true, maxLength: 30),
            UrlPattern = table.Column<string>(type: "TEXT", nullable: true, maxLength: 500),
            Feature = table.Column<string>(type: "TEXT", nullable: true, maxLength: 200),
            MinCount = table.Column<int>(type: "INTEGER", nullable: true),
            WithinDays = table.Column<int>(type: "INTEGER", nullable: true),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_ScoringRules", x => x.Id);
        });
        migrationBuilder.AddColumn<int>(name: "MqlThreshold", table: "CompanySettings", type: "INTEGER", nullable: false, defaultValue: 80);
        migrationBuilder.AddColumn<long>(name: "MqlAt", table: "Leads", type: "INTEGER", nullable: true);
        migrationBuilder.AddColumn<long>(name: "SqlAt", table: "Leads", type: "INTEGER", nullable: true);
        migrationBuilder.AddColumn<long>(name: "SqlRejectedAt", table: "Leads", type: "INTEGER", nullable: true);
        migrationBuilder.AddColumn<string>(name: "SqlRejectedReason", table: "Leads", type: "TEXT", maxLength: 500, nullable: true);
        foreach (var table in new[] { "Leads", "Contacts" })
        {
            migrationBuilder.AddColumn<int>(name: "Score", table: table, type: "INTEGER", nullable: false, defaultValue: 0);
            migrationBuilder.AddColumn<string>(name: "ScoreBreakdown", table: table, type: "TEXT", maxLength: 2147483647, nullable: true);
            migrationBuilder.AddColumn<long>(name: "ScoredAt", table: table, type: "INTEGER", nullable: true);
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
