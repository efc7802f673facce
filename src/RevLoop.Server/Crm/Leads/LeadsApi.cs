using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Configuration;
using RevLoop.Crm.Leads;
using RevLoop.Data;
using RevLoop.Server.Crm.Accounts;
using RevLoop.Server.Crm.Contacts;
using RevLoop.Server.Crm.Opportunities;
using RevLoop.Server.Crm.Duplicates;
using RevLoop.Server.Crm.Configuration;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Leads;

public record LeadDto(Guid Id, string FirstName, string LastName, string? Title, string? Email, string? Phone, IReadOnlyList<string> Emails,
    IReadOnlyList<string> Phones, string? Company, string? Domain, int? Employees, string? Industry, string? Country, string? Region, string Status, string? Source, string? Pool, string EmailConsent,
    string PhoneConsent, string SmsConsent, Guid? OwnerId, DateTimeOffset? ConvertedAt, Guid? ConvertedAccountId, Guid? ConvertedContactId,
    Guid? ConvertedOpportunityId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<string>? Tags = null,
    IReadOnlyDictionary<string, JsonElement>? CustomFields = null, Guid? MatchedAccountId = null, int Score = 0, DateTimeOffset? MqlAt = null,
    DateTimeOffset? SqlAt = null, DateTimeOffset? SqlRejectedAt = null, string? SqlRejectedReason = null)
{
    public static LeadDto From(Lead l) => new(l.Id, l.FirstName, l.LastName, l.Title, l.Email, l.Phone, PersonRules.Lines(l.ExtraEmails), PersonRules.Lines(l.ExtraPhones), l.Company, l.Domain, l.Employees, l.Industry,
        l.Country, l.Region, l.Status, l.Source, l.Pool, l.EmailConsent, l.PhoneConsent, l.SmsConsent, l.OwnerId, l.ConvertedAt, l.ConvertedAccountId,
        l.ConvertedContactId, l.ConvertedOpportunityId, l.Version, l.CreatedAt, l.UpdatedAt, TagsAndCustomFields.TagList(l.Tags),
        TagsAndCustomFields.ToDictionary(l.CustomFields), l.MatchedAccountId, l.Score, l.MqlAt, l.SqlAt, l.SqlRejectedAt, l.SqlRejectedReason);
}

public sealed record LeadInput(string? FirstName, string? LastName, string? Email = null, string? Phone = null, string? Title = null, string? Company = null,
    string? Domain = null, int? Employees = null, string? Industry = null, string? Country = null, string? Region = null, string? Status = null,
    string? Source = null, string? Pool = null, string? EmailConsent = null, string? PhoneConsent = null, string? SmsConsent = null, Guid? OwnerId = null,
    IReadOnlyList<string?>? Emails = null, IReadOnlyList<string?>? Phones = null, IReadOnlyList<string>? Tags = null,
    IReadOnlyDictionary<string, JsonElement>? CustomFields = null)
{
    public static LeadInput From(Lead l) => new(l.FirstName, l.LastName, l.Email, l.Phone, l.Title, l.Company, l.Domain, l.Employees, l.Industry, l.Country,
        l.Region, l.Status, l.Source, l.Pool, l.EmailConsent, l.PhoneConsent, l.SmsConsent, l.OwnerId, PersonRules.Lines(l.ExtraEmails), PersonRules.Lines(l.ExtraPhones),
        TagsAndCustomFields.TagList(l.Tags), TagsAndCustomFields.ToDictionary(l.CustomFields));
}

/// <summary>A created lead plus the visible leads and contacts that share an email or phone with it (a warning).</summary>
public sealed record LeadCreatedDto : LeadDto
{
    public LeadCreatedDto(LeadDto lead, IReadOnlyList<DuplicateDto> duplicates) : base(lead) => Duplicates = duplicates;
    public IReadOnlyList<DuplicateDto> Duplicates { get; init; }
}

public sealed record ConvertOpportunity(string? Name, decimal? Amount = null, DateOnly? CloseDate = null, Guid? PipelineId = null);
public sealed record ConvertInput(Guid? AccountId = null, ConvertOpportunity? Opportunity = null);
public sealed record ConversionDto(Guid LeadId, Guid AccountId, bool AccountCreated, string? MatchedBy, Guid ContactId, Guid? OpportunityId);

public static class LeadsApi
{
    public static void MapLeadsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/leads").WithTags("Leads").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", List);
        g.MapGet("/{id:guid}", (Guid id, RevLoopDb db, HttpResponse response, CancellationToken ct) => RecordEndpoints.GetAsync(db.Leads, id, LeadDto.From, response, ct));
        g.MapPost("/", Create).RequireAuthorization(ApiPolicies.Write);
        g.MapPut("/{id:guid}", (Guid id, LeadInput input, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
            RecordEndpoints.UpdateAsync(db, db.Leads, id, request, response, l => LeadRules.ApplyAsync(db, l, input, ct), LeadDto.From, ct)).RequireAuthorization(ApiPolicies.Write);
        g.MapPatch("/{id:guid}", (Guid id, JsonElement patch, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
            RecordEndpoints.UpdateAsync(db, db.Leads, id, request, response, l => LeadRules.ApplyAsync(db, l, MergePatch.Apply(LeadInput.From(l), patch, "lead"), ct), LeadDto.From, ct))
            .RequireAuthorization(ApiPolicies.Write).Accepts<JsonElement>("application/merge-patch+json", "application/json");
        g.MapDelete("/{id:guid}", (Guid id, RevLoopDb db, HttpRequest request, CancellationToken ct) => RecordEndpoints.DeleteAsync(db, db.Leads, id, request, ct)).RequireAuthorization(ApiPolicies.Write);
        g.MapPost("/{id:guid}/convert", Convert).RequireAuthorization(ApiPolicies.Write);
        HistoryApi.Register("leads", "lead", (db, id, ct) => db.Leads.AnyAsync(l => l.Id == id, ct),
            (db, id, ct) => db.Leads.IgnoreQueryFilters().Where(x => x.Id == id).Select(x => x.MergedIntoId).FirstOrDefaultAsync(ct));
    }

    public static async Task<Ok<Page<LeadDto>>> List(string? status, string? pool, Guid? ownerId, string? email, string? tag, string? cursor, int? pageSize,
        RevLoopDb db, HttpRequest request, CancellationToken ct)
    {
        var q = await TagsAndCustomFields.FilterAsync(db, db.Leads, "lead", tag, request.Query, ct);
        if (status is not null) q = q.Where(l => l.Status == status);
        if (pool is not null) q = q.Where(l => l.Pool == pool);
        if (ownerId is { } o) q = q.Where(l => l.OwnerId == o);
        if (email is not null) { var e = email.Trim().ToLowerInvariant(); q = q.Where(l => l.NormalizedEmail == e); }
        return TypedResults.Ok(await RecordEndpoints.PageByIdAsync(q, cursor, pageSize, LeadDto.From, ct));
    }

    public static async Task<Results<Created<LeadCreatedDto>, ProblemHttpResult>> Create(LeadInput input, string? onDuplicate, RevLoopDb db, HttpResponse response, CancellationToken ct)
    {
        var reject = DuplicatePolicy.Rejects(onDuplicate);
        var l = new Lead();
        await LeadRules.ApplyAsync(db, l, input, ct);
        var duplicates = await DuplicateFinder.ForLeadAsync(db, l, ct);
        if (reject && duplicates.Count > 0) return DuplicatePolicy.Conflict("lead", duplicates);
        db.Leads.Add(l);
        // A lead given an owner or a pool stays there; any other is matched to its company's account and routed.
        if (input.OwnerId is null && input.Pool is null)
        {
            l.MatchedAccountId = (await MatchAccountAsync(db, l, ct)).Item1?.Id;
            await Routing.LeadRouting.RouteAsync(db, [l], ct);
        }
        await db.SaveChangesAsync(ct);
        response.Headers.ETag = ETags.For(l.Version);
        return TypedResults.Created($"/api/v1/leads/{l.Id}", new LeadCreatedDto(LeadDto.From(l), duplicates));
    }

    /// <summary>
    /// Turns a lead into a contact on an account (the given one, else one matched by normalised domain, then by normalised
    /// company name, else a new one) and optionally an opportunity, in one transaction; the lead keeps the links.
    /// </summary>
    public static async Task<Results<Ok<ConversionDto>, NotFound, ProblemHttpResult>> Convert(Guid id, ConvertInput input, RevLoopDb db, CancellationToken ct)
    {
        var lead = await db.Leads.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (lead is null) return TypedResults.NotFound();
        if (lead.Status == LeadStatus.Converted) return Problems.Status(409, "The lead is already converted", $"It became contact {lead.ConvertedContactId}.");

        // One transaction: a failing opportunity leaves no half-converted lead behind.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        Account? account = null;
        string? matchedBy = null;
        if (input.AccountId is { } given)
        {
            account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == given, ct) ?? throw new InputException("accountId", $"no account has id {given}");
            matchedBy = "given";
        }
        else
        {
            (account, matchedBy) = await MatchAccountAsync(db, lead, ct);
        }
        var created = account is null;
        if (account is null)
        {
            if (string.IsNullOrWhiteSpace(lead.Company)) throw new InputException("accountId", "the lead has no company; give an accountId to convert it into");
            account = new Account();
            AccountRules.Apply(account, AccountRules.Normalise(new AccountInput(lead.Company, lead.Domain ?? CompanyNames.DomainOfEmail(lead.Email), lead.Industry,
                lead.Employees, null, lead.Region, lead.Country, null, lead.OwnerId)), (await SettingsApi.LoadAsync(db, ct)).Bands);
            await new Ownership(db).AssignAsync(account, lead.OwnerId, ct);
            db.Accounts.Add(account);
        }
        var contact = new Contact();
        await ContactRules.ApplyAsync(db, contact, new ContactInput(lead.FirstName, lead.LastName, null, lead.Title, null, lead.Email, lead.Phone,
            lead.EmailConsent, lead.PhoneConsent, lead.SmsConsent, lead.OwnerId, PersonRules.Lines(lead.ExtraEmails), PersonRules.Lines(lead.ExtraPhones)), ct);
        contact.AccountId = account.Id;
        db.Contacts.Add(contact);

        Guid? opportunityId = null;
        if (input.Opportunity is { } o)
        {
            var opportunity = new RevLoop.Crm.Opportunities.Opportunity();
            var name = string.IsNullOrWhiteSpace(o.Name) ? $"{account.Name} - new business" : o.Name;
            // The account may not be saved yet; the rules check it exists, so save the account and contact first.
            await db.SaveChangesAsync(ct);
            await OpportunityRules.ApplyAsync(db, opportunity, new OpportunityInput(name, account.Id, o.PipelineId, null, o.Amount, null, null, o.CloseDate,
                null, lead.OwnerId, contact.Id, null, lead.Source), ct);
            db.Opportunities.Add(opportunity);
            opportunityId = opportunity.Id;
        }
        lead.Status = LeadStatus.Converted;
        lead.ConvertedAt = db.Clock.GetUtcNow();
        lead.ConvertedAccountId = account.Id;
        lead.ConvertedContactId = contact.Id;
        lead.ConvertedOpportunityId = opportunityId;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(new ConversionDto(lead.Id, account.Id, created, matchedBy, contact.Id, opportunityId));
    }

    /// <summary>Enterprise-directory matching: the company's domain (or the email's, unless free mail), then its normalised name.</summary>
    public static async Task<(Account?, string?)> MatchAccountAsync(RevLoopDb db, Lead lead, CancellationToken ct) =>
        (await MatchAccountsAsync(db, [lead], ct))[0];

    /// <summary>The same match for many leads at once (two queries, not two per lead).</summary>
    public static Task<IReadOnlyList<(Account?, string?)>> MatchAccountsAsync(RevLoopDb db, IReadOnlyList<Lead> leads, CancellationToken ct) =>
        MatchAccountsAsync(db, leads.Select(l => (l.Domain ?? CompanyNames.DomainOfEmail(l.Email), l.Company)).ToList(), ct);

    /// <summary>
    /// Enterprise-directory matching of (normalised domain, company name) pairs: the domain, else the normalised name;
    /// among several accounts the oldest. Two queries for any number of pairs.
    /// </summary>
    public static async Task<IReadOnlyList<(Account?, string?)>> MatchAccountsAsync(RevLoopDb db, IReadOnlyList<(string? Domain, string? Company)> companies,
        CancellationToken ct)
    {
        var domains = companies.Select(c => c.Domain).ToList();
        var wanted = domains.OfType<string>().Distinct().ToList();
        var byDomain = wanted.Count == 0 ? [] : (await db.Accounts.Where(a => wanted.Contains(a.Domain!)).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToListAsync(ct))
            .GroupBy(a => a.Domain!).ToDictionary(g => g.Key, g => g.First());
        var names = companies.Select((c, i) => domains[i] is { } d && byDomain.ContainsKey(d) ? null : CompanyNames.Normalise(c.Company)).ToList();
        var wantedNames = names.OfType<string>().Distinct().ToList();
        var byName = wantedNames.Count == 0 ? [] : (await db.Accounts.Where(a => wantedNames.Contains(a.NormalizedName!)).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToListAsync(ct))
            .GroupBy(a => a.NormalizedName!).ToDictionary(g => g.Key, g => g.First());
        return companies.Select((_, i) =>
            domains[i] is { } d && byDomain.TryGetValue(d, out var a) ? (a, "domain")
            : names[i] is { } n && byName.TryGetValue(n, out var b) ? ((Account?)b, (string?)"name")
            : (null, null)).ToList();
    }
}

public static class LeadRules
{
    /// <summary>What checking a lead reads from the database, loaded once for a batch of leads.</summary>
    public sealed record Context(string? CallingCode, IReadOnlyList<CustomFieldDefinition> Definitions, Ownership Ownership)
    {
        public static async Task<Context> LoadAsync(RevLoopDb db, CancellationToken ct) =>
            new(await PersonRules.CallingCodeAsync(db, ct), await TagsAndCustomFields.DefinitionsAsync(db, "lead", ct), new Ownership(db));
    }

    public static async Task ApplyAsync(RevLoopDb db, Lead l, LeadInput i, CancellationToken ct) =>
        await ApplyAsync(db, l, i, await Context.LoadAsync(db, ct), ct);

    public static async Task ApplyAsync(RevLoopDb db, Lead l, LeadInput i, Context context, CancellationToken ct)
    {
        (l.FirstName, l.LastName) = PersonRules.Names(i.FirstName, i.LastName);
        (l.Email, l.NormalizedEmail) = PersonRules.Email(i.Email);
        var callingCode = context.CallingCode;
        l.Phone = PersonRules.Phone("phone", i.Phone, callingCode);
        l.ExtraEmails = PersonRules.ExtraEmails(i.Emails, l.NormalizedEmail);
        l.ExtraPhones = PersonRules.ExtraPhones(i.Phones, l.Phone, callingCode);
        l.Title = PersonRules.Optional("title", i.Title, 200);
        l.Company = PersonRules.Optional("company", i.Company, 300);
        l.Domain = string.IsNullOrWhiteSpace(i.Domain) ? null : AccountRules.NormaliseDomain(i.Domain);
        if (i.Employees is < 0) throw new InputException("employees", "must not be negative");
        l.Employees = i.Employees;
        l.Industry = PersonRules.Optional("industry", i.Industry, 100);
        l.Country = string.IsNullOrWhiteSpace(i.Country) ? null : i.Country.Trim().ToUpperInvariant() is { Length: 2 } c && c.All(char.IsAsciiLetterUpper) ? c
            : throw new InputException("country", "must be an ISO 3166 two-letter code such as DE");
        l.Region = PersonRules.Optional("region", i.Region, 60);
        var status = PersonRules.OneOf("status", i.Status, LeadStatus.All) ?? LeadStatus.New;
        if (status == LeadStatus.Converted && l.Status != LeadStatus.Converted) throw new InputException("status", "a lead becomes converted through POST /api/v1/leads/{id}/convert");
        if (l.Status == LeadStatus.Converted && status != LeadStatus.Converted) throw new InputException("status", "a converted lead stays converted");
        l.Status = status;
        l.Source = PersonRules.OneOf("source", i.Source, LeadSources.All);
        l.Pool = PersonRules.Optional("pool", i.Pool, 100);
        l.EmailConsent = PersonRules.Consent("emailConsent", i.EmailConsent);
        l.PhoneConsent = PersonRules.Consent("phoneConsent", i.PhoneConsent);
        l.SmsConsent = PersonRules.Consent("smsConsent", i.SmsConsent);
        TagsAndCustomFields.Apply(l, "lead", i.Tags, i.CustomFields, context.Definitions);
        await context.Ownership.AssignAsync(l, i.OwnerId, ct);
        await ContactPointIndex.SyncAsync(db, "lead", l.Id, db.Entry(l).State is EntityState.Detached or EntityState.Added, l.ExtraEmails, l.ExtraPhones, ct);
    }
}
