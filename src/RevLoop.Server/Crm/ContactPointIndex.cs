using Microsoft.EntityFrameworkCore;
using RevLoop.Crm;
using RevLoop.Data;

namespace RevLoop.Server.Crm;

/// <summary>Keeps the ContactPoints rows of a contact or lead equal to its ExtraEmails/ExtraPhones, in the same SaveChanges.</summary>
public static class ContactPointIndex
{
    public static async Task SyncAsync(RevLoopDb db, string recordType, Guid recordId, bool isNew, string? extraEmails, string? extraPhones, CancellationToken ct)
    {
        var wanted = PersonRules.Lines(extraEmails).Select(e => (ContactPoint.Email, e.ToLowerInvariant()))
            .Concat(PersonRules.Lines(extraPhones).Select(p => (ContactPoint.Phone, p))).ToHashSet();
        var existing = isNew ? [] : await db.ContactPoints.Where(p => p.RecordType == recordType && p.RecordId == recordId).ToListAsync(ct);
        foreach (var row in existing.Where(r => !wanted.Remove((r.Kind, r.Value)))) db.ContactPoints.Remove(row);
        foreach (var (kind, value) in wanted) db.ContactPoints.Add(new ContactPoint { RecordType = recordType, RecordId = recordId, Kind = kind, Value = value });
    }
}
