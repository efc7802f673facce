using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>Indexes behind the pipeline board (cards per stage by close date), the lead and opportunity lists and global search.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000011_BoardIndexes")]
public sealed class BoardIndexes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateIndex(name: "IX_Contacts_FirstName", table: "Contacts", column: "FirstName");
        migrationBuilder.CreateIndex(name: "IX_Leads_CreatedAt_Id", table: "Leads", columns: new[] { "CreatedAt", "Id" });
        migrationBuilder.CreateIndex(name: "IX_Leads_LastName_FirstName_Id", table: "Leads", columns: new[] { "LastName", "FirstName", "Id" });
        migrationBuilder.CreateIndex(name: "IX_Leads_FirstName", table: "Leads", column: "FirstName");
        migrationBuilder.CreateIndex(name: "IX_Leads_Phone", table: "Leads", column: "Phone");
        migrationBuilder.CreateIndex(name: "IX_Leads_Source", table: "Leads", column: "Source");
        migrationBuilder.CreateIndex(name: "IX_Opportunities_StageId_CloseDate_Id", table: "Opportunities", columns: new[] { "StageId", "CloseDate", "Id" });
        migrationBuilder.CreateIndex(name: "IX_Opportunities_Name_Id", table: "Opportunities", columns: new[] { "Name", "Id" });
        migrationBuilder.CreateIndex(name: "IX_Opportunities_Segment", table: "Opportunities", column: "Segment");
        migrationBuilder.CreateIndex(name: "IX_Opportunities_Region", table: "Opportunities", column: "Region");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_Opportunities_Region", table: "Opportunities");
        migrationBuilder.DropIndex(name: "IX_Opportunities_Segment", table: "Opportunities");
        migrationBuilder.DropIndex(name: "IX_Opportunities_Name_Id", table: "Opportunities");
        migrationBuilder.DropIndex(name: "IX_Opportunities_StageId_CloseDate_Id", table: "Opportunities");
        migrationBuilder.DropIndex(name: "IX_Leads_Source", table: "Leads");
        migrationBuilder.DropIndex(name: "IX_Leads_Phone", table: "Leads");
        migrationBuilder.DropIndex(name: "IX_Leads_FirstName", table: "Leads");
        migrationBuilder.DropIndex(name: "IX_Leads_LastName_FirstName_Id", table: "Leads");
        migrationBuilder.DropIndex(name: "IX_Leads_CreatedAt_Id", table: "Leads");
        migrationBuilder.DropIndex(name: "IX_Contacts_FirstName", table: "Contacts");
    }
}
