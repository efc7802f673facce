using RevLoop.Crm.Accounts;
using RevLoop.Crm.Activities;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Crm.Opportunities;
using RevLoop.Crm.Products;
using RevLoop.Finance;

namespace RevLoop.Server.Demo;

/// <summary>Counts of what a load wrote, for the summary line and the tests.</summary>
public sealed class DemoSummary
{
    public long Users { get; set; }
    public long Teams { get; set; }
    public long Accounts { get; set; }
    public long Contacts { get; set; }
    public long Leads { get; set; }
    public long ConvertedLeads { get; set; }
    public long Opportunities { get; set; }
    public long Won { get; set; }
    public long Lost { get; set; }
    public long Open { get; set; }
    public long NewBusiness { get; set; }
    public long Expansions { get; set; }
    public long Renewals { get; set; }
    public long Slips { get; set; }
    public long LineItems { get; set; }
    public long Activities { get; set; }
    public long OpenTasks { get; set; }
    public long SubscriptionPeriods { get; set; }
    public long Customers { get; set; }
    public long FieldChanges { get; set; }
    public long Campaigns { get; set; }
    public long Touches { get; set; }
    public long CampaignMembers { get; set; }
    public long Rows { get; set; }
    public TimeSpan Elapsed { get; set; }

    public override string ToString() =>
        $"{Users:N0} users in {Teams:N0} teams, {Accounts:N0} accounts, {Contacts:N0} contacts, {Leads:N0} leads ({ConvertedLeads:N0} converted), " +
        $"{Opportunities:N0} opportunities ({NewBusiness:N0} new business, {Expansions:N0} expansion, {Renewals:N0} renewal; {Won:N0} won, {Lost:N0} lost, {Open:N0} open; {Slips:N0} close-date slips), " +
        $"{LineItems:N0} line items, {Activities:N0} activities ({OpenTasks:N0} open tasks), {SubscriptionPeriods:N0} subscription periods of {Customers:N0} customers, " +
        $"{Campaigns:N0} campaigns with {CampaignMembers:N0} members and {Touches:N0} touches, {FieldChanges:N0} history rows";
}

/// <summary>Everything the account simulations share: options, the organisation, the catalog and the table writers.</summary>
public sealed class DemoContext
{
    public DemoContext(DemoOptions options, BulkSink sink, DemoOrg org, DemoCatalog catalog, AccountPlan[] plans)
    {
        Options = options; Sink = sink; Org = org; Catalog = catalog; Plans = plans;
        History = new DemoHistory(sink);
        Accounts = sink.Table<Account>(); Contacts = sink.Table<Contact>(); Leads = sink.Table<Lead>(); Opportunities = sink.Table<Opportunity>();
        LineItems = sink.Table<LineItem>(); Activities = sink.Table<Activity>(); Periods = sink.Table<SubscriptionPeriod>();
        AccountHistory = History.For<Account>(); ContactHistory = History.For<Contact>(); LeadHistory = History.For<Lead>();
        OpportunityHistory = History.For<Opportunity>(); ActivityHistory = History.For<Activity>(); PeriodHistory = History.For<SubscriptionPeriod>();
    }

    public DemoOptions Options { get; }
    public BulkSink Sink { get; }
    /// <summary>The campaigns and touches; set once they are planned (converted leads get their touches as they are written).</summary>
    public DemoMarketing? Marketing { get; set; }
    public DemoOrg Org { get; }
    public DemoCatalog Catalog { get; }
    public AccountPlan[] Plans { get; }
    public DemoHistory History { get; }
    public DemoSummary Summary { get; } = new();
    public BulkSink.TableWriter<Account> Accounts { get; }
    public BulkSink.TableWriter<Contact> Contacts { get; }
    public BulkSink.TableWriter<Lead> Leads { get; }
    public BulkSink.TableWriter<Opportunity> Opportunities { get; }
    public BulkSink.TableWriter<LineItem> LineItems { get; }
    public BulkSink.TableWriter<Activity> Activities { get; }
    public BulkSink.TableWriter<SubscriptionPeriod> Periods { get; }
    public DemoHistory.Recorder<Account> AccountHistory { get; }
    public DemoHistory.Recorder<Contact> ContactHistory { get; }
    public DemoHistory.Recorder<Lead> LeadHistory { get; }
    public DemoHistory.Recorder<Opportunity> OpportunityHistory { get; }
    public DemoHistory.Recorder<Activity> ActivityHistory { get; }
    public DemoHistory.Recorder<SubscriptionPeriod> PeriodHistory { get; }
    /// <summary>The target account lists; account simulations hand it their contacts for the ABM touches.</summary>
    public DemoAbm? Abm { get; set; }
    public const string System = "system";
}
