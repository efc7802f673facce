using RevLoop.Crm.Leads;
using RevLoop.Marketing;

namespace RevLoop.Server.Demo;

/// <summary>
/// The demo's marketing: a demand-generation programme per year (quarterly webinars, paid search, a trade show, an
/// ebook, a newsletter) with monthly costs, and for each inbound lead the touches that brought it (anonymous page views
/// later tied to the lead by its form, the conversion touch, email engagement after) and its campaign membership.
/// Own random streams, so adding it changes nothing else the demo writes.
/// </summary>
public sealed class DemoMarketing
{
    public const ulong CampaignStream = 24, TouchStream = 25, ConvertedTouchStream = 26;
    private static readonly string[] Topics = ["Forecasting without spreadsheets", "Pipeline hygiene", "Renewals on autopilot", "Territory planning"];
    private static readonly string[] Shows = ["SaaStr Annual", "Dreamforce", "Web Summit", "RevOps Summit"];
    private static readonly string[] Pages = ["/", "/pricing", "/product", "/product/forecasting", "/customers", "/blog/pipeline-hygiene", "/docs/getting-started"];

    private readonly DemoContext ctx;
    private readonly List<Campaign> campaigns = [];
    private readonly BulkSink.TableWriter<MarketingEvent> events;
    private readonly BulkSink.TableWriter<CampaignMember> members;
    private readonly BulkSink.TableWriter<VisitorIdentity> visitors;

    public long Campaigns => campaigns.Count;
    public IReadOnlyList<Campaign> All => campaigns;
    public long Events { get; private set; }
    public long Members { get; private set; }
    private int converted;

    public DemoMarketing(DemoContext ctx)
    {
        this.ctx = ctx;
        events = ctx.Sink.Table<MarketingEvent>();
        members = ctx.Sink.Table<CampaignMember>();
        visitors = ctx.Sink.Table<VisitorIdentity>();
        var o = ctx.Options;
        var rng = DemoRandom.For(o.Seed, CampaignStream, 0);
        var history = ctx.History.For<Campaign>();
        var costs = ctx.Sink.Table<CampaignCost>();
        var marketing = ctx.Org.Users.Where(u => u.Row.Role == RevLoop.Platform.Roles.Marketing).Select(u => u.Row.Id).FirstOrDefault();
        Guid? owner = marketing == Guid.Empty ? null : marketing;
        for (var year = o.Start.Year; year <= o.AsOf.Year; year++)
        {
            var yearStart = new DateOnly(year, 1, 1);
            var yearEnd = new DateOnly(year, 12, 31);
            var first = yearStart < DemoTime.Day(o.Start) ? DemoTime.Day(o.Start) : yearStart;
            var parent = Add(rng, history, $"FY{year} demand generation", "other", "other", first, yearEnd, 0, null, owner, null);
            Add(rng, history, $"Paid search {year}", "paid", "paid_search", first, yearEnd, 96_000_00, $"paid-search-{year}", owner, parent.Id);
            Add(rng, history, $"Newsletter {year}", "email", "email", first, yearEnd, 12_000_00, $"newsletter-{year}", owner, parent.Id);
            Add(rng, history, $"RevOps playbook ebook {year}", "content", "content", first, yearEnd, 18_000_00, $"ebook-{year}", owner, parent.Id);
            for (var q = 1; q <= 4; q++)
            {
                var day = new DateOnly(year, q * 3 - 1, 10 + rng.Next(10));
                if (day < first) continue;
                Add(rng, history, $"Webinar: {Topics[(year + q) % Topics.Length]} (Q{q} {year})", "webinar", "events", day.AddDays(-21), day, 6_000_00, $"webinar-{year}-q{q}", owner, parent.Id);
            }
            var show = new DateOnly(year, 9, 5 + rng.Next(15));
            if (show >= first) Add(rng, history, $"Trade show: {Shows[year % Shows.Length]} {year}", "event", "events", show, show.AddDays(2), 45_000_00, $"tradeshow-{year}", owner, parent.Id);
        }
        // Costs: monthly for the always-on campaigns, two invoices for a webinar, the booth and travel for a show.
        foreach (var c in campaigns.Where(c => c.BudgetMinor > 0))
        {
            var crng = DemoRandom.For(o.Seed, CampaignStream, (ulong)campaigns.IndexOf(c) + 1);
            void Cost(DateOnly d, double share, string what)
            {
                if (d > o.AsOf) return;
                costs.Add(new CampaignCost { CampaignId = c.Id, Date = d, AmountMinor = (long)Math.Round(c.BudgetMinor!.Value * share * crng.Between(0.85, 1.1)), Description = what, CreatedAt = DemoTime.Midnight(d).AddHours(9) });
            }
            switch (c.Type)
            {
                case "webinar": Cost(c.StartDate!.Value, 0.6, "Webinar platform"); Cost(c.EndDate!.Value, 0.4, "Promotion"); break;
                case "event": Cost(c.StartDate!.Value.AddDays(-60), 0.7, "Booth"); Cost(c.EndDate!.Value, 0.3, "Travel"); break;
                default:
                    for (var m = new DateOnly(c.StartDate!.Value.Year, c.StartDate.Value.Month, 1); m <= c.EndDate!.Value; m = m.AddMonths(1))
                        Cost(DemoTime.EndOfMonth(m), 1.0 / 12, c.Type == "paid" ? "Ad spend" : c.Type == "email" ? "Email platform" : "Content production");
                    break;
            }
        }
    }

    private Campaign Add(DemoRandom rng, DemoHistory.Recorder<Campaign> history, string name, string type, string channel, DateOnly start, DateOnly end,
        long budget, string? utm, Guid? owner, Guid? parent)
    {
        var created = DemoTime.Midnight(start.AddDays(-30)).AddHours(10);
        if (created < ctx.Options.Start) created = ctx.Options.Start.AddHours(10);
        var c = new Campaign
        {
            Id = rng.Guid7(created), Name = name, Type = type, Channel = channel, StartDate = start, EndDate = end, Currency = "USD",
            BudgetMinor = budget > 0 ? budget : null, OwnerId = owner, ParentCampaignId = parent, UtmCampaign = utm,
            Status = end < ctx.Options.AsOf ? "completed" : start <= ctx.Options.AsOf ? "active" : CampaignStatus.Planned,
        };
        history.Created(c, ChangeSet.New(rng, created, DemoContext.System));
        ctx.Sink.Table<Campaign>().Add(c);
        campaigns.Add(c);
        return c;
    }

    /// <summary>The touches of one lead that was not cold outreach, and its membership of the campaign that brought it.</summary>
    public void Touches(Lead lead, int index) =>
        LeadTouches(lead, DemoRandom.For(ctx.Options.Seed, TouchStream, (ulong)index), $"demo-{index}", $"demo-visitor-{index}", null, null);

    /// <summary>
    /// The touches of a lead that became a deal (<see cref="DemoAccountSim"/> converts it at <paramref name="convertedAt"/>
    /// into <paramref name="contact"/>): the same kinds as <see cref="Touches"/>, then while it was being worked the year's
    /// newsletter (clicks) and a webinar held meanwhile (attended), so that the deal's path holds several campaigns;
    /// touches after the conversion are the contact's, as event ingestion would store them. Its own stream per converted lead.
    /// </summary>
    public void ConvertedTouches(Lead lead, Guid contact, DateTimeOffset convertedAt)
    {
        var n = converted++;
        var rng = DemoRandom.For(ctx.Options.Seed, ConvertedTouchStream, (ulong)n);
        var member = LeadTouches(lead, rng, $"demo-c{n}", $"demo-visitor-c{n}", contact, convertedAt);
        if (member is null) return;
        var (touch, joined) = member.Value;
        var created = lead.CreatedAt;
        var day = DemoTime.Day(created);
        // The newsletter of the year (unless it brought the lead): a click or two between the lead's creation and its conversion.
        var newsletter = campaigns.FirstOrDefault(c => c.Type == "email" && c.StartDate <= day && c.EndDate >= day);
        if (newsletter is not null && rng.Chance(0.6))
        {
            var clicks = Enumerable.Range(0, rng.Between(1, 2)).Select(_ => created.AddSeconds((convertedAt - created).TotalSeconds * rng.Between(0.1, 0.9))).Order().ToList();
            if (joined(newsletter, CampaignMemberStatus.Responded, clicks[0]))
                foreach (var click in clicks) touch(MarketingEventTypes.EmailClick, click, null, newsletter);
        }
        // A webinar held while the lead was worked: attended about half the time.
        var webinar = campaigns.FirstOrDefault(c => c.Type == "webinar" && DemoTime.Midnight(c.EndDate!.Value).AddHours(16) is var w && w > created && w < convertedAt);
        if (webinar is not null && rng.Chance(0.5))
        {
            var attended = DemoTime.Midnight(webinar.EndDate!.Value).AddHours(16);
            if (joined(webinar, CampaignMemberStatus.Attended, attended)) touch(MarketingEventTypes.WebinarAttended, attended, null, webinar);
        }
    }

    /// <summary>
    /// Writes a lead's touches and membership; touches from <paramref name="convertedAt"/> on go to <paramref name="contact"/>.
    /// Returns a way to add more campaign touches and memberships of the same person, or null for cold outreach. (The
    /// standalone leads' draws must stay exactly as they were: same seed, same demo.)
    /// </summary>
    private (Action<string, DateTimeOffset, string?, Campaign?> Touch, Func<Campaign, string, DateTimeOffset, bool> Join)? LeadTouches(
        Lead lead, DemoRandom rng, string ids, string visitor, Guid? contact, DateTimeOffset? convertedAt)
    {
        if (lead.Source is not ("inbound" or "paid" or "organic" or "event")) return null;
        var at = lead.CreatedAt;
        var day = DemoTime.Day(at);
        var candidates = campaigns.Where(c => c.StartDate <= day && c.EndDate >= day.AddDays(c.Type == "event" ? -30 : 0) && lead.Source switch
        {
            "paid" => c.Type == "paid",
            "organic" => c.Type == "content",
            "event" => c.Type == "event",
            _ => c.Type is "webinar" or "content" or "email",
        }).ToList();
        var campaign = candidates.Count == 0 ? null : candidates[rng.Next(candidates.Count)];
        var n = 0;
        var horizon = ctx.Options.Horizon;
        var joinedCampaigns = new HashSet<Guid>();
        void Event(string type, DateTimeOffset when, string? url, Campaign? from, string? visitorId)
        {
            if (when >= horizon) return;
            var t = DateTimeOffset.FromUnixTimeMilliseconds(when.ToUnixTimeMilliseconds());
            var isContact = contact is not null && when >= convertedAt;
            events.Add(new MarketingEvent
            {
                EventId = $"{ids}-{n++}", Type = type, OccurredAt = t, ReceivedAt = t, PersonType = isContact ? PersonTypes.Contact : PersonTypes.Lead,
                PersonId = isContact ? contact : lead.Id, VisitorId = visitorId, Email = visitorId is null ? lead.NormalizedEmail : null, CampaignId = from?.Id, Url = url,
                UtmCampaign = from?.UtmCampaign, UtmSource = from?.Channel,
            });
            Events++;
        }
        // A campaign the lead is already in (or a membership after the end of the data) is not joined again.
        bool Join(Campaign c, string status, DateTimeOffset when)
        {
            if (when >= horizon || !joinedCampaigns.Add(c.Id)) return false;
            var added = DateTimeOffset.FromUnixTimeMilliseconds(when.ToUnixTimeMilliseconds());
            members.Add(new CampaignMember { CampaignId = c.Id, PersonType = PersonTypes.Lead, PersonId = lead.Id, Status = status, AddedAt = added, UpdatedAt = added });
            Members++;
            return true;
        }
        // Anonymous browsing first (tied to the lead when its form identified the visitor), the first visit from the campaign.
        var views = lead.Source == "event" ? 0 : rng.Between(1, 5);
        for (var i = views; i >= 1; i--)
        {
            var when = at.AddHours(-i * rng.Between(2.0, 60.0));
            var fromCampaign = i == views && campaign is not null && campaign.Type != "event";
            Event(MarketingEventTypes.PageView, when, "https://www.brightwave.example" + Pages[rng.Next(Pages.Length)] + (fromCampaign ? $"?utm_campaign={campaign!.UtmCampaign}" : ""),
                fromCampaign ? campaign : null, visitor);
        }
        var conversion = campaign?.Type switch
        {
            "webinar" => MarketingEventTypes.FormSubmit,
            "content" => MarketingEventTypes.ContentDownload,
            "email" => MarketingEventTypes.EmailClick,
            "event" => null,
            _ => rng.Chance(0.2) ? MarketingEventTypes.DemoRequest : MarketingEventTypes.FormSubmit,
        };
        if (conversion is not null) Event(conversion, at, conversion == MarketingEventTypes.EmailClick ? null : "https://www.brightwave.example/signup", campaign, views > 0 ? visitor : null);
        if (views > 0 && conversion is not null && at < horizon)
            visitors.Add(new VisitorIdentity { VisitorId = visitor, PersonType = PersonTypes.Lead, PersonId = lead.Id, IdentifiedAt = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()) });
        var status = campaign?.Type switch
        {
            "webinar" => rng.Chance(0.55) ? CampaignMemberStatus.Attended : CampaignMemberStatus.NoShow,
            "event" => CampaignMemberStatus.Attended,
            _ => CampaignMemberStatus.Responded,
        };
        if (campaign is not null && status == CampaignMemberStatus.Attended)
            Event(MarketingEventTypes.WebinarAttended, campaign.Type == "webinar" ? DemoTime.Midnight(campaign.EndDate!.Value).AddHours(16) is var w && w > at ? w : at.AddMinutes(5) : at,
                null, campaign, null);
        for (var i = rng.Between(0, 4); i > 0; i--)
            Event(rng.Chance(0.7) ? MarketingEventTypes.EmailOpen : MarketingEventTypes.EmailClick, at.AddDays(rng.Between(1.0, 90.0)), null, null, null);
        if (campaign is not null) Join(campaign, status, at);
        return ((type, when, url, from) => Event(type, when, url, from, null), Join);
    }
}
