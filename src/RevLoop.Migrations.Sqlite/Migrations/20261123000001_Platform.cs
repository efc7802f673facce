using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RevLoop.Data;

#nullable disable

namespace RevLoop.Migrations.Sqlite;

/// <summary>The first schema: platform (users, teams, tokens, settings, history, outbox, webhooks, idempotency) and accounts.</summary>
[DbContext(typeof(RevLoopDb))]
[Migration("20261123000001_Platform")]
public sealed class Platform : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(name: "Accounts", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Name = table.Column<string>(type: "TEXT", nullable: false, maxLength: 300),
            Domain = table.Column<string>(type: "TEXT", nullable: true, maxLength: 253),
            Industry = table.Column<string>(type: "TEXT", nullable: true, maxLength: 100),
            Employees = table.Column<int>(type: "INTEGER", nullable: true),
            Segment = table.Column<string>(type: "TEXT", nullable: true, maxLength: 20),
            Region = table.Column<string>(type: "TEXT", nullable: true, maxLength: 60),
            Country = table.Column<string>(type: "TEXT", nullable: true, maxLength: 2),
            ParentAccountId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            OwnerId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            OwnerTeamId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            Version = table.Column<long>(type: "INTEGER", nullable: false),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            DeletedAt = table.Column<long>(type: "INTEGER", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Accounts", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "ApiTokens", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            UserId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            TokenHash = table.Column<string>(type: "TEXT", nullable: false, maxLength: 64),
            Prefix = table.Column<string>(type: "TEXT", nullable: false, maxLength: 16),
            Scopes = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            LastUsedAt = table.Column<long>(type: "INTEGER", nullable: true),
            RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_ApiTokens", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "AspNetUsers", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            DisplayName = table.Column<string>(type: "TEXT", nullable: false, maxLength: 200),
            Role = table.Column<string>(type: "TEXT", nullable: false, maxLength: 40),
            TeamId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            UserName = table.Column<string>(type: "TEXT", nullable: true, maxLength: 256),
            NormalizedUserName = table.Column<string>(type: "TEXT", nullable: true, maxLength: 256),
            Email = table.Column<string>(type: "TEXT", nullable: true, maxLength: 256),
            NormalizedEmail = table.Column<string>(type: "TEXT", nullable: true, maxLength: 256),
            EmailConfirmed = table.Column<bool>(type: "INTEGER", nullable: false),
            PasswordHash = table.Column<string>(type: "TEXT", nullable: true, maxLength: 400),
            SecurityStamp = table.Column<string>(type: "TEXT", nullable: true, maxLength: 400),
            ConcurrencyStamp = table.Column<string>(type: "TEXT", nullable: true, maxLength: 400),
            PhoneNumber = table.Column<string>(type: "TEXT", nullable: true, maxLength: 400),
            PhoneNumberConfirmed = table.Column<bool>(type: "INTEGER", nullable: false),
            TwoFactorEnabled = table.Column<bool>(type: "INTEGER", nullable: false),
            LockoutEnd = table.Column<long>(type: "INTEGER", nullable: true),
            LockoutEnabled = table.Column<bool>(type: "INTEGER", nullable: false),
            AccessFailedCount = table.Column<int>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_AspNetUsers", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "CompanySettings", columns: table => new
        {
            Id = table.Column<int>(type: "INTEGER", nullable: false),
            CompanyName = table.Column<string>(type: "TEXT", nullable: false, maxLength: 200),
            FiscalYearStartMonth = table.Column<int>(type: "INTEGER", nullable: false),
            BaseCurrency = table.Column<string>(type: "TEXT", nullable: false, maxLength: 3),
            Version = table.Column<long>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_CompanySettings", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "Currencies", columns: table => new
        {
            Code = table.Column<string>(type: "TEXT", nullable: false, maxLength: 3),
            Name = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Currencies", x => x.Code);
        });

        migrationBuilder.CreateTable(name: "ExchangeRates", columns: table => new
        {
            Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            CurrencyCode = table.Column<string>(type: "TEXT", nullable: false, maxLength: 3),
            Date = table.Column<System.DateOnly>(type: "TEXT", nullable: false),
            Rate = table.Column<decimal>(type: "TEXT", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_ExchangeRates", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "FieldChanges", columns: table => new
        {
            Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            EntityType = table.Column<string>(type: "TEXT", nullable: false, maxLength: 60),
            EntityId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Field = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
            OldValue = table.Column<string>(type: "TEXT", nullable: true, maxLength: 4000),
            NewValue = table.Column<string>(type: "TEXT", nullable: true, maxLength: 4000),
            ChangedAt = table.Column<long>(type: "INTEGER", nullable: false),
            ChangedBy = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
            Source = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            ChangeSetId = table.Column<System.Guid>(type: "TEXT", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_FieldChanges", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "IdempotencyRecords", columns: table => new
        {
            Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            Principal = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
            Key = table.Column<string>(type: "TEXT", nullable: false, maxLength: 200),
            RequestHash = table.Column<string>(type: "TEXT", nullable: false, maxLength: 64),
            StatusCode = table.Column<int>(type: "INTEGER", nullable: false),
            ContentType = table.Column<string>(type: "TEXT", nullable: true, maxLength: 200),
            Location = table.Column<string>(type: "TEXT", nullable: true, maxLength: 2000),
            Body = table.Column<byte[]>(type: "BLOB", nullable: false),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_IdempotencyRecords", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "Notifications", columns: table => new
        {
            Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            UserId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            Kind = table.Column<string>(type: "TEXT", nullable: false, maxLength: 60),
            Text = table.Column<string>(type: "TEXT", nullable: false, maxLength: 2000),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            ReadAt = table.Column<long>(type: "INTEGER", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Notifications", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "OutboxEvents", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Type = table.Column<string>(type: "TEXT", nullable: false, maxLength: 100),
            EntityType = table.Column<string>(type: "TEXT", nullable: false, maxLength: 60),
            EntityId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Payload = table.Column<string>(type: "TEXT", nullable: false, maxLength: 2147483647),
            OccurredAt = table.Column<long>(type: "INTEGER", nullable: false),
            FannedOutAt = table.Column<long>(type: "INTEGER", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_OutboxEvents", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "Teams", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Name = table.Column<string>(type: "TEXT", nullable: false, maxLength: 200),
            ParentTeamId = table.Column<System.Guid>(type: "TEXT", nullable: true),
            ManagerUserId = table.Column<System.Guid>(type: "TEXT", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_Teams", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "WebhookAttempts", columns: table => new
        {
            Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            DeliveryId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            AttemptedAt = table.Column<long>(type: "INTEGER", nullable: false),
            StatusCode = table.Column<int>(type: "INTEGER", nullable: true),
            Error = table.Column<string>(type: "TEXT", nullable: true, maxLength: 2000),
            DurationMs = table.Column<int>(type: "INTEGER", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_WebhookAttempts", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "WebhookDeliveries", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            SubscriptionId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            EventId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Status = table.Column<string>(type: "TEXT", nullable: false, maxLength: 20),
            Attempts = table.Column<int>(type: "INTEGER", nullable: false),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
            LeasedUntil = table.Column<long>(type: "INTEGER", nullable: true),
            DeliveredAt = table.Column<long>(type: "INTEGER", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_WebhookDeliveries", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "WebhookSubscriptions", columns: table => new
        {
            Id = table.Column<System.Guid>(type: "TEXT", nullable: false),
            Url = table.Column<string>(type: "TEXT", nullable: false, maxLength: 2000),
            EventFilter = table.Column<string>(type: "TEXT", nullable: false, maxLength: 1000),
            Secret = table.Column<string>(type: "TEXT", nullable: false, maxLength: 200),
            PreviousSecret = table.Column<string>(type: "TEXT", nullable: true, maxLength: 200),
            PreviousSecretExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
            CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            CreatedBy = table.Column<System.Guid>(type: "TEXT", nullable: true),
            FailingSince = table.Column<long>(type: "INTEGER", nullable: true),
            DisabledAt = table.Column<long>(type: "INTEGER", nullable: true),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_WebhookSubscriptions", x => x.Id);
        });

        migrationBuilder.CreateTable(name: "AspNetUserClaims", columns: table => new
        {
            Id = table.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
            UserId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            ClaimType = table.Column<string>(type: "TEXT", nullable: true, maxLength: 400),
            ClaimValue = table.Column<string>(type: "TEXT", nullable: true, maxLength: 400),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_AspNetUserClaims", x => x.Id);
            table.ForeignKey(name: "FK_AspNetUserClaims_AspNetUsers_UserId", column: x => x.UserId, principalTable: "AspNetUsers", principalColumn: "Id", onDelete: ReferentialAction.Cascade);
        });

        migrationBuilder.CreateTable(name: "AspNetUserLogins", columns: table => new
        {
            LoginProvider = table.Column<string>(type: "TEXT", nullable: false, maxLength: 400),
            ProviderKey = table.Column<string>(type: "TEXT", nullable: false, maxLength: 400),
            ProviderDisplayName = table.Column<string>(type: "TEXT", nullable: true, maxLength: 400),
            UserId = table.Column<System.Guid>(type: "TEXT", nullable: false),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_AspNetUserLogins", x => new { x.LoginProvider, x.ProviderKey });
            table.ForeignKey(name: "FK_AspNetUserLogins_AspNetUsers_UserId", column: x => x.UserId, principalTable: "AspNetUsers", principalColumn: "Id", onDelete: ReferentialAction.Cascade);
        });

        migrationBuilder.CreateTable(name: "AspNetUserTokens", columns: table => new
        {
            UserId = table.Column<System.Guid>(type: "TEXT", nullable: false),
            LoginProvider = table.Column<string>(type: "TEXT", nullable: false, maxLength: 400),
            Name = table.Column<string>(type: "TEXT", nullable: false, maxLength: 400),
            Value = table.Column<string>(type: "TEXT", nullable: true, maxLength: 400),
        },
        constraints: table =>
        {
            table.PrimaryKey("PK_AspNetUserTokens", x => new { x.UserId, x.LoginProvider, x.Name });
            table.ForeignKey(name: "FK_AspNetUserTokens_AspNetUsers_UserId", column: x => x.UserId, principalTable: "AspNetUsers", principalColumn: "Id", onDelete: ReferentialAction.Cascade);
        });

        migrationBuilder.CreateIndex(name: "IX_Accounts_Domain", table: "Accounts", column: "Domain");
        migrationBuilder.CreateIndex(name: "IX_Accounts_Name_Id", table: "Accounts", columns: new[] { "Name", "Id" });
        migrationBuilder.CreateIndex(name: "IX_Accounts_OwnerId_Name", table: "Accounts", columns: new[] { "OwnerId", "Name" });
        migrationBuilder.CreateIndex(name: "IX_Accounts_OwnerTeamId_Name", table: "Accounts", columns: new[] { "OwnerTeamId", "Name" });
        migrationBuilder.CreateIndex(name: "IX_Accounts_ParentAccountId", table: "Accounts", column: "ParentAccountId");
        migrationBuilder.CreateIndex(name: "IX_Accounts_UpdatedAt", table: "Accounts", column: "UpdatedAt");
        migrationBuilder.CreateIndex(name: "IX_ApiTokens_TokenHash", table: "ApiTokens", column: "TokenHash", unique: true);
        migrationBuilder.CreateIndex(name: "IX_ApiTokens_UserId", table: "ApiTokens", column: "UserId");
        migrationBuilder.CreateIndex(name: "IX_AspNetUserClaims_UserId", table: "AspNetUserClaims", column: "UserId");
        migrationBuilder.CreateIndex(name: "IX_AspNetUserLogins_UserId", table: "AspNetUserLogins", column: "UserId");
        migrationBuilder.CreateIndex(name: "EmailIndex", table: "AspNetUsers", column: "NormalizedEmail");
        migrationBuilder.CreateIndex(name: "IX_AspNetUsers_TeamId", table: "AspNetUsers", column: "TeamId");
        migrationBuilder.CreateIndex(name: "UserNameIndex", table: "AspNetUsers", column: "NormalizedUserName", unique: true);
        migrationBuilder.CreateIndex(name: "IX_ExchangeRates_CurrencyCode_Date", table: "ExchangeRates", columns: new[] { "CurrencyCode", "Date" }, unique: true);
        migrationBuilder.CreateIndex(name: "IX_FieldChanges_EntityType_EntityId_ChangedAt", table: "FieldChanges", columns: new[] { "EntityType", "EntityId", "ChangedAt" });
        migrationBuilder.CreateIndex(name: "IX_FieldChanges_EntityType_Field_ChangedAt", table: "FieldChanges", columns: new[] { "EntityType", "Field", "ChangedAt" });
        migrationBuilder.CreateIndex(name: "IX_IdempotencyRecords_CreatedAt", table: "IdempotencyRecords", column: "CreatedAt");
        migrationBuilder.CreateIndex(name: "IX_IdempotencyRecords_Principal_Key", table: "IdempotencyRecords", columns: new[] { "Principal", "Key" }, unique: true);
        migrationBuilder.CreateIndex(name: "IX_Notifications_UserId_CreatedAt", table: "Notifications", columns: new[] { "UserId", "CreatedAt" });
        migrationBuilder.CreateIndex(name: "IX_OutboxEvents_FannedOutAt_OccurredAt", table: "OutboxEvents", columns: new[] { "FannedOutAt", "OccurredAt" });
        migrationBuilder.CreateIndex(name: "IX_Teams_Name", table: "Teams", column: "Name", unique: true);
        migrationBuilder.CreateIndex(name: "IX_Teams_ParentTeamId", table: "Teams", column: "ParentTeamId");
        migrationBuilder.CreateIndex(name: "IX_WebhookAttempts_DeliveryId", table: "WebhookAttempts", column: "DeliveryId");
        migrationBuilder.CreateIndex(name: "IX_WebhookDeliveries_EventId_SubscriptionId", table: "WebhookDeliveries", columns: new[] { "EventId", "SubscriptionId" }, unique: true);
        migrationBuilder.CreateIndex(name: "IX_WebhookDeliveries_Status_NextAttemptAt", table: "WebhookDeliveries", columns: new[] { "Status", "NextAttemptAt" });
        migrationBuilder.CreateIndex(name: "IX_WebhookDeliveries_SubscriptionId_CreatedAt", table: "WebhookDeliveries", columns: new[] { "SubscriptionId", "CreatedAt" });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "WebhookSubscriptions");
        migrationBuilder.DropTable(name: "WebhookDeliveries");
        migrationBuilder.DropTable(name: "WebhookAttempts");
        migrationBuilder.DropTable(name: "Teams");
        migrationBuilder.DropTable(name: "OutboxEvents");
        migrationBuilder.DropTable(name: "Notifications");
        migrationBuilder.DropTable(name: "IdempotencyRecords");
        migrationBuilder.DropTable(name: "FieldChanges");
        migrationBuilder.DropTable(name: "ExchangeRates");
        migrationBuilder.DropTable(name: "Currencies");
        migrationBuilder.DropTable(name: "CompanySettings");
        migrationBuilder.DropTable(name: "AspNetUsers");
        migrationBuilder.DropTable(name: "AspNetUserTokens");
        migrationBuilder.DropTable(name: "AspNetUserLogins");
        migrationBuilder.DropTable(name: "AspNetUserClaims");
        migrationBuilder.DropTable(name: "ApiTokens");
        migrationBuilder.DropTable(name: "Accounts");
    }
}
