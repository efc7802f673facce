using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Postgres;

/// <summary>Account-based marketing: target account lists and their member accounts; leads by the account they were converted to.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261205000027_Abm")]
public sealed class Abm : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(name: "TargetAccountLists", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "uuid", nullable: false),
            Name = table.Column<string>(type: "character varying(200)", nullable: false, maxLength: 200),
            OwnerId = table.Column<System.Guid>(type: "uuid", nullable: true),
            CampaignId = table.Column<System.Guid>(type: "uuid", nullable: true),
            Description = table.Column<string>(type: "character varying(4000)", nullable: true, maxLength: 4000),
            Version = table.Column<long>(type: "bigint", nullable: false),
            CreatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            UpdatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            DeletedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_TargetAccountLists", x => x.Id);
        });
        migrationBuilder.CreateTable(name: "TargetListAccounts", columns: table => new
        {
            Id = table.Column<long>(type: "bigint", nullable: false).Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
            ListId = table.Column<System.Guid>(type: "uuid", nullable: false),
            AccountId = table.Column<System.Guid>(type: "uuid", nullable: false),
            AddedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_TargetListAccounts", x => x.Id);
        });
        migrationBuilder.CreateIndex(name: "IX_TargetAccountLists_Name", table: "TargetAccountLists", column: "Name");
        migrationBuilder.CreateIndex(name: "IX_TargetAccountLists_CampaignId", table: "TargetAccountLists", column: "CampaignId");
        migrationBuilder.CreateIndex(name: "IX_TargetListAccounts_ListId_AccountId", table: "TargetListAccounts", columns: new[] { "ListId", "AccountId" }, unique: true);
        migrationBuilder.CreateIndex(name: "IX_TargetListAccounts_AccountId", table: "TargetListAccounts", column: "AccountId");
        migrationBuilder.CreateIndex(name: "IX_Leads_ConvertedAccountId", table: "Leads", column: "ConvertedAccountId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_Leads_ConvertedAccountId", table: "Leads");
        migrationBuilder.DropTable(name: "TargetListAccounts");
        migrationBuilder.DropTable(name: "TargetAccountLists");
    }
}
