using RevLoop.Crm.Contacts;
using RevLoop.Marketing;

namespace RevLoop.Server.Demo;

/// <summary>
/// The demo's account-based marketing: two target account lists of the largest enterprise accounts (the 25 biggest
/// since six months before the as-of day, the next 20 since ten weeks before), and the touches of those accounts'
/// contacts from then on (website visits, newsletter opens and clicks, the ebook, webinars, a few demo requests),
/// attributed to the year's programme campaigns. Own random stream, so adding it changes nothing else the demo writes.
/// </summary>
public sealed class DemoAbm
{
    public const ulong Stream = 26;
    private static readonly string[] Pages = ["/", "/pricing", "/product", "/product/forecasting", "/enterprise", "/security", "/customers"];

    private readonly DemoContext ctx;
    private readonly IReadOnlyList<Campaign> campaigns;
    private readonly Dictionary<Guid, DateTimeOffset> addedAt = [];
    private readonly BulkSink.TableWriter<MarketingEvent> events;

    public long Lists { get; }
    public long Events { get; private set; }

    public DemoAbm(DemoContext ctx, IReadOnlyList<Campaign> campaigns)
    {
        this.ctx = ctx;
        this.campaigns = campaigns;
        events = ctx.Sink.Table<MarketingEvent>();
        var o = ctx.Options;
        var rng = DemoRandom.For(o.Seed, Stream, 0);
        var marketing = ctx.Org.Users.Where(u => u.Row.Role == RevLoop.Platform.Roles.Marketing).Select(u => u.Row.Id).FirstOrDefault();
        var first = DemoTime.Midnight(o.AsOf.AddDays(-180)).AddHours(9);
        var second = DemoTime.Midnight(o.AsOf.AddDays(-70)).AddHours(9);
        var enterprise = ctx.Plans.Where(p => p.Segment == "enterprise" && !p.Duplicate && p.CreatedAt < first)
            .OrderByDescending(p => p.Employees).ThenBy(p => p.Index).Take(45).ToList();
        if (enterprise.Count == 0) return;
        var history = ctx.History.For<TargetAccountList>();
        var lists = ctx.Sink.Table<TargetAccountList>();
        var members = ctx.Sink.Table<TargetListAccount>();
        foreach (var (name, at, accounts, description) in new[]
        {
            ("Strategic enterprise accounts", first, enterprise.Take(25).ToList(), "The largest enterprise accounts: one plan per account, sales and marketing together."),
            ("Enterprise wave 2", second, enterprise.Skip(25).ToList(), "The next enterprise accounts, added for the second half of the year."),
        })
        {
            if (accounts.Count == 0) continue;
            var list = new TargetAccountList { Id = rng.Guid7(at), Name = name, OwnerId = marketing == Guid.Empty ? null : marketing, Description = description };
            history.Created(list, ChangeSet.New(rng, at, DemoContext.System));
            lists.Add(list);
            Lists++;
            foreach (var p in accounts)
            {
                members.Add(new TargetListAccount { ListId = list.Id, AccountId = p.Id, AddedAt = at });
                addedAt[p.Id] = at;
            }
        }
    }

    /// <summary>A target account's contacts, once they exist: their touches from the day the account joined its list.</summary>
    public void Touches(AccountPlan plan, IReadOnlyList<Contact> contacts)
    {
        if (!addedAt.TryGetValue(plan.Id, out var from)) return;
        var rng = DemoRandom.For(ctx.Options.Seed, Stream, (ulong)plan.Index + 1);
        var horizon = ctx.Options.Horizon;
        // Some accounts warm up, some never answer.
        var warmth = rng.Pick([(0.0, 0.2), (0.6, 0.35), (1.2, 0.3), (2.5, 0.15)]);
        var n = 0;
        foreach (var c in contacts)
        {
            if (c.DeletedAt is not null || warmth == 0) continue;
            var start = c.CreatedAt > from ? c.CreatedAt : from;
            if (start >= horizon) continue;
            for (var i = (int)Math.Round(rng.Exponential(3 * warmth)); i > 0; i--)
            {
                var at = start.AddSeconds(rng.NextDouble() * (horizon - start).TotalSeconds);
                var day = DemoTime.Day(at);
                var type = rng.Pick([(MarketingEventTypes.PageView, 0.38), (MarketingEventTypes.EmailOpen, 0.25), (MarketingEventTypes.EmailClick, 0.1),
                    (MarketingEventTypes.ContentDownload, 0.1), (MarketingEventTypes.WebinarAttended, 0.1), (MarketingEventTypes.FormSubmit, 0.04), (MarketingEventTypes.DemoRequest, 0.03)]);
                Campaign? campaign = type switch
                {
                    MarketingEventTypes.EmailOpen or MarketingEventTypes.EmailClick => Running("email", day),
                    MarketingEventTypes.ContentDownload => Running("content", day),
                    MarketingEventTypes.PageView => rng.Chance(0.3) ? Running("paid", day) : null,
                    MarketingEventTypes.WebinarAttended => campaigns.Where(x => x.Type == "webinar" && x.EndDate is { } e && DemoTime.Midnight(e).AddHours(16) >= start && DemoTime.Midnight(e).AddHours(16) < horizon)
                        .OrderBy(x => x.EndDate).FirstOrDefault(),
                    _ => null,
                };
                if (type == MarketingEventTypes.WebinarAttended)
                {
                    if (campaign is null) continue;
                    at = DemoTime.Midnight(campaign.EndDate!.Value).AddHours(16).AddMinutes(rng.Between(0, 50));
                    if (at >= horizon) continue;
                }
                var t = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
                var url = type switch
                {
                    MarketingEventTypes.PageView => "https://www.brightwave.example" + Pages[rng.Next(Pages.Length)] + (campaign is null ? "" : $"?utm_campaign={campaign.UtmCampaign}"),
                    MarketingEventTypes.ContentDownload => "https://www.brightwave.example/ebook",
                    MarketingEventTypes.DemoRequest => "https://www.brightwave.example/demo",
                    MarketingEventTypes.FormSubmit => "https://www.brightwave.example/contact",
                    _ => null,
                };
                events.Add(new MarketingEvent
                {
                    EventId = $"demo-abm-{plan.Index}-{n++}", Type = type, OccurredAt = t, ReceivedAt = t, PersonType = PersonTypes.Contact, PersonId = c.Id,
                    Email = type is MarketingEventTypes.PageView ? null : c.NormalizedEmail, CampaignId = campaign?.Id, Url = url,
                    UtmCampaign = campaign?.UtmCampaign, UtmSource = campaign?.Channel,
                });
                Events++;
            }
        }
    }

    /// <summary>The year's always-on campaign of a type running on the day.</summary>
    private Campaign? Running(string type, DateOnly day) =>
        campaigns.FirstOrDefault(c => c.Type == type && c.StartDate <= day && c.EndDate >= day && c.UtmCampaign is not null);
}
