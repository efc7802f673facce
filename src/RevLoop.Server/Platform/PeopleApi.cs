using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Platform;

public sealed record UserDto(Guid Id, string Email, string DisplayName, string Role, Guid? TeamId, bool LockedOut);
public sealed record UserInput(string? Email, string? Password, string? Role, string? DisplayName = null, Guid? TeamId = null);
public sealed record TeamDto(Guid Id, string Name, Guid? ParentTeamId, Guid? ManagerUserId);
public sealed record TeamInput(string? Name, Guid? ParentTeamId = null, Guid? ManagerUserId = null);

/// <summary>Users and the team hierarchy (a manager sees the records of their team and its sub-teams).</summary>
public static class PeopleApi
{
    public static void MapPeopleApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/v1/users").WithTags("Users").RequireAuthorization(ApiPolicies.Read);
        users.MapGet("/", ListUsers);
        users.MapPost("/", CreateUser).RequireAuthorization(ApiPolicies.Admin);
        var teams = app.MapGroup("/api/v1/teams").WithTags("Teams").RequireAuthorization(ApiPolicies.Read);
        teams.MapGet("/", async (RevLoopDb db, CancellationToken ct) =>
            TypedResults.Ok((await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct)).Select(t => new TeamDto(t.Id, t.Name, t.ParentTeamId, t.ManagerUserId)).ToList()));
        teams.MapPost("/", CreateTeam).RequireAuthorization(ApiPolicies.Admin);
        teams.MapPatch("/{id:guid}", PatchTeam).RequireAuthorization(ApiPolicies.Admin).Accepts<JsonElement>("application/merge-patch+json", "application/json");
    }

    public static async Task<Ok<Page<UserDto>>> ListUsers(string? cursor, int? pageSize, RevLoopDb db, TimeProvider clock, CancellationToken ct)
    {
        var size = Paging.Size(pageSize);
        var q = db.Users.AsNoTracking();
        if (cursor is not null)
        {
            var after = Paging.DecodeCursor(cursor, 1)[0] ?? "";
            q = q.Where(u => string.Compare(u.NormalizedEmail, after) > 0);
        }
        var rows = await q.OrderBy(u => u.NormalizedEmail).Take(size + 1).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].NormalizedEmail) : null;
        return TypedResults.Ok(new Page<UserDto>(rows.Take(size).Select(u => new UserDto(u.Id, u.Email ?? "", u.DisplayName, u.Role, u.TeamId, u.LockoutEnd > now)).ToList(), next, size));
    }

    public static async Task<Created<UserDto>> CreateUser(UserInput input, RevLoopDb db, UserManager<User> users, CancellationToken ct)
    {
        var role = input.Role?.Trim() ?? "";
        if (!Roles.All.Contains(role)) throw new InputException("role", $"'{input.Role}' is not a role (one of: {string.Join(", ", Roles.All)})");
        if (string.IsNullOrWhiteSpace(input.Email)) throw new InputException("email", "is required");
        if (input.TeamId is { } t && !await db.Teams.AnyAsync(x => x.Id == t, ct)) throw new InputException("teamId", $"no team has id {t}");
        var email = input.Email.Trim();
        var user = new User
        {
            Id = Guid.CreateVersion7(), Email = email, UserName = email, DisplayName = input.DisplayName?.Trim() is { Length: > 0 } n ? n : email.Split('@')[0],
            Role = role, TeamId = input.TeamId, CreatedAt = db.Clock.GetUtcNow(), EmailConfirmed = true,
        };
        var result = await users.CreateAsync(user, input.Password ?? "");
        if (!result.Succeeded)
            throw new InputException(result.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "password" : "email", string.Join("; ", result.Errors.Select(e => e.Description)));
        return TypedResults.Created($"/api/v1/users/{user.Id}", new UserDto(user.Id, email, user.DisplayName, role, user.TeamId, false));
    }

    public static async Task<Created<TeamDto>> CreateTeam(TeamInput input, RevLoopDb db, CancellationToken ct)
    {
        var team = new Team { Id = Guid.CreateVersion7() };
        await Apply(db, team, input, ct);
        db.Teams.Add(team);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/teams/{team.Id}", new TeamDto(team.Id, team.Name, team.ParentTeamId, team.ManagerUserId));
    }

    public static async Task<Results<Ok<TeamDto>, NotFound>> PatchTeam(Guid id, JsonElement patch, RevLoopDb db, CancellationToken ct)
    {
        if (patch.ValueKind != JsonValueKind.Object) throw new InputException("body", "must be a JSON object");
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (team is null) return TypedResults.NotFound();
        var input = new TeamInput(team.Name, team.ParentTeamId, team.ManagerUserId);
        foreach (var p in patch.EnumerateObject())
        {
            Guid? Id() => p.Value.ValueKind == JsonValueKind.Null ? null : Guid.TryParse(p.Value.GetString(), out var g) ? g : throw new InputException(p.Name, "must be an id or null");
            input = p.Name switch
            {
                "name" => input with { Name = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : throw new InputException("name", "must be a string") },
                "parentTeamId" => input with { ParentTeamId = Id() },
                "managerUserId" => input with { ManagerUserId = Id() },
                _ => throw new InputException(p.Name, "is not a field of a team (name, parentTeamId, managerUserId)"),
            };
        }
        await Apply(db, team, input, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new TeamDto(team.Id, team.Name, team.ParentTeamId, team.ManagerUserId));
    }

    private static async Task Apply(RevLoopDb db, Team team, TeamInput input, CancellationToken ct)
    {
        var name = input.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200) throw new InputException("name", "must be 1 to 200 characters");
        if (await db.Teams.AnyAsync(t => t.Name == name && t.Id != team.Id, ct)) throw new InputException("name", $"a team named '{name}' exists");
        if (input.ManagerUserId is { } m && !await db.Users.AnyAsync(u => u.Id == m, ct)) throw new InputException("managerUserId", $"no user has id {m}");
        if (input.ParentTeamId is { } parent)
        {
            var all = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.ParentTeamId, ct);
            if (!all.ContainsKey(parent)) throw new InputException("parentTeamId", $"no team has id {parent}");
            for (Guid? c = parent; c is { } cur; c = all.GetValueOrDefault(cur))
                if (cur == team.Id) throw new InputException("parentTeamId", "would make a cycle in the team hierarchy");
        }
        team.Name = name; team.ParentTeamId = input.ParentTeamId; team.ManagerUserId = input.ManagerUserId;
    }
}
