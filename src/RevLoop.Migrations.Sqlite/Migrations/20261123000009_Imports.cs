using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>Imports: the external id (e.g. Salesforce Id) of accounts, contacts, leads and opportunities, and the import job table.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000009_Imports")]
public sealed class Imports : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "ExternalId", table: "Accounts", type: "TEXT", maxLength: 100, nullable: true);
        migrationBuilder.AddColumn<string>(name: "ExternalId", table: "Contacts", type: "TEXT", maxLength: 100, nullable: true);
        migrationBuilder.AddColumn<string>(name: "ExternalId", table: "Leads", type: "TEXT", maxLength: 100, nullable: true);
        migrationBuilder.AddColumn<string>(name: "ExternalId", table: "Opportunities", type: "TEXT", maxLength: 100, nullable: true);

        migrationBuilder.CreateTable(name: "ImportJobs", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Object = table.Column<string>(type: "TEXT", nullable: false, maxLength: 40),
            FileName = table.Column<string>(type: "TEXT", nullable: false, maxLength: 300),
            Dedupe = table.Column<string>(type: "TEXT", nullable: false, maxLength: 10),
            AllOrNothing = table.Column<bool>(type: "INTEGER", nullable: false),
            Status = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            BytesTotal = table.Column<long>(type: "INTEGER", nullable: false),
            BytesRead = table.Column<long>(type: "INTEGER", nullable: false),
            Read = table.Column<long>(type: "INTEGER", nullable: false),
            Created = table.Column<long>(type: "INTEGER", nullable: false),
            Updated = table.Column<long>(type: "INTEGER", nullable: false),
            Rejected = table.Column<long>(type: "INTEGER", nullable: false),
            RolledBack = table.Column<bool>(type: "INTEGER", nullable: false),
            Error = table.Column<string>(type: "TEXT", nullable: true, maxLength: 2000),
            CreatedBy = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
            CreatedByUserId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_ImportJobs", x => x.Id);
        });

        migrationBuilder.CreateIndex(name: "IX_Accounts_ExternalId", table: "Accounts", column: "ExternalId");
        migrationBuilder.CreateIndex(name: "IX_Contacts_ExternalId", table: "Contacts", column: "ExternalId");
        migrationBuilder.CreateIndex(name: "IX_Leads_ExternalId", table: "Leads", column: "ExternalId");
        migrationBuilder.CreateIndex(name: "IX_Opportunities_ExternalId", table: "Opportunities", column: "ExternalId");
        migrationBuilder.CreateIndex(name: "IX_ImportJobs_CreatedAt_Id", table: "ImportJobs", columns: new[] { "CreatedAt", "Id" });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ImportJobs");
        migrationBuilder.DropIndex(name: "IX_Accounts_ExternalId", table: "Accounts");
        migrationBuilder.DropColumn(name: "ExternalId", table: "Accounts");
        migrationBuilder.DropIndex(name: "IX_Contacts_ExternalId", table: "Contacts");
        migrationBuilder.DropColumn(name: "ExternalId", table: "Contacts");
        migrationBuilder.DropIndex(name: "IX_Leads_ExternalId", table: "Leads");
        migrationBuilder.DropColumn(name: "ExternalId", table: "Leads");
        migrationBuilder.DropIndex(name: "IX_Opportunities_ExternalId", table: "Opportunities");
        migrationBuilder.DropColumn(name: "ExternalId", table: "Opportunities");
    }
}
