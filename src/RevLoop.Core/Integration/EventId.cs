namespace RevLoop.Integration;

/// <summary>
/// Version 7 ids that strictly increase within this process. <see cref="Guid.CreateVersion7()"/> fills the
/// bits after the millisecond with random data, so two events raised in the same millisecond (a create and
/// the update right after it) could sort, and be delivered to webhooks, in the wrong order.
/// </summary>
public static class EventId
{
    private static readonly Lock Gate = new();
    private static Guid last;

    public static Guid Next()
    {
        var id = Guid.CreateVersion7();
        lock (Gate)
        {
            if (id.CompareTo(last) <= 0) id = Increment(last);
            last = id;
            return id;
        }
    }

    private static Guid Increment(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        // Bytes 9..15 are the random tail (byte 8 carries the variant bits); 56 bits never run out within a millisecond.
        for (var i = 15; i >= 9; i--)
        {
            if (++bytes[i] != 0) break;
        }
        return new Guid(bytes, bigEndian: true);
    }
}
