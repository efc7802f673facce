using RevLoop.Crm.Activities;
using RevLoop.Crm.Leads;

namespace RevLoop.Server.Demo;

/// <summary>
/// Generates the whole demo company into a <see cref="BulkSink"/>: organisation and catalog, then account by account
/// (each with its own random stream, written as it is simulated), then the leads that never became customers.
/// </summary>
public static class DemoGenerator
{
    public const ulong OrgStream = 20, CatalogStream = 21, RatesStream = 22, LeadStream = 23;

    public static DemoOrg Organisation(DemoOptions o) => new(DemoRandom.For(o.Seed, OrgStream, 0), o.Start, o.Horizon, o.Opportunities);

    public static DemoSummary Run(DemoOptions o, DemoOrg org, BulkSink sink, Action<string> log, CancellationToken ct)
    {
        var catalog = new DemoCatalog(DemoRandom.For(o.Seed, CatalogStream, 0), o.Start);
        org.Write(sink);
        catalog.Write(sink);
        var plans = DemoPlanner.Plan(o, org);
        var ctx = new DemoContext(o, sink, org, catalog, plans);
        var marketing = new DemoMarketing(ctx);
        ctx.Marketing = marketing;
        var abm = ctx.Abm = new DemoAbm(ctx, marketing.All);
        ctx.Summary.Users = org.Users.Count;
        ctx.Summary.Teams = org.Teams.Count;
        log($"{org.Users.Count} users in {org.Teams.Count} teams; simulating {plans.Length:N0} accounts and {o.Opportunities:N0} opportunities from {o.Start:yyyy-MM-dd} to {o.AsOf:yyyy-MM-dd}");

        var step = Math.Max(1, plans.Length / 10);
        var last = Array.FindLastIndex(plans, p => p.Opportunities > 0);
        var carry = 0;
        for (var i = 0; i < plans.Length; i++)
        {
            if (i % 256 == 0) ct.ThrowIfCancellationRequested();
            var takesDeals = plans[i].Opportunities > 0;
            var sim = new DemoAccountSim(ctx, plans[i]) { Extra = takesDeals ? carry : 0, Last = i == last };
            sim.Run();
            if (takesDeals) carry = sim.Donated;
            if ((i + 1) % step == 0 && i + 1 < plans.Length) log($"  {i + 1:N0} of {plans.Length:N0} accounts ({ctx.Summary.Opportunities:N0} opportunities, {sink.RowsWritten:N0} rows)");
        }

        var standalone = Math.Max(0, o.Leads - (int)ctx.Summary.ConvertedLeads);
        for (var j = 0; j < standalone; j++)
        {
            if (j % 1024 == 0) ct.ThrowIfCancellationRequested();
            marketing.Touches(Lead(ctx, DemoRandom.For(o.Seed, LeadStream, (ulong)j)), j);
        }
        (ctx.Summary.Campaigns, ctx.Summary.Touches, ctx.Summary.CampaignMembers) = (marketing.Campaigns, marketing.Events + abm.Events, marketing.Members);
        ctx.Summary.FieldChanges = ctx.History.Rows;
        return ctx.Summary;
    }

    /// <summary>A lead that has not (yet) converted: new, being worked, an MQL, nurtured or disqualified, depending on its age.</summary>
    private static Lead Lead(DemoContext ctx, DemoRandom rng)
    {
        var o = ctx.Options;
        var horizon = o.Horizon;
        var country = rng.Pick(DemoWorld.Countries.Select(c => (c, c.Weight)).ToList());
        var territory = ctx.Org.Territories[country.Team];
        var region = territory.Region;
        var from = territory.OpensAt > o.Start ? territory.OpensAt : o.Start;
        var created = DemoTime.WorkHours(rng, DemoTime.Growth(rng, from, horizon.AddHours(-12)), region);
        if (created >= horizon) created = horizon.AddSeconds(-rng.Between(600, 36_000));

        // Some leads come from companies that are already accounts (the directory match at conversion finds them).
        string company, domain;
        int employees;
        string industry;
        if (rng.Chance(0.12))
        {
            var plan = ctx.Plans[rng.Next(ctx.Plans.Length)];
            company = plan.Name; domain = plan.Domain ?? DemoWorld.DomainLabel(plan.Brand) + "." + plan.Country.Tlds[0]; employees = plan.Employees; industry = plan.Industry;
            country = plan.Country; territory = plan.Territory; region = territory.Region;
        }
        else
        {
            var segment = rng.Pick([("smb", 0.7), ("mid_market", 0.22), ("enterprise", 0.08)]);
            var (name, brand) = DemoWorld.Company(rng, country, segment == "enterprise");
            company = name; domain = DemoWorld.DomainLabel(brand) + "." + rng.Pick(country.Tlds);
            employees = segment switch { "smb" => (int)Math.Clamp(rng.LogNormal(25, 0.9), 1, 199), "mid_market" => rng.Between(200, 999), _ => (int)Math.Clamp(rng.LogNormal(3000, 0.9), 1000, 200_000) };
            industry = rng.Pick(DemoWorld.IndustryWeights);
        }
        var person = DemoWorld.Person(rng, country.Culture);
        var local = rng.Chance(0.7) ? $"{person.AsciiFirst}.{person.AsciiLast}" : $"{person.AsciiFirst}{person.AsciiLast}";
        if (local.Length <= 1) local = "contact";
        var email = rng.Chance(0.15) ? $"{local}{rng.Between(1, 99)}@{rng.Pick(DemoWorld.FreeMail)}" : $"{local}@{domain}";
        var (emailConsent, phoneConsent, smsConsent) = DemoAccountSim.Consents(rng, region);
        var source = rng.Pick([("inbound", 30.0), ("paid", 15.0), ("organic", 15.0), ("event", 12.0), ("outbound", 12.0), ("partner", 6.0), ("referral", 6.0), ("other", 4.0)]);
        var outbound = source == "outbound";
        var bdr = DemoOrg.At(territory.Bdrs, created, rng);
        var sdr = DemoOrg.At(territory.Sdrs, created, rng);
        var title = DemoWorld.Titles[rng.Next(DemoWorld.Titles.Count)].Title;
        var lead = new Lead
        {
            Id = rng.Guid7(created), FirstName = person.First, LastName = person.Last, Title = title, Email = email, NormalizedEmail = email.ToLowerInvariant(),
            Phone = rng.Chance(0.55) ? DemoWorld.Phone(rng, country) : null, Company = company, Domain = domain, Employees = employees, Industry = industry,
            Country = country.Code, Region = region, Status = outbound ? LeadStatus.Working : LeadStatus.New, Source = source,
            Pool = outbound ? null : source == "partner" ? "Partner registrations" : $"{territory.Team.Name} inbound",
            EmailConsent = emailConsent, PhoneConsent = phoneConsent, SmsConsent = smsConsent,
            OwnerId = outbound ? bdr.Row.Id : null, OwnerTeamId = outbound ? bdr.Row.TeamId : null,
        };
        var h = ctx.LeadHistory;
        h.Created(lead, ChangeSet.New(rng, created, outbound ? bdr.Actor : DemoContext.System));
        var owner = outbound ? bdr : sdr;

        var age = (horizon - created).TotalDays;
        var status = age switch
        {
            < 2 => rng.Pick([(LeadStatus.New, 0.6), (LeadStatus.Working, 0.4)]),
            < 14 => rng.Pick([(LeadStatus.New, 0.15), (LeadStatus.Working, 0.45), (LeadStatus.Mql, 0.25), (LeadStatus.Nurturing, 0.05), (LeadStatus.Disqualified, 0.1)]),
            < 60 => rng.Pick([(LeadStatus.New, 0.04), (LeadStatus.Working, 0.22), (LeadStatus.Mql, 0.14), (LeadStatus.Sql, 0.04), (LeadStatus.Nurturing, 0.26), (LeadStatus.Disqualified, 0.3)]),
            _ => rng.Pick([(LeadStatus.New, 0.02), (LeadStatus.Working, 0.05), (LeadStatus.Mql, 0.04), (LeadStatus.Sql, 0.01), (LeadStatus.Nurturing, 0.38), (LeadStatus.Disqualified, 0.5)]),
        };
        // Routing: pooled leads are claimed within minutes, except the newest few.
        var routedAt = created.AddSeconds(rng.Between(60, 1800));
        var routed = outbound || routedAt < horizon && !(status == LeadStatus.New && age < 2 && rng.Chance(0.5));
        if (!outbound && routed)
            h.Edit(lead, ChangeSet.New(rng, routedAt, DemoContext.System), l => { l.OwnerId = sdr.Row.Id; l.OwnerTeamId = sdr.Row.TeamId; l.Pool = null; });
        var steps = status switch
        {
            LeadStatus.Working => outbound ? [] : new[] { LeadStatus.Working },
            LeadStatus.Mql => [LeadStatus.Mql],
            LeadStatus.Sql => outbound ? [LeadStatus.Sql] : [LeadStatus.Mql, LeadStatus.Working, LeadStatus.Sql],
            LeadStatus.Nurturing => rng.Chance(0.5) ? [LeadStatus.Mql, LeadStatus.Nurturing] : outbound ? [LeadStatus.Nurturing] : [LeadStatus.Working, LeadStatus.Nurturing],
            LeadStatus.Disqualified => outbound || rng.Chance(0.4) ? [LeadStatus.Disqualified] : [LeadStatus.Working, LeadStatus.Disqualified],
            _ => [],
        };
        var last = routed && !outbound ? routedAt : created;
        var window = Math.Min(age, 45.0);
        var worked = false;
        foreach (var next in steps)
        {
            var at = DemoTime.After(rng, last, last.AddDays(rng.Between(0.05, 1.0) * window / (steps.Length + 1)));
            if (at >= horizon) break;
            var actor = next == LeadStatus.Mql ? DemoContext.System : owner.Actor;
            // The lifecycle times go with the status (the marketing funnel's medians read them); a nurtured MQL keeps its MqlAt.
            h.Edit(lead, ChangeSet.New(rng, at, actor), l =>
            {
                l.Status = next;
                if (next == LeadStatus.Mql) l.MqlAt = DemoTime.Ms(at);
                if (next == LeadStatus.Sql) l.SqlAt = DemoTime.Ms(at);
            });
            last = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
            if (next == LeadStatus.Working && rng.Chance(0.6)) { LeadActivity(ctx, rng, lead, owner, last, ActivityTypes.Call, $"Call: {lead.FirstName} {lead.LastName}"); worked = true; }
        }
        if (!worked && outbound && rng.Chance(0.7)) LeadActivity(ctx, rng, lead, owner, created, ActivityTypes.Email, $"Intro email to {lead.FirstName} {lead.LastName}");
        // Recent leads being worked have a call to make in the rep's task list.
        if (lead.OwnerId is not null && lead.Status is LeadStatus.New or LeadStatus.Working or LeadStatus.Mql && age < 30 && rng.Chance(0.6))
        {
            var due = DemoTime.Midnight(o.AsOf.AddDays(rng.Between(-3, 3))).AddSeconds(rng.Between(DemoTime.Hours(region).From * 3600, DemoTime.Hours(region).To * 3600 - 1));
            var taskCreated = DemoTime.After(rng, last, last.AddMinutes(rng.Between(5, 600)));
            if (taskCreated < horizon)
            {
                var a = new Activity
                {
                    Id = rng.Guid7(taskCreated), Type = ActivityTypes.Task, Subject = $"Call {lead.FirstName} {lead.LastName} ({lead.Company})",
                    OccurredAt = Ms(taskCreated), DueAt = Ms(due), Status = ActivityStatus.Open, LeadId = lead.Id, OwnerId = owner.Row.Id, OwnerTeamId = owner.Row.TeamId,
                };
                ctx.ActivityHistory.Created(a, ChangeSet.New(rng, taskCreated, owner.Actor));
                ctx.Activities.Add(a);
                ctx.Summary.Activities++;
                ctx.Summary.OpenTasks++;
            }
        }
        ctx.Leads.Add(lead);
        ctx.Summary.Leads++;
        return lead;
    }

    private static DateTimeOffset Ms(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());

    private static void LeadActivity(DemoContext ctx, DemoRandom rng, Lead lead, DemoUser owner, DateTimeOffset after, string type, string subject)
    {
        var at = DemoTime.After(rng, after, after.AddMinutes(rng.Between(1, 120)));
        if (at >= ctx.Options.Horizon) return;
        var a = new Activity
        {
            Id = rng.Guid7(at), Type = type, Subject = subject, OccurredAt = Ms(at), CompletedAt = Ms(at), Status = ActivityStatus.Done,
            LeadId = lead.Id, OwnerId = owner.Row.Id, OwnerTeamId = owner.Row.TeamId,
        };
        ctx.ActivityHistory.Created(a, ChangeSet.New(rng, at, owner.Actor));
        ctx.Activities.Add(a);
        ctx.Summary.Activities++;
    }
}
