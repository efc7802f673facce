using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Server.Crm.Opportunities;
using RevLoop.Server.Crm.Search;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Web.Crm;

public sealed record ContactRow(Contact Contact, string? Account, string? Owner);
public sealed record LeadRow(Lead Lead, string? Owner);
public sealed record OpportunityRow(Opportunity Opportunity, string? Account, string? Stage, string? StageType, string? Owner);

/// <summary>Contacts: by name, filtered by search, owner, account and deal role.</summary>
public static class ContactList
{
    public static readonly string[] Filters = ["q", "owner", "account", "dealRole"];
    public static readonly string[] Sorts = ["name", "-name"];

    public static ListState Read(IQueryCollection query)
    {
        var s = ListState.Read("/contacts", query, Filters, Sorts);
        s.Id("owner"); s.Id("account"); s.OneOf("dealRole", Contact.DealRoles);
        return s;
    }

    public static IQueryable<Contact> Filtered(RevLoopDb db, ListState s)
    {
        var q = db.Contacts.AsNoTracking();
        if (s["q"] is { } term)
        {
            var lower = term.ToLowerInvariant();
            var options = new List<(Expression<Func<Contact, string?>>, string)> { (c => c.NormalizedEmail, lower) };
            foreach (var n in Lists.NameVariants(term)) { options.Add((c => c.LastName, n)); options.Add((c => c.FirstName, n)); }
            if (SearchApi.PhonePrefix(term) is { } phone) options.Add((c => c.Phone, phone));
            q = q.Where(Prefix.Any([.. options]));
        }
        if (s.Id("owner") is { } owner) q = q.Where(c => c.OwnerId == owner);
        if (s.Id("account") is { } account) q = q.Where(c => c.AccountId == account);
        if (s["dealRole"] is { } role) q = q.Where(c => c.DealRole == role);
        return q;
    }

    public static async Task<ListModel<ContactRow>> LoadAsync(RevLoopDb db, ListState s, TimeZoneInfo zone, CancellationToken ct)
    {
        var q = Filtered(db, s);
        var descending = s.Sort == "-name";
        if (s.Cursor is { } cursor)
        {
            var p = Paging.DecodeCursor(cursor, 4);
            if (p[0] != s.Sort || !Guid.TryParse(p[3], out var id)) throw new InputException("cursor", "belongs to another sort order");
            string last = p[1] ?? "", first = p[2] ?? "";
            q = descending
                ? q.Where(c => string.Compare(c.LastName, last) <= 0 && (string.Compare(c.LastName, last) < 0 || (c.LastName == last && (string.Compare(c.FirstName, first) < 0 || (c.FirstName == first && c.Id.CompareTo(id) < 0)))))
                : q.Where(c => string.Compare(c.LastName, last) >= 0 && (string.Compare(c.LastName, last) > 0 || (c.LastName == last && (string.Compare(c.FirstName, first) > 0 || (c.FirstName == first && c.Id.CompareTo(id) > 0)))));
        }
        q = descending ? q.OrderByDescending(c => c.LastName).ThenByDescending(c => c.FirstName).ThenByDescending(c => c.Id)
            : q.OrderBy(c => c.LastName).ThenBy(c => c.FirstName).ThenBy(c => c.Id);
        var rows = await q.Take(s.Size + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > s.Size)
        {
            rows.RemoveAt(s.Size);
            next = Paging.EncodeCursor(s.Sort, rows[^1].LastName, rows[^1].FirstName, rows[^1].Id.ToString());
        }
        var count = await Filtered(db, s).Take(Lists.CountCap + 1).LongCountAsync(ct);
        var accounts = await AccountNamesAsync(db, rows.Select(r => r.AccountId).Append(s.Id("account")), ct);
        var owners = await Ui.OwnersAsync(db, ct);
        var names = owners.ToDictionary(o => o.Id, o => o.Name);
        var chips = Lists.Chips(s, [
            ("q", "Search", s["q"]), ("owner", "Owner", s.Id("owner") is { } o ? names.GetValueOrDefault(o, "unknown user") : null),
            ("account", "Account", s.Id("account") is { } a ? accounts.GetValueOrDefault(a, "unknown account") : null), ("dealRole", "Deal role", Lists.Label(s["dealRole"])),
        ]);
        return new ListModel<ContactRow>(s, rows.Select(r => new ContactRow(r, r.AccountId is { } ai ? accounts.GetValueOrDefault(ai) : null,
            r.OwnerId is { } oi ? names.GetValueOrDefault(oi) : null)).ToList(), next, Math.Min(count, Lists.CountCap), count > Lists.CountCap, chips, owners, zone);
    }

    public static async Task<Dictionary<Guid, string>> AccountNamesAsync(RevLoopDb db, IEnumerable<Guid?> ids, CancellationToken ct)
    {
        var wanted = ids.Where(i => i is not null).Select(i => i!.Value).Distinct().ToList();
        if (wanted.Count == 0) return [];
        return await db.Accounts.AsNoTracking().IgnoreQueryFilters().Where(a => wanted.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, ct);
    }
}

/// <summary>Leads: newest first or by name, filtered by search, status, source, owner and region.</summary>
public static class LeadList
{
    public static readonly string[] Filters = ["q", "status", "source", "owner", "region"];
    public static readonly string[] Sorts = ["-createdAt", "createdAt", "name"];

    public static ListState Read(IQueryCollection query)
    {
        var s = ListState.Read("/leads", query, Filters, Sorts);
        s.Id("owner"); s.OneOf("status", LeadStatus.All); s.OneOf("source", LeadSources.All);
        return s;
    }

    public static IQueryable<Lead> Filtered(RevLoopDb db, ListState s)
    {
        var q = db.Leads.AsNoTracking();
        if (s["q"] is { } term)
        {
            var lower = term.ToLowerInvariant();
            var options = new List<(Expression<Func<Lead, string?>>, string)> { (l => l.NormalizedEmail, lower), (l => l.Domain, lower) };
            foreach (var n in Lists.NameVariants(term)) { options.Add((l => l.LastName, n)); options.Add((l => l.FirstName, n)); }
            if (SearchApi.PhonePrefix(term) is { } phone) options.Add((l => l.Phone, phone));
            q = q.Where(Prefix.Any([.. options]));
        }
        if (s["status"] is { } status) q = q.Where(l => l.Status == status);
        if (s["source"] is { } source) q = q.Where(l => l.Source == source);
        if (s.Id("owner") is { } owner) q = q.Where(l => l.OwnerId == owner);
        if (s["region"] is { } region) q = q.Where(l => l.Region == region);
        return q;
    }

    public static async Task<ListModel<LeadRow>> LoadAsync(RevLoopDb db, ListState s, TimeZoneInfo zone, CancellationToken ct)
    {
        var q = Filtered(db, s);
        if (s.Cursor is { } cursor)
        {
            var p = Paging.DecodeCursor(cursor, 4);
            if (p[0] != s.Sort || !Guid.TryParse(p[3], out var id)) throw new InputException("cursor", "belongs to another sort order");
            if (s.Sort == "name")
            {
                string last = p[1] ?? "", first = p[2] ?? "";
                q = q.Where(l => string.Compare(l.LastName, last) >= 0 && (string.Compare(l.LastName, last) > 0 || (l.LastName == last && (string.Compare(l.FirstName, first) > 0 || (l.FirstName == first && l.Id.CompareTo(id) > 0)))));
            }
            else
            {
                var at = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(p[1]!, CultureInfo.InvariantCulture));
                q = s.Sort == "createdAt"
                    ? q.Where(l => l.CreatedAt >= at && (l.CreatedAt > at || l.Id.CompareTo(id) > 0))
                    : q.Where(l => l.CreatedAt <= at && (l.CreatedAt < at || l.Id.CompareTo(id) < 0));
            }
        }
        q = s.Sort switch
        {
            "name" => q.OrderBy(l => l.LastName).ThenBy(l => l.FirstName).ThenBy(l => l.Id),
            "createdAt" => q.OrderBy(l => l.CreatedAt).ThenBy(l => l.Id),
            _ => q.OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Id),
        };
        var rows = await q.Take(s.Size + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > s.Size)
        {
            rows.RemoveAt(s.Size);
            var last = rows[^1];
            next = s.Sort == "name" ? Paging.EncodeCursor(s.Sort, last.LastName, last.FirstName, last.Id.ToString())
                : Paging.EncodeCursor(s.Sort, last.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), "", last.Id.ToString());
        }
        var count = await Filtered(db, s).Take(Lists.CountCap + 1).LongCountAsync(ct);
        var owners = await Ui.OwnersAsync(db, ct);
        var names = owners.ToDictionary(o => o.Id, o => o.Name);
        var chips = Lists.Chips(s, [
            ("q", "Search", s["q"]), ("status", "Status", Lists.Label(s["status"])), ("source", "Source", Lists.Label(s["source"])),
            ("owner", "Owner", s.Id("owner") is { } o ? names.GetValueOrDefault(o, "unknown user") : null), ("region", "Region", s["region"]),
        ]);
        return new ListModel<LeadRow>(s, rows.Select(r => new LeadRow(r, r.OwnerId is { } oi ? names.GetValueOrDefault(oi) : null)).ToList(), next,
            Math.Min(count, Lists.CountCap), count > Lists.CountCap, chips, owners, zone);
    }
}

/// <summary>
/// Opportunities: by close date, name or newest, filtered like the board (pipeline, stage, owner, team, segment, region, close
/// period) plus search, account and status, so a number on the board opens exactly its deals here.
/// </summary>
public static class OpportunityList
{
    public static readonly string[] Filters = ["q", "pipeline", "stage", "status", "owner", "team", "account", "segment", "region", "closeFrom", "closeTo"];
    public static readonly string[] Sorts = ["closeDate", "name", "-createdAt"];

    public static ListState Read(IQueryCollection query)
    {
        var s = ListState.Read("/opportunities", query, Filters, Sorts);
        s.Id("pipeline"); s.Id("stage"); s.Id("owner"); s.Id("team"); s.Id("account"); s.Date("closeFrom"); s.Date("closeTo");
        s.OneOf("status", StageTypes.All); s.OneOf("segment", Account.Segments);
        return s;
    }

    public static BoardFilter Board(ListState s) => new(s.Id("owner"), s.Id("team"), s["segment"], s["region"], s.Date("closeFrom"), s.Date("closeTo"));

    public static IQueryable<Opportunity> Filtered(RevLoopDb db, ListState s, BoardFilter board)
    {
        var q = board.Apply(db.Opportunities.AsNoTracking());
        if (s["q"] is { } term) q = q.Where(Prefix.Any(Lists.NameVariants(term).Select(n => ((Expression<Func<Opportunity, string?>>)(o => o.Name), n)).ToArray()));
        if (s.Id("pipeline") is { } pipeline) q = q.Where(o => o.PipelineId == pipeline);
        if (s.Id("stage") is { } stage) q = q.Where(o => o.StageId == stage);
        if (s.Id("account") is { } account) q = q.Where(o => o.AccountId == account);
        if (s["status"] is { } status) q = q.Where(o => db.Stages.Any(st => st.Id == o.StageId && st.Type == status));
        return q;
    }

    public static async Task<ListModel<OpportunityRow>> LoadAsync(RevLoopDb db, ListState s, TimeZoneInfo zone, CancellationToken ct)
    {
        var board = await Board(s).WithSubTeamsAsync(db, ct);
        var q = Filtered(db, s, board);
        List<Opportunity> rows;
        string? next = null;
        if (s.Sort == "closeDate")
        {
            // The board's order (close date, undated last); its cursor format too.
            var pageQuery = q;
            rows = await CloseDateOrderAsync(pageQuery, s.Cursor, s.Size + 1, ct);
            if (rows.Count > s.Size)
            {
                rows.RemoveAt(s.Size);
                var last = rows[^1];
                next = Paging.EncodeCursor(s.Sort, last.CloseDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-", last.Id.ToString());
            }
        }
        else
        {
            if (s.Cursor is { } cursor)
            {
                var p = Paging.DecodeCursor(cursor, 3);
                if (p[0] != s.Sort || !Guid.TryParse(p[2], out var id)) throw new InputException("cursor", "belongs to another sort order");
                if (s.Sort == "name")
                {
                    var name = p[1] ?? "";
                    q = q.Where(o => string.Compare(o.Name, name) >= 0 && (string.Compare(o.Name, name) > 0 || o.Id.CompareTo(id) > 0));
                }
                else
                {
                    var at = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(p[1]!, CultureInfo.InvariantCulture));
                    q = q.Where(o => o.CreatedAt <= at && (o.CreatedAt < at || o.Id.CompareTo(id) < 0));
                }
            }
            q = s.Sort == "name" ? q.OrderBy(o => o.Name).ThenBy(o => o.Id) : q.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id);
            rows = await q.Take(s.Size + 1).ToListAsync(ct);
            if (rows.Count > s.Size)
            {
                rows.RemoveAt(s.Size);
                var last = rows[^1];
                next = Paging.EncodeCursor(s.Sort, s.Sort == "name" ? last.Name : last.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), last.Id.ToString());
            }
        }
        var count = await Filtered(db, s, board).Take(Lists.CountCap + 1).LongCountAsync(ct);
        var accounts = await ContactList.AccountNamesAsync(db, rows.Select(r => (Guid?)r.AccountId).Append(s.Id("account")), ct);
        var stages = await db.Stages.AsNoTracking().ToDictionaryAsync(x => x.Id, x => (x.Name, x.Type), ct);
        var pipelines = await db.Pipelines.AsNoTracking().ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        var teams = s.Id("team") is { } t ? await db.Teams.AsNoTracking().Where(x => x.Id == t).Select(x => x.Name).FirstOrDefaultAsync(ct) : null;
        var owners = await Ui.OwnersAsync(db, ct);
        var names = owners.ToDictionary(o => o.Id, o => o.Name);
        var chips = Lists.Chips(s, [
            ("q", "Search", s["q"]), ("pipeline", "Pipeline", s.Id("pipeline") is { } pi ? pipelines.GetValueOrDefault(pi, "unknown pipeline") : null),
            ("stage", "Stage", s.Id("stage") is { } st ? stages.TryGetValue(st, out var sn) ? sn.Name : "unknown stage" : null),
            ("status", "Status", Lists.Label(s["status"])),
            ("owner", "Owner", s.Id("owner") is { } o ? names.GetValueOrDefault(o, "unknown user") : null), ("team", "Team", teams ?? (s["team"] is null ? null : "unknown team")),
            ("account", "Account", s.Id("account") is { } a ? accounts.GetValueOrDefault(a, "unknown account") : null),
            ("segment", "Segment", Lists.Label(s["segment"])), ("region", "Region", s["region"]),
            ("closeFrom", "Closes from", s.Date("closeFrom")?.ToString("d MMM yyyy", CultureInfo.InvariantCulture)),
            ("closeTo", "Closes to", s.Date("closeTo")?.ToString("d MMM yyyy", CultureInfo.InvariantCulture)),
        ]);
        return new ListModel<OpportunityRow>(s, rows.Select(r => new OpportunityRow(r, accounts.GetValueOrDefault(r.AccountId),
            stages.TryGetValue(r.StageId, out var x) ? x.Name : null, stages.TryGetValue(r.StageId, out var y) ? y.Type : null,
            r.OwnerId is { } oi ? names.GetValueOrDefault(oi) : null)).ToList(), next, Math.Min(count, Lists.CountCap), count > Lists.CountCap, chips, owners, zone);
    }

    private static async Task<List<Opportunity>> CloseDateOrderAsync(IQueryable<Opportunity> q, string? cursor, int take, CancellationToken ct)
    {
        DateOnly? afterDate = null;
        Guid? afterId = null;
        var undatedOnly = false;
        if (cursor is not null)
        {
            var p = Paging.DecodeCursor(cursor, 3);
            if (p[0] != "closeDate" || !Guid.TryParse(p[2], out var id)) throw new InputException("cursor", "belongs to another sort order");
            afterId = id;
            if (p[1] == "-") undatedOnly = true;
            else afterDate = DateOnly.ParseExact(p[1]!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
        var rows = new List<Opportunity>();
        if (!undatedOnly)
        {
            var dated = q.Where(o => o.CloseDate != null);
            if (afterDate is { } d && afterId is { } i) dated = dated.Where(o => o.CloseDate >= d && (o.CloseDate > d || o.Id.CompareTo(i) > 0));
            rows.AddRange(await dated.OrderBy(o => o.CloseDate).ThenBy(o => o.Id).Take(take).ToListAsync(ct));
        }
        if (rows.Count < take)
        {
            var undated = q.Where(o => o.CloseDate == null);
            if (undatedOnly && afterId is { } u) undated = undated.Where(o => o.Id.CompareTo(u) > 0);
            rows.AddRange(await undated.OrderBy(o => o.Id).Take(take - rows.Count).ToListAsync(ct));
        }
        return rows;
    }
}
