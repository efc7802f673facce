using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Postgres;

/// <summary>Duplicates: merged-into pointers, extra emails and phones with their matching table, the default calling code.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000008_Duplicates")]
public sealed class Duplicates : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "DefaultCallingCode", table: "CompanySettings", type: "character varying(3)", maxLength: 3, nullable: true);
        foreach (var table in new[] { "Accounts", "Contacts", "Leads" })
        {
            migrationBuilder.AddColumn<System.Guid>(name: "MergedIntoId", table: table, type: "uuid", nullable: true);
            migrationBuilder.CreateIndex(name: $"IX_{table}_MergedIntoId", table: table, column: "MergedIntoId");
        }
        foreach (var table in new[] { "Contacts", "Leads" })
        {
            migrationBuilder.AddColumn<string>(name: "ExtraEmails", table: table, type: "character varying(4000)", maxLength: 4000, nullable: true);
            migrationBuilder.AddColumn<string>(name: "ExtraPhones", table: table, type: "character varying(2000)", maxLength: 2000, nullable: true);
        }
        migrationBuilder.CreateTable(name: "ContactPoints", columns: table => new
        {
            Id = table.Column<long>(type: "bigint", nullable: false).Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
            RecordType = table.Column<string>(type: "character varying(20)", nullable: false, maxLength: 20),
            RecordId = table.Column<System.Guid>(type: "uuid", nullable: false),
            Kind = table.Column<string>(type: "character varying(10)", nullable: false, maxLength: 10),
            Value = table.Column<string>(type: "character varying(320)", nullable: false, maxLength: 320),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_ContactPoints", x => x.Id);
        });
        migrationBuilder.CreateIndex(name: "IX_ContactPoints_Kind_Value", table: "ContactPoints", columns: new[] { "Kind", "Value" });
        migrationBuilder.CreateIndex(name: "IX_ContactPoints_RecordType_RecordId", table: "ContactPoints", columns: new[] { "RecordType", "RecordId" });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ContactPoints");
        foreach (var table in new[] { "Contacts", "Leads" })
        {
            migrationBuilder.DropColumn(name: "ExtraEmails", table: table);
            migrationBuilder.DropColumn(name: "ExtraPhones", table: table);
        }
        foreach (var table in new[] { "Accounts", "Contacts", "Leads" })
        {
            migrationBuilder.DropIndex(name: $"IX_{table}_MergedIntoId", table: table);
            migrationBuilder.DropColumn(name: "MergedIntoId", table: table);
        }
        migrationBuilder.DropColumn(name: "DefaultCallingCode", table: "CompanySettings");
    }
}
