using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Server.Crm.Contacts;
using RevLoop.Server.Crm.Leads;
using RevLoop.Server.Crm.Opportunities;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Web.Crm;

/// <summary>Text typed into the forms, turned into the API's inputs; the API's rules then validate (one set of rules for every door).</summary>
public static class FormText
{
    public static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    public static Guid? Owner(string? text) => string.IsNullOrWhiteSpace(text) ? null
        : Guid.TryParse(text, out var o) ? o : throw new InputException("ownerId", "pick an owner from the list");

    /// <summary>An account picked by exact name (or pasted id).</summary>
    public static async Task<Guid?> AccountAsync(RevLoopDb db, string? text, bool required, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(text)) return required ? throw new InputException("accountId", "is required") : null;
        var t = text.Trim();
        if (Guid.TryParse(t, out var id)) return id;
        var matches = await db.Accounts.AsNoTracking().Where(a => a.Name == t).Select(a => a.Id).Take(2).ToListAsync(ct);
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new InputException("accountId", $"no account is named “{t}”"),
            _ => throw new InputException("accountId", $"several accounts are named “{t}”; paste the account's id instead"),
        };
    }

    public static async Task<string?> AccountNameAsync(RevLoopDb db, Guid? id, CancellationToken ct) =>
        id is { } a ? await db.Accounts.AsNoTracking().IgnoreQueryFilters().Where(x => x.Id == a).Select(x => x.Name).FirstOrDefaultAsync(ct) : null;

    public static decimal? Money(string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim().Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        return decimal.TryParse(t, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d : throw new InputException(field, "must be a number like 12500.00");
    }

    public static DateOnly? Date(string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
            : throw new InputException(field, "must be a date like 2026-12-31");
    }

    public static int? Whole(string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim().Replace(",", "", StringComparison.Ordinal);
        return int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new InputException(field, "must be a whole number");
    }
}

public sealed class ContactFormModel
{
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Title { get; set; }
    public string? Account { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? DealRole { get; set; }
    public string? EmailConsent { get; set; }
    public string? PhoneConsent { get; set; }
    public string? SmsConsent { get; set; }
    public string? OwnerId { get; set; }
    public long Version { get; set; }

    public static readonly string[] Fields = ["firstName", "lastName", "title", "accountId", "email", "phone", "dealRole", "emailConsent", "phoneConsent", "smsConsent", "ownerId"];

    public static ContactFormModel From(Contact c, string? account) => new()
    {
        FirstName = c.FirstName, LastName = c.LastName, Title = c.Title, Account = account ?? c.AccountId?.ToString(), Email = c.Email, Phone = c.Phone,
        DealRole = c.DealRole, EmailConsent = c.EmailConsent, PhoneConsent = c.PhoneConsent, SmsConsent = c.SmsConsent, OwnerId = c.OwnerId?.ToString(), Version = c.Version,
    };

    public async Task<ContactInput> ToInputAsync(RevLoopDb db, CancellationToken ct) =>
        new(FirstName, LastName, await FormText.AccountAsync(db, Account, false, ct), Title, FormText.Blank(DealRole), Email, Phone,
            FormText.Blank(EmailConsent), FormText.Blank(PhoneConsent), FormText.Blank(SmsConsent), FormText.Owner(OwnerId));
}

public sealed class LeadFormModel
{
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Title { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? Company { get; set; }
    public string? Domain { get; set; }
    public string? Employees { get; set; }
    public string? Industry { get; set; }
    public string? Country { get; set; }
    public string? Region { get; set; }
    public string? Status { get; set; }
    public string? Source { get; set; }
    public string? OwnerId { get; set; }
    public long Version { get; set; }
    // Kept as they are: the form does not show pool and consent, the API owns them.
    public string? Pool { get; set; }
    public string? EmailConsent { get; set; }
    public string? PhoneConsent { get; set; }
    public string? SmsConsent { get; set; }

    public static readonly string[] Fields = ["firstName", "lastName", "title", "email", "phone", "company", "domain", "employees", "industry", "country", "region", "status", "source", "ownerId"];

    public static LeadFormModel From(Lead l) => new()
    {
        FirstName = l.FirstName, LastName = l.LastName, Title = l.Title, Email = l.Email, Phone = l.Phone, Company = l.Company, Domain = l.Domain,
        Employees = l.Employees?.ToString(CultureInfo.InvariantCulture), Industry = l.Industry, Country = l.Country, Region = l.Region, Status = l.Status,
        Source = l.Source, OwnerId = l.OwnerId?.ToString(), Version = l.Version, Pool = l.Pool, EmailConsent = l.EmailConsent, PhoneConsent = l.PhoneConsent, SmsConsent = l.SmsConsent,
    };

    public LeadInput ToInput() => new(FirstName, LastName, Email, Phone, Title, Company, Domain, FormText.Whole("employees", Employees), Industry, Country, Region,
        FormText.Blank(Status), FormText.Blank(Source), FormText.Blank(Pool), FormText.Blank(EmailConsent), FormText.Blank(PhoneConsent), FormText.Blank(SmsConsent),
        FormText.Owner(OwnerId));
}

public sealed class OpportunityFormModel
{
    public string? Name { get; set; }
    public string? Account { get; set; }
    public string? StageId { get; set; }
    public string? Amount { get; set; }
    public string? Currency { get; set; }
    public string? CloseDate { get; set; }
    public string? OwnerId { get; set; }
    public string? Type { get; set; }
    public string? ForecastCategory { get; set; }
    public string? Segment { get; set; }
    public string? Region { get; set; }
    public string? Source { get; set; }
    public string? NextStep { get; set; }
    public string? LostReason { get; set; }
    public long Version { get; set; }

    public static readonly string[] Fields = ["name", "accountId", "stageId", "pipelineId", "amount", "currency", "closeDate", "ownerId", "type", "forecastCategory",
        "segment", "region", "source", "nextStep", "lostReason"];

    public static OpportunityFormModel From(Opportunity o, string? account) => new()
    {
        Name = o.Name, Account = account ?? o.AccountId.ToString(), StageId = o.StageId.ToString(),
        Amount = MinorUnits.ToAmount(o.AmountMinor, o.Currency).ToString(CultureInfo.InvariantCulture), Currency = o.Currency,
        CloseDate = o.CloseDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), OwnerId = o.OwnerId?.ToString(), Type = o.Type,
        ForecastCategory = o.ForecastCategory, Segment = o.Segment, Region = o.Region, Source = o.Source, NextStep = o.NextStep, LostReason = o.LostReason, Version = o.Version,
    };

    /// <summary>The stage picked decides the pipeline; fields the form does not show (ACV, contact, sourcing) come from <paramref name="current"/>.</summary>
    public async Task<OpportunityInput> ToInputAsync(RevLoopDb db, Opportunity? current, CancellationToken ct)
    {
        Guid? stageId = null, pipelineId = null;
        if (!string.IsNullOrWhiteSpace(StageId))
        {
            stageId = Guid.TryParse(StageId, out var s) ? s : throw new InputException("stageId", "pick a stage from the list");
            pipelineId = await db.Stages.AsNoTracking().Where(x => x.Id == s).Select(x => (Guid?)x.PipelineId).FirstOrDefaultAsync(ct)
                ?? throw new InputException("stageId", "pick a stage from the list");
        }
        var account = await FormText.AccountAsync(db, Account, true, ct);
        return new OpportunityInput(Name, account, pipelineId, stageId, FormText.Money("amount", Amount),
            current?.AcvMinor is { } acv ? MinorUnits.ToAmount(acv, current.Currency) : null, FormText.Blank(Currency)?.ToUpperInvariant(), FormText.Date("closeDate", CloseDate),
            NextStep, FormText.Owner(OwnerId), current?.PrimaryContactId, current?.SourcingRole, Source, FormText.Blank(Type), FormText.Blank(ForecastCategory),
            Region, FormText.Blank(Segment), current?.ProductFamily, LostReason);
    }
}

/// <summary>A record's latest activities (calls, emails, meetings, notes, tasks), newest first.</summary>
public sealed record ActivityItem(Guid Id, string Type, string Subject, string? Body, DateTimeOffset OccurredAt, string Status, string? Owner);

public static class Activities
{
    public const int Shown = 20;

    public static async Task<List<ActivityItem>> LatestAsync(RevLoopDb db, IQueryable<RevLoop.Crm.Activities.Activity> source, CancellationToken ct)
    {
        var rows = await source.AsNoTracking().OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id).Take(Shown).ToListAsync(ct);
        var owners = await Ui.UserNamesAsync(db, rows.Where(r => r.OwnerId is not null).Select(r => r.OwnerId!.Value), ct);
        return rows.Select(a => new ActivityItem(a.Id, a.Type, a.Subject, a.Body, a.OccurredAt, a.Status, a.OwnerId is { } o ? owners.GetValueOrDefault(o) : null)).ToList();
    }
}
