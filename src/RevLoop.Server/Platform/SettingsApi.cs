using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Crm.Accounts;

namespace RevLoop.Server.Platform;

/// <param name="DefaultCallingCode">"+49": the calling code of phone numbers entered without one; null means they must start with + or 00.</param>
public sealed record SettingsDto(string CompanyName, int FiscalYearStartMonth, string BaseCurrency, string? DefaultCallingCode, long Version, int MidMarketFromEmployees,
    int EnterpriseFromEmployees, decimal ApmRedBelow, decimal ApmGreenFrom, decimal CoverageTarget)
{
    public static SettingsDto From(CompanySettings s) => new(s.CompanyName, s.FiscalYearStartMonth, s.BaseCurrency,
        s.DefaultCallingCode is null ? null : "+" + s.DefaultCallingCode, s.Version, s.MidMarketFromEmployees, s.EnterpriseFromEmployees,
        s.ApmRedBelow, s.ApmGreenFrom, s.CoverageTarget);
}
public sealed record CurrencyInput(string Code, string Name);
public sealed record ExchangeRateInput(string CurrencyCode, DateOnly Date, decimal Rate);
public sealed record ExchangeRateDto(string CurrencyCode, DateOnly Date, decimal Rate);
public sealed record MeDto(Guid Id, string Email, string DisplayName, string Role, Guid? TeamId);

public static class SettingsApi
{
    public static void MapSettingsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1").WithTags("Settings").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/settings", Get);
        g.MapPatch("/settings", Patch).RequireAuthorization(ApiPolicies.Admin);
        g.MapGet("/currencies", async (RevLoopDb db, CancellationToken ct) => TypedResults.Ok(await db.Currencies.OrderBy(c => c.Code).ToListAsync(ct)));
        g.MapPost("/currencies", AddCurrency).RequireAuthorization(ApiPolicies.Admin);
        g.MapGet("/exchange-rates", ListRates);
        g.MapPost("/exchange-rates", AddRate).RequireAuthorization(ApiPolicies.Admin);
        g.MapGet("/me", Me);
    }

    public static async Task<CompanySettings> LoadAsync(RevLoopDb db, CancellationToken ct) =>
        await db.CompanySettings.FirstOrDefaultAsync(ct) ?? new CompanySettings();

    public static async Task<Ok<SettingsDto>> Get(RevLoopDb db, HttpResponse response, CancellationToken ct)
    {
        var s = await LoadAsync(db, ct);
        response.Headers.ETag = ETags.For(s.Version);
        return TypedResults.Ok(SettingsDto.From(s));
    }

    public static async Task<Results<Ok<SettingsDto>, ProblemHttpResult>> Patch(JsonElement patch, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct)
    {
        if (patch.ValueKind != JsonValueKind.Object) throw new InputException("body", "must be a JSON object");
        // The settings and the segments they re-derive commit together.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var s = await db.CompanySettings.FirstOrDefaultAsync(ct);
        var isNew = s is null;
        s ??= new CompanySettings();
        if (ETags.Requested(request) is { } v && v != s.Version) return Problems.Status(412, "The settings were changed by someone else");
        foreach (var p in patch.EnumerateObject())
        {
            switch (p.Name)
            {
                case "companyName":
                    var name = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()!.Trim() : throw new InputException("companyName", "must be a string");
                    if (name.Length is 0 or > 200) throw new InputException("companyName", "must be 1 to 200 characters");
                    s.CompanyName = name; break;
                case "fiscalYearStartMonth":
                    if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out var m) || m is < 1 or > 12) throw new InputException("fiscalYearStartMonth", "must be a month number 1 to 12");
                    s.FiscalYearStartMonth = m; break;
                case "baseCurrency":
                    var code = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()!.Trim().ToUpperInvariant() : "";
                    if (!await db.Currencies.AnyAsync(c => c.Code == code, ct)) throw new InputException("baseCurrency", $"'{code}' is not a configured currency");
                    s.BaseCurrency = code; break;
                case "defaultCallingCode":
                    try
                    {
                        s.DefaultCallingCode = p.Value.ValueKind switch
                        {
                            JsonValueKind.Null => null,
                            JsonValueKind.String => RevLoop.Crm.PhoneNumbers.CallingCode(p.Value.GetString()),
                            _ => throw new FormatException("must be a string such as \"+49\", or null"),
                        };
                    }
                    catch (FormatException e) { throw new InputException("defaultCallingCode", e.Message); }
                    break;
                case "midMarketFromEmployees":
                    s.MidMarketFromEmployees = Threshold(p); break;
                case "enterpriseFromEmployees":
                    s.EnterpriseFromEmployees = Threshold(p); break;
                case "apmRedBelow":
                    s.ApmRedBelow = Ratio(p, 0m, 10m); break;
                case "apmGreenFrom":
                    s.ApmGreenFrom = Ratio(p, 0m, 10m); break;
                case "coverageTarget":
                    s.CoverageTarget = Ratio(p, 0.1m, 100m); break;
                default: throw new InputException(p.Name, "is not a setting (companyName, fiscalYearStartMonth, baseCurrency, defaultCallingCode, midMarketFromEmployees, enterpriseFromEmployees, apmRedBelow, apmGreenFrom, coverageTarget)");
            }
        }
        if (s.ApmGreenFrom < s.ApmRedBelow)
            throw new InputException("apmGreenFrom", $"must be at least apmRedBelow ({s.ApmRedBelow})");
        if (s.EnterpriseFromEmployees <= s.MidMarketFromEmployees)
            throw new InputException("enterpriseFromEmployees", $"must be greater than midMarketFromEmployees ({s.MidMarketFromEmployees})");
        var bandsChanged = db.Entry(s).Property(x => x.MidMarketFromEmployees).IsModified || db.Entry(s).Property(x => x.EnterpriseFromEmployees).IsModified;
        s.Version++;
        if (isNew) db.CompanySettings.Add(s);
        await db.SaveChangesAsync(ct);
        if (bandsChanged || isNew) await SegmentBandsChange.RederiveAsync(db, s.Bands, ct);
        await transaction.CommitAsync(ct);
        response.Headers.ETag = ETags.For(s.Version);
        return TypedResults.Ok(SettingsDto.From(s));
    }

    private static decimal Ratio(JsonProperty p, decimal min, decimal max) =>
        p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetDecimal(out var d) && d >= min && d <= max && decimal.Round(d, 4) == d ? d
            : throw new InputException(p.Name, $"must be a number from {min} to {max} with at most 4 decimals");

    private static int Threshold(JsonProperty p) =>
        p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var n) && n is >= 1 and <= 10_000_000 ? n
            : throw new InputException(p.Name, "must be a whole number of employees from 1 to 10,000,000");

    public static async Task<Created<Currency>> AddCurrency(CurrencyInput input, RevLoopDb db, CancellationToken ct)
    {
        var code = (input.Code ?? "").Trim().ToUpperInvariant();
        if (code.Length != 3 || !code.All(char.IsAsciiLetterUpper)) throw new InputException("code", "must be an ISO 4217 code such as EUR");
        if (string.IsNullOrWhiteSpace(input.Name)) throw new InputException("name", "is required");
        if (await db.Currencies.AnyAsync(c => c.Code == code, ct)) throw new InputException("code", $"{code} already exists");
        var currency = new Currency { Code = code, Name = input.Name.Trim() };
        db.Currencies.Add(currency);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/currencies/{code}", currency);
    }

    public static async Task<Ok<List<ExchangeRateDto>>> ListRates(string? currency, RevLoopDb db, CancellationToken ct)
    {
        var q = db.ExchangeRates.AsQueryable();
        if (currency is not null) q = q.Where(r => r.CurrencyCode == currency.ToUpperInvariant());
        var rows = await q.OrderBy(r => r.CurrencyCode).ThenBy(r => r.Date).Take(5000).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(r => new ExchangeRateDto(r.CurrencyCode, r.Date, r.Rate)).ToList());
    }

    public static async Task<Created<ExchangeRateDto>> AddRate(ExchangeRateInput input, RevLoopDb db, CancellationToken ct)
    {
        var code = (input.CurrencyCode ?? "").ToUpperInvariant();
        if (!await db.Currencies.AnyAsync(c => c.Code == code, ct)) throw new InputException("currencyCode", $"'{code}' is not a configured currency");
        if (input.Rate <= 0) throw new InputException("rate", "must be greater than zero");
        if (await db.ExchangeRates.AnyAsync(r => r.CurrencyCode == code && r.Date == input.Date, ct))
            throw new InputException("date", $"a {code} rate for {input.Date:yyyy-MM-dd} already exists");
        db.ExchangeRates.Add(new ExchangeRate { CurrencyCode = code, Date = input.Date, Rate = input.Rate });
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/exchange-rates?currency={code}", new ExchangeRateDto(code, input.Date, input.Rate));
    }

    public static async Task<Results<Ok<MeDto>, UnauthorizedHttpResult>> Me(Viewer viewer, RevLoopDb db, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == viewer.UserId, ct);
        if (user is null) return TypedResults.Unauthorized();
        return TypedResults.Ok(new MeDto(user.Id, user.Email ?? "", user.DisplayName, user.Role, user.TeamId));
    }
}

/// <summary>
/// New segment bands re-derive every segment that was not set explicitly, through the change tracker so each account's
/// history shows the change (who changed the bands, when); explicitly set segments stay.
/// </summary>
public static class SegmentBandsChange
{
    public static async Task<int> RederiveAsync(RevLoopDb db, SegmentBands bands, CancellationToken ct)
    {
        int mid = bands.MidMarketFrom, enterprise = bands.EnterpriseFrom, changed = 0;
        while (true)
        {
            // Only the accounts whose segment is now wrong, a thousand at a time; a saved batch no longer matches.
            var batch = await db.Accounts.IgnoreQueryFilters()
                .Where(a => a.DeletedAt == null && a.SegmentExplicit == null && a.Employees != null
                    && ((a.Employees < mid && a.Segment != "smb") || (a.Employees >= mid && a.Employees < enterprise && a.Segment != "mid_market")
                        || (a.Employees >= enterprise && a.Segment != "enterprise")))
                .OrderBy(a => a.Id).Take(1000).ToListAsync(ct);
            if (batch.Count == 0) return changed;
            foreach (var a in batch) a.Segment = bands.SegmentFor(a.Employees);
            await db.SaveChangesAsync(ct);
            foreach (var a in batch) db.Entry(a).State = EntityState.Detached;
            changed += batch.Count;
        }
    }
}
