using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>A rep's deals in one stage by close date (the list API's most common question) read straight off one index.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000012_OpportunityListIndex")]
public sealed class OpportunityListIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateIndex(name: "IX_Opportunities_OwnerId_StageId_CloseDate_Id", table: "Opportunities", columns: new[] { "OwnerId", "StageId", "CloseDate", "Id" });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_Opportunities_OwnerId_StageId_CloseDate_Id", table: "Opportunities");
    }
}
