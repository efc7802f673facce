using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>Forecasting (issue 5): targets, forecast submissions and weekly snapshots, APM actions and the APM colour thresholds.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000015_Forecasting")]
public sealed class Forecasting : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<decimal>(name: "ApmRedBelow", table: "CompanySettings", type: "TEXT", nullable: false, defaultValue: 0.8m);
        migrationBuilder.AddColumn<decimal>(name: "ApmGreenFrom", table: "CompanySettings", type: "TEXT", nullable: false, defaultValue: 0.95m);
        migrationBuilder.AddColumn<decimal>(name: "CoverageTarget", table: "CompanySettings", type: "TEXT", nullable: false, defaultValue: 3m);

        migrationBuilder.CreateTable(name: "Targets", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Period = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            SubjectKind = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            Subject = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
            Metric = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            AmountMinor = table.Column<long>(type: "INTEGER", nullable: false),
            Version = table.Column<long>(type: "INTEGER", nullable: false),
            UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Targets", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "ForecastSubmissions", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Period = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            UserId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            TeamId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            CommitMinor = table.Column<long>(type: "INTEGER", nullable: false),
            BestCaseMinor = table.Column<long>(type: "INTEGER", nullable: false),
            PipelineMinor = table.Column<long>(type: "INTEGER", nullable: false),
            Note = table.Column<string>(type: "TEXT", nullable: true, maxLength: 2000),
            SubmittedById = table.Column<System.Guid>(type: "TEXT", nullable: false),
            SubmittedAt = table.Column<long>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_ForecastSubmissions", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "ForecastSnapshots", columns: table => new
        {
            Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            Period = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            TakenOn = table.Column<System.DateOnly>(type: "TEXT", nullable: false),
            SubjectKind = table.Column<string>(type: "TEXT", nullable: false, maxLength: 10),
            SubjectId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            CallMinor = table.Column<long>(type: "INTEGER", nullable: true),
            ClosedWonMinor = table.Column<long>(type: "INTEGER", nullable: false),
            CommitMinor = table.Column<long>(type: "INTEGER", nullable: false),
            BestCaseMinor = table.Column<long>(type: "INTEGER", nullable: false),
            PipelineMinor = table.Column<long>(type: "INTEGER", nullable: false),
            TakenAt = table.Column<long>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_ForecastSnapshots", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "ApmActions", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Period = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            Dimension = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            Value = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
            Column = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            OwnerId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            DueDate = table.Column<System.DateOnly>(type: "TEXT", nullable: false),
            Note = table.Column<string>(type: "TEXT", nullable: false, maxLength: 2000),
            ActivityId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            CreatedById = table.Column<System.Guid>(type: "TEXT", nullable: false),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_ApmActions", x => x.Id);
        });

        migrationBuilder.CreateIndex(name: "IX_ApmActions_ActivityId", table: "ApmActions", column: "ActivityId");
        migrationBuilder.CreateIndex(name: "IX_ApmActions_Period_Dimension_CreatedAt", table: "ApmActions", columns: new[] { "Period", "Dimension", "CreatedAt" });
        migrationBuilder.CreateIndex(name: "IX_ForecastSnapshots_Period_TakenOn_SubjectKind_SubjectId", table: "ForecastSnapshots", columns: new[] { "Period", "TakenOn", "SubjectKind", "SubjectId" }, unique: true);
        migrationBuilder.CreateIndex(name: "IX_ForecastSnapshots_SubjectKind_SubjectId_Period", table: "ForecastSnapshots", columns: new[] { "SubjectKind", "SubjectId", "Period" });
        migrationBuilder.CreateIndex(name: "IX_ForecastSubmissions_Period_TeamId_SubmittedAt", table: "ForecastSubmissions", columns: new[] { "Period", "TeamId", "SubmittedAt" });
        migrationBuilder.CreateIndex(name: "IX_ForecastSubmissions_Period_UserId_SubmittedAt", table: "ForecastSubmissions", columns: new[] { "Period", "UserId", "SubmittedAt" });
        migrationBuilder.CreateIndex(name: "IX_Targets_Period_SubjectKind_Subject_Metric", table: "Targets", columns: new[] { "Period", "SubjectKind", "Subject", "Metric" }, unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ApmActions");
        migrationBuilder.DropTable(name: "ForecastSnapshots");
        migrationBuilder.DropTable(name: "ForecastSubmissions");
        migrationBuilder.DropTable(name: "Targets");
        migrationBuilder.DropColumn(name: "ApmRedBelow", table: "CompanySettings");
        migrationBuilder.DropColumn(name: "ApmGreenFrom", table: "CompanySettings");
        migrationBuilder.DropColumn(name: "CoverageTarget", table: "CompanySettings");
    }
}
