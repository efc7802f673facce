using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Data;
using RevLoop.Server.Demo;
using RevLoop.Server.Hosting;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Demo;

/// <summary>A fresh database of one provider with the demo loaded into it.</summary>
public sealed class DemoDatabase : IAsyncDisposable
{
    public required ServiceProvider Services { get; init; }
    public required DatabaseTarget Target { get; init; }
    public required DemoSummary Summary { get; init; }

    public static async Task<ServiceProvider> ServicesFor(DatabaseTarget target, TimeProvider? clock = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(clock ?? TimeProvider.System);
        services.AddRevLoopData(target);
        var provider = services.BuildServiceProvider();
        await ServerApp.MigrateAsync(provider);
        return provider;
    }

    public static async Task<DemoDatabase> LoadAsync(string provider, DemoOptions options)
    {
        var target = Providers.NewDatabase(provider);
        var services = await ServicesFor(target);
        using var scope = services.CreateScope();
        var summary = await DemoLoader.LoadAsync(scope.ServiceProvider.GetRequiredService<RevLoopDb>(), target, options, _ => { }, CancellationToken.None);
        return new DemoDatabase { Services = services, Target = target, Summary = summary };
    }

    public T Use<T>(Func<RevLoopDb, T> action)
    {
        using var scope = Services.CreateScope();
        return action(scope.ServiceProvider.GetRequiredService<RevLoopDb>());
    }

    public async Task<T> UseAsync<T>(Func<RevLoopDb, Task<T>> action)
    {
        using var scope = Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<RevLoopDb>());
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}

/// <summary>
/// Row counts and a SHA-256 over the ordered key columns of every table the demo writes, read through EF and formatted
/// provider-neutrally (ids as text, instants as Unix milliseconds, decimals without trailing zeros), so two loads
/// compare across databases and providers.
/// </summary>
public static class DemoFingerprint
{
    public sealed record Result(IReadOnlyDictionary<string, long> Counts, string Hash);

    public static async Task<Result> OfAsync(RevLoopDb db)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Table(string name, IEnumerable<string> rows, bool sort = true)
        {
            var list = sort ? rows.Order(StringComparer.Ordinal).ToList() : rows.ToList();
            counts[name] = list.Count;
            foreach (var row in list) hash.AppendData(Encoding.UTF8.GetBytes($"{name}|{row}\n"));
        }
        static string T(DateTimeOffset? d) => d is { } v ? v.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "-";
        static string D(decimal d) => d.ToString("0.########", CultureInfo.InvariantCulture);
        string J(params object?[] values) => string.Join("|", values.Select(v => v switch
        {
            null => "-",
            DateTimeOffset d => T(d),
            decimal m => D(m),
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString(),
        }));

        Table("users", (await db.Users.AsNoTracking().ToListAsync()).Select(u => J(u.Id, u.Email, u.DisplayName, u.Role, u.TeamId, u.PasswordHash, u.SecurityStamp, u.CreatedAt)));
        Table("teams", (await db.Teams.AsNoTracking().ToListAsync()).Select(t => J(t.Id, t.Name, t.ParentTeamId, t.ManagerUserId)));
        Table("pipelines", (await db.Pipelines.AsNoTracking().ToListAsync()).Select(p => J(p.Id, p.Name, p.IsDefault, p.SortOrder)));
        Table("stages", (await db.Stages.AsNoTracking().ToListAsync()).Select(s => J(s.Id, s.PipelineId, s.Name, s.SortOrder, s.Probability, s.Type)));
        Table("products", (await db.Products.AsNoTracking().ToListAsync()).Select(p => J(p.Id, p.Sku, p.Name, p.Family, p.Active)));
        Table("prices", (await db.PriceBookEntries.AsNoTracking().ToListAsync()).Select(p => J(p.ProductId, p.Currency, p.ListPriceMinor)));
        Table("rates", (await db.ExchangeRates.AsNoTracking().ToListAsync()).Select(r => J(r.CurrencyCode, r.Date, r.Rate)));
        Table("accounts", (await db.Accounts.IgnoreQueryFilters().AsNoTracking().ToListAsync())
            .Select(a => J(a.Id, a.Name, a.NormalizedName, a.Domain, a.Industry, a.Employees, a.Segment, a.Region, a.Country, a.ParentAccountId, a.OwnerId, a.OwnerTeamId, a.CreatedAt, a.UpdatedAt, a.Version)));
        Table("contacts", (await db.Contacts.IgnoreQueryFilters().AsNoTracking().ToListAsync())
            .Select(c => J(c.Id, c.AccountId, c.FirstName, c.LastName, c.Title, c.DealRole, c.Email, c.Phone, c.EmailConsent, c.PhoneConsent, c.SmsConsent, c.OwnerId, c.CreatedAt, c.Version)));
        Table("leads", (await db.Leads.IgnoreQueryFilters().AsNoTracking().ToListAsync())
            .Select(l => J(l.Id, l.FirstName, l.LastName, l.Email, l.Company, l.Domain, l.Status, l.Source, l.Pool, l.OwnerId, l.ConvertedAt, l.ConvertedAccountId, l.ConvertedContactId, l.ConvertedOpportunityId, l.CreatedAt, l.Version)));
        Table("opportunities", (await db.Opportunities.IgnoreQueryFilters().AsNoTracking().ToListAsync())
            .Select(o => J(o.Id, o.Name, o.AccountId, o.PrimaryContactId, o.PipelineId, o.StageId, o.AmountMinor, o.AcvMinor, o.Currency, o.CloseDate, o.NextStep, o.OwnerId,
                o.SourcingRole, o.Source, o.Type, o.ForecastCategory, o.Region, o.Segment, o.ProductFamily, o.LostReason, o.WonAt, o.LostAt, o.CreatedAt, o.UpdatedAt, o.Version)));
        Table("line_items", (await db.LineItems.AsNoTracking().ToListAsync()).Select(l => J(l.Id, l.OpportunityId, l.ProductId, l.Quantity, l.UnitPriceMinor, l.DiscountPercent, l.TermMonths)));
        Table("activities", (await db.Activities.IgnoreQueryFilters().AsNoTracking().ToListAsync())
            .Select(a => J(a.Id, a.Type, a.Subject, a.Body, a.OccurredAt, a.DueAt, a.CompletedAt, a.Status, a.AccountId, a.ContactId, a.LeadId, a.OpportunityId, a.OwnerId, a.Version)));
        Table("subscription_periods", (await db.SubscriptionPeriods.IgnoreQueryFilters().AsNoTracking().ToListAsync())
            .Select(p => J(p.Id, p.CustomerId, p.AccountId, p.SubscriptionId, p.Start, p.End, p.AmountMinor, p.Currency, p.Interval, p.IntervalCount, p.Quantity, p.Version)));
        // History in id order: the ids themselves must repeat too.
        Table("field_changes", (await db.FieldChanges.AsNoTracking().OrderBy(c => c.Id).ToListAsync())
            .Select(c => J(c.Id, c.EntityType, c.EntityId, c.Field, c.OldValue, c.NewValue, c.ChangedAt, c.ChangedBy, c.Source, c.ChangeSetId)), sort: false);
        return new Result(counts, Convert.ToHexString(hash.GetHashAndReset()));
    }
}
