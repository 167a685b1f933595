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

/// <summary>Sample purity and the FID-like Fréchet distance over the <paramref name="N"/> runs whose samples were scored.</summary>
public sealed record SampleScoreSummary(int N, MeanStd Purity, MeanStd Frechet);

/// <summary>ACC, ARI and NMI on one set of images over the <paramref name="N"/> runs that have scores on it.</summary>
public sealed record ScoreSummary(int N, MeanStd Acc, MeanStd Ari, MeanStd Nmi);

/// <summary>
/// The runs of one method at one (dataset, alpha), summarised over seeds: <see cref="Acc"/>, <see cref="Ari"/> and
/// <see cref="Nmi"/> on all training images, <see cref="Unlabelled"/> and <see cref="Test"/> over the runs that have them.
/// </summary>
public sealed record SummaryCell(string Dataset, double Alpha, string Method, int N, MeanStd Acc, MeanStd Ari, MeanStd Nmi, double MeanSeconds)
{
    /// <summary>On the unlabelled training images only (<see cref="ResultRow.On"/>); null when no run has such scores.</summary>
    public ScoreSummary? Unlabelled { get; init; }
    /// <summary>On the held-out test images; null when no run has them.</summary>
    public ScoreSummary? Test { get; init; }
    /// <summary>Sample purity and Fréchet distance of the generated images over the runs scored with a reference; null when none was.</summary>
    public SampleScoreSummary? Samples { get; init; }

    /// <summary>The summary on <paramref name="images"/>, or null where no run has scores on them.</summary>
    public ScoreSummary? On(ScoredImages images) => images switch
    {
        ScoredImages.All => new ScoreSummary(N, Acc, Ari, Nmi),
        ScoredImages.Unlabelled => Unlabelled,
        _ => Test,
    };
}

/// <summary>
/// Paired tests of <see cref="Reference"/> against <see cref="Method"/> at one (dataset, alpha), over the seeds both
/// have scores on <see cref="Images"/> for; each <see cref="PairedResult"/> is of reference minus method.
/// </summary>
public sealed record SignificanceRow(string Dataset, double Alpha, string Reference, string Method, int N,
    PairedResult Acc, PairedResult Ari, PairedResult Nmi, ScoredImages Images = ScoredImages.All);

/// <summary>
/// The learned omega of one method at one (dataset, alpha) next to the true class proportions of the training images.
/// </summary>
/// <param name="N">Runs with both omega and the proportions.</param>
/// <param name="Omega">Mean omega over those runs (sorted in decreasing order first where <paramref name="Sorted"/>).</param>
/// <param name="Proportions">Mean true proportions, sorted alike.</param>
/// <param name="MeanLargestDifference">Mean over the runs of max_k |omega_k - p_k|.</param>
/// <param name="WorstLargestDifference">The largest max_k |omega_k - p_k| of any run.</param>
/// <param name="Sorted">At alpha 0 clusters carry no class, so each run's omega and proportions are compared sorted.</param>
public sealed record OmegaCell(string Dataset, double Alpha, string Method, int N, float[] Omega, float[] Proportions,
    double MeanLargestDifference, double WorstLargestDifference, bool Sorted);

/// <summary>
/// Tables of an experiment grid's results: mean ± std over seeds per (dataset, alpha, method), paired tests against a
/// reference method, and the learned omega against the true class proportions, as Markdown or HTML. Datasets and
/// methods keep the order in which they first appear in the rows; alphas are ascending. Each dataset's tables lead with
/// the scores on the unlabelled images only where its runs have them (<see cref="ScoredSets"/>), then those on the
/// test images, then those on all training images.
/// </summary>
public static class SummaryTables
{
    /// <summary>The level below which a p-value is marked.</summary>
    public const double SignificanceLevel = 0.05;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly (string Name, Func<ScoreSummary, MeanStd> Get)[] Metrics =
    {
        ("ACC", c => c.Acc), ("ARI", c => c.Ari), ("NMI", c => c.Nmi),
    };

    /// <summary>
    /// The sets of images the rows have scores on, in the order the tables show them: the unlabelled images only where
    /// any row has such scores, the test images where any has them, and always all training images. The first is the
    /// one a table or plot leads with.
    /// </summary>
    public static IReadOnlyList<ScoredImages> ScoredSets(IEnumerable<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        var sets = new List<ScoredImages>();
        if (list.Any(r => r.Unlabelled is not null)) sets.Add(ScoredImages.Unlabelled);
        if (list.Any(r => r.Test is not null)) sets.Add(ScoredImages.Test);
        sets.Add(ScoredImages.All);
        return sets;
    }

    /// <summary>Which images a score is on, after a metric's name ("ACC on the unlabelled training images only (...)").</summary>
    public static string Describe(ScoredImages images) => images switch
    {
        ScoredImages.Unlabelled => "on the unlabelled training images only (the labelled ones left out; at alpha 0 no image is labelled)",
        ScoredImages.Test => "on the held-out test images (never seen in training)",
        _ => "on all training images (the labelled ones included)",
    };

    /// <summary>The images a score is on in a few words, for plot titles ("unlabelled images").</summary>
    public static string Short(ScoredImages images) => images switch
    {
        ScoredImages.Unlabelled => "unlabelled images",
        ScoredImages.Test => "test images",
        _ => "all images",
    };

    /// <summary>
    /// One cell per (dataset, alpha, method): N, mean and sample std of ACC, ARI, NMI on all training images, on the
    /// unlabelled ones only and on the test images (each over the runs that have them), mean seconds.
    /// </summary>
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
                    MeanStd.Of(rs.Select(r => r.Nmi).ToList()), rs.Average(r => r.Seconds))
                {
                    Unlabelled = Summary(rs, ScoredImages.Unlabelled),
                    Test = Summary(rs, ScoredImages.Test),
                    Samples = SampleSummary(rs),
                };
            })
            .ToList();
    }

    private static SampleScoreSummary? SampleSummary(IReadOnlyList<ResultRow> rows)
    {
        var scored = rows.Where(r => r.SamplePurity is not null && r.Frechet is not null).ToList();
        return scored.Count == 0
            ? null
            : new SampleScoreSummary(scored.Count, MeanStd.Of(scored.Select(r => r.SamplePurity!.Value).ToList()),
                MeanStd.Of(scored.Select(r => r.Frechet!.Value).ToList()));
    }

    private static ScoreSummary? Summary(IReadOnlyList<ResultRow> rows, ScoredImages images)
    {
        var scores = rows.Select(r => r.On(images)).OfType<Scores>().ToList();
        return scores.Count == 0
            ? null
            : new ScoreSummary(scores.Count, MeanStd.Of(scores.Select(s => s.Acc).ToList()),
                MeanStd.Of(scores.Select(s => s.Ari).ToList()), MeanStd.Of(scores.Select(s => s.Nmi).ToList()));
    }

    /// <summary>
    /// For every (dataset, alpha) where <paramref name="reference"/> has runs and every other method there: paired
    /// tests of ACC, ARI and NMI on <paramref name="images"/> (null: each dataset's leading set of
    /// <see cref="ScoredSets"/>) over the seeds both have scores on them for (reference minus other). Where a method
    /// has several runs with one seed, the last row counts; pairs with a non-finite metric are left out of that
    /// metric's test.
    /// </summary>
    public static IReadOnlyList<SignificanceRow> Significance(IEnumerable<ResultRow> rows, string reference = "dnnmm",
        ScoredImages? images = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(reference);
        var list = rows.ToList();
        var datasets = FirstAppearance(list.Select(r => r.Dataset));
        var methods = FirstAppearance(list.Select(r => r.Method));
        var lead = list.GroupBy(r => r.Dataset).ToDictionary(g => g.Key, g => ScoredSets(g)[0]);
        var result = new List<SignificanceRow>();
        foreach (var g in list.GroupBy(r => (r.Dataset, r.Alpha)).OrderBy(g => datasets[g.Key.Dataset]).ThenBy(g => g.Key.Alpha))
        {
            var set = images ?? lead[g.Key.Dataset];
            var bySeed = g.GroupBy(r => r.Method).ToDictionary(m => m.Key, m =>
            {
                var d = new Dictionary<int, Scores>();
                foreach (var r in m)
                    if (r.On(set) is Scores sc) d[r.Seed] = sc;
                return d;
            });
            if (!bySeed.TryGetValue(reference, out var refRuns) || refRuns.Count == 0) continue;
            foreach (var method in bySeed.Keys.Where(m => m != reference).OrderBy(m => methods[m]))
            {
                var pairs = refRuns.Keys.Where(bySeed[method].ContainsKey).Order()
                    .Select(s => (Ref: refRuns[s], Other: bySeed[method][s])).ToList();
                PairedResult Test(Func<Scores, double> metric)
                {
                    var ok = pairs.Where(p => double.IsFinite(metric(p.Ref)) && double.IsFinite(metric(p.Other))).ToList();
                    return PairedTests.Compare(ok.Select(p => metric(p.Ref)).ToList(), ok.Select(p => metric(p.Other)).ToList());
                }
                result.Add(new SignificanceRow(g.Key.Dataset, g.Key.Alpha, reference, method, pairs.Count,
                    Test(r => r.Acc), Test(r => r.Ari), Test(r => r.Nmi), set));
            }
        }
        return result;
    }

    /// <summary>
    /// Per (dataset, alpha, method) whose runs learned an omega and know the true class proportions: the mean omega
    /// next to the mean proportions and the largest absolute difference between them (per run, then its mean and
    /// worst over the runs). At alpha 0 the clusters carry no class names, so each run's omega and proportions are
    /// sorted in decreasing order before they are compared.
    /// </summary>
    public static IReadOnlyList<OmegaCell> Omegas(IEnumerable<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.Where(r => r.Omega.Length > 0 && r.Omega.Length == r.ClassProportions.Length).ToList();
        var datasets = FirstAppearance(list.Select(r => r.Dataset));
        var methods = FirstAppearance(list.Select(r => r.Method));
        return list.GroupBy(r => (r.Dataset, r.Alpha, r.Method, r.Omega.Length))
            .OrderBy(g => datasets[g.Key.Dataset]).ThenBy(g => g.Key.Alpha).ThenBy(g => methods[g.Key.Method])
            .Select(g =>
            {
                bool sorted = g.Key.Alpha == 0;
                float[] Arrange(float[] v) => sorted ? v.OrderDescending().ToArray() : v;
                var runs = g.Select(r => (Omega: Arrange(r.Omega), P: Arrange(r.ClassProportions))).ToList();
                var largest = runs.Select(r => r.Omega.Zip(r.P, (w, p) => Math.Abs((double)w - p)).Max()).ToList();
                float[] Mean(Func<(float[] Omega, float[] P), float[]> get) =>
                    Enumerable.Range(0, g.Key.Length).Select(k => (float)runs.Average(r => get(r)[k])).ToArray();
                return new OmegaCell(g.Key.Dataset, g.Key.Alpha, g.Key.Method, runs.Count, Mean(r => r.Omega), Mean(r => r.P),
                    largest.Average(), largest.Max(), sorted);
            })
            .ToList();
    }

    /// <summary>
    /// Markdown: a note on which images each table scores, then per dataset a section with one table per scored set
    /// (<see cref="ScoredSets"/>: unlabelled only, test, all) and metric (rows alpha, columns methods, cells
    /// "mean ± std (n=N)", the best mean of each row in bold), the paired tests against <paramref name="reference"/>
    /// on the leading set and on the test images (p &lt; 0.05 in bold with a star), the sample purity and Fréchet distance
    /// of the generated images where runs were scored with a reference classifier, and the learned omega against the true
    /// class proportions (<see cref="Omegas"/>). Says so when there are no rows.
    /// </summary>
    public static string Markdown(IEnumerable<ResultRow> rows, string reference = "dnnmm") =>
        Render(rows, reference, new MarkdownWriter());

    /// <summary>
    /// The same tables as <see cref="Markdown"/> as an HTML fragment (headings and tables, text escaped; classes
    /// "best" and "sig" on the marked cells).
    /// </summary>
    public static string Html(IEnumerable<ResultRow> rows, string reference = "dnnmm") =>
        Render(rows, reference, new HtmlWriter());

    /// <summary>What the note above the tables says about the images they score.</summary>
    public const string ScoredImagesNote =
        "Which images are scored: each dataset's tables lead with the scores on the unlabelled training images only " +
        "(the labelled images are left out, so a method gets no credit for the labels it was given; at alpha 0 no image " +
        "is labelled and these are the scores on all images), then the scores on held-out test images where the runs have " +
        "a test split, then the scores on all training images with the labelled ones included (as the paper reports them). " +
        "Each table's caption names its images.";

    /// <summary>
    /// The walk both formats share: per dataset, per scored set and metric a table of alphas x methods with the best
    /// mean of each row marked, then the paired tests and the omega table; <paramref name="w"/> writes each piece in
    /// its format.
    /// </summary>
    private static string Render(IEnumerable<ResultRow> rows, string reference, TableWriter w)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        if (list.Count == 0) return w.Empty;
        var cells = Summarise(list);
        var omegas = Omegas(list);
        var sb = new StringBuilder();
        w.Note(sb, ScoredImagesNote);
        foreach (var dataset in FirstAppearance(list.Select(r => r.Dataset)).Keys)
        {
            var mine = list.Where(r => r.Dataset == dataset).ToList();
            var sets = ScoredSets(mine);
            var (alphas, methods, grid) = Grid(cells, dataset);
            w.Dataset(sb, dataset);
            foreach (var set in sets)
            foreach (var (name, get) in Metrics)
            {
                w.MetricTable(sb, name, Describe(set), methods);
                foreach (var a in alphas)
                {
                    var row = methods.Select(m => grid.GetValueOrDefault((a, m))?.On(set)).ToList();
                    string best = BestMean(row, get);
                    w.RowStart(sb, Alpha(a));
                    foreach (var c in row)
                        w.MetricCell(sb, c is null ? null : Cell(c, get), c is not null && Num4(get(c).Mean) == best);
                    sb.Append(w.RowEnd);
                }
                sb.Append(w.TableEnd);
            }
            foreach (var set in sets.Where(s => s == sets[0] || s == ScoredImages.Test))
            {
                var srows = Significance(mine, reference, set);
                if (srows.Count == 0) continue;
                w.SignificanceTable(sb, reference, Describe(set));
                foreach (var s in srows)
                {
                    w.SignificanceRowStart(sb, Alpha(s.Alpha), s.Method, s.N);
                    foreach (var p in new[] { s.Acc, s.Ari, s.Nmi })
                        w.PairedCells(sb, Diff(p.MeanDifference), p.TPValue, p.WilcoxonPValue);
                    sb.Append(w.RowEnd);
                }
                sb.Append(w.TableEnd);
            }
            var scells = cells.Where(c => c.Dataset == dataset && c.Samples is not null).ToList();
            if (scells.Count > 0)
                w.Table(sb, SamplesCaption, new[] { "alpha", "method", "n", "sample purity", "Fréchet distance (FID-like)" },
                    scells.Select(c => new[]
                    {
                        Alpha(c.Alpha), c.Method, c.Samples!.N.ToString(Inv),
                        $"{Num4(c.Samples.Purity.Mean)} ± {Num4(c.Samples.Purity.Std)}",
                        $"{c.Samples.Frechet.Mean.ToString("0.000", Inv)} ± {c.Samples.Frechet.Std.ToString("0.000", Inv)}",
                    }));
            var ocells = omegas.Where(o => o.Dataset == dataset).ToList();
            if (ocells.Count == 0) continue;
            w.Table(sb, OmegaCaption,
                new[] { "alpha", "method", "n", "learned omega (mean)", "true proportions", "max |omega - p| (mean)", "worst run" },
                ocells.Select(o => new[]
                {
                    Alpha(o.Alpha) + (o.Sorted ? " (sorted)" : ""), o.Method, o.N.ToString(Inv), Weights(o.Omega), Weights(o.Proportions),
                    Num4(o.MeanLargestDifference), Num4(o.WorstLargestDifference),
                }));
        }
        return sb.ToString();
    }

    /// <summary>The caption of the table of generated samples.</summary>
    public const string SamplesCaption =
        "Generated samples scored by the dataset's reference classifier (a fixed CNN trained on every label of the training " +
        "images, never used in training), mean ± std over the scored runs. Sample purity: the fraction of each cluster's samples " +
        "that the classifier puts in the cluster's class (clusters matched to classes by the Hungarian method on the real " +
        "images, as for ACC), averaged over the clusters. Fréchet distance: between Gaussians fitted to the classifier's " +
        "feature activations of the real and of the generated images (lower is closer); FID-like, in the reference " +
        "classifier's feature space, not comparable to Inception FID.";

    /// <summary>The caption of the omega table.</summary>
    public const string OmegaCaption =
        "Learned omega against the true class proportions of the training images (mean over seeds), and the largest " +
        "absolute difference max_k |omega_k - p_k| per run: its mean and its worst run. At alpha 0 the clusters carry no " +
        "class, so each run's omega and proportions are sorted in decreasing order before they are compared.";

    /// <summary>Mixture weights as the omega table shows them: 3 decimals, space-separated.</summary>
    public static string Weights(IEnumerable<float> values) =>
        string.Join(" ", values.Select(v => v.ToString("0.000", Inv)));

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
        /// <summary>A paragraph of text.</summary>
        public abstract void Note(StringBuilder sb, string text);
        public abstract void Dataset(StringBuilder sb, string dataset);
        /// <summary>Opens the table of one metric on some images (<see cref="Describe"/>), with a header row of the methods.</summary>
        public abstract void MetricTable(StringBuilder sb, string metric, string images, IReadOnlyList<string> methods);
        public abstract void RowStart(StringBuilder sb, string alpha);
        /// <summary>"mean ± std (n=N)", or null where the method has no runs at this alpha.</summary>
        public abstract void MetricCell(StringBuilder sb, string? text, bool best);
        /// <summary>Opens the table of paired tests against <paramref name="reference"/> on some images, with its header row.</summary>
        public abstract void SignificanceTable(StringBuilder sb, string reference, string images);
        public abstract void SignificanceRowStart(StringBuilder sb, string alpha, string method, int n);
        /// <summary>One metric's mean difference and the t-test and Wilcoxon p-values.</summary>
        public abstract void PairedCells(StringBuilder sb, string difference, double tP, double wilcoxonP);
        /// <summary>A whole plain table: caption, header row, rows of text cells.</summary>
        public abstract void Table(StringBuilder sb, string caption, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows);
    }

    private sealed class MarkdownWriter() : TableWriter("_No finished runs yet._\n", "\n", "\n")
    {
        public override void Note(StringBuilder sb, string text) => sb.Append(Md(text)).Append("\n\n");

        public override void Dataset(StringBuilder sb, string dataset) => sb.Append("## ").Append(Md(dataset)).Append("\n\n");

        public override void MetricTable(StringBuilder sb, string metric, string images, IReadOnlyList<string> methods)
        {
            sb.Append("**").Append(metric).Append("** ").Append(Md(images)).Append(" (mean ± std over seeds)\n\n");
            sb.Append("| alpha | ").Append(string.Join(" | ", methods.Select(Md))).Append(" |\n");
            sb.Append("|---:|").Append(string.Concat(methods.Select(_ => "---:|"))).Append('\n');
        }

        public override void RowStart(StringBuilder sb, string alpha) => sb.Append("| ").Append(alpha).Append(" |");

        public override void MetricCell(StringBuilder sb, string? text, bool best) =>
            sb.Append(' ').Append(best ? "**" + text + "**" : text ?? "–").Append(" |");

        public override void SignificanceTable(StringBuilder sb, string reference, string images)
        {
            sb.Append("**Paired tests**, scores ").Append(Md(images)).Append(": ").Append(Md(reference))
              .Append(" minus method over common seeds; p = two-sided paired t-test / Wilcoxon signed-rank; * p < 0.05\n\n");
            sb.Append("| alpha | method | n | Δ ACC | t p | W p | Δ ARI | t p | W p | Δ NMI | t p | W p |\n");
            sb.Append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        }

        public override void SignificanceRowStart(StringBuilder sb, string alpha, string method, int n) =>
            sb.Append("| ").Append(alpha).Append(" | ").Append(Md(method)).Append(" | ").Append(n).Append(" |");

        public override void PairedCells(StringBuilder sb, string difference, double tP, double wilcoxonP) =>
            sb.Append(' ').Append(difference).Append(" | ").Append(P(tP)).Append(" | ").Append(P(wilcoxonP)).Append(" |");

        public override void Table(StringBuilder sb, string caption, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
        {
            sb.Append(Md(caption)).Append("\n\n");
            sb.Append("| ").Append(string.Join(" | ", header.Select(Md))).Append(" |\n");
            sb.Append('|').Append(string.Concat(header.Select(_ => "---|"))).Append('\n');
            foreach (var r in rows) sb.Append("| ").Append(string.Join(" | ", r.Select(Md))).Append(" |\n");
            sb.Append('\n');
        }

        private static string P(double p) => p < SignificanceLevel ? "**" + SummaryTables.P(p) + "\\***" : SummaryTables.P(p);
    }

    private sealed class HtmlWriter() : TableWriter("<p class=\"empty\">No finished runs yet.</p>\n", "</tr>\n", "</table>\n")
    {
        public override void Note(StringBuilder sb, string text) => sb.Append("<p class=\"note\">").Append(H(text)).Append("</p>\n");

        public override void Dataset(StringBuilder sb, string dataset) => sb.Append("<h2>").Append(H(dataset)).Append("</h2>\n");

        public override void MetricTable(StringBuilder sb, string metric, string images, IReadOnlyList<string> methods)
        {
            sb.Append("<table class=\"summary\">\n<caption>").Append(metric).Append(' ').Append(H(images))
              .Append(" (mean ± std over seeds)</caption>\n");
            sb.Append("<tr><th>alpha</th>").Append(string.Concat(methods.Select(m => "<th>" + H(m) + "</th>"))).Append("</tr>\n");
        }

        public override void RowStart(StringBuilder sb, string alpha) => sb.Append("<tr><th>").Append(alpha).Append("</th>");

        public override void MetricCell(StringBuilder sb, string? text, bool best)
        {
            if (text is null) { sb.Append("<td>–</td>"); return; }
            sb.Append(best ? "<td class=\"best\"><b>" : "<td>").Append(H(text)).Append(best ? "</b></td>" : "</td>");
        }

        public override void SignificanceTable(StringBuilder sb, string reference, string images)
        {
            sb.Append("<table class=\"significance\">\n<caption>Paired tests, scores ").Append(H(images)).Append(": ").Append(H(reference))
              .Append(" minus method over common seeds; p = two-sided paired t-test / Wilcoxon signed-rank; * p &lt; 0.05</caption>\n");
            sb.Append("<tr><th>alpha</th><th>method</th><th>n</th>");
            foreach (var (name, _) in Metrics) sb.Append("<th>Δ ").Append(name).Append("</th><th>t p</th><th>W p</th>");
            sb.Append("</tr>\n");
        }

        public override void SignificanceRowStart(StringBuilder sb, string alpha, string method, int n) =>
            sb.Append("<tr><td>").Append(alpha).Append("</td><td>").Append(H(method)).Append("</td><td>").Append(n).Append("</td>");

        public override void PairedCells(StringBuilder sb, string difference, double tP, double wilcoxonP) =>
            sb.Append("<td>").Append(H(difference)).Append("</td>").Append(P(tP)).Append(P(wilcoxonP));

        public override void Table(StringBuilder sb, string caption, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
        {
            sb.Append("<table class=\"omega\">\n<caption>").Append(H(caption)).Append("</caption>\n<tr>")
              .Append(string.Concat(header.Select(h => "<th>" + H(h) + "</th>"))).Append("</tr>\n");
            foreach (var r in rows) sb.Append("<tr>").Append(string.Concat(r.Select(c => "<td>" + H(c) + "</td>"))).Append("</tr>\n");
            sb.Append("</table>\n");
        }

        private static string P(double p) =>
            p < SignificanceLevel ? "<td class=\"sig\"><b>" + SummaryTables.P(p) + "*</b></td>" : "<td>" + SummaryTables.P(p) + "</td>";
    }

    /// <summary>"mean ± std (n=N)" with 4 decimals, N the runs with scores on these images.</summary>
    public static string Cell(ScoreSummary scores, Func<ScoreSummary, MeanStd> metric)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var v = metric(scores);
        return $"{Num4(v.Mean)} ± {Num4(v.Std)} (n={scores.N})";
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

    private static string BestMean(IEnumerable<ScoreSummary?> row, Func<ScoreSummary, MeanStd> get)
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
