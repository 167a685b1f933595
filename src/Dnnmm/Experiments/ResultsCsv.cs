using System.Globalization;
using System.Text;
using Dnnmm.Infrastructure;

namespace Dnnmm.Experiments;

/// <summary>
/// results.csv of an experiment grid: one <see cref="ResultRow"/> per line, invariant culture, doubles written
/// round-trip ("R"), an empty field for a null log-likelihood, RFC-4180 quoting where a field needs it.
/// </summary>
public static class ResultsCsv
{
    /// <summary>The header line, exactly.</summary>
    public const string Header = "dataset,classes,method,alpha,seed,acc,ari,nmi,log_likelihood,seconds,options_hash";

    private static readonly int FieldCount = Header.Split(',').Length;

    /// <summary>Writes the header and the rows to <paramref name="path"/> (atomically, '\n' line ends, UTF-8).</summary>
    public static void Write(string path, IEnumerable<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        AtomicFile.WriteAllText(path, ToText(rows));
    }

    /// <summary>The text that <see cref="Write"/> writes.</summary>
    public static string ToText(IEnumerable<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
        {
            sb.Append(Csv.Field(r.Dataset)).Append(',')
              .Append(Csv.Field(r.Classes)).Append(',')
              .Append(Csv.Field(r.Method)).Append(',')
              .Append(Num(r.Alpha)).Append(',')
              .Append(r.Seed.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(Num(r.Acc)).Append(',')
              .Append(Num(r.Ari)).Append(',')
              .Append(Num(r.Nmi)).Append(',')
              .Append(r.LogLikelihood is double ll ? Num(ll) : "").Append(',')
              .Append(Num(r.Seconds)).Append(',')
              .Append(Csv.Field(r.OptionsHash)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// Reads a file written by <see cref="Write"/> (quoted fields, CRLF line ends and a missing last line end are
    /// accepted). Throws a one-line <see cref="DnnmmInputException"/> naming the file and line when the file is missing
    /// or malformed: wrong header, wrong number of fields, a number that does not parse, an unclosed quote.
    /// </summary>
    public static List<ResultRow> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DnnmmInputException($"{path}: cannot read the results file ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses the text of a results.csv; <paramref name="source"/> names it in error messages.</summary>
    public static List<ResultRow> Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var records = Records(text, source);
        if (records.Count == 0) throw new DnnmmInputException($"{source}: line 1: empty file, expected the header '{Header}'");
        var (headerLine, header) = records[0];
        if (string.Join(",", header) != Header)
            throw new DnnmmInputException($"{source}: line {headerLine}: wrong header, expected '{Header}'");
        var rows = new List<ResultRow>(records.Count - 1);
        foreach (var (line, f) in records.Skip(1))
        {
            if (f.Count != FieldCount)
                throw new DnnmmInputException($"{source}: line {line}: {f.Count} fields, expected {FieldCount}");
            rows.Add(new ResultRow(f[0], f[1], f[2], Double(f[3], "alpha", line, source), Int(f[4], "seed", line, source),
                Double(f[5], "acc", line, source), Double(f[6], "ari", line, source), Double(f[7], "nmi", line, source),
                f[8].Length == 0 ? null : Double(f[8], "log_likelihood", line, source),
                Double(f[9], "seconds", line, source), f[10]));
        }
        return rows;
    }

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static double Double(string s, string name, int line, string source) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new DnnmmInputException($"{source}: line {line}: {name} '{Short(s)}' is not a number");

    private static int Int(string s, string name, int line, string source) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new DnnmmInputException($"{source}: line {line}: {name} '{Short(s)}' is not an integer");

    private static string Short(string s)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length <= 40 ? s : s[..40] + "...";
    }

    /// <summary>The records of an RFC-4180 text, each with the (1-based) line it starts on; blank lines are skipped.</summary>
    private static List<(int Line, List<string> Fields)> Records(string text, string source)
    {
        var records = new List<(int, List<string>)>();
        int i = 0, line = 1;
        while (i < text.Length)
        {
            int start = line;
            if (text[i] == '\n' || text[i] == '\r')
            {
                // A blank line.
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                i++;
                line++;
                continue;
            }
            var fields = new List<string>();
            var field = new StringBuilder();
            bool endOfRecord = false;
            while (!endOfRecord)
            {
                field.Clear();
                if (i < text.Length && text[i] == '"')
                {
                    i++;
                    while (true)
                    {
                        if (i >= text.Length)
                            throw new DnnmmInputException($"{source}: line {start}: a quoted field is not closed");
                        char c = text[i];
                        if (c == '"')
                        {
                            if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                            i++;
                            break;
                        }
                        if (c == '\n') line++;
                        field.Append(c);
                        i++;
                    }
                    if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                        throw new DnnmmInputException($"{source}: line {line}: text after a closing quote");
                }
                else
                {
                    while (i < text.Length && text[i] is not (',' or '\r' or '\n')) field.Append(text[i++]);
                }
                fields.Add(field.ToString());
                if (i < text.Length && text[i] == ',') { i++; continue; }
                if (i < text.Length && text[i] == '\r') i++;
                if (i < text.Length && text[i] == '\n') i++;
                line++;
                endOfRecord = true;
            }
            records.Add((start, fields));
        }
        return records;
    }
}
