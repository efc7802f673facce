using System.Text;

namespace RevLoop.Platform;

/// <summary>
/// Streams RFC 4180 records from a reader: quoted fields with commas, doubled quotes and line breaks. Each record
/// knows the line it started on, so reject files can name it.
/// </summary>
public sealed class CsvRecords(TextReader reader)
{
    private readonly StringBuilder field = new();
    private long line = 1;

    public long Line { get; private set; }

    /// <summary>Reads the next record into <paramref name="fields"/>; false at the end of the input.</summary>
    public bool Read(List<string> fields)
    {
        fields.Clear();
        field.Clear();
        Line = line;
        var c = reader.Read();
        if (c < 0) return false;
        var quoted = false;
        var wasQuoted = false;
        while (true)
        {
            if (c < 0)
            {
                if (quoted) throw new FormatException($"line {Line}: a quoted field is not closed");
                fields.Add(field.ToString());
                return true;
            }
            var ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { field.Append('"'); reader.Read(); }
                    else quoted = false;
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append(ch);
                }
            }
            else if (ch == '"' && field.Length == 0 && !wasQuoted) { quoted = true; wasQuoted = true; }
            else if (ch == ',') { fields.Add(field.ToString()); field.Clear(); wasQuoted = false; }
            else if (ch == '\r' && reader.Peek() == '\n') { /* CRLF: the \n ends the record */ }
            else if (ch == '\n')
            {
                line++;
                fields.Add(field.ToString());
                return true;
            }
            else field.Append(ch);
            c = reader.Read();
        }
    }

    public static string Quote(string? s) => s is null ? "" : s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
