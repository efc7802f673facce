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
        teams ??= await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.TeamId, ct);
        if (ownerId is { } id && !teams.ContainsKey(id)) throw new InputException("ownerId", $"no user has id {id}");
        record.OwnerId = ownerId;
        record.OwnerTeamId = ownerId is { } o ? teams[o] : null;
    }
}
