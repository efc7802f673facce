using RevLoop.Crm.Accounts;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;

namespace RevLoop.Marketing;

/// <summary>
/// The people whose fit-scored fields changed in the saves of one context, waiting to be rescored: a lead's title,
/// employees, industry or country; a contact's title or account; an account's employees, industry or country (its
/// contacts score from them; leads score from their own fields only). Filled by the history interceptor for every save
/// (and by imports for the records they create in bulk), emptied by the scoring that runs after the save. Fit rules read
/// exactly these fields (LeadScoring's PersonFacts); keep the two in step.
/// </summary>
public sealed class ScoredChanges
{
    private static readonly HashSet<string> LeadFields = [nameof(Lead.Title), nameof(Lead.Employees), nameof(Lead.Industry), nameof(Lead.Country)];
    private static readonly HashSet<string> ContactFields = [nameof(Contact.Title), nameof(Contact.AccountId)];
    private static readonly HashSet<string> AccountFields = [nameof(Account.Employees), nameof(Account.Industry), nameof(Account.Country)];

    public HashSet<Guid> Leads { get; } = [];
    public HashSet<Guid> Contacts { get; } = [];
    public HashSet<Guid> Accounts { get; } = [];
    /// <summary>Leads created by the save: routed (or placed by their creator) just now, so becoming an MQL does not route them again.</summary>
    public HashSet<Guid> NewLeads { get; } = [];

    /// <summary>
    /// Set by work that rescores the collected people itself at its own moment (event ingestion, which scores its batch's
    /// people anyway; imports, once per batch after the bulk inserts); otherwise the scoring runs right after each save.
    /// </summary>
    public bool Deferred { get; set; }

    /// <summary>The scoring of the collected people is running (its own save must not start another).</summary>
    public bool Running { get; set; }

    /// <summary>The transaction the scoring begun for a save that had none (committed after the scoring, rolled back if the save fails).</summary>
    public Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? Transaction { get; set; }

    public bool IsEmpty => Leads.Count == 0 && Contacts.Count == 0 && Accounts.Count == 0;

    public void Clear()
    {
        Leads.Clear(); Contacts.Clear(); Accounts.Clear(); NewLeads.Clear();
    }

    /// <summary>Notes a saved record if one of the fields it changed (history field names; all set fields when added) is scored.</summary>
    public void Note(object record, Guid id, IEnumerable<string> changedFields, bool added)
    {
        var (fields, set) = record switch
        {
            Lead => (LeadFields, Leads),
            Contact => (ContactFields, Contacts),
            Account => (AccountFields, Accounts),
            _ => (null, null),
        };
        if (fields is null || set is null || !changedFields.Any(fields.Contains)) return;
        set.Add(id);
        if (added && record is Lead) NewLeads.Add(id);
    }

    /// <summary>Records created past change tracking (an import's new rows): noted when a scored field is set.</summary>
    public void NoteCreated<T>(IEnumerable<T> records) where T : class
    {
        foreach (var r in records)
        {
            switch (r)
            {
                case Lead l when l.Title is not null || l.Employees is not null || l.Industry is not null || l.Country is not null:
                    Leads.Add(l.Id); NewLeads.Add(l.Id); break;
                case Contact c when c.Title is not null || c.AccountId is not null:
                    Contacts.Add(c.Id); break;
                case Account a when a.Employees is not null || a.Industry is not null || a.Country is not null:
                    Accounts.Add(a.Id); break;
            }
        }
    }
}
