using Microsoft.AspNetCore.Identity;

namespace RevLoop.Platform;

public sealed class User : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";
    public string Role { get; set; } = Roles.Ae;
    public Guid? TeamId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Team
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public Guid? ParentTeamId { get; set; }
    public Guid? ManagerUserId { get; set; }
}

public static class Roles
{
    public const string Admin = "admin", RevOps = "revops", Executive = "executive", SalesManager = "sales_manager",
        Ae = "ae", Sdr = "sdr", Bdr = "bdr", Marketing = "marketing", Csm = "csm", Finance = "finance",
        ProjectManager = "project_manager", Partner = "partner";

    public static readonly IReadOnlyList<string> All =
        [Admin, RevOps, Executive, SalesManager, Ae, Sdr, Bdr, Marketing, Csm, Finance, ProjectManager, Partner];

    /// <summary>Roles that see every record regardless of owner; the rest see their own and, as managers, their teams'.</summary>
    public static bool SeesEverything(string role) => role is Admin or RevOps or Executive or Finance;
}

public sealed class ApiToken
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    /// <summary>SHA-256 of the token, hex. The token itself is shown once and never stored.</summary>
    public string TokenHash { get; set; } = "";
    public string Prefix { get; set; } = "";
    public string Scopes { get; set; } = "read";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

public static class Scopes
{
    public const string Read = "read", Write = "write", Admin = "admin";
    public static readonly IReadOnlyList<string> All = [Read, Write, Admin];
}
