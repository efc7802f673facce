namespace RevLoop.Crm.Leads;

/// <summary>
/// One lead-routing rule: rules are tried in <see cref="Position"/> order and the first whose conditions all hold decides.
/// A list condition (comma separated, lower case) holds when the lead's value is one of them; an empty one always holds.
/// </summary>
public sealed class RoutingRule
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public int Position { get; set; }
    public string Name { get; set; } = "";
    public bool Active { get; set; } = true;
    public string? Regions { get; set; }
    public string? Countries { get; set; }
    public string? Segments { get; set; }
    public int? MinEmployees { get; set; }
    public int? MaxEmployees { get; set; }
    public string? Sources { get; set; }
    /// <summary>Product interest: matches the lead's tags (a form's "interested in" checkboxes arrive as tags).</summary>
    public string? Products { get; set; }
    /// <summary>True: only leads whose company is an account someone already owns; false: only the others; null: either.</summary>
    public bool? AccountOwned { get; set; }
    public string Action { get; set; } = RoutingActions.Queue;
    public Guid? UserId { get; set; }
    public Guid? TeamId { get; set; }
    public Guid? QueueId { get; set; }
    /// <summary>Round robin: the rep who got the last lead, so the next one goes to the rep after them.</summary>
    public Guid? LastUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class RoutingActions
{
    public const string User = "user", RoundRobin = "round_robin", LoadBalanced = "load_balanced", Queue = "queue", AccountOwner = "account_owner";
    public static readonly IReadOnlyList<string> All = [User, RoundRobin, LoadBalanced, Queue, AccountOwner];
}

/// <summary>A pool of leads reps claim from, with the minutes a lead may wait untouched before it escalates.</summary>
public sealed class LeadQueue
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public int SlaMinutes { get; set; } = 60;
    /// <summary>Who gets a lead that breached the SLA (a manager); without one the breach is only recorded.</summary>
    public Guid? EscalateToUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A rep's routing availability: at most <see cref="Capacity"/> open leads, none while out of office.</summary>
public sealed class RepAvailability
{
    public Guid UserId { get; set; }
    public int? Capacity { get; set; }
    public DateTimeOffset? OutOfOfficeUntil { get; set; }
}

/// <summary>
/// One routing decision for a lead: who or which queue got it, by which rule and why, and its SLA clock (due, first touch,
/// breach). The newest row per lead is the current one.
/// </summary>
public sealed class LeadAssignment
{
    public long Id { get; set; }
    public Guid LeadId { get; set; }
    public DateTimeOffset AssignedAt { get; set; }
    public Guid? RuleId { get; set; }
    public string Rule { get; set; } = "";
    public string Reason { get; set; } = "";
    public Guid? OwnerId { get; set; }
    public Guid? QueueId { get; set; }
    public DateTimeOffset? SlaDueAt { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }
    public DateTimeOffset? FirstTouchedAt { get; set; }
    public DateTimeOffset? BreachedAt { get; set; }
    /// <summary>False once a later decision (claim, escalation, re-route) replaced this one.</summary>
    public bool Current { get; set; } = true;
}
