using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>Activities (timeline and tasks), products, price book and opportunity line items.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000006_ActivitiesProducts")]
public sealed class ActivitiesProducts : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(name: "Activities", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Type = table.Column<string>(type: "TEXT", nullable: false, maxLength: 10),
            Subject = table.Column<string>(type: "TEXT", nullable: false, maxLength: 300),
            Body = table.Column<string>(type: "TEXT", nullable: true, maxLength: 10000),
            OccurredAt = table.Column<long>(type: "INTEGER", nullable: false),
            DueAt = table.Column<long>(type: "INTEGER", nullable: true),
            CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
            Status = table.Column<string>(type: "TEXT", nullable: false, maxLength: 10),
            AccountId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            ContactId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            LeadId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            OpportunityId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            OwnerId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            OwnerTeamId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            Version = table.Column<long>(type: "INTEGER", nullable: false),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            DeletedAt = table.Column<long>(type: "INTEGER", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Activities", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "Products", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Sku = table.Column<string>(type: "TEXT", nullable: false, maxLength: 60),
            Name = table.Column<string>(type: "TEXT", nullable: false, maxLength: 200),
            Family = table.Column<string>(type: "TEXT", nullable: true, maxLength: 100),
            Active = table.Column<bool>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Products", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "PriceBookEntries", columns: table => new
        {
            Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            ProductId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Currency = table.Column<string>(type: "TEXT", nullable: false, maxLength: 3),
            ListPriceMinor = table.Column<long>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_PriceBookEntries", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "LineItems", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            OpportunityId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            ProductId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Quantity = table.Column<decimal>(type: "TEXT", nullable: false),
            UnitPriceMinor = table.Column<long>(type: "INTEGER", nullable: false),
            DiscountPercent = table.Column<decimal>(type: "TEXT", nullable: false),
            TermMonths = table.Column<int>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_LineItems", x => x.Id);
        });

        migrationBuilder.CreateIndex(name: "IX_Activities_AccountId_OccurredAt", table: "Activities", columns: new[] { "AccountId", "OccurredAt" });
        migrationBuilder.CreateIndex(name: "IX_Activities_ContactId_OccurredAt", table: "Activities", columns: new[] { "ContactId", "OccurredAt" });
        migrationBuilder.CreateIndex(name: "IX_Activities_LeadId_OccurredAt", table: "Activities", columns: new[] { "LeadId", "OccurredAt" });
        migrationBuilder.CreateIndex(name: "IX_Activities_OpportunityId_OccurredAt", table: "Activities", columns: new[] { "OpportunityId", "OccurredAt" });
        migrationBuilder.CreateIndex(name: "IX_Activities_OwnerId_Status_DueAt", table: "Activities", columns: new[] { "OwnerId", "Status", "DueAt" });
        migrationBuilder.CreateIndex(name: "IX_Activities_OwnerTeamId_Status_DueAt", table: "Activities", columns: new[] { "OwnerTeamId", "Status", "DueAt" });
        migrationBuilder.CreateIndex(name: "IX_LineItems_OpportunityId", table: "LineItems", column: "OpportunityId");
        migrationBuilder.CreateIndex(name: "IX_LineItems_ProductId", table: "LineItems", column: "ProductId");
        migrationBuilder.CreateIndex(name: "IX_PriceBookEntries_ProductId_Currency", table: "PriceBookEntries", columns: new[] { "ProductId", "Currency" }, unique: true);
        migrationBuilder.CreateIndex(name: "IX_Products_Sku", table: "Products", column: "Sku", unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "LineItems");
        migrationBuilder.DropTable(name: "PriceBookEntries");
        migrationBuilder.DropTable(name: "Products");
        migrationBuilder.DropTable(name: "Activities");
    }
}
