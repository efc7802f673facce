using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Postgres;

/// <summary>CRM core: contacts, leads, pipelines with stages, opportunities.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000004_CrmCore")]
public sealed class CrmCore : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(name: "Contacts", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "uuid", nullable: false),
            AccountId = table.Column<System.Guid>(type: "uuid", nullable: true),
            FirstName = table.Column<string>(type: "character varying(100)", nullable: false, maxLength: 100),
            LastName = table.Column<string>(type: "character varying(100)", nullable: false, maxLength: 100),
            Title = table.Column<string>(type: "character varying(200)", nullable: true, maxLength: 200),
            DealRole = table.Column<string>(type: "character varying(20)", nullable: true, maxLength: 20),
            Email = table.Column<string>(type: "character varying(320)", nullable: true, maxLength: 320),
            NormalizedEmail = table.Column<string>(type: "character varying(320)", nullable: true, maxLength: 320),
            Phone = table.Column<string>(type: "character varying(20)", nullable: true, maxLength: 20),
            EmailConsent = table.Column<string>(type: "character varying(10)", nullable: false, maxLength: 10),
            PhoneConsent = table.Column<string>(type: "character varying(10)", nullable: false, maxLength: 10),
            SmsConsent = table.Column<string>(type: "character varying(10)", nullable: false, maxLength: 10),
            OwnerId = table.Column<System.Guid>(type: "uuid", nullable: true),
            OwnerTeamId = table.Column<System.Guid>(type: "uuid", nullable: true),
            Version = table.Column<long>(type: "bigint", nullable: false),
            CreatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            UpdatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            DeletedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Contacts", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "Leads", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "uuid", nullable: false),
            FirstName = table.Column<string>(type: "character varying(100)", nullable: false, maxLength: 100),
            LastName = table.Column<string>(type: "character varying(100)", nullable: false, maxLength: 100),
            Title = table.Column<string>(type: "character varying(200)", nullable: true, maxLength: 200),
            Email = table.Column<string>(type: "character varying(320)", nullable: true, maxLength: 320),
            NormalizedEmail = table.Column<string>(type: "character varying(320)", nullable: true, maxLength: 320),
            Phone = table.Column<string>(type: "character varying(20)", nullable: true, maxLength: 20),
            Company = table.Column<string>(type: "character varying(300)", nullable: true, maxLength: 300),
            Domain = table.Column<string>(type: "character varying(253)", nullable: true, maxLength: 253),
            Employees = table.Column<int>(type: "integer", nullable: true),
            Industry = table.Column<string>(type: "character varying(100)", nullable: true, maxLength: 100),
            Country = table.Column<string>(type: "character varying(2)", nullable: true, maxLength: 2),
            Region = table.Column<string>(type: "character varying(60)", nullable: true, maxLength: 60),
            Status = table.Column<string>(type: "character varying(20)", nullable: false, maxLength: 20),
            Source = table.Column<string>(type: "character varying(40)", nullable: true, maxLength: 40),
            Pool = table.Column<string>(type: "character varying(100)", nullable: true, maxLength: 100),
            EmailConsent = table.Column<string>(type: "character varying(10)", nullable: false, maxLength: 10),
            PhoneConsent = table.Column<string>(type: "character varying(10)", nullable: false, maxLength: 10),
            SmsConsent = table.Column<string>(type: "character varying(10)", nullable: false, maxLength: 10),
            OwnerId = table.Column<System.Guid>(type: "uuid", nullable: true),
            OwnerTeamId = table.Column<System.Guid>(type: "uuid", nullable: true),
            ConvertedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
            ConvertedAccountId = table.Column<System.Guid>(type: "uuid", nullable: true),
            ConvertedContactId = table.Column<System.Guid>(type: "uuid", nullable: true),
            ConvertedOpportunityId = table.Column<System.Guid>(type: "uuid", nullable: true),
            Version = table.Column<long>(type: "bigint", nullable: false),
            CreatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            UpdatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            DeletedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Leads", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "Pipelines", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "uuid", nullable: false),
            Name = table.Column<string>(type: "character varying(100)", nullable: false, maxLength: 100),
            IsDefault = table.Column<bool>(type: "boolean", nullable: false),
            SortOrder = table.Column<int>(type: "integer", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Pipelines", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "Stages", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "uuid", nullable: false),
            PipelineId = table.Column<System.Guid>(type: "uuid", nullable: false),
            Name = table.Column<string>(type: "character varying(100)", nullable: false, maxLength: 100),
            SortOrder = table.Column<int>(type: "integer", nullable: false),
            Probability = table.Column<int>(type: "integer", nullable: false),
            Type = table.Column<string>(type: "character varying(10)", nullable: false, maxLength: 10),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Stages", x => x.Id);
            table.ForeignKey(name: "FK_Stages_Pipelines_PipelineId", column: x => x.PipelineId, principalTable: "Pipelines", principalColumn: "Id", onDelete: ReferentialAction.Cascade);
        });

        migrationBuilder.CreateTable(name: "Opportunities", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "uuid", nullable: false),
            Name = table.Column<string>(type: "character varying(300)", nullable: false, maxLength: 300),
            AccountId = table.Column<System.Guid>(type: "uuid", nullable: false),
            PrimaryContactId = table.Column<System.Guid>(type: "uuid", nullable: true),
            PipelineId = table.Column<System.Guid>(type: "uuid", nullable: false),
            StageId = table.Column<System.Guid>(type: "uuid", nullable: false),
            AmountMinor = table.Column<long>(type: "bigint", nullable: false),
            AcvMinor = table.Column<long>(type: "bigint", nullable: true),
            Currency = table.Column<string>(type: "character varying(3)", nullable: false, maxLength: 3),
            CloseDate = table.Column<System.DateOnly>(type: "date", nullable: true),
            NextStep = table.Column<string>(type: "character varying(500)", nullable: true, maxLength: 500),
            OwnerId = table.Column<System.Guid>(type: "uuid", nullable: true),
            OwnerTeamId = table.Column<System.Guid>(type: "uuid", nullable: true),
            SourcingRole = table.Column<string>(type: "character varying(20)", nullable: true, maxLength: 20),
            Source = table.Column<string>(type: "character varying(40)", nullable: true, maxLength: 40),
            Type = table.Column<string>(type: "character varying(20)", nullable: false, maxLength: 20),
            ForecastCategory = table.Column<string>(type: "character varying(20)", nullable: false, maxLength: 20),
            Region = table.Column<string>(type: "character varying(60)", nullable: true, maxLength: 60),
            Segment = table.Column<string>(type: "character varying(20)", nullable: true, maxLength: 20),
            ProductFamily = table.Column<string>(type: "character varying(100)", nullable: true, maxLength: 100),
            LostReason = table.Column<string>(type: "character varying(200)", nullable: true, maxLength: 200),
            WonAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
            LostAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
            Version = table.Column<long>(type: "bigint", nullable: false),
            CreatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            UpdatedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            DeletedAt = table.Column<System.DateTimeOffset>(type: "timestamp with time zone", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Opportunities", x => x.Id);
        });

        migrationBuilder.CreateIndex(name: "IX_Contacts_AccountId", table: "Contacts", column: "AccountId");
        migrationBuilder.CreateIndex(name: "IX_Contacts_LastName_FirstName_Id", table: "Contacts", columns: new[] { "LastName", "FirstName", "Id" });
        migrationBuilder.CreateIndex(name: "IX_Contacts_NormalizedEmail", table: "Contacts", column: "NormalizedEmail");
        migrationBuilder.CreateIndex(name: "IX_Contacts_OwnerId_LastName", table: "Contacts", columns: new[] { "OwnerId", "LastName" });
        migrationBuilder.CreateIndex(name: "IX_Contacts_OwnerTeamId_LastName", table: "Contacts", columns: new[] { "OwnerTeamId", "LastName" });
        migrationBuilder.CreateIndex(name: "IX_Contacts_Phone", table: "Contacts", column: "Phone");
        migrationBuilder.CreateIndex(name: "IX_Leads_Domain", table: "Leads", column: "Domain");
        migrationBuilder.CreateIndex(name: "IX_Leads_NormalizedEmail", table: "Leads", column: "NormalizedEmail");
        migrationBuilder.CreateIndex(name: "IX_Leads_OwnerId_Status", table: "Leads", columns: new[] { "OwnerId", "Status" });
        migrationBuilder.CreateIndex(name: "IX_Leads_OwnerTeamId_Status", table: "Leads", columns: new[] { "OwnerTeamId", "Status" });
        migrationBuilder.CreateIndex(name: "IX_Leads_Pool_Status", table: "Leads", columns: new[] { "Pool", "Status" });
        migrationBuilder.CreateIndex(name: "IX_Leads_Status_CreatedAt", table: "Leads", columns: new[] { "Status", "CreatedAt" });
        migrationBuilder.CreateIndex(name: "IX_Opportunities_AccountId", table: "Opportunities", column: "AccountId");
        migrationBuilder.CreateIndex(name: "IX_Opportunities_CloseDate", table: "Opportunities", column: "CloseDate");
        migrationBuilder.CreateIndex(name: "IX_Opportunities_CreatedAt", table: "Opportunities", column: "CreatedAt");
        migrationBuilder.CreateIndex(name: "IX_Opportunities_OwnerId_CloseDate", table: "Opportunities", columns: new[] { "OwnerId", "CloseDate" });
        migrationBuilder.CreateIndex(name: "IX_Opportunities_OwnerTeamId_CloseDate", table: "Opportunities", columns: new[] { "OwnerTeamId", "CloseDate" });
        migrationBuilder.CreateIndex(name: "IX_Opportunities_PipelineId_StageId", table: "Opportunities", columns: new[] { "PipelineId", "StageId" });
        migrationBuilder.CreateIndex(name: "IX_Pipelines_Name", table: "Pipelines", column: "Name", unique: true);
        migrationBuilder.CreateIndex(name: "IX_Stages_PipelineId_SortOrder", table: "Stages", columns: new[] { "PipelineId", "SortOrder" });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "Opportunities");
        migrationBuilder.DropTable(name: "Stages");
        migrationBuilder.DropTable(name: "Pipelines");
        migrationBuilder.DropTable(name: "Leads");
        migrationBuilder.DropTable(name: "Contacts");
    }
}
