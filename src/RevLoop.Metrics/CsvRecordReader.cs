using System.Runtime.CompilerServices;

namespace RevLoop.Metrics;

/// <summary>
/// Minimal, allocation-free RFC 4180 record reader over a UTF-8 <see cref="Stream"/>.
/// Records end at LF (a preceding CR is dropped); quoted fields may contain commas, doubled quotes
/// and line breaks. Unquoted fields are trimmed of spaces and tabs. Blank lines are skipped.
/// Fields are exposed as (start, length) into <see cref="Source"/> which is valid until the next call.
/// </summary>
internal sealed class CsvRecordReader
{
    private readonly Stream _stream;
    private byte[] _buf;
    private int _pos;
    private int _len;
    private bool _eof;
    private long _nextLine = 1;
    private byte[] _scratch = new byte[4096];
    private bool _first = true;

    public CsvRecordReader(Stream stream, int bufferSize = 1 << 20)
    {
        _stream = stream;
        _buf = new byte[bufferSize];
    }

    public int[] Start = new int[32];
    public int[] Length = new int[32];
    public int FieldCount;
    public byte[] Source = [];
    /// <summary>Line on which the current record starts (1-based).</summary>
    public long Line;
    /// <summary>Null, or why the current record is malformed.</summary>
    public string? Malformed;

    public ReadOnlySpan<byte> Field(int i) => Source.AsSpan(Start[i], Length[i]);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Read()
    {
        while (true)
        {
            if (_pos >= _len)
            {
                if (_eof) return false;
                Fill();
                continue;
            }
            var span = _buf.AsSpan(_pos, _len - _pos);
            int nl = span.IndexOf((byte)'\n');
            if (nl < 0 && !_eof)
            {
                Fill();
                continue;
            }
            int lineLen = nl < 0 ? span.Length : nl;
            var line = span[..lineLen];
            if (line.IndexOf((byte)'"') < 0)
            {
                Line = _nextLine++;
                int lineStart = _pos;
                _pos += nl < 0 ? lineLen : lineLen + 1;
                if (lineLen > 0 && line[lineLen - 1] == '\r') lineLen--;
                if (IsBlank(_buf.AsSpan(lineStart, lineLen))) continue;
                SplitUnquoted(lineStart, lineLen);
                return true;
            }
            // Quoted: the record may span several lines.
            if (TryReadQuoted(out bool complete)) return true;
            if (!complete)
            {
                if (_eof)
                {
                    // unterminated quote: consume the rest as one malformed record
                    Line = _nextLine;
                    _nextLine += _buf.AsSpan(_pos, _len - _pos).Count((byte)'\n') + 1;
                    _pos = _len;
                    FieldCount = 0;
                    Malformed = "unterminated quoted field";
                    return true;
                }
                Fill();
            }
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> s)
    {
        foreach (byte b in s) if (b != ' ' && b != '\t') return false;
        return true;
    }

    private void Fill()
    {
        if (_first)
        {
            _first = false;
            _len = _stream.ReadAtLeast(_buf, _buf.Length, throwOnEndOfStream: false);
            if (_len < _buf.Length) _eof = true;
            if (_len >= 3 && _buf[0] == 0xEF && _buf[1] == 0xBB && _buf[2] == 0xBF) _pos = 3; // BOM
            return;
        }
        if (_pos > 0)
        {
            Buffer.BlockCopy(_buf, _pos, _buf, 0, _len - _pos);
            _len -= _pos;
            _pos = 0;
        }
        if (_len == _buf.Length) Array.Resize(ref _buf, _buf.Length * 2);
        int want = _buf.Length - _len;
        int n = _stream.ReadAtLeast(_buf.AsSpan(_len), want, throwOnEndOfStream: false);
        _len += n;
        if (n < want) _eof = true;
    }

    private void EnsureFields(int n)
    {
        if (n <= Start.Length) return;
        Array.Resize(ref Start, Math.Max(n, Start.Length * 2));
        Array.Resize(ref Length, Start.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SplitUnquoted(int lineStart, int lineLen)
    {
        Source = _buf;
        Malformed = null;
        int f = 0;
        int p = lineStart;
        int end = lineStart + lineLen;
        while (true)
        {
            int rel = _buf.AsSpan(p, end - p).IndexOf((byte)',');
            int fe = rel < 0 ? end : p + rel;
            EnsureFields(f + 1);
            int s = p, e = fe;
            while (s < e && (_buf[s] == ' ' || _buf[s] == '\t')) s++;
            while (e > s && (_buf[e - 1] == ' ' || _buf[e - 1] == '\t')) e--;
            Start[f] = s;
            Length[f] = e - s;
            f++;
            if (rel < 0) break;
            p = fe + 1;
        }
        FieldCount = f;
    }

    /// <summary>Parses one record starting at _pos that contains quotes. Returns false when the buffer ends first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryReadQuoted(out bool complete)
    {
        complete = false;
        int p = _pos;
        int end = _len;
        int outLen = 0;
        int f = 0;
        int newlines = 0;
        string? malformed = null;
        if (_scratch.Length < end - p) _scratch = new byte[Math.Max(_scratch.Length * 2, end - p)];
        while (true)
        {
            // start of a field
            EnsureFields(f + 1);
            while (p < end && (_buf[p] == ' ' || _buf[p] == '\t')) p++;
            if (p < end && _buf[p] == '"')
            {
                p++;
                int fs = outLen;
                while (true)
                {
                    if (p >= end) return false; // need more data
                    byte b = _buf[p];
                    if (b == '"')
                    {
                        if (p + 1 >= end && !_eof) return false;
                        if (p + 1 < end && _buf[p + 1] == '"') { _scratch[outLen++] = (byte)'"'; p += 2; continue; }
                        p++;
                        break;
                    }
                    if (b == '\n') newlines++;
                    _scratch[outLen++] = b;
                    p++;
                }
                Start[f] = fs;
                Length[f] = outLen - fs;
                f++;
                // after closing quote: spaces, then ',' or end of record
                while (p < end && (_buf[p] == ' ' || _buf[p] == '\t' || _buf[p] == '\r')) p++;
                if (p >= end)
                {
                    if (!_eof) return false;
                    break;
                }
                if (_buf[p] == ',') { p++; continue; }
                if (_buf[p] == '\n') { p++; newlines++; break; }
                // garbage after closing quote: skip to the end of the field
                malformed ??= "malformed quoted field";
                while (p < end && _buf[p] != ',' && _buf[p] != '\n') p++;
                if (p >= end) { if (!_eof) return false; break; }
                if (_buf[p] == ',') { p++; continue; }
                p++;
                newlines++;
                break;
            }
            else
            {
                int fs = outLen;
                while (p < end && _buf[p] != ',' && _buf[p] != '\n')
                {
                    if (_buf[p] == '"') malformed ??= "quote inside unquoted field";
                    _scratch[outLen++] = _buf[p++];
                }
                if (p >= end && !_eof) return false;
                int fe = outLen;
                while (fe > fs && (_scratch[fe - 1] == ' ' || _scratch[fe - 1] == '\t' || _scratch[fe - 1] == '\r')) fe--;
                Start[f] = fs;
                Length[f] = fe - fs;
                f++;
                if (p >= end) break;
                if (_buf[p] == ',') { p++; continue; }
                p++;
                newlines++;
                break;
            }
        }
        complete = true;
        Line = _nextLine;
        int consumedNewlines = newlines;
        // a record that ends at EOF without LF still occupies its line
        _nextLine += consumedNewlines == 0 || _buf[p - 1] != '\n' ? consumedNewlines + 1 : consumedNewlines;
        _pos = p;
        FieldCount = f;
        Source = _scratch;
        Malformed = malformed;
        return true;
    }
}
