namespace RevLoop.Server.Demo;

/// <summary>
/// The demo's only source of randomness: xoshiro256** seeded through SplitMix64. Written out here (not System.Random)
/// so the same seed gives the same data on every .NET version. Independent streams come from
/// <see cref="For(ulong, ulong, ulong)"/>: one per account, lead or purpose, so a change in one part of the
/// generator does not reshuffle the rest.
/// </summary>
public sealed class DemoRandom
{
    private ulong s0, s1, s2, s3;

    public DemoRandom(ulong seed)
    {
        var x = seed;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
    }

    /// <summary>A stream for one (seed, kind, index): e.g. account 17's own generator.</summary>
    public static DemoRandom For(ulong seed, ulong kind, ulong index)
    {
        var x = seed ^ 0x5DEECE66DUL;
        var a = SplitMix(ref x) ^ (kind * 0x9E3779B97F4A7C15UL);
        var b = SplitMix(ref a) ^ (index * 0xD1B54A32D192ED03UL);
        return new DemoRandom(SplitMix(ref b));
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n).</summary>
    public int Next(int n) => n <= 1 ? 0 : (int)((NextUInt64() >> 33) * (ulong)n >> 31);

    /// <summary>Uniform in [min, max].</summary>
    public int Between(int min, int max) => min + Next(max - min + 1);

    public double Between(double min, double max) => min + NextDouble() * (max - min);

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Picks by weight; weights need not sum to one.</summary>
    public T Pick<T>(IReadOnlyList<(T Item, double Weight)> items)
    {
        var total = 0.0;
        foreach (var i in items) total += i.Weight;
        var r = NextDouble() * total;
        foreach (var i in items)
        {
            r -= i.Weight;
            if (r < 0) return i.Item;
        }
        return items[^1].Item;
    }

    /// <summary>Standard normal (Box-Muller, one value per call).</summary>
    public double Normal()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Log-normal with the given median and spread (sigma of the log).</summary>
    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Normal());

    /// <summary>Exponential with the given mean.</summary>
    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>
    /// A version-7 shaped id: the 48-bit Unix-millisecond time of <paramref name="at"/> then 74 random bits, so ids
    /// sort by creation time as <see cref="Guid.CreateVersion7(DateTimeOffset)"/> ids do, but repeat for a seed.
    /// </summary>
    public Guid Guid7(DateTimeOffset at)
    {
        var ms = (ulong)at.ToUnixTimeMilliseconds();
        var r1 = NextUInt64();
        var r2 = NextUInt64();
        Span<byte> b = stackalloc byte[16];
        b[0] = (byte)(ms >> 40); b[1] = (byte)(ms >> 32); b[2] = (byte)(ms >> 24); b[3] = (byte)(ms >> 16); b[4] = (byte)(ms >> 8); b[5] = (byte)ms;
        b[6] = (byte)(0x70 | (int)(r1 & 0x0F)); b[7] = (byte)(r1 >> 8);
        b[8] = (byte)(0x80 | (int)((r1 >> 16) & 0x3F)); b[9] = (byte)(r1 >> 24);
        for (var i = 0; i < 6; i++) b[10 + i] = (byte)(r2 >> (8 * i));
        return new Guid(b, bigEndian: true);
    }
}
