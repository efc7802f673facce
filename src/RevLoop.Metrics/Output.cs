using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RevLoop.Metrics;

public enum OutputFormat { Csv, Json, Table }

public enum RetentionBasis { Mrr, Customers }

/// <summary>
/// Report formatters. CSV: comma separated, LF line ends, money rounded half-up to two decimals with '.',
/// ratios as fractions with four decimals, empty field = none. JSON: camelCase, same rounding, null = none.
/// Table: the CSV columns aligned for people (first column left-aligned, the others right-aligned); with
/// <c>color</c> (the CLI passes it only when stdout is a terminal and NO_COLOR is not set) cells get ANSI colours:
/// bold header, cyan first column, dim zeros, green increases and red decreases of MRR. Colour never changes the
/// text or the alignment, and CSV and JSON are never coloured.
/// </summary>
public static class ReportWriter
{
    /// <summary>Header of the `metrics mrr` CSV; a trailing `fx` column is added only when a reporting currency is used.</summary>
    public const string MrrCsvHeader =
        "month,mrr_start,new,expansion,reactivation,contraction,churn,mrr_end,customers_start,new_customers,reactivated_customers,churned_customers,customers_end";

    public const string SaasCsvHeader =
        "month,mrr,arr,arpa,customers,new_customers,churned_customers,customer_churn_rate,gross_mrr_churn,net_mrr_churn,nrr,grr,cohort_nrr_12m,cohort_grr_12m,ltv,quick_ratio,cost,cac,cac_payback_months";

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string C(decimal v) => Money.FormatCents(v);
    private static string C(decimal? v) => Money.FormatCents(v);
    private static string R(decimal? v) => Money.FormatRatio(v);

    // ---------- MRR ----------

    public static void WriteMrr(MetricsResult result, OutputFormat format, TextWriter output) => WriteMrr(result, format, output, color: false);

    public static void WriteMrr(MetricsResult result, OutputFormat format, TextWriter output, bool color)
    {
        switch (format)
        {
            case OutputFormat.Json: WriteMrrJson(result, output); break;
            case OutputFormat.Table: WriteTable(MrrRows(result), output, color ? MrrStyle : null); break;
            default: WriteCsv(MrrRows(result), output); break;
        }
    }

    private static List<string[]> MrrRows(MetricsResult r)
    {
        var header = MrrCsvHeader.Split(',').ToList();
        if (r.HasFx) header.Add("fx");
        var rows = new List<string[]> { header.ToArray() };
        foreach (var m in r.Months)
        {
            var row = new List<string>
            {
                m.Month.ToString(), C(m.MrrStart), C(m.New), C(m.Expansion), C(m.Reactivation), C(m.Contraction), C(m.Churn), C(m.MrrEnd),
                I(m.CustomersStart), I(m.NewCustomers), I(m.ReactivatedCustomers), I(m.ChurnedCustomers), I(m.CustomersEnd),
            };
            if (r.HasFx) row.Add(C(m.Fx));
            rows.Add(row.ToArray());
        }
        return rows;
    }

    private static void WriteMrrJson(MetricsResult r, TextWriter output) => Json(output, j =>
    {
        j.WriteStartObject();
        j.WriteString("currency", r.Currency);
        j.WriteString("from", r.From.ToString());
        j.WriteString("to", r.To.ToString());
        j.WriteStartArray("months");
        foreach (var m in r.Months)
        {
            j.WriteStartObject();
            j.WriteString("month", m.Month.ToString());
            JMoney(j, "mrrStart", m.MrrStart);
            JMoney(j, "new", m.New);
            JMoney(j, "expansion", m.Expansion);
            JMoney(j, "reactivation", m.Reactivation);
            JMoney(j, "contraction", m.Contraction);
            JMoney(j, "churn", m.Churn);
            if (r.HasFx) JMoney(j, "fx", m.Fx);
            JMoney(j, "mrrEnd", m.MrrEnd);
            j.WriteNumber("customersStart", m.CustomersStart);
            j.WriteNumber("newCustomers", m.NewCustomers);
            j.WriteNumber("reactivatedCustomers", m.ReactivatedCustomers);
            j.WriteNumber("churnedCustomers", m.ChurnedCustomers);
            j.WriteNumber("customersEnd", m.CustomersEnd);
            JMoney(j, "arr", m.Arr);
            JMoney(j, "arpa", m.Arpa);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();
    });

    // ---------- SaaS ----------

    public static void WriteSaas(MetricsResult result, IReadOnlyList<SaasMonth> months, OutputFormat format, TextWriter output) =>
        WriteSaas(result, months, format, output, color: false);

    public static void WriteSaas(MetricsResult result, IReadOnlyList<SaasMonth> months, OutputFormat format, TextWriter output, bool color)
    {
        switch (format)
        {
            case OutputFormat.Json: WriteSaasJson(result, months, output); break;
            case OutputFormat.Table: WriteTable(SaasRows(months), output, color ? BasicStyle : null); break;
            default: WriteCsv(SaasRows(months), output); break;
        }
    }

    private static List<string[]> SaasRows(IReadOnlyList<SaasMonth> months)
    {
        var rows = new List<string[]> { SaasCsvHeader.Split(',') };
        foreach (var s in months)
        {
            rows.Add([
                s.Month.ToString(), C(s.Mrr), C(s.Arr), C(s.Arpa), I(s.Customers), I(s.NewCustomers), I(s.ChurnedCustomers),
                R(s.CustomerChurnRate), R(s.GrossMrrChurn), R(s.NetMrrChurn), R(s.Nrr), R(s.Grr), R(s.CohortNrr12), R(s.CohortGrr12),
                C(s.Ltv), R(s.QuickRatio), C(s.Cost), C(s.Cac), C(s.CacPayback),
            ]);
        }
        return rows;
    }

    private static void WriteSaasJson(MetricsResult r, IReadOnlyList<SaasMonth> months, TextWriter output) => Json(output, j =>
    {
        j.WriteStartObject();
        j.WriteString("currency", r.Currency);
        j.WriteStartArray("months");
        foreach (var s in months)
        {
            j.WriteStartObject();
            j.WriteString("month", s.Month.ToString());
            JMoney(j, "mrr", s.Mrr);
            JMoney(j, "arr", s.Arr);
            JMoney(j, "arpa", s.Arpa);
            j.WriteNumber("customers", s.Customers);
            j.WriteNumber("newCustomers", s.NewCustomers);
            j.WriteNumber("churnedCustomers", s.ChurnedCustomers);
            Ratio(j, "customerChurnRate", s.CustomerChurnRate);
            Ratio(j, "grossMrrChurn", s.GrossMrrChurn);
            Ratio(j, "netMrrChurn", s.NetMrrChurn);
            Ratio(j, "nrr", s.Nrr);
            Ratio(j, "grr", s.Grr);
            Ratio(j, "cohortNrr12m", s.CohortNrr12);
            Ratio(j, "cohortGrr12m", s.CohortGrr12);
            JMoney(j, "ltv", s.Ltv);
            Ratio(j, "quickRatio", s.QuickRatio);
            JMoney(j, "cost", s.Cost);
            JMoney(j, "cac", s.Cac);
            JMoney(j, "cacPaybackMonths", s.CacPayback);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();
    });

    // ---------- Retention ----------

    public static void WriteRetention(MetricsResult result, RetentionBasis basis, OutputFormat format, TextWriter output) =>
        WriteRetention(result, basis, format, output, color: false);

    public static void WriteRetention(MetricsResult result, RetentionBasis basis, OutputFormat format, TextWriter output, bool color)
    {
        var cohorts = result.Cohorts();
        switch (format)
        {
            case OutputFormat.Json: WriteRetentionJson(result, cohorts, basis, output); break;
            case OutputFormat.Table: WriteTable(RetentionRows(cohorts, basis), output, color ? BasicStyle : null); break;
            default: WriteCsv(RetentionRows(cohorts, basis), output); break;
        }
    }

    private static decimal? Cell(CohortRow c, int k, RetentionBasis basis) =>
        basis == RetentionBasis.Customers ? c.CustomerRetention(k) : c.MrrRetention(k);

    private static List<string[]> RetentionRows(IReadOnlyList<CohortRow> cohorts, RetentionBasis basis)
    {
        int width = cohorts.Count;
        var header = new List<string> { "cohort", "customers", "starting_mrr" };
        for (int k = 0; k < width; k++) header.Add("m" + I(k));
        var rows = new List<string[]> { header.ToArray() };
        foreach (var c in cohorts)
        {
            var row = new List<string> { c.Cohort.ToString(), I(c.Customers), C(c.StartingMrr) };
            for (int k = 0; k < width; k++) row.Add(k < c.RetainedMrr.Count ? R(Cell(c, k, basis)) : "");
            rows.Add(row.ToArray());
        }
        return rows;
    }

    private static void WriteRetentionJson(MetricsResult r, IReadOnlyList<CohortRow> cohorts, RetentionBasis basis, TextWriter output) => Json(output, j =>
    {
        j.WriteStartObject();
        j.WriteString("currency", r.Currency);
        j.WriteString("basis", basis == RetentionBasis.Customers ? "customers" : "mrr");
        j.WriteStartArray("cohorts");
        foreach (var c in cohorts)
        {
            j.WriteStartObject();
            j.WriteString("cohort", c.Cohort.ToString());
            j.WriteNumber("customers", c.Customers);
            JMoney(j, "startingMrr", c.StartingMrr);
            j.WriteStartArray("retention");
            for (int k = 0; k < c.RetainedMrr.Count; k++)
            {
                var v = Cell(c, k, basis);
                if (v is null) j.WriteNullValue(); else j.WriteNumberValue(RevLoop.Metrics.Money.Round(v.Value, 4));
            }
            j.WriteEndArray();
            j.WriteStartArray("retainedMrr");
            foreach (var v in c.RetainedMrr) j.WriteNumberValue(RevLoop.Metrics.Money.RoundToCents(v));
            j.WriteEndArray();
            j.WriteStartArray("retainedCustomers");
            foreach (var v in c.RetainedCustomers) j.WriteNumberValue(v);
            j.WriteEndArray();
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();
    });

    // ---------- Sales (issue 5) ----------

    public const string SalesCsvHeader =
        "group,created,pipeline_created,won,lost,win_rate,win_rate_value,won_amount,avg_deal_size,sales_cycle_days,open,open_amount";

    public static void WriteSales(SalesReport report, OutputFormat format, TextWriter output, bool color = false)
    {
        switch (format)
        {
            case OutputFormat.Json: WriteSalesJson(report, output); break;
            case OutputFormat.Table: WriteTable(SalesRows(report, csv: false), output, color ? BasicStyle : null); break;
            default: WriteCsv(SalesRows(report, csv: true), output); break;
        }
    }

    private static List<string[]> SalesRows(SalesReport report, bool csv)
    {
        var rows = new List<string[]> { SalesCsvHeader.Split(',') };
        foreach (var g in report.Rows)
        {
            rows.Add([
                csv ? CsvCell(g.Group) : g.Group, L(g.Created), C(g.PipelineCreated), L(g.Won), L(g.Lost), R(g.WinRate), R(g.WinRateValue),
                C(g.WonAmount), C(g.AverageDealSize), C(g.SalesCycleDays), L(g.Open), C(g.OpenAmount),
            ]);
        }
        return rows;
    }

    private static void WriteSalesJson(SalesReport report, TextWriter output) => Json(output, j =>
    {
        j.WriteStartObject();
        j.WriteString("from", report.Query.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        j.WriteString("to", report.Query.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (report.Query.GroupBy == SalesGroupBy.None) j.WriteNull("groupBy");
        else j.WriteString("groupBy", SalesCsvReader.ColumnOf(report.Query.GroupBy));
        j.WriteStartArray("groups");
        foreach (var g in report.Rows)
        {
            j.WriteStartObject();
            j.WriteString("group", g.Group);
            j.WriteNumber("created", g.Created);
            JMoney(j, "pipelineCreated", g.PipelineCreated);
            j.WriteNumber("won", g.Won);
            j.WriteNumber("lost", g.Lost);
            Ratio(j, "winRate", g.WinRate);
            Ratio(j, "winRateValue", g.WinRateValue);
            JMoney(j, "wonAmount", g.WonAmount);
            JMoney(j, "avgDealSize", g.AverageDealSize);
            JMoney(j, "salesCycleDays", g.SalesCycleDays);
            j.WriteNumber("open", g.Open);
            JMoney(j, "openAmount", g.OpenAmount);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();
    });

    // ---------- Attribution (issue 6) ----------

    public const string AttributionCsvHeader = "channel,conversions,value";

    public static void WriteAttribution(AttributionResult result, OutputFormat format, TextWriter output, bool color = false)
    {
        switch (format)
        {
            case OutputFormat.Json: WriteAttributionJson(result, output); break;
            case OutputFormat.Table: WriteTable(AttributionRows(result, csv: false), output, color ? BasicStyle : null); break;
            default: WriteCsv(AttributionRows(result, csv: true), output); break;
        }
    }

    private static string D4(decimal v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static List<string[]> AttributionRows(AttributionResult result, bool csv)
    {
        var rows = new List<string[]> { AttributionCsvHeader.Split(',') };
        foreach (var c in result.Channels) rows.Add([csv ? CsvCell(c.Channel) : c.Channel, D4(c.Conversions), D4(c.Value)]);
        return rows;
    }

    private static void WriteAttributionJson(AttributionResult result, TextWriter output) => Json(output, j =>
    {
        j.WriteStartObject();
        j.WriteString("model", AttributionEngine.Name(result.Model));
        j.WriteNumber("totalConversions", result.TotalConversions);
        j.WriteNumber("totalValue", result.TotalValue);
        j.WriteStartArray("channels");
        foreach (var c in result.Channels)
        {
            j.WriteStartObject();
            j.WriteString("channel", c.Channel);
            j.WriteNumber("conversions", c.Conversions);
            j.WriteNumber("value", c.Value);
            if (c.RemovalEffect is { } re) j.WriteNumber("removalEffect", Math.Round(re, 4, MidpointRounding.AwayFromZero));
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();
    });

    /// <summary>A free-text cell (group value, channel name) quoted as RFC 4180 requires.</summary>
    internal static string CsvCell(string s) =>
        s.AsSpan().IndexOfAny(",\"\r\n") < 0 && (s.Length == 0 || (s[0] != ' ' && s[^1] != ' ')) ? s : "\"" + s.Replace("\"", "\"\"") + "\"";

    private static string L(long v) => v.ToString(CultureInfo.InvariantCulture);

    // ---------- helpers ----------

    private static void JMoney(Utf8JsonWriter j, string name, decimal? v)
    {
        if (v is null) j.WriteNull(name);
        else j.WriteNumber(name, Money.RoundToCents(v.Value));
    }

    private static void Ratio(Utf8JsonWriter j, string name, decimal? v)
    {
        if (v is null) j.WriteNull(name);
        else j.WriteNumber(name, Math.Round(v.Value, 4, MidpointRounding.AwayFromZero));
    }

    private static void Json(TextWriter output, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var j = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(j);
        }
        output.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        output.Write('\n');
    }

    internal static void WriteCsv(List<string[]> rows, TextWriter output)
    {
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            sb.AppendJoin(',', row);
            sb.Append('\n');
        }
        output.Write(sb.ToString());
    }

    // ---------- table colours (ANSI SGR) ----------

    private const string Bold = "1", Dim = "2", Red = "31", Green = "32", Cyan = "36";

    /// <summary>Style of a table cell: an SGR parameter string, or null for none.</summary>
    internal delegate string? CellStyle(string header, int row, int column, string cell);

    private static bool IsZero(string cell) => cell.Length > 0 && cell.All(c => c is '0' or '.');

    private static string? BasicStyle(string header, int row, int column, string cell) =>
        row == 0 ? Bold : column == 0 ? Cyan : IsZero(cell) ? Dim : null;

    private static string? MrrStyle(string header, int row, int column, string cell)
    {
        if (row == 0 || column == 0 || IsZero(cell) || cell.Length == 0) return BasicStyle(header, row, column, cell);
        return header switch
        {
            "new" or "expansion" or "reactivation" or "new_customers" or "reactivated_customers" => Green,
            "contraction" or "churn" or "churned_customers" => Red,
            "fx" => cell.StartsWith('-') ? Red : Green,
            "mrr_end" => Bold,
            "customers_end" => Bold,
            _ => null,
        };
    }

    internal static void WriteTable(List<string[]> rows, TextWriter output) => WriteTable(rows, output, null);

    internal static void WriteTable(List<string[]> rows, TextWriter output, CellStyle? style)
    {
        int cols = rows.Max(r => r.Length);
        var width = new int[cols];
        foreach (var row in rows)
            for (int i = 0; i < row.Length; i++) width[i] = Math.Max(width[i], row[i].Length);
        var header = rows[0];
        var sb = new StringBuilder();
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            for (int i = 0; i < cols; i++)
            {
                string cell = i < row.Length ? row[i] : "";
                if (i > 0) sb.Append("  ");
                int pad = width[i] - cell.Length;
                if (i > 0) sb.Append(' ', pad);
                string? sgr = cell.Length == 0 ? null : style?.Invoke(i < header.Length ? header[i] : "", r, i, cell);
                if (sgr is null) sb.Append(cell);
                else sb.Append("\u001b[").Append(sgr).Append('m').Append(cell).Append("\u001b[0m");
                if (i == 0) sb.Append(' ', pad);
            }
            // no trailing spaces
            int end = sb.Length;
            while (end > 0 && sb[end - 1] == ' ') end--;
            sb.Length = end;
            sb.Append('\n');
        }
        output.Write(sb.ToString());
    }
}
