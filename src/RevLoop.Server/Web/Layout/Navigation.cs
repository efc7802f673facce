namespace RevLoop.Server.Web.Layout;

/// <summary>The modules in the left navigation, in the users' words, and whether each is built yet.</summary>
public sealed record Module(string Title, string Href, string Icon, bool Built, string Summary, string[] Keywords);

public static class Navigation
{
    public static readonly IReadOnlyList<Module> Modules =
    [
        new("Home", "/", "home", true, "Your morning numbers and what needs attention.", ["dashboard", "start"]),
        new("Leads", "/leads", "leads", true, "Inbound and outbound leads, scored and routed to the right rep within seconds, with SLA timers.", ["mql", "sql", "inbound", "routing"]),
        new("Accounts", "/accounts", "accounts", true, "Companies you sell to, with their hierarchy, owners and full change history.", ["companies", "organisations", "crm"]),
        new("Contacts", "/contacts", "contacts", true, "People at your accounts, their roles (decision maker, champion) and consent per channel.", ["people", "persons"]),
        new("Opportunities", "/opportunities", "opportunities", true, "Deals on a board per pipeline, with stages, amounts, close dates and forecast categories.", ["deals", "pipeline", "board", "forecast"]),
        new("Forecast", "/forecast", "analytics", true, "Each rep's commit, best case and pipeline call beside their deals, rolled up by team, with weekly snapshots and accuracy.", ["forecast", "quota", "commit", "roll-up"]),
        new("Accountability matrix", "/apm", "analytics", true, "Forecast, closed business, pipeline and coverage per product, region, segment and source against target, red to green, with actions.", ["apm", "matrix", "targets", "weekly review"]),
        new("Campaigns", "/campaigns", "campaigns", true, "Campaigns with cost, members and touches, and the pipeline and revenue they produced.", ["marketing", "attribution", "roi"]),
        new("Target accounts", "/marketing/abm", "accounts", true, "Account-based marketing: target account lists, how engaged each account's people are, the campaigns that touched them and their pipeline.", ["abm", "account-based marketing", "target account lists", "engagement"]),
        new("Marketing funnel", "/marketing/funnel", "analytics", true, "Leads by month or quarter of entry and how far they got: MQL, SQL, opportunity, won, by channel, campaign, region, team or rep.", ["funnel", "mql", "sql", "conversion", "cohort"]),
        new("Sequences", "/sequences", "sequences", false, "Multi-step outreach: emails sent for you, calls and LinkedIn steps as tasks in your queue.", ["cadences", "outreach", "email"]),
        new("Customers", "/customers", "customers", false, "Customer success: health scores, playbooks, tickets and renewals ahead of term end.", ["success", "health", "renewals", "csm"]),
        new("Finance", "/finance", "finance", false, "Orders, subscriptions, receivables and bank payments matched to them.", ["orders", "invoices", "payments", "mrr"]),
        new("Projects", "/projects", "projects", false, "Delivery projects opened by won orders: plans, milestones, acceptance and hand-off.", ["delivery", "implementation"]),
        new("Analytics", "/analytics", "analytics", true, "MRR, ARR, churn, pipeline velocity, funnels and the accountability matrix — every number drills down.", ["reports", "dashboards", "metrics", "kpi"]),
        new("Settings", "/settings", "settings", true, "Company name, fiscal year, currencies and exchange rates.", ["configuration", "currencies", "exchange rates", "fiscal"]),
        new("Import", "/imports", "upload", true, "Accounts, contacts, leads and opportunities from CSV or a Salesforce export, with a reject file for bad rows.", ["csv", "upload", "salesforce", "migrate"]),
    ];

    public static bool IsActive(Module m, string path) =>
        m.Href == "/" ? path is "" or "/"
        : path == m.Href || path.StartsWith(m.Href + "/", StringComparison.Ordinal)
          || (m.Href == "/opportunities" && (path == "/pipeline" || path.StartsWith("/pipeline/", StringComparison.Ordinal)))
          // Marketing reports without an entry of their own (attribution) belong to Campaigns; the funnel has its own.
          || (m.Href == "/campaigns" && path.StartsWith("/marketing/", StringComparison.Ordinal) && !OwnEntry(path));

    private static bool OwnEntry(string path) =>
        Modules.Any(o => o.Href.StartsWith("/marketing/", StringComparison.Ordinal) && (path == o.Href || path.StartsWith(o.Href + "/", StringComparison.Ordinal)));
}
