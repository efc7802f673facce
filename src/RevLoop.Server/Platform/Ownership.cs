using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Platform;

/// <summary>Keeps a record's owner team in step with its owner, so team visibility needs no join.</summary>
public sealed class Ownership(RevLoopDb db)
{
    private Dictionary<Guid, Guid?>? teams;

    public async Task AssignAsync(IOwnedRecord record, Guid? ownerId, CancellationToken ct)
    {
        if (ownerId is not { } id)
        {
            (record.OwnerId, record.OwnerTeamId) = (null, null);
            return;
        }
        teams ??= await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.TeamId, ct);
        if (!teams.TryGetValue(id, out var team)) throw new InputException("ownerId", $"no user has id {id}");
        (record.OwnerId, record.OwnerTeamId) = (id, team);
    }
}
