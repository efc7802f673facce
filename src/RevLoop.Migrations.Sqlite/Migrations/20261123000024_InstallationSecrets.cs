using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>Secrets of the installation, made on first use (the key that signs unsubscribe links).</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000024_InstallationSecrets")]
public sealed class InstallationSecrets : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(name: "InstallationSecrets", columns: table => new
        {
            Name = table.Column<string>(type: "TEXT", nullable: false, maxLength: 50),
            Value = table.Column<string>(type: "TEXT", nullable: false, maxLength: 200),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_InstallationSecrets", x => x.Name);
        });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "InstallationSecrets");
    }
}
