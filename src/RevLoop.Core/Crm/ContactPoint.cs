namespace RevLoop.Crm;

/// <summary>
/// One extra email or phone of a contact or lead, in normalised form (lower-case email, E.164 phone), so duplicate
/// matching can seek an index instead of reading every record. The record's tracked ExtraEmails/ExtraPhones fields
/// are what history and the API show; these rows are derived from them on every save.
/// </summary>
public sealed class ContactPoint
{
    public long Id { get; set; }
    /// <summary>"contact" or "lead".</summary>
    public string RecordType { get; set; } = "";
    public Guid RecordId { get; set; }
    /// <summary>"email" or "phone".</summary>
    public string Kind { get; set; } = "";
    public string Value { get; set; } = "";

    public const string Email = "email", Phone = "phone";
}
