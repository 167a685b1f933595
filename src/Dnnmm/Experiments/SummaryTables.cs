using System.Globalization;
using System.Text;

namespace Dnnmm.Experiments;

/// <summary>Mean and sample standard deviation (n - 1; 0 for a single value).</summary>
public sealed record MeanStd(double Mean, double Std)
{
    /// <summary>Of the values (NaN mean and 0 std when there are none).</summary>
    public static MeanStd Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return new MeanStd(double.NaN, 0);
        double mean = values.Average();
        if (values.Count == 1) return new MeanStd(mean, 0);
        double ss = values.Sum(v => (v - mean) * (v - mean));
        return new MeanStd(mean, Math.Sqrt(ss / (values.Count - 1)));
    }
}

/// <summary>The runs of one method at one (dataset, alpha), summarised over seeds.</summary>
public sealed record SummaryCell(string Dataset, double Alpha, string Method, int N, MeanStd Acc, MeanStd Ari, MeanStd Nmi, double MeanSeconds);

/// <summary>
/// Paired tests of <see cref="Reference"/> against <see cref="Method"/> at one (dataset, alpha), over the seeds both
/// have; each <see cref="PairedResult"/> is of reference minus method.
/// </summary>
public sealed record SignificanceRow(string Dataset, double Alpha, string Reference, string Method, int N,
    PairedResult Acc, PairedResult Ari, PairedResult Nmi);

/// <summary>
/// Tables of an experiment grid's results: mean ± std over seeds per (dataset, alpha, method), and paired tests
/// against a reference method, as Markdown or HTML. Datasets and methods keep the order in which they first appear in
/// the rows; alphas are ascending.
/// </summary>
public static class SummaryTables
{
    /// <summary>The level below which a p-value is marked.</summary>
    public const double SignificanceLevel = 0.05;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly (string Name, Func<SummaryCell, MeanStd> Get)[] Metrics =
    {
        ("ACC", c => c.Acc), ("ARI", c => c.Ari), ("NMI", c => c.Nmi),
    };

    /// <summary>One cell per (dataset, alpha, method): N, mean and sample std of ACC, ARI, NMI, mean seconds.</summary>
    public static IReadOnlyList<SummaryCell> Summarise(IEnumerable<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        var datasets = FirstAppearance(list.Select(r => r.Dataset));
        var methods = FirstAppearance(list.Select(r => r.Method));
        return list.GroupBy(r => (r.Dataset, r.Alpha, r.Method))
            .OrderBy(g => datasets[g.Key.Dataset]).ThenBy(g => g.Key.Alpha).ThenBy(g => methods[g.Key.Method])
            .Select(g =>
            {
                var rs = g.ToList();
                return new SummaryCell(g.Key.Dataset, g.Key.Alpha, g.Key.Method, rs.Count,
                    MeanStd.Of(rs.Select(r => r.Acc).ToList()), MeanStd.Of(rs.Select(r => r.Ari).ToList()),
                    MeanStd.Of(rs.Select(r => r.Nmi).ToList()), rs.Average(r => r.Seconds));
            })
            .ToList();
    }

    /// <summary>
    /// For every (dataset, alpha) where <paramref name="reference"/> has runs and every other method there: paired
    /// tests of ACC, ARI and NMI over the seeds both have (reference minus other). Where a method has several runs
    /// with one seed, the last row counts; pairs with a non-finite metric are left out of that metric's test.
    /// </summary>
    public static IReadOnlyList<SignificanceRow> Significance(IEnumerable<ResultRow> rows, string reference = "dnnmm")
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(reference);
        var list = rows.ToList();
        var datasets = FirstAppearance(list.Select(r => r.Dataset));
        var methods = FirstAppearance(list.Select(r => r.Method));
        var result = new List<SignificanceRow>();
        foreach (var g in list.GroupBy(r => (r.Dataset, r.Alpha)).OrderBy(g => datasets[g.Key.Dataset]).ThenBy(g => g.Key.Alpha))
        {
            var bySeed = g.GroupBy(r => r.Method).ToDictionary(m => m.Key, m =>
            {
                var d = new Dictionary<int, ResultRow>();
                foreach (var r in m) d[r.Seed] = r;
                return d;
            });
            if (!bySeed.TryGetValue(reference, out var refRuns)) continue;
            foreach (var method in bySeed.Keys.Where(m => m != reference).OrderBy(m => methods[m]))
            {
                var pairs = refRuns.Keys.Where(bySeed[method].ContainsKey).Order()
                    .Select(s => (Ref: refRuns[s], Other: bySeed[method][s])).ToList();
                PairedResult Test(Func<ResultRow, double> metric)
                {
                    var ok = pairs.Where(p => double.IsFinite(metric(p.Ref)) && double.IsFinite(metric(p.Other))).ToList();
                    return PairedTests.Compare(ok.Select(p => metric(p.Ref)).ToList(), ok.Select(p => metric(p.Other)).ToList());
                }
                result.Add(new SignificanceRow(g.Key.Dataset, g.Key.Alpha, reference, method, pairs.Count,
                    Test(r => r.Acc), Test(r => r.Ari), Test(r => r.Nmi)));
            }
        }
        return result;
    }

    /// <summary>
    /// Markdown: per dataset a section with one table per metric (rows alpha, columns methods, cells
    /// "mean ± std (n=N)", the best mean of each row in bold), then the paired tests against <paramref name="reference"/>
    /// (p &lt; 0.05 in bold with a star). Says so when there are no rows.
    /// </summary>
    public static string Markdown(IEnumerable<ResultRow> rows, string reference = "dnnmm") =>
        Render(rows, reference, new MarkdownWriter());

    /// <summary>
    /// The same tables as <see cref="Markdown"/> as an HTML fragment (headings and tables, text escaped; classes
    /// "best" and "sig" on the marked cells).
    /// </summary>
    public static string Html(IEnumerable<ResultRow> rows, string reference = "dnnmm") =>
        Render(rows, reference, new HtmlWriter());

    /// <summary>
    /// The walk both formats share: per dataset, per metric a table of alphas x methods with the best mean of each row
    /// marked, then the paired tests; <paramref name="w"/> writes each piece in its format.
    /// </summary>
    private static string Render(IEnumerable<ResultRow> rows, string reference, TableWriter w)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        if (list.Count == 0) return w.Empty;
        var cells = Summarise(list);
        var sig = Significance(list, reference);
        var sb = new StringBuilder();
        foreach (var dataset in FirstAppearance(list.Select(r => r.Dataset)).Keys)
        {
            var (alphas, methods, grid) = Grid(cells, dataset);
            w.Dataset(sb, dataset);
            foreach (var (name, get) in Metrics)
            {
                w.MetricTable(sb, name, methods);
                foreach (var a in alphas)
                {
                    string best = BestMean(methods.Select(m => grid.GetValueOrDefault((a, m))), get);
                    w.RowStart(sb, Alpha(a));
                    foreach (var m in methods)
                    {
                        var c = grid.GetValueOrDefault((a, m));
                        w.MetricCell(sb, c is null ? null : Cell(c, get), c is not null && Num4(get(c).Mean) == best);
                    }
                    sb.Append(w.RowEnd);
                }
                sb.Append(w.TableEnd);
            }
            var srows = sig.Where(s => s.Dataset == dataset).ToList();
            if (srows.Count == 0) continue;
            w.SignificanceTable(sb, reference);
            foreach (var s in srows)
            {
                w.SignificanceRowStart(sb, Alpha(s.Alpha), s.Method, s.N);
                foreach (var p in new[] { s.Acc, s.Ari, s.Nmi })
                    w.PairedCells(sb, Diff(p.MeanDifference), p.TPValue, p.WilcoxonPValue);
                sb.Append(w.RowEnd);
            }
            sb.Append(w.TableEnd);
        }
        return sb.ToString();
    }

    /// <summary>
    /// Writes the pieces of the tables in one format (text given to it is not yet escaped). <paramref name="empty"/>
    /// is the whole output when there are no rows; <paramref name="rowEnd"/> and <paramref name="tableEnd"/> close
    /// a row and a table.
    /// </summary>
    private abstract class TableWriter(string empty, string rowEnd, string tableEnd)
    {
        public string Empty { get; } = empty;
        public string RowEnd { get; } = rowEnd;
        public string TableEnd { get; } = tableEnd;
        public abstract void Dataset(StringBuilder sb, string dataset);
        /// <summary>Opens the table of one metric, with a header row of the methods.</summary>
        public abstract void MetricTable(StringBuilder sb, string metric, IReadOnlyList<string> methods);
        public abstract void RowStart(StringBuilder sb, string alpha);
        /// <summary>"mean ± std (n=N)", or null where the method has no runs at this alpha.</summary>
        public abstract void MetricCell(StringBuilder sb, string? text, bool best);
        /// <summary>Opens the table of paired tests against <paramref name="reference"/>, with its header row.</summary>
        public abstract void SignificanceTable(StringBuilder sb, string reference);
        public abstract void SignificanceRowStart(StringBuilder sb, string alpha, string method, int n);
        /// <summary>One metric's mean difference and the t-test and Wilcoxon p-values.</summary>
        public abstract void PairedCells(StringBuilder sb, string difference, double tP, double wilcoxonP);
    }

    private sealed class MarkdownWriter() : TableWriter("_No finished runs yet._\n", "\n", "\n")
    {
        public override void Dataset(StringBuilder sb, string dataset) => sb.Append("## ").Append(Md(dataset)).Append("\n\n");

        public override void MetricTable(StringBuilder sb, string metric, IReadOnlyList<string> methods)
        {
            sb.Append("**").Append(metric).Append("** (mean ± std over seeds)\n\n");
            sb.Append("| alpha | ").Append(string.Join(" | ", methods.Select(Md))).Append(" |\n");
            sb.Append("|---:|").Append(string.Concat(methods.Select(_ => "---:|"))).Append('\n');
        }

        public override void RowStart(StringBuilder sb, string alpha) => sb.Append("| ").Append(alpha).Append(" |");

        public override void MetricCell(StringBuilder sb, string? text, bool best) =>
            sb.Append(' ').Append(best ? "**" + text + "**" : text ?? "–").Append(" |");

        public override void SignificanceTable(StringBuilder sb, string reference)
        {
            sb.Append("**Paired tests**: ").Append(Md(reference))
              .Append(" minus method over common seeds; p = two-sided paired t-test / Wilcoxon signed-rank; * p < 0.05\n\n");
            sb.Append("| alpha | method | n | Δ ACC | t p | W p | Δ ARI | t p | W p | Δ NMI | t p | W p |\n");
            sb.Append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        }

        public override void SignificanceRowStart(StringBuilder sb, string alpha, string method, int n) =>
            sb.Append("| ").Append(alpha).Append(" | ").Append(Md(method)).Append(" | ").Append(n).Append(" |");

        public override void PairedCells(StringBuilder sb, string difference, double tP, double wilcoxonP) =>
            sb.Append(' ').Append(difference).Append(" | ").Append(P(tP)).Append(" | ").Append(P(wilcoxonP)).Append(" |");

        private static string P(double p) => p < SignificanceLevel ? "**" + SummaryTables.P(p) + "\\***" : SummaryTables.P(p);
    }

    private sealed class HtmlWriter() : TableWriter("<p class=\"empty\">No finished runs yet.</p>\n", "</tr>\n", "</table>\n")
    {
        public override void Dataset(StringBuilder sb, string dataset) => sb.Append("<h2>").Append(H(dataset)).Append("</h2>\n");

        public override void MetricTable(StringBuilder sb, string metric, IReadOnlyList<string> methods)
        {
            sb.Append("<table class=\"summary\">\n<caption>").Append(metric).Append(" (mean ± std over seeds)</caption>\n");
            sb.Append("<tr><th>alpha</th>").Append(string.Concat(methods.Select(m => "<th>" + H(m) + "</th>"))).Append("</tr>\n");
        }

        public override void RowStart(StringBuilder sb, string alpha) => sb.Append("<tr><th>").Append(alpha).Append("</th>");

        public override void MetricCell(StringBuilder sb, string? text, bool best)
        {
            if (text is null) { sb.Append("<td>–</td>"); return; }
            sb.Append(best ? "<td class=\"best\"><b>" : "<td>").Append(H(text)).Append(best ? "</b></td>" : "</td>");
        }

        public override void SignificanceTable(StringBuilder sb, string reference)
        {
            sb.Append("<table class=\"significance\">\n<caption>Paired tests: ").Append(H(reference))
              .Append(" minus method over common seeds; p = two-sided paired t-test / Wilcoxon signed-rank; * p &lt; 0.05</caption>\n");
            sb.Append("<tr><th>alpha</th><th>method</th><th>n</th>");
            foreach (var (name, _) in Metrics) sb.Append("<th>Δ ").Append(name).Append("</th><th>t p</th><th>W p</th>");
            sb.Append("</tr>\n");
        }

        public override void SignificanceRowStart(StringBuilder sb, string alpha, string method, int n) =>
            sb.Append("<tr><td>").Append(alpha).Append("</td><td>").Append(H(method)).Append("</td><td>").Append(n).Append("</td>");

        public override void PairedCells(StringBuilder sb, string difference, double tP, double wilcoxonP) =>
            sb.Append("<td>").Append(H(difference)).Append("</td>").Append(P(tP)).Append(P(wilcoxonP));

        private static string P(double p) =>
            p < SignificanceLevel ? "<td class=\"sig\"><b>" + SummaryTables.P(p) + "*</b></td>" : "<td>" + SummaryTables.P(p) + "</td>";
    }

    /// <summary>"mean ± std (n=N)" with 4 decimals.</summary>
    public static string Cell(SummaryCell cell, Func<SummaryCell, MeanStd> metric)
    {
        var v = metric(cell);
        return $"{Num4(v.Mean)} ± {Num4(v.Std)} (n={cell.N})";
    }

    /// <summary>A p-value: 4 decimals, or 2 significant digits below 0.001; "–" for NaN.</summary>
    public static string P(double p) =>
        double.IsNaN(p) ? "–" : p >= 0.001 || p == 0 ? p.ToString("0.0000", Inv) : p.ToString("0.0e+00", Inv);

    /// <summary>An alpha as written in the tables (invariant, shortest form, e.g. "0.05").</summary>
    public static string Alpha(double alpha) => alpha.ToString("G6", Inv);

    internal static Dictionary<string, int> FirstAppearance(IEnumerable<string> names)
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in names) d.TryAdd(n, d.Count);
        return d;
    }

    private static (List<double> Alphas, List<string> Methods, Dictionary<(double, string), SummaryCell> Grid) Grid(
        IReadOnlyList<SummaryCell> cells, string dataset)
    {
        var mine = cells.Where(c => c.Dataset == dataset).ToList();
        var alphas = mine.Select(c => c.Alpha).Distinct().Order().ToList();
        // Summarise orders the cells by the methods' first appearance, so the first-seen order is kept here.
        var methods = FirstAppearance(mine.Select(c => c.Method)).Keys.ToList();
        return (alphas, methods, mine.ToDictionary(c => (c.Alpha, c.Method)));
    }

    private static string BestMean(IEnumerable<SummaryCell?> row, Func<SummaryCell, MeanStd> get)
    {
        var means = row.Where(c => c is not null && double.IsFinite(get(c).Mean)).Select(c => get(c!).Mean).ToList();
        return means.Count == 0 ? "" : Num4(means.Max());
    }

    private static string Num4(double v) => v.ToString("0.0000", Inv);

    private static string Diff(double v) => double.IsNaN(v) ? "–" : v.ToString("+0.0000;-0.0000;0.0000", Inv);

    private static string H(string s) => HtmlText(s);

    /// <summary>
    /// The text with &amp;, &lt;, &gt;, " and ' escaped (only those: the pages are UTF-8, so "±" stays as it is,
    /// unlike <see cref="System.Net.WebUtility.HtmlEncode(string)"/>, which writes it as a numeric reference).
    /// </summary>
    internal static string HtmlText(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.AsSpan().IndexOfAny("&<>\"'") < 0) return s;
        var sb = new StringBuilder(s.Length + 16);
        foreach (char c in s)
            sb.Append(c switch { '&' => "&amp;", '<' => "&lt;", '>' => "&gt;", '"' => "&quot;", '\'' => "&#39;", _ => c.ToString() });
        return sb.ToString();
    }

    /// <summary>Escapes the characters that would break a Markdown table cell or add emphasis.</summary>
    private static string Md(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s.ReplaceLineEndings(" "))
        {
            if (c is '|' or '*' or '`' or '\\' or '[' or ']' or '<' or '>') sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}
