using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>Marketing automation: campaigns with costs and members, behavioural events, identified visitors, tracking keys, the suppression list and blocked contacts; the account a lead was matched to.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000016_Marketing")]
public sealed class Marketing : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<System.Guid>(name: "MatchedAccountId", table: "Leads", type: "TEXT", nullable: true);
        migrationBuilder.CreateTable(name: "Campaigns", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Name = table.Column<string>(type: "TEXT", nullable: false, maxLength: 300),
            Type = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            Channel = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            Status = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            StartDate = table.Column<System.DateOnly>(type: "TEXT", nullable: true),
            EndDate = table.Column<System.DateOnly>(type: "TEXT", nullable: true),
            Currency = table.Column<string>(type: "TEXT", nullable: false, maxLength: 3),
            BudgetMinor = table.Column<long>(type: "INTEGER", nullable: true),
            OwnerId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            ParentCampaignId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            UtmCampaign = table.Column<string>(type: "TEXT", nullable: true, maxLength: 200),
            Description = table.Column<string>(type: "TEXT", nullable: true, maxLength: 4000),
            Version = table.Column<long>(type: "INTEGER", nullable: false),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            DeletedAt = table.Column<long>(type: "INTEGER", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Campaigns", x => x.Id);
        });
        migrationBuilder.CreateTable(name: "CampaignCosts", columns: table => new
        {
            Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            CampaignId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Date = table.Column<System.DateOnly>(type: "TEXT", nullable: false),
            AmountMinor = table.Column<long>(type: "INTEGER", nullable: false),
            Description = table.Column<string>(type: "TEXT", nullable: true, maxLength: 300),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_CampaignCosts", x => x.Id);
        });
        migrationBuilder.CreateTable(name: "CampaignMembers", columns: table => new
        {
            Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            CampaignId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            PersonType = table.Column<string>(type: "TEXT", nullable: false, maxLength: 10),
            PersonId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Status = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            AddedAt = table.Column<long>(type: "INTEGER", nullable: false),
            UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_CampaignMembers", x => x.Id);
        });
        migrationBuilder.CreateTable(name: "MarketingEvents", columns: table => new
        {
            Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            EventId = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
            Type = table.Column<string>(type: "TEXT", nullable: false, maxLength: 30),
            OccurredAt = table.Column<long>(type: "INTEGER", nullable: false),
            ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
            PersonType = table.Column<string>(type: "TEXT", nullable: true, maxLength: 10),
            PersonId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            VisitorId = table.Column<string>(type: "TEXT", nullable: true, maxLength: 100),
            Email = table.Column<string>(type: "TEXT", nullable: true, maxLength: 320),
            CampaignId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            Url = table.Column<string>(type: "TEXT", nullable: true, maxLength: 2000),
            Feature = table.Column<string>(type: "TEXT", nullable: true, maxLength: 200),
            UtmSource = table.Column<string>(type: "TEXT", nullable: true, maxLength: 200),
            UtmMedium = table.Column<string>(type: "TEXT", nullable: true, maxLength: 200),
            UtmCampaign = table.Column<string>(type: "TEXT", nullable: true, maxLength: 200),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_MarketingEvents", x => x.Id);
        });
        migrationBuilder.CreateTable(name: "VisitorIdentities", columns: table => new
        {
            VisitorId = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
            PersonType = table.Column<string>(type: "TEXT", nullable: false, maxLength: 10),
            PersonId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            IdentifiedAt = table.Column<long>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_VisitorIdentities", x => x.VisitorId);
        });
        migrationBuilder.CreateTable(name: "TrackingKeys", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Key = table.Column<string>(type: "TEXT", nullable: false, maxLength: 64),
            Name = table.Column<string>(type: "TEXT", nullable: false, maxLength: 200),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_TrackingKeys", x => x.Id);
        });
        migrationBuilder.CreateIndex(name: "IX_CampaignCosts_CampaignId_Date", table: "CampaignCosts", columns: new[] { "CampaignId", "Date" });
        migrationBuilder.CreateIndex(name: "IX_CampaignMembers_CampaignId_PersonType_PersonId", table: "CampaignMembers", columns: new[] { "CampaignId", "PersonType", "PersonId" }, unique: true);
        migrationBuilder.CreateIndex(name: "IX_CampaignMembers_PersonType_PersonId", table: "CampaignMembers", columns: new[] { "PersonType", "PersonId" });
        migrationBuilder.CreateIndex(name: "IX_Campaigns_Name_Id", table: "Campaigns", columns: new[] { "Name", "Id" });
        migrationBuilder.CreateIndex(name: "IX_Campaigns_ParentCampaignId", table: "Campaigns", column: "ParentCampaignId");
        migrationBuilder.CreateIndex(name: "IX_Campaigns_Type_Status", table: "Campaigns", columns: new[] { "Type", "Status" });
        migrationBuilder.CreateIndex(name: "IX_Campaigns_UtmCampaign", table: "Campaigns", column: "UtmCampaign");
        migrationBuilder.CreateIndex(name: "IX_Leads_MatchedAccountId", table: "Leads", column: "MatchedAccountId");
        migrationBuilder.CreateIndex(name: "IX_MarketingEvents_CampaignId_OccurredAt", table: "MarketingEvents", columns: new[] { "CampaignId", "OccurredAt" });
        migrationBuilder.CreateIndex(name: "IX_MarketingEvents_EventId", table: "MarketingEvents", column: "EventId", unique: true);
        migrationBuilder.CreateIndex(name: "IX_MarketingEvents_PersonType_PersonId_OccurredAt", table: "MarketingEvents", columns: new[] { "PersonType", "PersonId", "OccurredAt" });
        migrationBuilder.CreateIndex(name: "IX_MarketingEvents_VisitorId", table: "MarketingEvents", column: "VisitorId");
        migrationBuilder.CreateIndex(name: "IX_TrackingKeys_Key", table: "TrackingKeys", column: "Key", unique: true);
        migrationBuilder.CreateIndex(name: "IX_VisitorIdentities_PersonType_PersonId", table: "VisitorIdentities", columns: new[] { "PersonType", "PersonId" });
        migrationBuilder.CreateTable(name: "Suppressions", columns: table => new
        {
            Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            Kind = table.Column<string>(type: "TEXT", nullable: false, maxLength: 10),
            Value = table.Column<string>(type: "TEXT", nullable: false, maxLength: 320),
            Reason = table.Column<string>(type: "TEXT", nullable: true, maxLength: 300),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            CreatedBy = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Suppressions", x => x.Id);
        });
        migrationBuilder.CreateTable(name: "ContactBlocks", columns: table => new
        {
            Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            PersonType = table.Column<string>(type: "TEXT", nullable: false, maxLength: 10),
            PersonId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Channel = table.Column<string>(type: "TEXT", nullable: false, maxLength: 10),
            Action = table.Column<string>(type: "TEXT", nullable: false, maxLength: 40),
            Reason = table.Column<string>(type: "TEXT", nullable: false, maxLength: 300),
            BlockedAt = table.Column<long>(type: "INTEGER", nullable: false),
            Actor = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_ContactBlocks", x => x.Id);
        });
        migrationBuilder.CreateIndex(name: "IX_ContactBlocks_BlockedAt", table: "ContactBlocks", column: "BlockedAt");
        migrationBuilder.CreateIndex(name: "IX_ContactBlocks_PersonType_PersonId_BlockedAt", table: "ContactBlocks", columns: new[] { "PersonType", "PersonId", "BlockedAt" });
        migrationBuilder.CreateIndex(name: "IX_Suppressions_Kind_Value", table: "Suppressions", columns: new[] { "Kind", "Value" }, unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ContactBlocks");
        migrationBuilder.DropTable(name: "Suppressions");
        migrationBuilder.DropTable(name: "TrackingKeys");
        migrationBuilder.DropTable(name: "VisitorIdentities");
        migrationBuilder.DropTable(name: "MarketingEvents");
        migrationBuilder.DropTable(name: "CampaignMembers");
        migrationBuilder.DropTable(name: "CampaignCosts");
        migrationBuilder.DropTable(name: "Campaigns");
        migrationBuilder.DropIndex(name: "IX_Leads_MatchedAccountId", table: "Leads");
        migrationBuilder.DropColumn(name: "MatchedAccountId", table: "Leads");
    }
}
