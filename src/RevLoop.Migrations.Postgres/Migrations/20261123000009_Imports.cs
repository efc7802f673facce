using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Postgres;

/// <summary>Imports: the external id (e.g. Salesforce Id) of accounts, contacts, leads and opportunities, and the import job table.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000009_Imports")]
public sealed class Imports : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "ExternalId", table: "Accounts", type: "character varying(100)", maxLength: 100, nullable: true);
        migrationBuilder.AddColumn<string>(name: "ExternalId", table: "Contacts", type: "character varying(100)", maxLength: 100, nullable: true);
        migrationBuilder.AddColumn<string>(name: "ExternalId", table: "Leads", type: "character varying(100)", maxLength: 100, nullable: true);
        migrationBuilder.AddColumn<string>(name: "ExternalId", table: "Opportunities", type: "character varying(100)", maxLength: 100, nullable: true);

        migrationBuilder.CreateTable(name: "ImportJobs", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "uuid", nullable: false),
            Object = table.Column<string>(type: "character varying(40)", nullable: false, maxLength: 40),
            FileName = table.Column<string>(type: "character varying(300)", nullable: false, maxLength: 300),
            Dedupe = table.Column<string>(type: "character varying(10)", nullable: false, maxLength: 10),
            AllOrNothing = table.Column<bool>(type: "boolean", nullable: false),
            Status = table.Column<string>(type: "character varying(20)", nullable: false, maxLength: 20),
            BytesTotal = table.Column<long>(type: "bigint", nullable: false),
            BytesRead = table.Column<long>(type: "bigint", nullable: false),
            Read = table.Column<long>(type: "bigint", nullable: false),
            Created = table.Column<long>(type: "bigint", nullable: false),
            Updated = table.Column<long>(type: "bigint", nullable: false),
            Rejected = table.Column<long>(type: "bigint", nullable: false),
            RolledBack = table.Column<bool>(type: "boolean", nullable: false),
            Error = table.Column<string>(type: "character varying(2000)", nullable: true, maxLength: 2000),
            CreatedBy = table.Column<string>(type: "character varying(100)", nullable: false, maxLength: 100),
            CreatedByUserId = table.Column<System.Guid>(type: "uuid", nullable: true),
            CreatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            FinishedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
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
