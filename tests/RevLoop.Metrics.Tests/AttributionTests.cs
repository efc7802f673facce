using System.Globalization;
using System.Text;
using System.Text.Json;
using static RevLoop.Metrics.Tests.TestUtil;

namespace RevLoop.Metrics.Tests;

public class AttributionTests
{
    private const string PathHeader = "path,total_conversions,total_conversion_value,total_null\n";

    // Worked by hand in the comments of each test below.
    private const string Small = PathHeader
                                 + "a > b,1,10,1\n"
                                 + "b,1,5,0\n"
                                 + "\"a > c > b\",2,3.3,0\n"
                                 + "c > c,0,0,4\n";

    private static (int Code, string Out, string Err) Run(string csv, string model, OutputFormat format = OutputFormat.Csv)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = new MetricsCommandRunner().RunAttribution(Utf8(csv), new AttributionOptions { Model = model, Format = format }, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static PathTable Paths(string csv, int bufferSize = 1 << 20)
    {
        var errors = new List<RowError>();
        var t = PathCsvReader.Read(Utf8(csv), errors, bufferSize);
        Assert.Empty(errors);
        return t;
    }

    [Theory]
    // first: a>b (1 conv, 10) and a>c>b (2, 3.3) start with a; b (1, 5) with b.
    [InlineData("first", "a,3.0000,13.3000\nb,1.0000,5.0000\nc,0.0000,0.0000\n")]
    [InlineData("last", "a,0.0000,0.0000\nb,4.0000,18.3000\nc,0.0000,0.0000\n")]
    // linear: a = 1/2 + 2/3, b = 1/2 + 1 + 2/3, c = 2/3 (sum 4); truncated 1.1666 + 2.1666 + 0.6666 = 3.9998, the two
    // missing units go to the largest remainders, all equal (2/3), so by name to a and b.
    // value: a = 5 + 1.1, b = 5 + 5 + 1.1, c = 1.1.
    [InlineData("linear", "a,1.1667,6.1000\nb,2.1667,11.1000\nc,0.6666,1.1000\n")]
    // u_shaped: a>b 50/50; a>c>b: a 40%, c 20%, b 40% of 2 conversions and of 3.3.
    [InlineData("u_shaped", "a,1.3000,6.3200\nb,2.3000,11.3200\nc,0.4000,0.6600\n")]
    // markov: start -> a 4, b 1, c 4; a -> b 2, c 2; b -> conversion 4, null 1; c -> b 2, c 4, null 4.
    // B(b) = 0.8, B(c) = 0.2 x 0.8 / (1 - 0.4) = 4/15, B(a) = 0.4 + 2/15 = 8/15; P = (4 x 8/15 + 0.8 + 4 x 4/15) / 9 = 4/9.
    // Without a: (0.8 + 16/15) / 9 -> effect 1 - 28/60 = 8/15; without b: 0 -> 1; without c: B(a) = 0.4 -> (1.6 + 0.8) / 9 -> 0.4.
    // Shares 8/29, 15/29, 6/29 of 4 conversions: 1.10344.., 2.06896.., 0.82758..; of 18.3: 5.04827.., 9.46551.., 3.78620..
    [InlineData("markov", "a,1.1034,5.0483\nb,2.0690,9.4655\nc,0.8276,3.7862\n")]
    public void Hand_computed_small_case_for_every_model(string model, string rows)
    {
        var (code, output, err) = Run(Small, model);
        Assert.Equal((0, ""), (code, err));
        Assert.Equal("channel,conversions,value\n" + rows, output);
    }

    [Fact]
    public void Markov_removal_effects_are_the_hand_computed_ones()
    {
        var r = AttributionEngine.Compute(Paths(Small), AttributionModel.Markov);
        Assert.Equal(["a", "b", "c"], r.Channels.Select(c => c.Channel));
        Assert.Equal(8.0 / 15, r.Channels[0].RemovalEffect!.Value, 12);
        Assert.Equal(1.0, r.Channels[1].RemovalEffect!.Value, 12);
        Assert.Equal(0.4, r.Channels[2].RemovalEffect!.Value, 12);
        Assert.Equal((4L, 18.3m), (r.TotalConversions, r.TotalValue));
    }

    [Theory]
    [InlineData("first", "a,1.0000,0.0000\nb,0.0000,0.0000\nc,0.0000,0.0000\nd,0.0000,0.0000\n")]
    [InlineData("last", "a,0.0000,0.0000\nb,0.0000,0.0000\nc,0.0000,0.0000\nd,1.0000,0.0000\n")]
    // repeats are separate touches: a gets 2 of 5
    [InlineData("linear", "a,0.4000,0.0000\nb,0.2000,0.0000\nc,0.2000,0.0000\nd,0.2000,0.0000\n")]
    // 40% first (a), 40% last (d), 20% over the three middle touches b, a, c
    [InlineData("u_shaped", "a,0.4667,0.0000\nb,0.0667,0.0000\nc,0.0666,0.0000\nd,0.4000,0.0000\n")]
    public void Repeated_channels_count_as_separate_touches(string model, string rows)
    {
        var (code, output, err) = Run(PathHeader + "a > b > a > c > d,1,0,0\n", model);
        Assert.Equal((0, ""), (code, err));
        Assert.Equal("channel,conversions,value\n" + rows, output);
    }

    [Fact]
    public void U_shaped_gives_one_touch_everything_and_two_touches_half_each()
    {
        var (_, output, _) = Run(PathHeader + "a,1,1,0\nb > c,1,3,0\n", "u_shaped");
        Assert.Equal("channel,conversions,value\na,1.0000,1.0000\nb,0.5000,1.5000\nc,0.5000,1.5000\n", output);
    }

    [Fact]
    public void Values_with_more_than_four_decimals_add_up_to_the_total_rounded_half_up()
    {
        // total value 0.00015 -> 0.0002; each channel's exact share 0.00005 truncates to 0: the two missing units go by name.
        var (code, output, _) = Run(PathHeader + "a > b > c,3,0.00015,0\n", "linear");
        Assert.Equal(0, code);
        Assert.Equal("channel,conversions,value\na,1.0000,0.0001\nb,1.0000,0.0001\nc,1.0000,0.0000\n", output);
    }

    [Fact]
    public void Float_exported_values_are_kept_exactly()
    {
        // R's write.csv (ChannelAttribution's PathData) prints up to 15 significant digits; small values in exponent form.
        var (code, output, err) = Run(PathHeader + "a,1,0.00450000000000006,3\nb,1,1.5e-3,0\nc,1,30.7346153846154,1\n", "first");
        Assert.Equal((0, ""), (code, err));
        Assert.Equal("channel,conversions,value\na,1.0000,0.0045\nb,1.0000,0.0015\nc,1.0000,30.7346\n", output);
        var json = JsonDocument.Parse(Run(PathHeader + "a,1,0.00450000000000006,3\nb,1,1.5E-3,0\n", "first", OutputFormat.Json).Out);
        Assert.Equal(0.00600000000000006m, json.RootElement.GetProperty("totalValue").GetDecimal());
        var bad = Run(PathHeader + "a,1,0.0000000000000000001,0\nb,1,1e10,0\nc,1,1e,0\nd,1,2.5e-20,0\n", "first");
        Assert.Equal(
            "line 2: total_conversion_value: more than 18 decimals '0.0000000000000000001'\n"
            + "line 3: total_conversion_value: number too large '1e10'\n"
            + "line 4: total_conversion_value: invalid number '1e'\n"
            + "line 5: total_conversion_value: more than 18 decimals '2.5e-20'\n"
            + "error: 4 invalid row(s); nothing computed\n", bad.Err.Replace("\r", ""));
    }

    [Fact]
    public void Channels_seen_only_on_paths_without_conversions_are_listed_with_zero()
    {
        foreach (var model in AttributionEngine.ModelNames)
        {
            var (code, output, _) = Run(PathHeader + "z > a,2,4,0\nb,0,0,7\n", model);
            Assert.Equal(0, code);
            var lines = output.Split('\n');
            Assert.Equal(["channel,conversions,value", "a", "b,0.0000,0.0000", "z", ""], [lines[0], lines[1][..1], lines[2], lines[3][..1], lines[4]]);
        }
    }

    [Fact]
    public void Path_format_variants_quotes_spaces_and_column_order()
    {
        // ChannelAttribution writes quoted paths (R write.csv) and some tools write a>b without spaces; columns by name.
        var a = Run(PathHeader + "\"eta > iota\",1,0.244,3\n\"iota\",2,3.195,6\n", "markov").Out;
        var b = Run("total_null,path,total_conversions,total_conversion_value\r\n3, eta>iota ,1,0.244\r\n6,iota,2,3.195\r\n", "markov").Out;
        Assert.Equal(a, b);
        Assert.StartsWith("channel,conversions,value\neta,", a);
        // value and nulls may be left out: they count 0
        Assert.Equal("channel,conversions,value\nx,1.0000,0.0000\ny,1.0000,0.0000\n", Run("path,total_conversions\nx > y,2\n", "linear").Out);
        // a channel name with a comma is quoted in the output
        Assert.Equal("channel,conversions,value\n\"paid, search\",1.0000,0.0000\n", Run(PathHeader + "\"paid, search\",1,0,0\n", "first").Out);
    }

    [Fact]
    public void Invalid_rows_are_listed_by_line_and_column_and_nothing_is_printed()
    {
        var (code, output, err) = Run(PathHeader
                                      + "a > b,1.5,10,1\n"
                                      + "> b,1,5,0\n"
                                      + "a > c > b,x,3.3,-1\n"
                                      + "c > c,0,4,4\n"
                                      + "a,1,1,1,1\n"
                                      + "a >  > b,1,1,1\n"
                                      + ",1,1,1\n"
                                      + "a,1,-2,1\n"
                                      + "a,3.0,2,1\n", "markov");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal(
            "line 2: total_conversions: not an integer count '1.5'\n"
            + "line 3: path: empty channel name at position 1\n"
            + "line 4: total_conversions: not an integer count 'x'\n"
            + "line 4: total_null: negative count '-1'\n"
            + "line 5: total_conversion_value: a path without conversions has no conversion value\n"
            + "line 6: row: expected 4 fields, found 5\n"
            + "line 7: path: empty channel name at position 2\n"
            + "line 8: path: missing\n"
            + "line 9: total_conversion_value: negative value\n"
            + "error: 8 invalid row(s); nothing computed\n", err.Replace("\r", ""));
    }

    [Theory]
    [InlineData("w_shaped", "error: invalid model 'w_shaped', expected one of: first, last, linear, u_shaped, markov\n")]
    [InlineData(null, "error: --model is required: first, last, linear, u_shaped, markov\n")]
    public void Unknown_or_missing_model_is_exit_code_2(string? model, string message)
    {
        var (code, output, err) = Run(Small, model!);
        Assert.Equal((2, "", message), (code, output, err.Replace("\r", "")));
    }

    [Fact]
    public void Missing_columns_and_empty_input_are_refused()
    {
        Assert.Equal((2, "error: missing required column(s): total_conversions\n"), (Run("path,total_null\na,1\n", "first").Code, Run("path,total_null\na,1\n", "first").Err.Replace("\r", "")));
        Assert.Equal("error: empty input: a header row is required\n", Run("", "first").Err.Replace("\r", ""));
        Assert.Equal("channel,conversions,value\n", Run(PathHeader, "markov").Out);
    }

    [Fact]
    public void Markov_refuses_more_channels_than_it_can_invert()
    {
        var sb = new StringBuilder(PathHeader);
        for (int i = 0; i <= AttributionEngine.MaxMarkovChannels; i++) sb.Append("c").Append(i).Append(",1,1,1\n");
        var (code, _, err) = Run(sb.ToString(), "markov");
        Assert.Equal((2, $"error: markov supports at most {AttributionEngine.MaxMarkovChannels} channels, the paths have {AttributionEngine.MaxMarkovChannels + 1}\n"), (code, err.Replace("\r", "")));
        Assert.Equal(0, Run(sb.ToString(), "linear").Code);
    }

    [Fact]
    public void Json_and_table_formats()
    {
        var (code, output, _) = Run(Small, "markov", OutputFormat.Json);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(("markov", 4L, 18.3m), (root.GetProperty("model").GetString(), root.GetProperty("totalConversions").GetInt64(), root.GetProperty("totalValue").GetDecimal()));
        var b = root.GetProperty("channels")[1];
        Assert.Equal(("b", "2.0690", "9.4655", 1m), (b.GetProperty("channel").GetString(), b.GetProperty("conversions").GetRawText(), b.GetProperty("value").GetRawText(), b.GetProperty("removalEffect").GetDecimal()));
        Assert.Equal(0.5333m, root.GetProperty("channels")[0].GetProperty("removalEffect").GetDecimal());
        Assert.False(JsonDocument.Parse(Run(Small, "linear", OutputFormat.Json).Out).RootElement.GetProperty("channels")[0].TryGetProperty("removalEffect", out _));

        Assert.Equal(
            "channel  conversions    value\n"
            + "a             3.0000  13.3000\n"
            + "b             1.0000   5.0000\n"
            + "c             0.0000   0.0000\n", Run(Small, "first", OutputFormat.Table).Out);
    }

    // ---------- generated data: exact sums, exactness of the position models, markov against plain iteration ----------

    private static List<(string[] Path, long Conversions, decimal Value, long Nulls)> Generated(int seed, int count, int channels)
    {
        var rnd = new Random(seed);
        var list = new List<(string[], long, decimal, long)>();
        for (int i = 0; i < count; i++)
        {
            int n = 1 + rnd.Next(rnd.Next(2) == 0 ? 3 : 9);
            var path = Enumerable.Range(0, n).Select(_ => "ch" + rnd.Next(channels).ToString(CultureInfo.InvariantCulture)).ToArray();
            long conv = rnd.Next(4) == 0 ? rnd.Next(1, 5) : 0;
            decimal value = conv > 0 ? rnd.Next(0, 1_000_000) / 100m + rnd.Next(0, 3) / 1000m : 0m;
            list.Add((path, conv, value, rnd.Next(0, 30)));
        }
        return list;
    }

    private static string ToCsv(IEnumerable<(string[] Path, long Conversions, decimal Value, long Nulls)> paths) =>
        PathHeader + string.Concat(paths.Select(p => string.Create(CultureInfo.InvariantCulture, $"{string.Join(" > ", p.Path)},{p.Conversions},{p.Value},{p.Nulls}\n")));

    [Theory]
    [InlineData("first")]
    [InlineData("last")]
    [InlineData("linear")]
    [InlineData("u_shaped")]
    public void Position_models_are_the_exact_credits_split_to_the_totals(string modelName)
    {
        var model = AttributionEngine.ParseModel(modelName);
        var data = Generated(11, 3000, 9);
        var result = AttributionEngine.Compute(Paths(ToCsv(data), bufferSize: 4096), model);
        // Independent exact credits, touch by touch.
        var conv = new Dictionary<string, Rational>();
        var value = new Dictionary<string, Rational>();
        foreach (var (path, c, v, _) in data)
        {
            int n = path.Length;
            for (int i = 0; i < n; i++)
            {
                Rational w = model switch
                {
                    AttributionModel.First => i == 0 ? 1 : 0,
                    AttributionModel.Last => i == n - 1 ? 1 : 0,
                    AttributionModel.Linear => new Rational(1, n),
                    _ => n == 1 ? 1 : n == 2 ? new Rational(1, 2) : i == 0 || i == n - 1 ? new Rational(2, 5) : new Rational(1, 5 * (n - 2)),
                };
                conv[path[i]] = conv.GetValueOrDefault(path[i], Rational.Zero) + w * c;
                value[path[i]] = value.GetValueOrDefault(path[i], Rational.Zero) + w * Rational.FromDecimal(v);
            }
        }
        Assert.Equal(conv.Keys.Order(StringComparer.Ordinal), result.Channels.Select(c => c.Channel));
        var unit = new Rational(1, 10_000);
        foreach (var ch in result.Channels)
        {
            // largest remainder: every credit is its exact value truncated to 4 decimals, or one unit more
            foreach (var (printed, exact) in new[] { (ch.Conversions, conv[ch.Channel]), (ch.Value, value[ch.Channel]) })
            {
                var diff = Rational.FromDecimal(printed) - exact;
                Assert.True(diff > -unit && diff < unit, $"{ch.Channel}: {printed} vs {exact.ToDecimal()}");
            }
        }
        Assert.Equal(data.Sum(d => d.Conversions), result.Channels.Sum(c => c.Conversions));
        Assert.Equal(Money.Round(data.Sum(d => d.Value), 4), result.Channels.Sum(c => c.Value));
        Assert.Equal(data.Sum(d => d.Value), result.TotalValue);
    }

    [Fact]
    public void Markov_matches_plain_iteration_of_the_chain_on_generated_paths_with_nulls()
    {
        var data = Generated(5, 2000, 7);
        var result = AttributionEngine.Compute(Paths(ToCsv(data)), AttributionModel.Markov);
        AssertMatchesIteration(data.Select(d => (d.Path, d.Conversions, d.Nulls)).ToList(), result, data.Sum(d => d.Value));
        // Billions of value still split to the last printed digit (credits are not rounded before the split).
        var big = data.Select(d => (d.Path, d.Conversions, d.Value * 1000, d.Nulls)).ToList();
        Assert.True(big.Sum(d => d.Item3) > 1_000_000_000m);
        AssertMatchesIteration(data.Select(d => (d.Path, d.Conversions, d.Nulls)).ToList(),
            AttributionEngine.Compute(Paths(ToCsv(big)), AttributionModel.Markov), big.Sum(d => d.Item3));
    }

    /// <summary>
    /// Real journeys (MIT, see TestData/attribution/README.md): 2,392 converting paths over 20 channels with repeats.
    /// </summary>
    [Fact]
    public void Markov_matches_plain_iteration_of_the_chain_on_the_jakebenn_journeys()
    {
        var csv = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "attribution", "jakebenn_paths.csv"));
        var result = AttributionEngine.Compute(Paths(csv), AttributionModel.Markov);
        var data = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(','))
            .Select(f => (f[0].Split(" > "), long.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Equal(20, result.Channels.Count);
        Assert.Equal(2392L, result.TotalConversions);
        AssertMatchesIteration(data, result, 0m);
        // Spot values: with no nulls every path converts, so a channel's effect is the probability of passing through it.
        Assert.Equal(2392m, result.Channels.Sum(c => c.Conversions));
    }

    /// <summary>
    /// The chain solved the plain way: for the full chain and once per removed channel, push probability mass from start
    /// along the transition probabilities until less than 1e-15 is left in transient states.
    /// </summary>
    private static void AssertMatchesIteration(List<(string[] Path, long Conversions, long Nulls)> data, AttributionResult result, decimal totalValue)
    {
        const string Start = "(start)", Conversion = "(conversion)", Null = "(null)";
        var counts = new Dictionary<string, Dictionary<string, double>>();
        void Add(string from, string to, double w)
        {
            if (w == 0) return;
            if (!counts.TryGetValue(from, out var row)) counts[from] = row = new();
            row[to] = row.GetValueOrDefault(to) + w;
        }
        foreach (var (path, c, n) in data)
        {
            string prev = Start;
            foreach (var ch in path) { Add(prev, ch, c + n); prev = ch; }
            Add(prev, Conversion, c);
            Add(prev, Null, n);
        }
        double Converted(string? removed)
        {
            var mass = new Dictionary<string, double> { [Start] = 1 };
            double converted = 0;
            for (int step = 0; step < 1_000_000 && mass.Values.Sum() > 1e-15; step++)
            {
                var next = new Dictionary<string, double>();
                foreach (var (state, m) in mass)
                {
                    if (state == removed || !counts.TryGetValue(state, out var row)) continue;
                    double total = row.Values.Sum();
                    foreach (var (to, w) in row)
                    {
                        if (to == Conversion) converted += m * w / total;
                        else if (to != Null) next[to] = next.GetValueOrDefault(to) + m * w / total;
                    }
                }
                mass = next;
            }
            return converted;
        }
        double p = Converted(null);
        var effects = result.Channels.ToDictionary(c => c.Channel, c => 1 - Converted(c.Channel) / p);
        double sum = effects.Values.Sum();
        long totalConversions = data.Sum(d => d.Conversions);
        foreach (var ch in result.Channels)
        {
            Assert.Equal(effects[ch.Channel], ch.RemovalEffect!.Value, 9);
            double share = effects[ch.Channel] / sum;
            Assert.True(Math.Abs((double)ch.Conversions - share * totalConversions) < 0.0001 + 1e-9, $"{ch.Channel}: {ch.Conversions} vs {share * totalConversions}");
            Assert.True(Math.Abs((double)ch.Value - share * (double)totalValue) < 0.0001 + 1e-6, $"{ch.Channel}: {ch.Value} vs {share * (double)totalValue}");
        }
        Assert.Equal(totalConversions, result.Channels.Sum(c => c.Conversions));
        Assert.Equal(Money.Round(totalValue, 4), result.Channels.Sum(c => c.Value));
    }

    [Fact]
    public void Parsing_across_small_buffers_gives_the_same_table()
    {
        var csv = ToCsv(Generated(3, 500, 5)) + "\"quoted > path\",1,2,3\n";
        var big = AttributionEngine.Compute(Paths(csv), AttributionModel.UShaped);
        var small = AttributionEngine.Compute(Paths(csv, bufferSize: 64), AttributionModel.UShaped);
        Assert.Equal(big.Channels, small.Channels);
        Assert.Equal(Paths(csv).TouchCount, Paths(csv, bufferSize: 64).TouchCount);
    }

    [Fact]
    public void Paths_from_records_give_the_same_result_as_the_csv()
    {
        var data = Generated(9, 300, 6);
        var fromRecords = PathTable.FromPaths(data.Select(d => ((IReadOnlyList<string>)d.Path, d.Conversions, d.Value, d.Nulls)));
        foreach (AttributionModel model in Enum.GetValues<AttributionModel>())
            Assert.Equal(AttributionEngine.Compute(Paths(ToCsv(data)), model).Channels, AttributionEngine.Compute(fromRecords, model).Channels);
    }
}
