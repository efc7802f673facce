using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>
/// The board's totals are summed from the in-memory deal columns since ADR 0014, so nothing reads the covering index
/// any more; every new deal still paid for it (its widest index, entered at a random place: at 500,000 deals an import
/// ran at 3,115 rows/s with it and 3,801 without).
/// </summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261206000028_DropBoardTotalsIndex")]
public sealed class DropBoardTotalsIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_Opportunities_BoardTotals", table: "Opportunities");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateIndex(name: "IX_Opportunities_BoardTotals", table: "Opportunities",
            columns: new[] { "PipelineId", "OwnerTeamId", "StageId", "Currency", "CloseDate", "AmountMinor", "OwnerId", "DeletedAt" });
    }
}
