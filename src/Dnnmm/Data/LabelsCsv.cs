using System.Globalization;
using Dnnmm.Infrastructure;

namespace Dnnmm.Data;

/// <summary>
/// The labels a user has for some images of a flat folder: a CSV file with the columns file,class (a header line
/// "file,class" is optional; fields may be quoted as in RFC 4180). file is the image's path relative to the folder;
/// class is a cluster index 0..K-1 (every class a whole number) or a class name (names are given the indices 0, 1, ...
/// in ordinal order, and the clusters no name reaches are named by their index). Images the file does not name are
/// unlabelled.
/// </summary>
public static class LabelsCsv
{
    /// <summary>The labels of the files, and the K class names.</summary>
    public sealed record Result(int[] Labels, string[] ClassNames)
    {
        public int LabelledCount => Labels.Count(y => y >= 0);
    }

    /// <summary>
    /// Reads the labels of <paramref name="files"/> (full paths of the folder's images) from <paramref name="csvPath"/>.
    /// Errors (one-line <see cref="DnnmmInputException"/> naming the file and line): a missing file, a line that is not
    /// two fields, an empty field, a file that is not one of the folder's images, a file labelled twice, a class index
    /// beyond K - 1, more class names than K, names and indices mixed, no labels at all.
    /// </summary>
    public static Result Read(string csvPath, string folder, IReadOnlyList<string> files, int clusters)
    {
        if (Directory.Exists(csvPath)) throw new DnnmmInputException($"labels file {csvPath}: is a folder, not a CSV file");
        if (!File.Exists(csvPath)) throw new DnnmmInputException($"labels file {csvPath}: not found");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < files.Count; i++) index[Path.GetFullPath(files[i])] = i;

        var rows = new List<(int Line, int Image, string Class)>();
        var firstLine = new Dictionary<int, int>();
        bool content = false;
        int lineNo = 0;
        foreach (string raw in File.ReadLines(csvPath))
        {
            lineNo++;
            string line = lineNo == 1 ? raw.TrimStart('\uFEFF') : raw;
            if (line.Trim().Length == 0) continue;
            string Where() => $"labels file {csvPath} line {lineNo}";
            var fields = SplitLine(line) ?? throw new DnnmmInputException($"{Where()}: bad quoting in '{Clip(line)}'");
            bool header = !content && fields.Count == 2
                && fields[0].Trim().Equals("file", StringComparison.OrdinalIgnoreCase)
                && fields[1].Trim().Equals("class", StringComparison.OrdinalIgnoreCase);
            content = true;
            if (header) continue;
            if (fields.Count != 2)
                throw new DnnmmInputException($"{Where()}: expected two fields 'file,class', found {fields.Count} in '{Clip(line)}'");
            string file = fields[0].Trim(), cls = fields[1].Trim();
            if (file.Length == 0 || cls.Length == 0)
                throw new DnnmmInputException($"{Where()}: empty {(file.Length == 0 ? "file" : "class")} in '{Clip(line)}'");
            string full;
            try { full = Path.GetFullPath(Path.Combine(folder, file)); }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            {
                throw new DnnmmInputException($"{Where()}: '{Clip(file)}' is not a valid path");
            }
            if (!index.TryGetValue(full, out int image))
                throw new DnnmmInputException($"{Where()}: '{Clip(file)}' is not one of the {files.Count} images of {folder}");
            if (firstLine.TryGetValue(image, out int earlier))
                throw new DnnmmInputException($"{Where()}: '{Clip(file)}' is labelled twice (also on line {earlier})");
            firstLine[image] = lineNo;
            rows.Add((lineNo, image, cls));
        }
        if (rows.Count == 0) throw new DnnmmInputException($"labels file {csvPath}: no labels (expected lines 'file,class')");

        static bool IsIndex(string c) => c.All(char.IsAsciiDigit);
        var labels = new int[files.Count];
        Array.Fill(labels, -1);
        string[] names;
        if (rows.All(r => IsIndex(r.Class)))
        {
            foreach (var r in rows)
            {
                // a number too long for int is beyond K as well
                if (!int.TryParse(r.Class, NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k >= clusters)
                    throw new DnnmmInputException(
                        $"labels file {csvPath} line {r.Line}: class {Clip(r.Class)} is beyond the {clusters} clusters (--clusters {clusters}: indices 0..{clusters - 1})");
                labels[r.Image] = k;
            }
            names = Enumerable.Range(0, clusters).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
        }
        else
        {
            var number = rows.FirstOrDefault(r => IsIndex(r.Class));
            if (number.Class != null)
                throw new DnnmmInputException(
                    $"labels file {csvPath} line {number.Line}: class {number.Class} is a cluster index but other lines name classes; use names or indices 0..{clusters - 1}, not both");
            var distinct = rows.Select(r => r.Class).Distinct(StringComparer.Ordinal).OrderBy(c => c, StringComparer.Ordinal).ToList();
            if (distinct.Count > clusters)
                throw new DnnmmInputException(
                    $"labels file {csvPath}: names {distinct.Count} classes ({Clip(string.Join(", ", distinct))}), beyond the {clusters} clusters (--clusters {clusters})");
            foreach (var r in rows) labels[r.Image] = distinct.IndexOf(r.Class);
            names = distinct.Concat(Enumerable.Range(distinct.Count, clusters - distinct.Count)
                .Select(k => k.ToString(CultureInfo.InvariantCulture))).ToArray();
        }
        return new Result(labels, names);
    }

    /// <summary>The fields of one CSV line (RFC 4180 quoting, no line breaks inside a field); null when a quote is unbalanced.</summary>
    internal static List<string>? SplitLine(string line)
    {
        var fields = new List<string>();
        var sb = new System.Text.StringBuilder();
        bool quoted = false, wasQuoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') sb.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); wasQuoted = false; }
            else if (c == '"')
            {
                if (wasQuoted || sb.ToString().Trim().Length > 0) return null; // a quote inside an unquoted field
                quoted = wasQuoted = true;
                sb.Clear();
            }
            else if (!wasQuoted) sb.Append(c);
            else if (!char.IsWhiteSpace(c)) return null; // text after a closing quote
        }
        if (quoted) return null;
        fields.Add(sb.ToString());
        return fields;
    }

    private static string Clip(string s)
    {
        s = s.Replace('\r', ' ').Replace('\n', ' ');
        return s.Length <= 80 ? s : s[..80] + "...";
    }
}
