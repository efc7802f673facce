using System.Text.Json;
using RevLoop.Crm.Accounts;

namespace RevLoop.Server.Tests.Support;

/// <summary>The writable fields of an account, for exact comparisons of API answers, database rows and as-of rebuilds.</summary>
public sealed record AccountView(string Name, string? Domain, string? Industry, int? Employees, string? Segment, string? Region, string? Country,
    Guid? ParentAccountId, Guid? OwnerId)
{
    public static AccountView From(JsonElement a) => new(
        a.GetProperty("name").GetString()!, a.Str("domain"), a.Str("industry"),
        a.GetProperty("employees").ValueKind == JsonValueKind.Null ? null : a.GetProperty("employees").GetInt32(),
        a.Str("segment"), a.Str("region"), a.Str("country"),
        a.GetProperty("parentAccountId").ValueKind == JsonValueKind.Null ? null : a.GetProperty("parentAccountId").GetGuid(),
        a.GetProperty("ownerId").ValueKind == JsonValueKind.Null ? null : a.GetProperty("ownerId").GetGuid());

    public static AccountView From(Account a) => new(a.Name, a.Domain, a.Industry, a.Employees, a.Segment, a.Region, a.Country, a.ParentAccountId, a.OwnerId);
}
