using System.Diagnostics;
using System.Globalization;
using RevLoop.Metrics;

// Touchpoint attribution over N generated touches (deterministic, seed fixed): one opportunity per 10 touches on
// average (1..19), 12 channels, 500 campaigns (10% of touches without one), touches up to 400 days before creation
// (some fall outside the 365-day lookback), the first touch flagged lead creation and the last opportunity creation,
// 30% won, 45% lost, 25% open. Prints one markdown row per model: compute seconds (wall), and the process's peak
// working set after all models. Usage: dotnet run -c Release -- [touches] [repeat]
var ci = CultureInfo.InvariantCulture;
long touches = args.Length > 0 ? long.Parse(args[0], ci) : 10_000_000;
int repeat = args.Length > 1 ? int.Parse(args[1], ci) : 1;
var rng = new Random(42);
string[] channels = ["paid_search", "paid_social", "organic", "email", "webinar", "event", "content", "partner", "referral", "direct", "display", "sdr_outbound"];
var campaigns = Enumerable.Range(0, 500).Select(i => $"C{i:000}").ToArray();
var start = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);
var build = Stopwatch.StartNew();
var b = new TouchTable.Builder((int)(touches / 9), (int)touches + 32);
long made = 0;
int opp = 0;
while (made < touches)
{
    int n = (int)Math.Min(touches - made, rng.Next(1, 20));
    var created = start.AddSeconds(rng.NextInt64(0, 3L * 365 * 86_400));
    double r = rng.NextDouble();
    var outcome = r < 0.30 ? DealOutcome.Won : r < 0.75 ? DealOutcome.Lost : DealOutcome.Open;
    long amount = rng.Next(1_000, 200_000) * 100L;
    b.AddOpportunity(opp.ToString(ci), created, amount, outcome, outcome == DealOutcome.Won ? amount : 0);
    // Touches oldest first, as a database query ordered by time returns them.
    var ages = new long[n];
    for (int i = 0; i < n; i++) ages[i] = rng.NextInt64(0, 400L * 86_400);
    Array.Sort(ages);
    Array.Reverse(ages);
    for (int i = 0; i < n; i++)
    {
        var role = (i == 0 ? TouchRole.LeadCreation : TouchRole.None) | (i == n - 1 ? TouchRole.OpportunityCreation : TouchRole.None);
        b.AddTouch(created.AddSeconds(-ages[i]), channels[rng.Next(channels.Length)], rng.Next(10) == 0 ? null : campaigns[rng.Next(campaigns.Length)], role);
    }
    made += n;
    opp++;
}
var table = b.Build();
build.Stop();
Console.WriteLine($"touches: {table.TouchCount:N0}, opportunities: {table.OpportunityCount:N0}, channels: {table.Channels.Count}, campaigns: {table.Campaigns.Count}; generating the columns: {build.Elapsed.TotalSeconds:0.00} s");
Console.WriteLine();
Console.WriteLine("| model | compute s | attributed pipeline | attributed revenue |");
Console.WriteLine("|---|---:|---:|---:|");
var total = Stopwatch.StartNew();
foreach (var model in Enum.GetValues<TouchModel>())
{
    double best = double.MaxValue;
    TouchAttributionResult? result = null;
    for (int i = 0; i < repeat; i++)
    {
        var sw = Stopwatch.StartNew();
        result = TouchAttribution.Compute(table, model);
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    var pipe = result!.Channels.Sum(c => c.Pipeline);
    var rev = result.Channels.Sum(c => c.Revenue);
    // The credits must add up to the totals less the unattributed part, for channels and campaigns alike.
    if (pipe != result.TotalPipeline - result.UnattributedPipeline || rev != result.TotalRevenue - result.UnattributedRevenue
        || result.Campaigns.Sum(c => c.Pipeline) != pipe || result.Campaigns.Sum(c => c.Revenue) != rev)
        throw new InvalidOperationException($"{model}: credits do not add up");
    Console.WriteLine($"| {TouchAttribution.Name(model)} | {best:0.00} | {pipe / 100m:N2} | {rev / 100m:N2} |");
}
Console.WriteLine();
Console.WriteLine($"all models: {total.Elapsed.TotalSeconds:0.00} s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024):N0} MiB; " +
                  $"allocated {GC.GetTotalAllocatedBytes() / (1024 * 1024):N0} MiB");
