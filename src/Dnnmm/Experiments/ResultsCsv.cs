using System.Globalization;
using System.Text;
using Dnnmm.Infrastructure;

namespace Dnnmm.Experiments;

/// <summary>
/// results.csv of an experiment grid: one <see cref="ResultRow"/> per line, invariant culture, doubles written
/// round-trip ("R"), an empty field for a null score or log-likelihood, omega and the class proportions as ';'-joined
/// lists, RFC-4180 quoting where a field needs it. The columns added after the first version (unlabelled-only and
/// test scores, omega, class proportions, sample purity and the Fréchet distance) come last; a file without them still
/// reads, with nulls and empty lists.
/// </summary>
public static class ResultsCsv
{
    /// <summary>The columns every results.csv has, in the order of the first version.</summary>
    private static readonly string[] Required =
        "dataset,classes,method,alpha,seed,acc,ari,nmi,log_likelihood,seconds,options_hash".Split(',');

    /// <summary>The columns added since, which an older file may lack.</summary>
    private static readonly string[] Optional =
        "acc_unlabelled,ari_unlabelled,nmi_unlabelled,acc_test,ari_test,nmi_test,omega,class_proportions,purity,frechet".Split(',');

    /// <summary>The header line that <see cref="Write"/> writes, exactly.</summary>
    public static readonly string Header = string.Join(",", Required.Concat(Optional));

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
            var fields = new[]
            {
                Csv.Field(r.Dataset), Csv.Field(r.Classes), Csv.Field(r.Method), Num(r.Alpha),
                r.Seed.ToString(CultureInfo.InvariantCulture), Num(r.Acc), Num(r.Ari), Num(r.Nmi), Num(r.LogLikelihood),
                Num(r.Seconds), Csv.Field(r.OptionsHash),
                Num(r.Unlabelled?.Acc), Num(r.Unlabelled?.Ari), Num(r.Unlabelled?.Nmi), Num(r.Test?.Acc), Num(r.Test?.Ari), Num(r.Test?.Nmi),
                List(r.Omega), List(r.ClassProportions), Num(r.SamplePurity), Num(r.Frechet),
            };
            sb.AppendJoin(',', fields).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// Reads a file written by <see cref="Write"/>, or by an earlier version without the later columns (quoted fields,
    /// CRLF line ends and a missing last line end are accepted). Throws a one-line <see cref="DnnmmInputException"/>
    /// naming the file and line when the file is missing or malformed: wrong header, wrong number of fields, a number
    /// that does not parse, an unclosed quote.
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
        // The first columns as in every version, then any of the later ones, each once.
        bool known = header.Count >= Required.Length && header.Take(Required.Length).SequenceEqual(Required) &&
                     header.Skip(Required.Length).All(Optional.Contains) && header.Distinct().Count() == header.Count;
        if (!known) throw new DnnmmInputException($"{source}: line {headerLine}: wrong header, expected '{Header}'");
        var column = header.Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i);
        var rows = new List<ResultRow>(records.Count - 1);
        foreach (var (line, f) in records.Skip(1))
        {
            if (f.Count != header.Count)
                throw new DnnmmInputException($"{source}: line {line}: {f.Count} fields, expected {header.Count}");
            double? Opt(string name) =>
                column.TryGetValue(name, out int i) && f[i].Length > 0 ? Double(f[i], name, line, source) : null;
            float[] Weights(string name) =>
                column.TryGetValue(name, out int i) ? Floats(f[i], name, line, source) : Array.Empty<float>();
            rows.Add(new ResultRow(f[0], f[1], f[2], Double(f[3], "alpha", line, source), Int(f[4], "seed", line, source),
                Double(f[5], "acc", line, source), Double(f[6], "ari", line, source), Double(f[7], "nmi", line, source),
                Opt("log_likelihood"), Double(f[9], "seconds", line, source), f[10])
            {
                Unlabelled = Scores.Of(Opt("acc_unlabelled"), Opt("ari_unlabelled"), Opt("nmi_unlabelled")),
                Test = Scores.Of(Opt("acc_test"), Opt("ari_test"), Opt("nmi_test")),
                Omega = Weights("omega"), ClassProportions = Weights("class_proportions"),
                SamplePurity = Opt("purity"), Frechet = Opt("frechet"),
            });
        }
        return rows;
    }

    private static string Num(double? v) => v is double d ? Num(d) : "";

    private static string List(float[] values) =>
        string.Join(";", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    private static float[] Floats(string s, string name, int line, string source)
    {
        if (s.Length == 0) return Array.Empty<float>();
        var parts = s.Split(';');
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new DnnmmInputException($"{source}: line {line}: {name} '{Short(s)}' is not a ';'-separated list of numbers");
        return values;
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
