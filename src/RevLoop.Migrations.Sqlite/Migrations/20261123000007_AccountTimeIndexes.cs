using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>Accounts sorted by created or updated time page through (time, id) indexes.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000007_AccountTimeIndexes")]
public sealed class AccountTimeIndexes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_Accounts_UpdatedAt", table: "Accounts");
        migrationBuilder.CreateIndex(name: "IX_Accounts_CreatedAt_Id", table: "Accounts", columns: new[] { "CreatedAt", "Id" });
        migrationBuilder.CreateIndex(name: "IX_Accounts_UpdatedAt_Id", table: "Accounts", columns: new[] { "UpdatedAt", "Id" });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_Accounts_UpdatedAt_Id", table: "Accounts");
        migrationBuilder.DropIndex(name: "IX_Accounts_CreatedAt_Id", table: "Accounts");
        migrationBuilder.CreateIndex(name: "IX_Accounts_UpdatedAt", table: "Accounts", column: "UpdatedAt");
    }
}
