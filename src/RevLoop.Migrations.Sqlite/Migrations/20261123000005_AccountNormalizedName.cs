using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>Company-directory key on accounts, for lead matching and duplicate detection.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000005_AccountNormalizedName")]
public sealed class AccountNormalizedName : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "NormalizedName", table: "Accounts", type: "TEXT", maxLength: 300, nullable: true);
        migrationBuilder.CreateIndex(name: "IX_Accounts_NormalizedName", table: "Accounts", column: "NormalizedName");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_Accounts_NormalizedName", table: "Accounts");
        migrationBuilder.DropColumn(name: "NormalizedName", table: "Accounts");
    }
}
