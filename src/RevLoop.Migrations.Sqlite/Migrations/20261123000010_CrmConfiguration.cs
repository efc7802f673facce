using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>CRM configuration: required fields per stage, segment bands, tags, custom fields, opportunity contact roles.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000010_CrmConfiguration")]
public sealed class CrmConfiguration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<bool>(name: "SegmentExplicit", table: "Accounts", type: "INTEGER", nullable: true);
        migrationBuilder.AddColumn<string>(name: "Tags", table: "Accounts", type: "TEXT", maxLength: 2000, nullable: true);
        migrationBuilder.AddColumn<string>(name: "CustomFields", table: "Accounts", type: "TEXT", maxLength: 8000, nullable: true);
        migrationBuilder.AddColumn<string>(name: "Tags", table: "Contacts", type: "TEXT", maxLength: 2000, nullable: true);
        migrationBuilder.AddColumn<string>(name: "CustomFields", table: "Contacts", type: "TEXT", maxLength: 8000, nullable: true);
        migrationBuilder.AddColumn<string>(name: "Tags", table: "Leads", type: "TEXT", maxLength: 2000, nullable: true);
        migrationBuilder.AddColumn<string>(name: "CustomFields", table: "Leads", type: "TEXT", maxLength: 8000, nullable: true);
        migrationBuilder.AddColumn<string>(name: "Tags", table: "Opportunities", type: "TEXT", maxLength: 2000, nullable: true);
        migrationBuilder.AddColumn<string>(name: "CustomFields", table: "Opportunities", type: "TEXT", maxLength: 8000, nullable: true);
        migrationBuilder.AddColumn<int>(name: "MidMarketFromEmployees", table: "CompanySettings", type: "INTEGER", nullable: false, defaultValue: 200);
        migrationBuilder.AddColumn<int>(name: "EnterpriseFromEmployees", table: "CompanySettings", type: "INTEGER", nullable: false, defaultValue: 1000);
        migrationBuilder.AddColumn<string>(name: "RequiredFields", table: "Stages", type: "TEXT", maxLength: 1000, nullable: true);

        migrationBuilder.CreateTable(name: "CustomFieldDefinitions", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            RecordType = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            Key = table.Column<string>(type: "TEXT", nullable: false, maxLength: 50),
            Label = table.Column<string>(type: "TEXT", nullable: false, maxLength: 200),
            Type = table.Column<string>(type: "TEXT", nullable: false, maxLength: 10),
            Options = table.Column<string>(type: "TEXT", nullable: true, maxLength: 4000),
            Required = table.Column<bool>(type: "INTEGER", nullable: false),
            SortOrder = table.Column<int>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_CustomFieldDefinitions", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "CustomFieldValues", columns: table => new
        {
            RecordType = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            RecordId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Key = table.Column<string>(type: "TEXT", nullable: false, maxLength: 50),
            Value = table.Column<string>(type: "TEXT", nullable: false, maxLength: 400),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_CustomFieldValues", x => new { x.RecordType, x.RecordId, x.Key });
        });

        migrationBuilder.CreateTable(name: "OpportunityContactRoles", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            OpportunityId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            ContactId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Role = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            Version = table.Column<long>(type: "INTEGER", nullable: false),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            DeletedAt = table.Column<long>(type: "INTEGER", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_OpportunityContactRoles", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "RecordTags", columns: table => new
        {
            RecordType = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            Tag = table.Column<string>(type: "TEXT", nullable: false, maxLength: 50),
            RecordId = table.Column<System.Guid>(type: "TEXT", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_RecordTags", x => new { x.RecordType, x.Tag, x.RecordId });
        });

        migrationBuilder.CreateIndex(name: "IX_CustomFieldDefinitions_RecordType_Key", table: "CustomFieldDefinitions", columns: new[] { "RecordType", "Key" }, unique: true);
        migrationBuilder.CreateIndex(name: "IX_CustomFieldValues_RecordType_Key_Value", table: "CustomFieldValues", columns: new[] { "RecordType", "Key", "Value" });
        migrationBuilder.CreateIndex(name: "IX_OpportunityContactRoles_ContactId", table: "OpportunityContactRoles", column: "ContactId");
        migrationBuilder.CreateIndex(name: "IX_OpportunityContactRoles_OpportunityId", table: "OpportunityContactRoles", column: "OpportunityId");

        // What was hard-coded before: amount and close date from the second stage on, and segments by 200 / 1,000
        // employees. A segment that differs from what those bands derive was set by someone, so it stays set.
        migrationBuilder.Sql("UPDATE \"Stages\" SET \"RequiredFields\" = 'amount,closeDate' WHERE \"SortOrder\" = 1 AND \"Type\" = 'open'");
        migrationBuilder.Sql("UPDATE \"Accounts\" SET \"SegmentExplicit\" = TRUE WHERE \"Segment\" IS NOT NULL AND (\"Employees\" IS NULL OR \"Segment\" <> " +
            "CASE WHEN \"Employees\" < 200 THEN 'smb' WHEN \"Employees\" < 1000 THEN 'mid_market' ELSE 'enterprise' END)");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "RecordTags");
        migrationBuilder.DropTable(name: "OpportunityContactRoles");
        migrationBuilder.DropTable(name: "CustomFieldValues");
        migrationBuilder.DropTable(name: "CustomFieldDefinitions");
        migrationBuilder.DropColumn(name: "RequiredFields", table: "Stages");
        migrationBuilder.DropColumn(name: "EnterpriseFromEmployees", table: "CompanySettings");
        migrationBuilder.DropColumn(name: "MidMarketFromEmployees", table: "CompanySettings");
        migrationBuilder.DropColumn(name: "CustomFields", table: "Opportunities");
        migrationBuilder.DropColumn(name: "Tags", table: "Opportunities");
        migrationBuilder.DropColumn(name: "CustomFields", table: "Leads");
        migrationBuilder.DropColumn(name: "Tags", table: "Leads");
        migrationBuilder.DropColumn(name: "CustomFields", table: "Contacts");
        migrationBuilder.DropColumn(name: "Tags", table: "Contacts");
        migrationBuilder.DropColumn(name: "CustomFields", table: "Accounts");
        migrationBuilder.DropColumn(name: "Tags", table: "Accounts");
        migrationBuilder.DropColumn(name: "SegmentExplicit", table: "Accounts");
    }
}
