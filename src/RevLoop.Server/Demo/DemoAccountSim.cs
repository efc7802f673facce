using RevLoop.Crm;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Activities;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Crm.Opportunities;
using RevLoop.Crm.Products;

namespace RevLoop.Server.Demo;

/// <summary>
/// Simulates one account from the day it entered the CRM to the end of the data: the account, its people, its deals
/// (every stage change, slip, amount and forecast change at its simulated time), the leads some deals came from, the
/// activities around them and, once it buys, its subscriptions. Uses its own random stream, so accounts are independent.
/// </summary>
public sealed class DemoAccountSim
{
    public const ulong Stream = 10;

    private readonly DemoContext ctx;
    private readonly AccountPlan plan;
    private readonly DemoRandom rng;
    private readonly DateTimeOffset horizon;
    private readonly string region;
    private readonly string currency;
    private readonly DemoCustomer customer;
    private readonly List<Contact> contacts = [];
    private readonly HashSet<string> emails = new(StringComparer.Ordinal);
    private Account account = null!;

    public DemoAccountSim(DemoContext ctx, AccountPlan plan)
    {
        this.ctx = ctx;
        this.plan = plan;
        rng = DemoRandom.For(ctx.Options.Seed, Stream, (ulong)plan.Index);
        horizon = ctx.Options.Horizon;
        region = plan.Territory.Region;
        currency = plan.Country.Currency;
        customer = new DemoCustomer(ctx, plan, rng);
    }

    /// <summary>Deal slots handed on from earlier accounts (see <see cref="Donated"/>).</summary>
    public int Extra { get; init; }
    /// <summary>The last account that takes deals: it cannot hand any on.</summary>
    public bool Last { get; init; }
    /// <summary>
    /// Deal slots this account did not use: a customer between renewals expands only now and then (the busier the
    /// account, the likelier), and the slot goes to the next account instead, so the total stays exact.
    /// </summary>
    public int Donated { get; private set; }

    public void Run()
    {
        var firstFromLead = plan.Opportunities > 0 && rng.Chance(0.2);
        ChangeSet? conversion = null;
        if (firstFromLead)
        {
            var sdr = DemoOrg.At(plan.Territory.Sdrs, plan.CreatedAt, rng);
            conversion = ChangeSet.New(rng, plan.CreatedAt, sdr.Actor);
        }
        CreateAccount(conversion ?? ChangeSet.New(rng, plan.CreatedAt, plan.Owner.Actor));
        CreateContacts(firstFromLead);
        SimulateDeals(conversion);
        customer.Finish();
        ctx.Abm?.Touches(plan, contacts);
        foreach (var c in contacts) ctx.Contacts.Add(c);
        ctx.Summary.Contacts += contacts.Count;
        ctx.Accounts.Add(account);
        ctx.Summary.Accounts++;
    }

    // ---------------------------------------------------------------- account and people

    private void CreateAccount(in ChangeSet cs)
    {
        var owner = plan.Owner.Row;
        account = new Account
        {
            Id = plan.Id, Name = plan.Name, NormalizedName = CompanyNames.Normalise(plan.Name), Domain = plan.Domain, Industry = plan.Industry,
            Employees = plan.Employees, Segment = plan.Segment, Region = region, Country = plan.Country.Code,
            ParentAccountId = plan.Parent >= 0 ? ctx.Plans[plan.Parent].Id : null, OwnerId = owner.Id, OwnerTeamId = owner.TeamId,
        };
        ctx.AccountHistory.Created(account, cs);
        // Some companies grow and a rep updates the head count (within the same band).
        if (rng.Chance(0.1))
        {
            var at = Within(plan.CreatedAt.AddDays(30), horizon);
            if (at is { } when)
            {
                var max = plan.Segment switch { "smb" => 199, "mid_market" => 999, _ => 500_000 };
                var grown = Math.Min(max, (int)Math.Round(plan.Employees * rng.Between(1.02, 1.25)));
                ctx.AccountHistory.Edit(account, ChangeSet.New(rng, when, plan.Owner.Actor), a => a.Employees = grown);
            }
        }
    }

    /// <summary>A weekday office-hours moment uniformly in [from, to), or null when the range is empty.</summary>
    private DateTimeOffset? Within(DateTimeOffset from, DateTimeOffset to)
    {
        if (from >= to.AddHours(-48)) return null;
        var at = DemoTime.WorkHours(rng, from.AddSeconds(rng.NextDouble() * (to - from).TotalSeconds), region);
        return at > from && at < to ? at : null;
    }

    private void CreateContacts(bool firstFromLead)
    {
        var n = plan.Contacts;
        var times = new List<DateTimeOffset>(n);
        for (var i = 0; i < n; i++)
        {
            DateTimeOffset t;
            if (i == 0) t = plan.CreatedAt.AddMinutes(firstFromLead ? rng.Between(1440, 30_000) : rng.Between(2, 90));
            else t = plan.CreatedAt.AddDays(rng.Exponential(150));
            if (t >= horizon.AddHours(-6)) t = plan.CreatedAt.AddSeconds(rng.NextDouble() * (horizon - plan.CreatedAt).TotalSeconds);
            if (i > 0) t = DemoTime.WorkHours(rng, t, region);
            if (t >= horizon || t < plan.CreatedAt) t = plan.CreatedAt.AddMinutes(rng.Between(2, 90));
            if (t >= horizon) t = plan.CreatedAt.AddSeconds(1);
            times.Add(t);
        }
        times.Sort();
        foreach (var t in times)
        {
            var person = Person(t);
            var contact = NewContact(person, ChangeSet.New(rng, t, plan.Owner.Actor));
            // Consent moves later: an unsubscribe link, or a webinar form that opts in.
            if (rng.Chance(0.08) && Within(t.AddDays(7), horizon) is { } later)
            {
                var next = contact.EmailConsent == Consent.OptedIn ? Consent.OptedOut : Consent.OptedIn;
                ctx.ContactHistory.Edit(contact, ChangeSet.New(rng, later, DemoContext.System), c => c.EmailConsent = next);
            }
        }
    }

    private sealed record PersonData(DemoName Name, string Email, string? Phone, string Title, string DealRole, string EmailConsent, string PhoneConsent, string SmsConsent);

    private PersonData Person(DateTimeOffset at)
    {
        var name = DemoWorld.Person(rng, plan.Country.Culture);
        var titles = plan.Segment == "smb" ? DemoWorld.Titles : DemoWorld.Titles.Where(x => x.Title is not ("Founder")).ToList();
        var (title, role, _) = PickTitle(titles);
        var local = rng.Next(10) switch
        {
            < 6 => $"{name.AsciiFirst}.{name.AsciiLast}",
            6 => $"{name.AsciiFirst[..1]}{name.AsciiLast}",
            7 => name.AsciiFirst,
            8 => $"{name.AsciiFirst}{name.AsciiLast}",
            _ => $"{name.AsciiFirst}_{name.AsciiLast}",
        };
        if (local.Length == 0 || local == ".") local = "info";
        var domain = plan.Domain ?? rng.Pick(DemoWorld.FreeMail);
        var email = $"{local}@{domain}";
        for (var i = 2; !emails.Add(email); i++) email = $"{local}{i}@{domain}";
        var phone = rng.Chance(0.7) ? DemoWorld.Phone(rng, plan.Country) : null;
        var (e, p, s) = Consents(rng, region);
        _ = at;
        return new PersonData(name, email, phone, title, role, e, p, s);
    }

    private (string, string, double) PickTitle(IReadOnlyList<(string Title, string DealRole, double Weight)> titles)
    {
        var total = 0.0;
        foreach (var t in titles) total += t.Weight;
        var r = rng.NextDouble() * total;
        foreach (var t in titles)
        {
            r -= t.Weight;
            if (r < 0) return t;
        }
        return titles[^1];
    }

    public static (string Email, string Phone, string Sms) Consents(DemoRandom rng, string region)
    {
        var gdpr = region == DemoWorld.Emea;
        var email = rng.Pick(gdpr ? [(Consent.OptedIn, 0.50), (Consent.Unknown, 0.38), (Consent.OptedOut, 0.12)] : new[] { (Consent.OptedIn, 0.42), (Consent.Unknown, 0.53), (Consent.OptedOut, 0.05) });
        var phone = rng.Pick(gdpr ? [(Consent.OptedIn, 0.22), (Consent.Unknown, 0.72), (Consent.OptedOut, 0.06)] : new[] { (Consent.OptedIn, 0.30), (Consent.Unknown, 0.66), (Consent.OptedOut, 0.04) });
        var sms = rng.Pick(gdpr ? [(Consent.OptedIn, 0.08), (Consent.Unknown, 0.88), (Consent.OptedOut, 0.04)] : new[] { (Consent.OptedIn, 0.12), (Consent.Unknown, 0.85), (Consent.OptedOut, 0.03) });
        return (email, phone, sms);
    }

    private Contact NewContact(PersonData p, in ChangeSet cs)
    {
        var owner = plan.Owner.Row;
        var contact = new Contact
        {
            Id = rng.Guid7(cs.At), AccountId = plan.Id, FirstName = p.Name.First, LastName = p.Name.Last, Title = p.Title, DealRole = p.DealRole,
            Email = p.Email, NormalizedEmail = p.Email.ToLowerInvariant(), Phone = p.Phone, EmailConsent = p.EmailConsent, PhoneConsent = p.PhoneConsent,
            SmsConsent = p.SmsConsent, OwnerId = owner.Id, OwnerTeamId = owner.TeamId,
        };
        ctx.ContactHistory.Created(contact, cs);
        contacts.Add(contact);
        return contact;
    }

    /// <summary>The deal's main contact: someone who was already there, decision makers and champions first.</summary>
    private Contact PrimaryContact(DateTimeOffset at)
    {
        var known = new List<Contact>();
        foreach (var c in contacts) if (c.CreatedAt <= at) known.Add(c);
        if (known.Count == 0) return NewContact(Person(at), ChangeSet.New(rng, at, plan.Owner.Actor));
        for (var tries = 0; tries < 3; tries++)
        {
            var c = known[rng.Next(known.Count)];
            if (c.DealRole is "decision_maker" or "champion") return c;
        }
        return known[rng.Next(known.Count)];
    }

    // ---------------------------------------------------------------- deals

    private void SimulateDeals(ChangeSet? conversion)
    {
        var k = plan.Opportunities + Extra;
        if (k == 0) return;
        var times = new DateTimeOffset[k];
        var first = conversion is { } c ? c.At : Clamp(DemoTime.WorkHours(rng, plan.CreatedAt.AddDays(rng.Between(0.2, 30)), region), plan.CreatedAt);
        times[0] = first;
        for (var j = 1; j < k; j++)
            times[j] = Clamp(DemoTime.WorkHours(rng, first.AddSeconds(rng.NextDouble() * (horizon - first).TotalSeconds), region), first);
        Array.Sort(times, 1, k - 1);

        for (var j = 0; j < k; j++)
        {
            var t = times[j];
            var next = j + 1 < k ? times[j + 1] : DateTimeOffset.MaxValue;
            customer.AdvanceTo(t);
            var type = OpportunityTypes.NewBusiness;
            if (customer.Active)
            {
                type = OpportunityTypes.Expansion;
                if (customer.RenewalDeals && customer.NextAnniversary is { } a && !customer.Renewals.ContainsKey(a))
                {
                    // The renewal deal opens 30 (SMB), 60 (mid-market) or 90-120 (enterprise) days before the term ends.
                    var leadDays = plan.Segment switch { "smb" => 30, "mid_market" => 60, _ => rng.Between(90, 120) };
                    var opensAt = DemoTime.WorkHours(rng, a.AddDays(-leadDays + rng.Between(0, 7)), region);
                    if (t >= a.AddDays(-leadDays - 90) || next > a)
                    {
                        var at = opensAt > t && opensAt < next ? opensAt : t;
                        if (at < horizon && at < a)
                        {
                            type = OpportunityTypes.Renewal;
                            t = at;
                            customer.AdvanceTo(t);
                            if (!customer.Active) type = OpportunityTypes.NewBusiness;
                        }
                    }
                }
            }
            if (type == OpportunityTypes.Expansion && !Last && !rng.Chance(ExpansionShare(plan.Segment)))
            {
                Donated++;
                continue;
            }
            Deal(type, t, j == 0 ? conversion : null);
        }
    }

    private static double ExpansionShare(string segment) => segment switch { "smb" => 0.15, "mid_market" => 0.3, _ => 0.5 };

    private DateTimeOffset Clamp(DateTimeOffset t, DateTimeOffset after)
    {
        if (t >= horizon) t = horizon.AddSeconds(-rng.Between(3600, 48 * 3600));
        return t > after ? t : after.AddSeconds(rng.Between(60, 600)) is var later && later < horizon ? later : after;
    }

    private static double WinRate(string segment, string? source)
    {
        var rate = segment switch { "smb" => 0.30, "mid_market" => 0.24, _ => 0.20 };
        return rate * source switch
        {
            "referral" => 1.4, "partner" => 1.25, "inbound" => 1.1, "organic" => 1.05, "event" => 1.0, "paid" => 0.95, "outbound" => 0.8, _ => 1.0,
        };
    }

    private double MedianCycle(string type) => (plan.Segment switch { "smb" => 30.0, "mid_market" => 60.0, _ => 120.0 }) * (type == OpportunityTypes.Expansion ? 0.55 : 1.0);

    private void Deal(string type, DateTimeOffset t, ChangeSet? conversion)
    {
        var catalog = ctx.Catalog;
        var pipeline = type switch
        {
            OpportunityTypes.Expansion => catalog.Expansion,
            OpportunityTypes.Renewal => catalog.Renewal,
            _ => catalog.NewBusiness,
        };
        var owner = type == OpportunityTypes.Renewal && plan.Territory.Csms.Count > 0 && plan.Territory.Csms[0].HiredAt <= t
            ? DemoOrg.At(plan.Territory.Csms, t, rng) : plan.Owner;

        string? role = null, source = null;
        if (type == OpportunityTypes.NewBusiness)
        {
            role = conversion is not null ? (rng.Chance(0.75) ? "sdr" : "marketing")
                : rng.Pick([("ae", 0.50), ("bdr", 0.25), ("sdr", 0.13), ("partner", 0.08), ("marketing", 0.04)]);
            source = role switch
            {
                "bdr" => "outbound",
                "sdr" => rng.Pick([("inbound", 0.55), ("paid", 0.2), ("organic", 0.25)]),
                "partner" => "partner",
                "marketing" => rng.Pick([("event", 0.6), ("paid", 0.4)]),
                _ => rng.Pick([("outbound", 0.5), ("referral", 0.2), ("event", 0.15), ("other", 0.15)]),
            };
        }
        else if (type == OpportunityTypes.Expansion)
        {
            role = "ae";
            source = rng.Chance(0.6) ? "outbound" : "inbound";
        }
        var fromLead = conversion is not null || (type == OpportunityTypes.NewBusiness && (role is "sdr" or "marketing" || (role == "partner" && rng.Chance(0.5))));

        // What is being sold, as finally quoted.
        var term = 12;
        decimal addSeats = 0;
        DateTimeOffset anniversary = default;
        List<DemoItem> items;
        List<DemoItem>? current = null;
        bool won;
        string family = "Platform";
        string name;
        switch (type)
        {
            case OpportunityTypes.Renewal:
                anniversary = customer.NextAnniversary!.Value;
                term = customer.TermMonths;
                won = rng.Chance(DemoCustomer.RenewalRate(plan.Segment));
                current = customer.Items.Select(i => i.Copy()).ToList();
                items = won ? customer.Renewed(rng) : current;
                name = $"{plan.Name} – Renewal {anniversary:yyyy-MM}";
                break;
            case OpportunityTypes.Expansion:
                (items, addSeats) = ExpansionItems(t);
                family = items[0].Product.Family;
                won = rng.Chance(0.5);
                name = addSeats > 0 ? $"{plan.Name} – +{addSeats:0} {items[0].Product.Name} seats" : $"{plan.Name} – {items[0].Product.Name}";
                break;
            default:
                items = NewBusinessItems(t);
                if (plan.Segment == "enterprise") term = rng.Pick([(12, 0.72), (24, 0.1), (36, 0.18)]);
                won = rng.Chance(WinRate(plan.Segment, source));
                name = $"{plan.Name} – {items[0].Product.Name} ({items[0].Quantity:0} seats)";
                break;
        }
        if (name.Length > 300) name = name[..300];
        var (final, finalAcv) = Amounts(items, term, true);
        var (list, listAcv) = Amounts(items, term, false);
        long initial, initialAcv;
        if (current is not null) (initial, initialAcv) = Amounts(current, term, true);
        else
        {
            var factor = rng.LogNormal(1.0, 0.25);
            initial = Math.Max(50_000, (long)Math.Round(final * factor / 50_000.0) * 50_000);
            initialAcv = final == 0 ? 0 : (long)Math.Round((decimal)finalAcv * initial / final);
        }

        // The road: stages visited, how long it took, and whether it is over by the end of the data.
        var open = pipeline.Open.Length;
        var lostAt = won ? -1 : rng.Pick(type switch
        {
            OpportunityTypes.Renewal => [(0, 0.45), (1, 0.35), (2, 0.2)],
            OpportunityTypes.Expansion => [(0, 0.3), (1, 0.3), (2, 0.25), (3, 0.15)],
            _ => new[] { (0, 0.34), (1, 0.26), (2, 0.18), (3, 0.13), (4, 0.09) },
        });
        var top = won ? open - 1 : lostAt;
        var skip = plan.Segment switch { "smb" => 0.15, "mid_market" => 0.07, _ => 0.03 };
        var path = new List<int> { 0 };
        for (var s = 1; s <= top; s++) if (s == top || !rng.Chance(skip)) path.Add(s);
        if (path.Count >= 3 && rng.Chance(0.06))
        {
            var r = rng.Between(2, path.Count - 1);
            path.Insert(r + 1, path[r] - 1);
            path.Insert(r + 2, path[r]);
        }
        double days;
        DateTimeOffset? closesAt = null;
        if (type == OpportunityTypes.Renewal)
        {
            var target = DemoTime.WorkHours(rng, anniversary.AddDays(rng.Normal() * 10 - 12), region);
            if (target < t.AddDays(3)) target = DemoTime.WorkHours(rng, t.AddDays(rng.Between(3, 10)), region);
            closesAt = target;
            days = (target - t).TotalDays;
        }
        else
        {
            var median = MedianCycle(type);
            days = won ? Math.Clamp(rng.LogNormal(median, 0.45), 5, 400) : Math.Clamp(rng.LogNormal(median * (0.5 + 0.6 * (lostAt + 1) / open), 0.5), 2, 400);
        }
        var weights = new double[path.Count];
        var sum = 0.0;
        for (var i = 0; i < weights.Length; i++) { weights[i] = rng.Between(0.6, 1.4); sum += weights[i]; }

        // Created: as the rep (the owner) enters it.
        var contact = fromLead ? null : PrimaryContact(t);
        ChangeSet? leadConversion = null;
        if (fromLead)
        {
            var sdr = DemoOrg.At(plan.Territory.Sdrs, t, rng);
            leadConversion = conversion ?? ChangeSet.New(rng, t, sdr.Actor);
            contact = NewContact(Person(t), leadConversion.Value);
        }
        var initialClose = DemoTime.Day(t.AddDays(type == OpportunityTypes.Renewal ? (anniversary - t).TotalDays : MedianCycle(type) * rng.Between(0.8, 1.25)));
        if (type != OpportunityTypes.Renewal)
        {
            var snap = rng.NextDouble();
            initialClose = snap < 0.45 ? DemoTime.EndOfMonth(initialClose) : snap < 0.6 ? DemoTime.EndOfQuarter(initialClose) : initialClose;
        }
        var ownerRow = owner.Row;
        var o = new Opportunity
        {
            Id = rng.Guid7(t), Name = name, AccountId = plan.Id, PrimaryContactId = contact!.Id, PipelineId = pipeline.Row.Id, StageId = pipeline.Open[0].Id,
            AmountMinor = initial, AcvMinor = initialAcv, Currency = currency, CloseDate = initialClose, NextStep = pipeline.NextSteps[0],
            OwnerId = ownerRow.Id, OwnerTeamId = ownerRow.TeamId, SourcingRole = role, Source = source, Type = type,
            ForecastCategory = pipeline.ForecastByStage[0], Region = region, Segment = plan.Segment, ProductFamily = family,
        };
        var h = ctx.OpportunityHistory;
        var created = ChangeSet.New(rng, t, owner.Actor);
        h.Created(o, created);
        if (fromLead) ConvertedLead(leadConversion!.Value, contact, o, source!);
        var sourcer = role switch
        {
            "sdr" => DemoOrg.At(plan.Territory.Sdrs, t, rng),
            "bdr" => DemoOrg.At(plan.Territory.Bdrs, t, rng),
            _ => owner,
        };
        if (rng.Chance(0.5))
            Log(ActivityTypes.Call, type == OpportunityTypes.Renewal ? "Renewal kick-off call" : $"Qualification call with {contact.FirstName} {contact.LastName}",
                null, DemoTime.After(rng, t, t.AddMinutes(rng.Between(10, 240))), sourcer, o, contact);

        // Moves: each stage change, the slips before it, then the end (won or lost), cut at the end of the data.
        var last = t;
        var cumulative = 0.0;
        var slipped = false;
        var quoteLogged = false;
        for (var i = 1; i <= path.Count; i++)
        {
            cumulative += weights[i - 1];
            var final_ = i == path.Count;
            var at = final_ && closesAt is { } fixedEnd ? fixedEnd : t.AddDays(days * cumulative / sum);
            at = DemoTime.After(rng, last, DemoTime.WorkHours(rng, at, region));
            if (at >= horizon) break;
            slipped |= Slips(o, owner, ref last, at);
            if (at <= last) at = DemoTime.After(rng, last, at);
            if (at >= horizon) break;
            var cs = ChangeSet.New(rng, at, owner.Actor);
            if (!final_)
            {
                var stage = path[i];
                h.Before(o);
                o.StageId = pipeline.Open[stage].Id;
                o.NextStep = pipeline.NextSteps[stage];
                o.ForecastCategory = rng.Chance(0.08) ? rng.Pick([ForecastCategories.Pipeline, ForecastCategories.BestCase, ForecastCategories.Commit]) : pipeline.ForecastByStage[stage];
                if (stage >= pipeline.CommitStage) { o.AmountMinor = final; o.AcvMinor = finalAcv; }
                else if (stage >= pipeline.QuoteStage) { o.AmountMinor = list; o.AcvMinor = listAcv; }
                h.Modified(o, cs);
                StageActivity(type, stage, pipeline, cs.At, owner, o, contact, ref quoteLogged);
            }
            else if (won)
            {
                h.Before(o);
                o.StageId = pipeline.Won.Id; o.WonAt = cs.At; o.ForecastCategory = ForecastCategories.Closed; o.CloseDate = DemoTime.Day(cs.At);
                o.AmountMinor = final; o.AcvMinor = finalAcv;
                o.NextStep = type == OpportunityTypes.Renewal ? null : "Kick-off with customer success";
                h.Modified(o, cs);
                if (rng.Chance(0.4)) Log(ActivityTypes.Note, type == OpportunityTypes.Renewal ? "Renewed" : "Closed won – hand-off to customer success",
                    $"Signed {MinorText(final)} {currency}.", DemoTime.After(rng, cs.At, cs.At.AddMinutes(rng.Between(5, 120))), owner, o, contact);
            }
            else
            {
                var reason = type == OpportunityTypes.Renewal ? rng.Pick(DemoCatalog.ChurnReasons) : rng.Pick(DemoCatalog.LostReasons);
                h.Before(o);
                o.StageId = pipeline.Lost.Id; o.LostAt = cs.At; o.LostReason = reason; o.ForecastCategory = ForecastCategories.Omitted;
                o.CloseDate = DemoTime.Day(cs.At); o.NextStep = null;
                h.Modified(o, cs);
                if (rng.Chance(0.4)) Log(ActivityTypes.Note, $"Closed lost: {reason}", null, DemoTime.After(rng, cs.At, cs.At.AddMinutes(rng.Between(5, 120))), owner, o, contact);
            }
            last = cs.At;
        }

        var isOpen = o.WonAt is null && o.LostAt is null;
        if (isOpen)
        {
            // Reps keep close dates current, mostly; a few stay in the past (stale pipeline).
            var close = o.CloseDate!.Value;
            if (close < ctx.Options.AsOf && rng.Chance(0.85))
            {
                var at = DemoTime.WorkHours(rng, DemoTime.Midnight(close).AddDays(rng.Between(1, 4)), region);
                at = DemoTime.After(rng, last, at);
                if (at < horizon)
                {
                    var pushed = ctx.Options.AsOf.AddDays(rng.Between(5, plan.Segment == "enterprise" ? 75 : 40));
                    h.Edit(o, ChangeSet.New(rng, at, owner.Actor), x => x.CloseDate = rng.Chance(0.4) ? DemoTime.EndOfMonth(pushed) : pushed);
                    slipped = true;
                    last = at;
                }
            }
            if (rng.Chance(0.7)) OpenTask(o, owner, contact, last);
            ctx.Summary.Open++;
        }
        else if (won) ctx.Summary.Won++;
        else ctx.Summary.Lost++;
        if (slipped) ctx.Summary.Slips++;
        ctx.Summary.Opportunities++;
        switch (type)
        {
            case OpportunityTypes.NewBusiness: ctx.Summary.NewBusiness++; break;
            case OpportunityTypes.Expansion: ctx.Summary.Expansions++; break;
            default: ctx.Summary.Renewals++; break;
        }

        // Consequences for the subscriptions.
        if (type == OpportunityTypes.Renewal)
            customer.Renewals[anniversary] = new DemoRenewal { Renew = won, Items = items, ClosesAt = isOpen ? DateTimeOffset.MaxValue : (o.WonAt ?? o.LostAt)!.Value };
        else if (o.WonAt is { } wonAt && type == OpportunityTypes.NewBusiness) customer.WonNewBusiness(wonAt, items);
        else if (o.WonAt is { } expandedAt) customer.WonExpansion(expandedAt, items, addSeats);

        foreach (var item in items)
        {
            ctx.LineItems.Add(new LineItem
            {
                Id = rng.Guid7(t), OpportunityId = o.Id, ProductId = catalog.IdOf(item.Product), Quantity = item.Quantity,
                UnitPriceMinor = item.Product.PriceMinor(currency), DiscountPercent = item.Discount, TermMonths = item.Product.Recurring ? term : 12,
            });
            ctx.Summary.LineItems++;
        }
        ctx.Opportunities.Add(o);
    }

    private static string MinorText(long minor) => (minor / 100m).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>While the close date passes before the deal moves on, the rep pushes it (a slip), now and then lowering the forecast.</summary>
    private bool Slips(Opportunity o, DemoUser owner, ref DateTimeOffset last, DateTimeOffset nextMove)
    {
        var any = false;
        for (var guard = 0; guard < 12 && o.CloseDate is { } close && close < DemoTime.Day(nextMove); guard++)
        {
            var at = DemoTime.WorkHours(rng, DemoTime.Midnight(close).AddDays(rng.Between(1, 4)), region);
            if (at >= nextMove) at = nextMove.AddMinutes(-rng.Between(5, 60));
            if (at <= last || at >= horizon) break;
            var push = plan.Segment switch { "smb" => rng.Between(7, 21), "mid_market" => rng.Between(14, 35), _ => rng.Between(21, 60) };
            var target = DemoTime.Day(nextMove) > close ? DemoTime.Day(at) : close;
            var pushed = target.AddDays(push);
            if (rng.Chance(0.4)) pushed = DemoTime.EndOfMonth(pushed);
            var h = ctx.OpportunityHistory;
            h.Before(o);
            o.CloseDate = pushed;
            if (o.ForecastCategory == ForecastCategories.Commit && rng.Chance(0.3)) o.ForecastCategory = ForecastCategories.BestCase;
            h.Modified(o, ChangeSet.New(rng, at, owner.Actor));
            last = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
            any = true;
        }
        return any;
    }

    private void StageActivity(string type, int stage, DemoPipeline pipeline, DateTimeOffset at, DemoUser owner, Opportunity o, Contact contact, ref bool quoteLogged)
    {
        if (!rng.Chance(0.5)) return;
        var when = DemoTime.After(rng, at, at.AddMinutes(rng.Between(5, 180)));
        if (when >= horizon) return;
        var who = $"{contact.FirstName} {contact.LastName}";
        if (stage >= pipeline.QuoteStage && !quoteLogged)
        {
            quoteLogged = true;
            Log(ActivityTypes.Email, type == OpportunityTypes.Renewal ? "Renewal quote sent" : "Proposal sent", $"Quote sent to {who}.", when, owner, o, contact);
            if (rng.Chance(0.5)) FollowUp($"Follow up on the quote with {who}", when, owner, o, contact);
            return;
        }
        var (kind, subject) = (type, stage) switch
        {
            (OpportunityTypes.NewBusiness, 1) => (ActivityTypes.Meeting, $"Discovery call with {who}"),
            (OpportunityTypes.NewBusiness, 2) => (ActivityTypes.Meeting, "Product demo"),
            (OpportunityTypes.NewBusiness, _) => (rng.Chance(0.5) ? ActivityTypes.Call : ActivityTypes.Email, "Negotiation: terms and order form"),
            (OpportunityTypes.Expansion, _) => (rng.Chance(0.5) ? ActivityTypes.Meeting : ActivityTypes.Call, $"Expansion scoping with {who}"),
            _ => (ActivityTypes.Call, $"Renewal check-in with {who}"),
        };
        Log(kind, subject, null, when, owner, o, contact);
    }

    private void Log(string type, string subject, string? body, DateTimeOffset at, DemoUser owner, Opportunity? o, Contact? contact, Guid? leadId = null)
    {
        if (at >= horizon) return;
        var a = new Activity
        {
            Id = rng.Guid7(at), Type = type, Subject = subject, Body = body, OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()),
            CompletedAt = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()), Status = ActivityStatus.Done,
            AccountId = leadId is null ? plan.Id : null, ContactId = contact?.Id, LeadId = leadId, OpportunityId = o?.Id,
            OwnerId = owner.Row.Id, OwnerTeamId = owner.Row.TeamId,
        };
        ctx.ActivityHistory.Created(a, ChangeSet.New(rng, at, owner.Actor));
        ctx.Activities.Add(a);
        ctx.Summary.Activities++;
    }

    /// <summary>A task due a few working days later, done around then (still open if that is after the end of the data).</summary>
    private void FollowUp(string subject, DateTimeOffset at, DemoUser owner, Opportunity o, Contact contact)
    {
        var due = DemoTime.WorkHours(rng, at.AddDays(rng.Between(2, 5)), region);
        var done = DemoTime.After(rng, at, due.AddHours(rng.Between(-30, 20)));
        Task(subject, at, due, done < horizon ? done : null, owner, o, contact);
    }

    /// <summary>The open next step of a live deal, due around the end of the data: today, this week, or overdue.</summary>
    private void OpenTask(Opportunity o, DemoUser owner, Contact contact, DateTimeOffset after)
    {
        var asOf = ctx.Options.AsOf;
        var day = rng.Pick([(0, 0.35), (1, 0.4), (2, 0.25)]) switch
        {
            0 => asOf,
            1 => asOf.AddDays(rng.Between(1, 7)),
            _ => asOf.AddDays(-rng.Between(1, 10)),
        };
        var (from, to) = DemoTime.Hours(region);
        var due = DemoTime.Midnight(day).AddSeconds(rng.Between(from * 3600, to * 3600 - 1));
        var created = DemoTime.WorkHours(rng, due.AddDays(-rng.Between(1, 10)), region);
        if (created <= after) created = after.AddMinutes(rng.Between(5, 60));
        if (created >= horizon) created = horizon.AddSeconds(-rng.Between(1, 600));
        if (created <= after) return;
        Task(o.NextStep ?? "Follow up", created, due, null, owner, o, contact);
    }

    private void Task(string subject, DateTimeOffset created, DateTimeOffset due, DateTimeOffset? done, DemoUser owner, Opportunity? o, Contact? contact, Guid? leadId = null)
    {
        if (created >= horizon) return;
        var a = new Activity
        {
            Id = rng.Guid7(created), Type = ActivityTypes.Task, Subject = subject, OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(created.ToUnixTimeMilliseconds()),
            DueAt = DateTimeOffset.FromUnixTimeMilliseconds(due.ToUnixTimeMilliseconds()), Status = ActivityStatus.Open,
            AccountId = leadId is null ? plan.Id : null, ContactId = contact?.Id, LeadId = leadId, OpportunityId = o?.Id,
            OwnerId = owner.Row.Id, OwnerTeamId = owner.Row.TeamId,
        };
        var h = ctx.ActivityHistory;
        h.Created(a, ChangeSet.New(rng, created, owner.Actor));
        if (done is { } d && d < horizon)
        {
            var cs = ChangeSet.New(rng, d, owner.Actor);
            h.Edit(a, cs, x => { x.Status = ActivityStatus.Done; x.CompletedAt = cs.At; });
        }
        else ctx.Summary.OpenTasks++;
        ctx.Activities.Add(a);
        ctx.Summary.Activities++;
    }

    // ---------------------------------------------------------------- the lead a deal came from

    private void ConvertedLead(in ChangeSet conversion, Contact contact, Opportunity o, string source)
    {
        var t = conversion.At;
        var earliest = ctx.Options.Start.AddHours(1);
        var created = DemoTime.WorkHours(rng, t.AddDays(-rng.Between(2, 35)), region);
        if (created < earliest) created = earliest;
        if (created >= t.AddHours(-2)) created = t.AddHours(-rng.Between(3, 6));
        if (created < earliest) created = earliest < t ? earliest : t.AddMinutes(-30);
        var sdr = DemoOrg.At(plan.Territory.Sdrs, created, rng);
        var lead = new Lead
        {
            Id = rng.Guid7(created), FirstName = contact.FirstName, LastName = contact.LastName, Title = contact.Title, Email = contact.Email,
            NormalizedEmail = contact.NormalizedEmail, Phone = contact.Phone, Company = plan.Name, Domain = plan.Domain,
            Employees = (int)Math.Round(plan.Employees * rng.Between(0.8, 1.2)), Industry = plan.Industry, Country = plan.Country.Code, Region = region,
            Status = LeadStatus.New, Source = source, Pool = source == "partner" ? "Partner registrations" : $"{plan.Territory.Team.Name} inbound",
            EmailConsent = contact.EmailConsent, PhoneConsent = contact.PhoneConsent, SmsConsent = contact.SmsConsent,
        };
        var h = ctx.LeadHistory;
        h.Created(lead, ChangeSet.New(rng, created, DemoContext.System));
        var span = (t - created).TotalSeconds;
        var routed = created.AddSeconds(Math.Min(span * 0.05, rng.Between(60, 1800)));
        h.Edit(lead, ChangeSet.New(rng, routed, DemoContext.System), l => { l.OwnerId = sdr.Row.Id; l.OwnerTeamId = sdr.Row.TeamId; l.Pool = null; });
        var mql = created.AddSeconds(span * rng.Between(0.1, 0.35));
        h.Edit(lead, ChangeSet.New(rng, mql, DemoContext.System), l => { l.Status = LeadStatus.Mql; l.MqlAt = DemoTime.Ms(mql); });
        var working = created.AddSeconds(span * rng.Between(0.4, 0.6));
        h.Edit(lead, ChangeSet.New(rng, working, sdr.Actor), l => l.Status = LeadStatus.Working);
        if (rng.Chance(0.6)) Log(ActivityTypes.Call, $"Call: {lead.FirstName} {lead.LastName}", null, working.AddMinutes(rng.Between(1, 30)), sdr, null, null, lead.Id);
        var sql = created.AddSeconds(span * rng.Between(0.65, 0.9));
        h.Edit(lead, ChangeSet.New(rng, sql, sdr.Actor), l => { l.Status = LeadStatus.Sql; l.SqlAt = DemoTime.Ms(sql); });
        h.Edit(lead, conversion, l =>
        {
            l.Status = LeadStatus.Converted; l.ConvertedAt = t; l.ConvertedAccountId = plan.Id; l.ConvertedContactId = contact.Id; l.ConvertedOpportunityId = o.Id;
        });
        ctx.Leads.Add(lead);
        ctx.Marketing?.ConvertedTouches(lead, contact.Id, t);
        ctx.Summary.Leads++;
        ctx.Summary.ConvertedLeads++;
    }

    // ---------------------------------------------------------------- what is sold

    private int Discount(params int[] steps) => steps[rng.Next(steps.Length)];

    private List<DemoItem> NewBusinessItems(DateTimeOffset at)
    {
        var day = DemoTime.Day(at);
        var items = new List<DemoItem>();
        var (platform, seats, discount) = plan.Segment switch
        {
            "smb" => (rng.Chance(0.6) ? DemoCatalog.Standard : DemoCatalog.Professional, Math.Clamp(Math.Round(rng.LogNormal(8, 0.6)), 3, 60), Discount(0, 0, 5, 10)),
            "mid_market" => (rng.Chance(0.8) ? DemoCatalog.Professional : DemoCatalog.Enterprise, Math.Clamp(Math.Round(rng.LogNormal(32, 0.5)), 12, 250), Discount(5, 10, 15, 20)),
            _ => (rng.Chance(0.9) ? DemoCatalog.Enterprise : DemoCatalog.Professional, Math.Clamp(Math.Round(rng.LogNormal(60, 0.6)), 30, 1500), Discount(10, 15, 20, 25, 30, 35)),
        };
        items.Add(new DemoItem { Product = platform, Quantity = (decimal)seats, Discount = discount });
        void Maybe(DemoProduct p, double chance, decimal quantity)
        {
            if ((p.LaunchedOn is null || p.LaunchedOn <= day) && rng.Chance(chance)) items.Add(new DemoItem { Product = p, Quantity = quantity, Discount = p.Recurring ? discount : 0 });
        }
        var s = (decimal)seats;
        switch (plan.Segment)
        {
            case "smb":
                Maybe(DemoCatalog.Automation, 0.2, s); Maybe(DemoCatalog.Analytics, 0.15, s); Maybe(DemoCatalog.AiAssistant, 0.1, s);
                Maybe(DemoCatalog.QuickStart, 0.4, 1);
                break;
            case "mid_market":
                Maybe(DemoCatalog.Analytics, 0.35, s); Maybe(DemoCatalog.Automation, 0.3, s); Maybe(DemoCatalog.AiAssistant, 0.2, s);
                Maybe(DemoCatalog.IntegrationsHub, 0.25, 1); Maybe(DemoCatalog.DataPack, 0.15, rng.Between(1, 3)); Maybe(DemoCatalog.PremiumSupport, 0.2, 1);
                Maybe(DemoCatalog.Implementation, 0.5, 1); Maybe(DemoCatalog.TrainingDay, 0.3, rng.Between(1, 3));
                break;
            default:
                Maybe(DemoCatalog.Analytics, 0.5, s); Maybe(DemoCatalog.Automation, 0.4, s); Maybe(DemoCatalog.AiAssistant, 0.3, s);
                Maybe(DemoCatalog.IntegrationsHub, 0.6, 1); Maybe(DemoCatalog.DataPack, 0.4, rng.Between(1, 8)); Maybe(DemoCatalog.Sandbox, 0.5, rng.Between(1, 3));
                Maybe(DemoCatalog.PremiumSupport, 0.6, 1); Maybe(DemoCatalog.Tam, 0.25, 1);
                Maybe(DemoCatalog.Implementation, 0.85, rng.Between(1, 3)); Maybe(DemoCatalog.Migration, 0.4, 1); Maybe(DemoCatalog.TrainingDay, 0.5, rng.Between(2, 8));
                break;
        }
        return items;
    }

    private (List<DemoItem> Items, decimal Seats) ExpansionItems(DateTimeOffset at)
    {
        var day = DemoTime.Day(at);
        var platform = customer.Platform;
        var available = DemoCatalog.AddOns.Where(p => (p.LaunchedOn is null || p.LaunchedOn <= day) && customer.Items.All(i => i.Product != p)).ToList();
        if (platform is not null && (available.Count == 0 || rng.Chance(0.6)))
        {
            var seats = Math.Max(1, Math.Round(platform.Quantity * (decimal)rng.Between(0.05, 0.3)));
            return ([new DemoItem { Product = platform.Product, Quantity = seats, Discount = platform.Discount }], seats);
        }
        var product = available.Count > 0 ? rng.Pick(available) : DemoCatalog.PremiumSupport;
        var quantity = product.PerSeat ? Math.Max(1, Math.Round((platform?.Quantity ?? 10) * (decimal)rng.Between(0.3, 0.9))) : 1;
        return ([new DemoItem { Product = product, Quantity = quantity, Discount = platform?.Discount ?? 0 }], 0);
    }

    /// <summary>Total (recurring for the term, one-time once) and annual recurring value, in minor units of the deal currency.</summary>
    private (long Amount, long Acv) Amounts(List<DemoItem> items, int term, bool discounted)
    {
        long amount = 0, acv = 0;
        foreach (var i in items)
        {
            var unit = i.Product.PriceMinor(currency);
            var net = (decimal)unit * i.Quantity * (discounted ? 100 - i.Discount : 100) / 100m;
            if (i.Product.Recurring)
            {
                amount += (long)Math.Round(net * term / 12m, MidpointRounding.AwayFromZero);
                acv += (long)Math.Round(net, MidpointRounding.AwayFromZero);
            }
            else amount += (long)Math.Round(net, MidpointRounding.AwayFromZero);
        }
        return (amount, acv);
    }
}
