using System.Linq.Expressions;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Activities;
using RevLoop.Crm.Configuration;
using RevLoop.Crm.Products;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Crm.Opportunities;
using RevLoop.Finance;
using RevLoop.Forecasting;
using RevLoop.Integration;
using RevLoop.Marketing;
using RevLoop.Platform;

namespace RevLoop.Data;

/// <summary>
/// The one context. Instances are pooled (see <see cref="DatabaseServices.AddRevLoopData"/>): each scope leases one and
/// <see cref="Lease"/> gives it that scope's viewer, clock and change origin; until then they throw, so a context that
/// was not leased cannot see records as nobody in particular.
/// </summary>
public sealed class RevLoopDb(DbContextOptions<RevLoopDb> options) : IdentityUserContext<User, Guid>(options)
{
    private TimeProvider? clock;
    private Viewer? viewer;
    private ChangeOrigin? origin;

    public TimeProvider Clock => clock ?? throw NotLeased();
    public Viewer Viewer => viewer ?? throw NotLeased();
    public ChangeOrigin Origin => origin ?? throw NotLeased();

    private static InvalidOperationException NotLeased() => new("This RevLoopDb was not leased for a scope; resolve it from a service scope.");

    /// <summary>Readies a pooled context for one scope. EF resets its own state when a context returns to the pool; this
    /// resets ours, so nothing of the previous scope's saves carries over.</summary>
    internal void Lease(TimeProvider clock, Viewer viewer, ChangeOrigin origin)
    {
        this.clock = clock;
        this.viewer = viewer;
        this.origin = origin;
        WriteHistoryInBulk = false;
        ClearDeferredHistory();
        ScoredChanges = new();
        SavingSettings = false;
        SavingTypes.Clear();
    }

    // Back to the pool without the scope's viewer: a context handed out again without a lease cannot read.
    public override void Dispose()
    {
        (clock, viewer, origin) = (null, null, null);
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        (clock, viewer, origin) = (null, null, null);
        return base.DisposeAsync();
    }

    /// <summary>
    /// The database this context works on (its connection string), the key of per-process caches. Read from the
    /// options, which are built once: <c>Database.GetConnectionString()</c> resolves services on every call.
    /// </summary>
    public string DatabaseKey => databaseKey ??= options.Extensions.OfType<Microsoft.EntityFrameworkCore.Infrastructure.RelationalOptionsExtension>()
        .Select(e => e.ConnectionString ?? e.Connection?.ConnectionString).FirstOrDefault() ?? "";
    private string? databaseKey;

    // Flat members so EF parameterises them per query (the visibility filter below reads them).
    private bool ViewerSeesAll => Viewer.SeesAll;
    private Guid? ViewerUserId => Viewer.UserId;
    private List<Guid> ViewerTeamIds => Viewer.TeamIds;

    public DbSet<Team> Teams => Set<Team>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<CompanySettings> CompanySettings => Set<CompanySettings>();
    public DbSet<Currency> Currencies => Set<Currency>();
    public DbSet<ExchangeRate> ExchangeRates => Set<ExchangeRate>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<FieldChange> FieldChanges => Set<FieldChange>();
    public DbSet<OutboxEvent> OutboxEvents => Set<OutboxEvent>();
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<SubscriptionPeriod> SubscriptionPeriods => Set<SubscriptionPeriod>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<Lead> Leads => Set<Lead>();
    public DbSet<Pipeline> Pipelines => Set<Pipeline>();
    public DbSet<Stage> Stages => Set<Stage>();
    public DbSet<Opportunity> Opportunities => Set<Opportunity>();
    public DbSet<Activity> Activities => Set<Activity>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<PriceBookEntry> PriceBookEntries => Set<PriceBookEntry>();
    public DbSet<LineItem> LineItems => Set<LineItem>();
    public DbSet<Crm.ContactPoint> ContactPoints => Set<Crm.ContactPoint>();
    public DbSet<OpportunityContactRole> OpportunityContactRoles => Set<OpportunityContactRole>();
    public DbSet<CustomFieldDefinition> CustomFieldDefinitions => Set<CustomFieldDefinition>();
    public DbSet<CustomFieldValue> CustomFieldValues => Set<CustomFieldValue>();
    public DbSet<RecordTag> RecordTags => Set<RecordTag>();
    public DbSet<ImportJob> ImportJobs => Set<ImportJob>();
    public DbSet<InstallationSecret> InstallationSecrets => Set<InstallationSecret>();
    public DbSet<Target> Targets => Set<Target>();
    public DbSet<ForecastSubmission> ForecastSubmissions => Set<ForecastSubmission>();
    public DbSet<ForecastSnapshot> ForecastSnapshots => Set<ForecastSnapshot>();
    public DbSet<ApmAction> ApmActions => Set<ApmAction>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<CampaignCost> CampaignCosts => Set<CampaignCost>();
    public DbSet<CampaignMember> CampaignMembers => Set<CampaignMember>();
    public DbSet<TargetAccountList> TargetAccountLists => Set<TargetAccountList>();
    public DbSet<TargetListAccount> TargetListAccounts => Set<TargetListAccount>();
    public DbSet<MarketingEvent> MarketingEvents => Set<MarketingEvent>();
    public DbSet<VisitorIdentity> VisitorIdentities => Set<VisitorIdentity>();
    public DbSet<TrackingKey> TrackingKeys => Set<TrackingKey>();
    public DbSet<SuppressionEntry> Suppressions => Set<SuppressionEntry>();
    public DbSet<ContactBlock> ContactBlocks => Set<ContactBlock>();
    public DbSet<RoutingRule> RoutingRules => Set<RoutingRule>();
    public DbSet<LeadQueue> LeadQueues => Set<LeadQueue>();
    public DbSet<RepAvailability> RepAvailability => Set<RepAvailability>();
    public DbSet<LeadAssignment> LeadAssignments => Set<LeadAssignment>();
    public DbSet<ScoringRule> ScoringRules => Set<ScoringRule>();

    public bool IsSqlite => Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite";

    /// <summary>
    /// For bulk work (imports): history rows and outbox events are not tracked but appended with prepared multi-row
    /// INSERTs right after each SaveChanges, which must then run inside an explicit transaction. Same rows, same values.
    /// </summary>
    public bool WriteHistoryInBulk { get; set; }
    internal List<FieldChange> DeferredChanges { get; } = [];
    internal List<OutboxEvent> DeferredEvents { get; } = [];
    internal void ClearDeferredHistory() { DeferredChanges.Clear(); DeferredEvents.Clear(); }
    /// <summary>People whose fit-scored fields the saves on this context changed, for the scoring that follows the save.</summary>
    public ScoredChanges ScoredChanges { get; private set; } = new();
    /// <summary>The save in progress changes settings or exchange rates (see <see cref="SettingsVersion"/>).</summary>
    internal bool SavingSettings { get; set; }
    /// <summary>The types of the records the save in progress changes (see <see cref="ChangeVersions"/>).</summary>
    internal HashSet<Type> SavingTypes { get; } = [];

    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        if (Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite")
        {
            // SQLite cannot compare or sort DateTimeOffset text; store UTC instants as Unix milliseconds.
            builder.Properties<DateTimeOffset>().HaveConversion<UtcMillisecondsConverter>();
        }
        builder.Properties<string>().HaveMaxLength(400);
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        b.Entity<User>(e =>
        {
            e.Property(u => u.DisplayName).HasMaxLength(200);
            e.Property(u => u.Role).HasMaxLength(40);
            e.HasIndex(u => u.TeamId);
        });
        b.Entity<Team>(e =>
        {
            e.ToTable("Teams");
            e.Property(t => t.Name).HasMaxLength(200);
            e.HasIndex(t => t.Name).IsUnique();
            e.HasIndex(t => t.ParentTeamId);
        });
        b.Entity<ApiToken>(e =>
        {
            e.ToTable("ApiTokens");
            e.Property(t => t.TokenHash).HasMaxLength(64);
            e.Property(t => t.Prefix).HasMaxLength(16);
            e.Property(t => t.Scopes).HasMaxLength(100);
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasIndex(t => t.UserId);
        });
        b.Entity<CompanySettings>(e =>
        {
            e.ToTable("CompanySettings");
            e.Property(s => s.Id).ValueGeneratedNever();
            e.Property(s => s.CompanyName).HasMaxLength(200);
            e.Property(s => s.BaseCurrency).HasMaxLength(3);
            e.Property(s => s.DefaultCallingCode).HasMaxLength(3);
            e.Property(s => s.ApmRedBelow).HasPrecision(9, 4);
            e.Property(s => s.ApmGreenFrom).HasPrecision(9, 4);
            e.Property(s => s.CoverageTarget).HasPrecision(9, 4);
            e.Property(s => s.Version).IsConcurrencyToken();
        });
        b.Entity<Currency>(e =>
        {
            e.ToTable("Currencies");
            e.HasKey(c => c.Code);
            e.Property(c => c.Code).HasMaxLength(3);
            e.Property(c => c.Name).HasMaxLength(100);
        });
        b.Entity<ExchangeRate>(e =>
        {
            e.ToTable("ExchangeRates");
            e.Property(r => r.CurrencyCode).HasMaxLength(3);
            e.Property(r => r.Rate).HasPrecision(18, 8);
            e.HasIndex(r => new { r.CurrencyCode, r.Date }).IsUnique();
        });
        b.Entity<Notification>(e =>
        {
            e.ToTable("Notifications");
            e.Property(n => n.Kind).HasMaxLength(60);
            e.Property(n => n.Text).HasMaxLength(2000);
            e.HasIndex(n => new { n.UserId, n.CreatedAt });
        });
        b.Entity<FieldChange>(e =>
        {
            e.ToTable("FieldChanges");
            e.Property(c => c.EntityType).HasMaxLength(60);
            e.Property(c => c.Field).HasMaxLength(100);
            e.Property(c => c.OldValue).HasMaxLength(4000);
            e.Property(c => c.NewValue).HasMaxLength(4000);
            e.Property(c => c.ChangedBy).HasMaxLength(100);
            e.Property(c => c.Source).HasMaxLength(20);
            e.HasIndex(c => new { c.EntityType, c.EntityId, c.ChangedAt });
            e.HasIndex(c => new { c.EntityType, c.Field, c.ChangedAt });
            e.HasIndex(c => new { c.EntityType, c.Field, c.EntityId, c.ChangedAt, c.OldValue, c.NewValue })
                .HasDatabaseName(OpportunityHistoryRows.IndexName).HasFilter(OpportunityHistoryRows.IndexFilter);
        });
        b.Entity<OutboxEvent>(e =>
        {
            e.ToTable("OutboxEvents");
            e.Property(o => o.Type).HasMaxLength(100);
            e.Property(o => o.EntityType).HasMaxLength(60);
            e.Property(o => o.Payload).HasMaxLength(int.MaxValue);
            e.HasIndex(o => new { o.FannedOutAt, o.OccurredAt });
        });
        b.Entity<WebhookSubscription>(e =>
        {
            e.ToTable("WebhookSubscriptions");
            e.Property(s => s.Url).HasMaxLength(2000);
            e.Property(s => s.EventFilter).HasMaxLength(1000);
            e.Property(s => s.Secret).HasMaxLength(200);
            e.Property(s => s.PreviousSecret).HasMaxLength(200);
        });
        b.Entity<WebhookDelivery>(e =>
        {
            e.ToTable("WebhookDeliveries");
            e.Property(d => d.Status).HasMaxLength(20);
            e.HasIndex(d => new { d.Status, d.NextAttemptAt });
            e.HasIndex(d => new { d.SubscriptionId, d.CreatedAt });
            e.HasIndex(d => new { d.EventId, d.SubscriptionId }).IsUnique();
        });
        b.Entity<WebhookAttempt>(e =>
        {
            e.ToTable("WebhookAttempts");
            e.Property(a => a.Error).HasMaxLength(2000);
            e.HasIndex(a => a.DeliveryId);
        });
        b.Entity<IdempotencyRecord>(e =>
        {
            e.ToTable("IdempotencyRecords");
            e.Property(r => r.Principal).HasMaxLength(100);
            e.Property(r => r.Key).HasMaxLength(200);
            e.Property(r => r.RequestHash).HasMaxLength(64);
            e.Property(r => r.ContentType).HasMaxLength(200);
            e.Property(r => r.Location).HasMaxLength(2000);
            e.HasIndex(r => new { r.Principal, r.Key }).IsUnique();
            e.HasIndex(r => r.CreatedAt);
        });
        b.Entity<Account>(e =>
        {
            e.ToTable("Accounts");
            e.Property(a => a.ExternalId).HasMaxLength(100);
            e.HasIndex(a => a.ExternalId);
            e.Property(a => a.Name).HasMaxLength(300);
            e.Property(a => a.NormalizedName).HasMaxLength(300);
            e.HasIndex(a => a.NormalizedName);
            e.Property(a => a.Domain).HasMaxLength(253);
            e.Property(a => a.Industry).HasMaxLength(100);
            e.Property(a => a.Segment).HasMaxLength(20);
            e.Property(a => a.Region).HasMaxLength(60);
            e.Property(a => a.Country).HasMaxLength(2);
            e.HasIndex(a => new { a.Name, a.Id });
            e.HasIndex(a => a.Domain);
            e.HasIndex(a => new { a.OwnerId, a.Name });
            e.HasIndex(a => new { a.OwnerTeamId, a.Name });
            e.HasIndex(a => a.ParentAccountId);
            // Keyset paging by created/updated time seeks these instead of sorting the table.
            e.HasIndex(a => new { a.CreatedAt, a.Id });
            e.HasIndex(a => new { a.UpdatedAt, a.Id });
            e.HasIndex(a => a.MergedIntoId);
        });
        b.Entity<SubscriptionPeriod>(e =>
        {
            e.ToTable("SubscriptionPeriods");
            e.Property(p => p.CustomerId).HasMaxLength(200);
            e.Property(p => p.SubscriptionId).HasMaxLength(200);
            e.Property(p => p.Currency).HasMaxLength(3);
            e.Property(p => p.Interval).HasMaxLength(10);
            e.Property(p => p.Quantity).HasPrecision(18, 4);
            e.HasIndex(p => new { p.CustomerId, p.Start });
            e.HasIndex(p => p.AccountId);
            e.HasIndex(p => p.SubscriptionId);
        });
        b.Entity<Contact>(e =>
        {
            e.ToTable("Contacts");
            e.Property(c => c.ExternalId).HasMaxLength(100);
            e.HasIndex(c => c.ExternalId);
            e.Property(c => c.FirstName).HasMaxLength(100);
            e.Property(c => c.LastName).HasMaxLength(100);
            e.Property(c => c.Title).HasMaxLength(200);
            e.Property(c => c.DealRole).HasMaxLength(20);
            e.Property(c => c.Email).HasMaxLength(320);
            e.Property(c => c.NormalizedEmail).HasMaxLength(320);
            e.Property(c => c.Phone).HasMaxLength(20);
            e.Property(c => c.ExtraEmails).HasMaxLength(4000);
            e.Property(c => c.ExtraPhones).HasMaxLength(2000);
            e.Property(c => c.EmailConsent).HasMaxLength(10);
            e.Property(c => c.PhoneConsent).HasMaxLength(10);
            e.Property(c => c.SmsConsent).HasMaxLength(10);
            e.HasIndex(c => c.AccountId);
            e.HasIndex(c => c.NormalizedEmail);
            e.HasIndex(c => c.Phone);
            e.HasIndex(c => new { c.LastName, c.FirstName, c.Id });
            e.HasIndex(c => new { c.OwnerId, c.LastName });
            e.HasIndex(c => new { c.OwnerTeamId, c.LastName });
            e.HasIndex(c => c.MergedIntoId);
            // Global search matches a first name by prefix too.
            e.HasIndex(c => c.FirstName);
            e.Property(c => c.ScoreBreakdown).HasMaxLength(int.MaxValue);
        });
        b.Entity<Lead>(e =>
        {
            e.ToTable("Leads");
            e.Property(l => l.ExternalId).HasMaxLength(100);
            e.HasIndex(l => l.ExternalId);
            e.Property(l => l.FirstName).HasMaxLength(100);
            e.Property(l => l.LastName).HasMaxLength(100);
            e.Property(l => l.Title).HasMaxLength(200);
            e.Property(l => l.Email).HasMaxLength(320);
            e.Property(l => l.NormalizedEmail).HasMaxLength(320);
            e.Property(l => l.Phone).HasMaxLength(20);
            e.Property(l => l.ExtraEmails).HasMaxLength(4000);
            e.Property(l => l.ExtraPhones).HasMaxLength(2000);
            e.Property(l => l.Company).HasMaxLength(300);
            e.Property(l => l.Domain).HasMaxLength(253);
            e.Property(l => l.Industry).HasMaxLength(100);
            e.Property(l => l.Country).HasMaxLength(2);
            e.Property(l => l.Region).HasMaxLength(60);
            e.Property(l => l.Status).HasMaxLength(20);
            e.Property(l => l.Source).HasMaxLength(40);
            e.Property(l => l.Pool).HasMaxLength(100);
            e.Property(l => l.EmailConsent).HasMaxLength(10);
            e.Property(l => l.PhoneConsent).HasMaxLength(10);
            e.Property(l => l.SmsConsent).HasMaxLength(10);
            e.HasIndex(l => l.NormalizedEmail);
            e.HasIndex(l => l.Domain);
            e.HasIndex(l => new { l.Status, l.CreatedAt });
            e.HasIndex(l => new { l.Pool, l.Status });
            e.HasIndex(l => new { l.OwnerId, l.Status });
            e.HasIndex(l => new { l.OwnerTeamId, l.Status });
            e.HasIndex(l => l.MergedIntoId);
            // The leads list (newest first, or by name), its source filter and global search by name and phone.
            e.HasIndex(l => new { l.CreatedAt, l.Id });
            e.HasIndex(l => new { l.LastName, l.FirstName, l.Id });
            e.HasIndex(l => l.FirstName);
            e.HasIndex(l => l.Phone);
            e.HasIndex(l => l.Source);
            e.HasIndex(l => l.MatchedAccountId);
            e.Property(l => l.SqlRejectedReason).HasMaxLength(500);
            e.Property(l => l.ScoreBreakdown).HasMaxLength(int.MaxValue);
            // Account engagement reads the people of an account: its contacts and the leads converted or matched to it.
            e.HasIndex(l => l.ConvertedAccountId);
        });
        b.Entity<Pipeline>(e =>
        {
            e.ToTable("Pipelines");
            e.Property(p => p.Name).HasMaxLength(100);
            e.HasIndex(p => p.Name).IsUnique();
            e.HasMany(p => p.Stages).WithOne().HasForeignKey(s => s.PipelineId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Stage>(e =>
        {
            e.ToTable("Stages");
            e.Property(s => s.RequiredFields).HasMaxLength(1000);
            e.Property(s => s.Name).HasMaxLength(100);
            e.Property(s => s.Type).HasMaxLength(10);
            e.HasIndex(s => new { s.PipelineId, s.SortOrder });
        });
        b.Entity<Opportunity>(e =>
        {
            e.ToTable("Opportunities");
            e.Property(o => o.ExternalId).HasMaxLength(100);
            e.HasIndex(o => o.ExternalId);
            e.Property(o => o.Name).HasMaxLength(300);
            e.Property(o => o.Currency).HasMaxLength(3);
            e.Property(o => o.NextStep).HasMaxLength(500);
            e.Property(o => o.SourcingRole).HasMaxLength(20);
            e.Property(o => o.Source).HasMaxLength(40);
            e.Property(o => o.Type).HasMaxLength(20);
            e.Property(o => o.ForecastCategory).HasMaxLength(20);
            e.Property(o => o.Region).HasMaxLength(60);
            e.Property(o => o.Segment).HasMaxLength(20);
            e.Property(o => o.ProductFamily).HasMaxLength(100);
            e.Property(o => o.LostReason).HasMaxLength(200);
            e.HasIndex(o => o.AccountId);
            e.HasIndex(o => new { o.PipelineId, o.StageId });
            e.HasIndex(o => o.CloseDate);
            e.HasIndex(o => new { o.OwnerId, o.CloseDate });
            // GET /api/v1/opportunities?owner=..&stage=..&sort=closeDate: one seek, rows already in page order.
            e.HasIndex(o => new { o.OwnerId, o.StageId, o.CloseDate, o.Id });
            e.HasIndex(o => new { o.OwnerTeamId, o.CloseDate });
            e.HasIndex(o => o.CreatedAt);
            // The pipeline board pages each stage's cards by close date; the list sorts by name; search finds names by prefix.
            e.HasIndex(o => new { o.StageId, o.CloseDate, o.Id });
            e.HasIndex(o => new { o.Name, o.Id });
            e.HasIndex(o => o.Segment);
            e.HasIndex(o => o.Region);
        });
        b.Entity<Activity>(e =>
        {
            e.ToTable("Activities");
            e.Property(a => a.Type).HasMaxLength(10);
            e.Property(a => a.Subject).HasMaxLength(300);
            e.Property(a => a.Body).HasMaxLength(10000);
            e.Property(a => a.Status).HasMaxLength(10);
            e.HasIndex(a => new { a.AccountId, a.OccurredAt });
            e.HasIndex(a => new { a.ContactId, a.OccurredAt });
            e.HasIndex(a => new { a.LeadId, a.OccurredAt });
            e.HasIndex(a => new { a.OpportunityId, a.OccurredAt });
            e.HasIndex(a => new { a.OwnerId, a.Status, a.DueAt });
            e.HasIndex(a => new { a.OwnerTeamId, a.Status, a.DueAt });
        });
        b.Entity<Product>(e =>
        {
            e.ToTable("Products");
            e.Property(p => p.Sku).HasMaxLength(60);
            e.Property(p => p.Name).HasMaxLength(200);
            e.Property(p => p.Family).HasMaxLength(100);
            e.HasIndex(p => p.Sku).IsUnique();
        });
        b.Entity<PriceBookEntry>(e =>
        {
            e.ToTable("PriceBookEntries");
            e.Property(p => p.Currency).HasMaxLength(3);
            e.HasIndex(p => new { p.ProductId, p.Currency }).IsUnique();
        });
        b.Entity<LineItem>(e =>
        {
            e.ToTable("LineItems");
            e.Property(l => l.Quantity).HasPrecision(18, 4);
            e.Property(l => l.DiscountPercent).HasPrecision(5, 2);
            e.HasIndex(l => l.OpportunityId);
            e.HasIndex(l => l.ProductId);
        });
        b.Entity<Crm.ContactPoint>(e =>
        {
            e.ToTable("ContactPoints");
            e.Property(p => p.RecordType).HasMaxLength(20);
            e.Property(p => p.Kind).HasMaxLength(10);
            e.Property(p => p.Value).HasMaxLength(320);
            e.HasIndex(p => new { p.Kind, p.Value });
            e.HasIndex(p => new { p.RecordType, p.RecordId });
        });
        b.Entity<OpportunityContactRole>(e =>
        {
            e.ToTable("OpportunityContactRoles");
            e.Property(r => r.Role).HasMaxLength(20);
            e.HasIndex(r => r.OpportunityId);
            e.HasIndex(r => r.ContactId);
        });
        b.Entity<CustomFieldDefinition>(e =>
        {
            e.ToTable("CustomFieldDefinitions");
            e.Property(d => d.RecordType).HasMaxLength(20);
            e.Property(d => d.Key).HasMaxLength(50);
            e.Property(d => d.Label).HasMaxLength(200);
            e.Property(d => d.Type).HasMaxLength(10);
            e.Property(d => d.Options).HasMaxLength(4000);
            e.HasIndex(d => new { d.RecordType, d.Key }).IsUnique();
        });
        b.Entity<CustomFieldValue>(e =>
        {
            e.ToTable("CustomFieldValues");
            e.HasKey(v => new { v.RecordType, v.RecordId, v.Key });
            e.Property(v => v.RecordType).HasMaxLength(20);
            e.Property(v => v.Key).HasMaxLength(50);
            e.HasIndex(v => new { v.RecordType, v.Key, v.Value });
        });
        b.Entity<RecordTag>(e =>
        {
            e.ToTable("RecordTags");
            e.HasKey(t => new { t.RecordType, t.Tag, t.RecordId });
            e.Property(t => t.RecordType).HasMaxLength(20);
            e.Property(t => t.Tag).HasMaxLength(50);
        });
        foreach (var type in new[] { typeof(Account), typeof(Contact), typeof(Lead), typeof(Opportunity) })
        {
            b.Entity(type).Property(nameof(ITaggedRecord.Tags)).HasMaxLength(2000);
            b.Entity(type).Property(nameof(ITaggedRecord.CustomFields)).HasMaxLength(8000);
        }

        b.Entity<InstallationSecret>(e =>
        {
            e.ToTable("InstallationSecrets");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(50);
            e.Property(x => x.Value).HasMaxLength(200);
        });
        b.Entity<ImportJob>(e =>
        {
            e.ToTable("ImportJobs");
            e.Property(j => j.Object).HasMaxLength(40);
            e.Property(j => j.FileName).HasMaxLength(300);
            e.Property(j => j.Dedupe).HasMaxLength(10);
            e.Property(j => j.Status).HasMaxLength(20);
            e.Property(j => j.Error).HasMaxLength(2000);
            e.Property(j => j.CreatedBy).HasMaxLength(100);
            e.HasIndex(j => new { j.CreatedAt, j.Id });
        });

        b.Entity<Target>(e =>
        {
            e.ToTable("Targets");
            e.Property(t => t.Period).HasMaxLength(20);
            e.Property(t => t.SubjectKind).HasMaxLength(20);
            e.Property(t => t.Subject).HasMaxLength(100);
            e.Property(t => t.Metric).HasMaxLength(20);
            e.Property(t => t.Version).IsConcurrencyToken();
            e.HasIndex(t => new { t.Period, t.SubjectKind, t.Subject, t.Metric }).IsUnique();
        });
        b.Entity<ForecastSubmission>(e =>
        {
            e.ToTable("ForecastSubmissions");
            e.Property(f => f.Period).HasMaxLength(20);
            e.Property(f => f.Note).HasMaxLength(2000);
            e.HasIndex(f => new { f.Period, f.UserId, f.SubmittedAt });
            e.HasIndex(f => new { f.Period, f.TeamId, f.SubmittedAt });
        });
        b.Entity<ForecastSnapshot>(e =>
        {
            e.ToTable("ForecastSnapshots");
            e.Property(f => f.Period).HasMaxLength(20);
            e.Property(f => f.SubjectKind).HasMaxLength(10);
            e.HasIndex(f => new { f.Period, f.TakenOn, f.SubjectKind, f.SubjectId }).IsUnique();
            e.HasIndex(f => new { f.SubjectKind, f.SubjectId, f.Period });
        });
        b.Entity<ApmAction>(e =>
        {
            e.ToTable("ApmActions");
            e.Property(a => a.Period).HasMaxLength(20);
            e.Property(a => a.Dimension).HasMaxLength(20);
            e.Property(a => a.Value).HasMaxLength(100);
            e.Property(a => a.Column).HasMaxLength(20);
            e.Property(a => a.Note).HasMaxLength(2000);
            e.HasIndex(a => new { a.Period, a.Dimension, a.CreatedAt });
            e.HasIndex(a => a.ActivityId);
        });
        b.Entity<Campaign>(e =>
        {
            e.ToTable("Campaigns");
            e.Property(c => c.Name).HasMaxLength(300);
            e.Property(c => c.Type).HasMaxLength(20);
            e.Property(c => c.Channel).HasMaxLength(20);
            e.Property(c => c.Status).HasMaxLength(20);
            e.Property(c => c.Currency).HasMaxLength(3);
            e.Property(c => c.UtmCampaign).HasMaxLength(200);
            e.Property(c => c.Description).HasMaxLength(4000);
            e.HasIndex(c => new { c.Name, c.Id });
            e.HasIndex(c => c.UtmCampaign);
            e.HasIndex(c => c.ParentCampaignId);
            e.HasIndex(c => new { c.Type, c.Status });
        });
        b.Entity<CampaignCost>(e =>
        {
            e.ToTable("CampaignCosts");
            e.Property(c => c.Description).HasMaxLength(300);
            e.HasIndex(c => new { c.CampaignId, c.Date });
        });
        b.Entity<CampaignMember>(e =>
        {
            e.ToTable("CampaignMembers");
            e.Property(m => m.PersonType).HasMaxLength(10);
            e.Property(m => m.Status).HasMaxLength(20);
            e.HasIndex(m => new { m.CampaignId, m.PersonType, m.PersonId }).IsUnique();
            e.HasIndex(m => new { m.PersonType, m.PersonId });
        });
        b.Entity<TargetAccountList>(e =>
        {
            e.ToTable("TargetAccountLists");
            e.Property(l => l.Name).HasMaxLength(200);
            e.Property(l => l.Description).HasMaxLength(4000);
            e.HasIndex(l => l.Name);
            e.HasIndex(l => l.CampaignId);
        });
        b.Entity<TargetListAccount>(e =>
        {
            e.ToTable("TargetListAccounts");
            e.HasIndex(m => new { m.ListId, m.AccountId }).IsUnique();
            e.HasIndex(m => m.AccountId);
        });
        b.Entity<MarketingEvent>(e =>
        {
            e.ToTable("MarketingEvents");
            e.Property(m => m.EventId).HasMaxLength(100);
            e.Property(m => m.Type).HasMaxLength(30);
            e.Property(m => m.PersonType).HasMaxLength(10);
            e.Property(m => m.VisitorId).HasMaxLength(100);
            e.Property(m => m.Email).HasMaxLength(320);
            e.Property(m => m.Url).HasMaxLength(2000);
            e.Property(m => m.Feature).HasMaxLength(200);
            e.Property(m => m.UtmSource).HasMaxLength(200);
            e.Property(m => m.UtmMedium).HasMaxLength(200);
            e.Property(m => m.UtmCampaign).HasMaxLength(200);
            e.HasIndex(m => m.EventId).IsUnique();
            e.HasIndex(m => new { m.PersonType, m.PersonId, m.OccurredAt });
            e.HasIndex(m => new { m.CampaignId, m.OccurredAt });
            e.HasIndex(m => m.VisitorId);
        });
        b.Entity<VisitorIdentity>(e =>
        {
            e.ToTable("VisitorIdentities");
            e.HasKey(v => v.VisitorId);
            e.Property(v => v.VisitorId).HasMaxLength(100);
            e.Property(v => v.PersonType).HasMaxLength(10);
            e.HasIndex(v => new { v.PersonType, v.PersonId });
        });
        b.Entity<RoutingRule>(e =>
        {
            e.ToTable("RoutingRules");
            e.Property(r => r.Name).HasMaxLength(200);
            e.Property(r => r.Regions).HasMaxLength(1000);
            e.Property(r => r.Countries).HasMaxLength(1000);
            e.Property(r => r.Segments).HasMaxLength(200);
            e.Property(r => r.Sources).HasMaxLength(1000);
            e.Property(r => r.Products).HasMaxLength(1000);
            e.Property(r => r.Action).HasMaxLength(20);
            e.HasIndex(r => r.Position);
        });
        b.Entity<LeadQueue>(e =>
        {
            e.ToTable("LeadQueues");
            e.Property(q => q.Name).HasMaxLength(100);
            e.HasIndex(q => q.Name).IsUnique();
        });
        b.Entity<RepAvailability>(e =>
        {
            e.ToTable("RepAvailability");
            e.HasKey(r => r.UserId);
        });
        b.Entity<LeadAssignment>(e =>
        {
            e.ToTable("LeadAssignments");
            e.Property(a => a.Rule).HasMaxLength(200);
            e.Property(a => a.Reason).HasMaxLength(500);
            e.HasIndex(a => new { a.LeadId, a.Id });
            // The queue page and the SLA worker read the current, untouched decisions by queue/owner and due time.
            e.HasIndex(a => new { a.Current, a.QueueId, a.SlaDueAt });
            e.HasIndex(a => new { a.Current, a.OwnerId, a.SlaDueAt });
        });
        b.Entity<ScoringRule>(e =>
        {
            e.ToTable("ScoringRules");
            e.Property(r => r.Name).HasMaxLength(200);
            e.Property(r => r.Kind).HasMaxLength(10);
            e.Property(r => r.Industries).HasMaxLength(2000);
            e.Property(r => r.Countries).HasMaxLength(1000);
            e.Property(r => r.TitleKeywords).HasMaxLength(2000);
            e.Property(r => r.EventType).HasMaxLength(30);
            e.Property(r => r.UrlPattern).HasMaxLength(500);
            e.Property(r => r.Feature).HasMaxLength(200);
        });
        b.Entity<TrackingKey>(e =>
        {
            e.ToTable("TrackingKeys");
            e.Property(k => k.Key).HasMaxLength(64);
            e.Property(k => k.Name).HasMaxLength(200);
            e.HasIndex(k => k.Key).IsUnique();
        });
        b.Entity<SuppressionEntry>(e =>
        {
            e.ToTable("Suppressions");
            e.Property(x => x.Kind).HasMaxLength(10);
            e.Property(x => x.Value).HasMaxLength(320);
            e.Property(x => x.Reason).HasMaxLength(300);
            e.Property(x => x.CreatedBy).HasMaxLength(100);
            e.HasIndex(x => new { x.Kind, x.Value }).IsUnique();
        });
        b.Entity<ContactBlock>(e =>
        {
            e.ToTable("ContactBlocks");
            e.Property(x => x.PersonType).HasMaxLength(10);
            e.Property(x => x.Channel).HasMaxLength(10);
            e.Property(x => x.Action).HasMaxLength(40);
            e.Property(x => x.Reason).HasMaxLength(300);
            e.Property(x => x.Actor).HasMaxLength(100);
            e.HasIndex(x => new { x.PersonType, x.PersonId, x.BlockedAt });
            e.HasIndex(x => x.BlockedAt);
        });

        foreach (var type in b.Model.GetEntityTypes().Select(t => t.ClrType).Where(t => typeof(ITrackedRecord).IsAssignableFrom(t)).ToList())
        {
            b.Entity(type).Property(nameof(ITrackedRecord.Version)).IsConcurrencyToken();
            typeof(RevLoopDb).GetMethod(nameof(ApplyVisibility), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .MakeGenericMethod(type).Invoke(this, [b]);
        }
    }

    /// <summary>
    /// THE place that decides who may see a record: soft-deleted records are hidden; a viewer who sees everything
    /// sees every owned record, anyone else sees what they own and what is owned within the teams they manage.
    /// </summary>
    /// <remarks>
    /// The team ids go to the database as one array parameter (EF.Parameter): expanded into one parameter per team (EF's
    /// default), the SQL would depend on how many teams the viewer manages, so EF could not cache it and regenerated the
    /// SQL of every query on owned records, one request at a time under a lock.
    /// </remarks>
    private void ApplyVisibility<T>(ModelBuilder b) where T : class, ITrackedRecord
    {
        Expression<Func<T, bool>> filter = typeof(IOwnedRecord).IsAssignableFrom(typeof(T))
            ? r => r.DeletedAt == null && (ViewerSeesAll
                || ((IOwnedRecord)r).OwnerId == ViewerUserId
                || (((IOwnedRecord)r).OwnerTeamId != null && EF.Parameter(ViewerTeamIds).Contains(((IOwnedRecord)r).OwnerTeamId!.Value)))
            : r => r.DeletedAt == null;
        b.Entity<T>().HasQueryFilter(filter);
    }
}

public sealed class UtcMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
    v => v.ToUnixTimeMilliseconds(), v => DateTimeOffset.FromUnixTimeMilliseconds(v));

/// <summary>Who is looking: set once per request (or CLI run) and read by the visibility filter.</summary>
public sealed class Viewer
{
    public Guid? UserId { get; private set; }
    public string Role { get; private set; } = "system";
    public bool SeesAll { get; private set; } = true;
    public List<Guid> TeamIds { get; private set; } = [];
    public bool IsSystem => UserId is null && SeesAll;

    public static Viewer System() => new();

    public void BecomeUser(Guid userId, string role, bool seesAll, IEnumerable<Guid> teamIds)
    {
        UserId = userId; Role = role; SeesAll = seesAll; TeamIds = teamIds.ToList();
    }
}

/// <summary>Who made a change and through which door; written onto every field-change row.</summary>
public sealed class ChangeOrigin
{
    public string Actor { get; set; } = "system";
    public string Source { get; set; } = ChangeSources.System;
}
