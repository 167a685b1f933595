using System.Text.RegularExpressions;
using Dnnmm.Experiments;

namespace Dnnmm.Tests.Experiments;

public class SummaryTablesTests
{
    private static ResultRow Row(string method, double alpha, int seed, double acc, string dataset = "mnist5", double? ari = null, double? nmi = null) =>
        new(dataset, "0;1;2;3;4", method, alpha, seed, acc, ari ?? acc - 0.1, nmi ?? acc - 0.2, null, 10 * seed, "h");

    /// <summary>dnnmm beats clustergan at alpha 0.1 on 5 seeds; at 0.01 each has 3 seeds of which 2 are common.</summary>
    private static List<ResultRow> Grid() => new()
    {
        Row("dnnmm", 0.1, 1, 0.95), Row("clustergan", 0.1, 1, 0.90),
        Row("dnnmm", 0.1, 2, 0.96), Row("clustergan", 0.1, 2, 0.90),
        Row("dnnmm", 0.1, 3, 0.97), Row("clustergan", 0.1, 3, 0.91),
        Row("dnnmm", 0.1, 4, 0.95), Row("clustergan", 0.1, 4, 0.92),
        Row("dnnmm", 0.1, 5, 0.98), Row("clustergan", 0.1, 5, 0.90),
        Row("clustergan", 0.01, 1, 0.80), Row("dnnmm", 0.01, 1, 0.7), Row("dnnmm", 0.01, 2, 0.8), Row("dnnmm", 0.01, 3, 0.9),
        Row("clustergan", 0.01, 3, 0.85), Row("clustergan", 0.01, 9, 0.85),
        Row("dnnmm", 0.5, 1, 0.5, dataset: "cifar <b>"),
    };

    [Fact]
    public void Sample_scores_are_summarised_and_tabled_only_where_runs_were_scored()
    {
        var rows = new List<ResultRow>
        {
            Row("dnnmm", 0.1, 1, 0.95) with { SamplePurity = 0.8, Frechet = 2.0 },
            Row("dnnmm", 0.1, 2, 0.96) with { SamplePurity = 0.9, Frechet = 4.0 },
            Row("dnnmm", 0.1, 3, 0.97), // not scored
            Row("dnnmm-no-gan", 0.1, 1, 0.96),
        };
        var cells = SummaryTables.Summarise(rows);
        var s = cells[0].Samples!;
        Assert.Equal(2, s.N);
        Assert.Equal(0.85, s.Purity.Mean, 12);
        Assert.Equal(Math.Sqrt(0.005), s.Purity.Std, 12);
        Assert.Equal(3.0, s.Frechet.Mean, 12);
        Assert.Null(cells[1].Samples);
        string md = SummaryTables.Markdown(rows);
        Assert.Contains("not comparable to Inception FID", md);
        Assert.Contains("| 0.1 | dnnmm | 2 | 0.8500 ± 0.0707 | 3.000 ± 1.414 |", md);
        Assert.DoesNotContain("| dnnmm-no-gan | 0 |", md);
        Assert.Contains("Fréchet distance (FID-like)", SummaryTables.Html(rows));
        Assert.DoesNotContain("Inception FID", SummaryTables.Markdown(Grid()));
    }

    [Fact]
    public void SummariseGivesMeanSampleStdAndCounts()
    {
        var cells = SummaryTables.Summarise(Grid());
        // Methods in the order they first appear in all the rows (dnnmm first), not per alpha.
        Assert.Equal(new[] { ("mnist5", 0.01, "dnnmm"), ("mnist5", 0.01, "clustergan"), ("mnist5", 0.1, "dnnmm"), ("mnist5", 0.1, "clustergan"), ("cifar <b>", 0.5, "dnnmm") },
            cells.Select(c => (c.Dataset, c.Alpha, c.Method)));
        var c = cells[0];
        Assert.Equal(3, c.N);
        Assert.Equal(0.8, c.Acc.Mean, 12);
        Assert.Equal(0.1, c.Acc.Std, 12);
        Assert.Equal(0.7, c.Ari.Mean, 12);
        Assert.Equal(0.6, c.Nmi.Mean, 12);
        Assert.Equal(20, c.MeanSeconds, 12);
        Assert.Equal(0, cells[4].Acc.Std);
        Assert.Equal(1, cells[4].N);
    }

    [Fact]
    public void SignificancePairsTheReferenceWithEachMethodBySeed()
    {
        var sig = SummaryTables.Significance(Grid());
        Assert.Equal(2, sig.Count);
        var low = sig[0];
        Assert.Equal((0.01, "dnnmm", "clustergan", 2), (low.Alpha, low.Reference, low.Method, low.N));
        // Seeds 1 and 3: 0.7 - 0.8 and 0.9 - 0.85.
        Assert.Equal((-0.1 + 0.05) / 2, low.Acc.MeanDifference, 12);
        var high = sig[1];
        Assert.Equal(5, high.N);
        var expected = PairedTests.Compare(new[] { 0.95, 0.96, 0.97, 0.95, 0.98 }, new[] { 0.90, 0.90, 0.91, 0.92, 0.90 });
        Assert.Equal(expected, high.Acc);
        Assert.Equal(0.0625, high.Acc.WilcoxonPValue);
        Assert.True(high.Acc.TPValue < 0.05);
        // No reference at (cifar, 0.5) and another reference name.
        Assert.Empty(SummaryTables.Significance(Grid(), "none"));
        Assert.Equal(new[] { "dnnmm", "dnnmm" }, SummaryTables.Significance(Grid(), "clustergan").Select(s => s.Method));
    }

    [Fact]
    public void MarkdownHasATablePerMetricWithTheBestMeanInBold()
    {
        var md = SummaryTables.Markdown(Grid());
        Assert.Contains("## mnist5", md);
        Assert.Contains("## cifar \\<b\\>", md);
        Assert.Contains("| alpha | dnnmm | clustergan |", md);
        Assert.Contains("| 0.01 | 0.8000 ± 0.1000 (n=3) | **0.8333 ± 0.0289 (n=3)** |", md);
        Assert.Contains("| 0.1 | **0.9620 ± 0.0130 (n=5)** | 0.9060 ± 0.0089 (n=5) |", md);
        Assert.Contains("**ARI**", md);
        Assert.Contains("**NMI**", md);
        // Alphas ascending: 0.01 before 0.1.
        Assert.True(md.IndexOf("| 0.01 |", StringComparison.Ordinal) < md.IndexOf("| 0.1 |", StringComparison.Ordinal));
        // Significance: alpha 0.1 against clustergan, n = 5, ACC difference +0.0560, Wilcoxon p 0.0625 not marked.
        Assert.Contains("| 0.1 | clustergan | 5 | +0.0560 | **", md);
        Assert.Contains("| 0.0625 |", md);
        Assert.Equal("_No finished runs yet._\n", SummaryTables.Markdown(Array.Empty<ResultRow>()));
    }

    [Fact]
    public void HtmlEscapesTextAndMarksBestAndSignificant()
    {
        var html = SummaryTables.Html(Grid());
        Assert.Contains("<h2>cifar &lt;b&gt;</h2>", html);
        Assert.DoesNotContain("cifar <b>", html);
        Assert.Contains("<td class=\"best\"><b>0.9620 ± 0.0130 (n=5)</b></td>", html);
        Assert.Contains("class=\"sig\"", html);
        Assert.Contains("<td>0.0625</td>", html);
        Assert.Contains("No finished runs yet.", SummaryTables.Html(Array.Empty<ResultRow>()));
    }

    [Fact]
    public void MarkdownAndHtmlShowTheSameCellsAndMarks()
    {
        var rows = Grid();
        rows.Add(Row("dynae", 0.01, 1, 0.8, ari: double.NaN));
        // Metric tables' cells in order, as (alpha, text, best); "–" where a method has no runs.
        var md = Regex.Matches(SummaryTables.Markdown(rows), @"^\| ([0-9.]+) \|((?: [^|\n]+ \|)+)$", RegexOptions.Multiline)
            .Where(m => m.Value.Contains('±'))
            .SelectMany(m => m.Groups[2].Value.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(c => (m.Groups[1].Value, c.Trim('*'), c.StartsWith("**", StringComparison.Ordinal))))
            .ToList();
        var html = Regex.Matches(SummaryTables.Html(rows), @"<tr><th>([0-9.]+)</th>(.*)</tr>")
            .SelectMany(m => Regex.Matches(m.Groups[2].Value, @"<td( class=""best"")?>(?:<b>)?([^<]*)(?:</b>)?</td>")
                .Select(c => (m.Groups[1].Value, c.Groups[2].Value, c.Groups[1].Success)))
            .ToList();
        Assert.Equal(2 * 3 * 3 + 3, md.Count);
        Assert.Contains(("0.01", "NaN ± 0.0000 (n=1)", false), md);
        Assert.Contains(("0.1", "–", false), md);
        Assert.Contains(("0.1", "0.9620 ± 0.0130 (n=5)", true), md);
        Assert.Equal(md, html);
    }

    /// <summary>
    /// A semi-supervised grid as the runs now write it: at alpha 0.1 the scores on all images (labelled ones included)
    /// are higher than on the unlabelled ones alone; seed 1 has test scores; alpha 0 has no unlabelled-only scores
    /// (every image is unlabelled there).
    /// </summary>
    private static List<ResultRow> SemiSupervised()
    {
        ResultRow R(string method, double alpha, int seed, double acc, double? unlabelled, double? test, float[] omega) =>
            Row(method, alpha, seed, acc, dataset: "imb3") with
            {
                Unlabelled = Scores.Of(unlabelled, unlabelled - 0.1, unlabelled - 0.2),
                Test = Scores.Of(test, test - 0.1, test - 0.2),
                Omega = omega, ClassProportions = new[] { 0.55f, 0.3f, 0.15f },
            };
        return new List<ResultRow>
        {
            R("dnnmm", 0, 1, 0.60, null, null, new[] { 0.2f, 0.5f, 0.3f }),
            R("dnnmm", 0, 2, 0.70, null, null, new[] { 0.5f, 0.3f, 0.2f }),
            R("kmeans", 0, 1, 0.50, null, null, Array.Empty<float>()),
            R("kmeans", 0, 2, 0.52, null, null, Array.Empty<float>()),
            R("dnnmm", 0.1, 1, 0.98, 0.96, 0.95, new[] { 0.5f, 0.3f, 0.2f }),
            R("dnnmm", 0.1, 2, 0.99, 0.97, null, new[] { 0.57f, 0.28f, 0.15f }),
            R("kmeans", 0.1, 1, 0.90, 0.88, 0.87, Array.Empty<float>()),
            R("kmeans", 0.1, 2, 0.91, 0.89, null, Array.Empty<float>()),
        };
    }

    [Fact]
    public void TablesLeadWithTheUnlabelledImagesAndShowTestScoresWhenPresent()
    {
        var rows = SemiSupervised();
        Assert.Equal(new[] { ScoredImages.Unlabelled, ScoredImages.Test, ScoredImages.All }, SummaryTables.ScoredSets(rows));
        var md = SummaryTables.Markdown(rows);
        Assert.Contains(SummaryTables.ScoredImagesNote, md);
        int unlabelled = md.IndexOf("**ACC** on the unlabelled training images only", StringComparison.Ordinal);
        int test = md.IndexOf("**ACC** on the held-out test images", StringComparison.Ordinal);
        int all = md.IndexOf("**ACC** on all training images (the labelled ones included)", StringComparison.Ordinal);
        Assert.True(unlabelled > md.IndexOf("## imb3", StringComparison.Ordinal) && unlabelled < test && test < all, $"{unlabelled} {test} {all}");
        // The first table after the heading is the unlabelled ACC; alpha 0 falls back to all images (none labelled).
        string first = md[unlabelled..md.IndexOf("**ARI**", StringComparison.Ordinal)];
        Assert.Contains("| 0 | **0.6500 ± 0.0707 (n=2)** | 0.5100 ± 0.0141 (n=2) |", first);
        Assert.Contains("| 0.1 | **0.9650 ± 0.0071 (n=2)** | 0.8850 ± 0.0071 (n=2) |", first);
        // Test scores over the one run that has them; no run at alpha 0 has any.
        string testTable = md[test..md.IndexOf("**ARI** on the held-out", StringComparison.Ordinal)];
        Assert.Contains("| 0 | – | – |", testTable);
        Assert.Contains("| 0.1 | **0.9500 ± 0.0000 (n=1)** | 0.8700 ± 0.0000 (n=1) |", testTable);
        Assert.Contains("| 0.1 | **0.9850 ± 0.0071 (n=2)** | 0.9050 ± 0.0071 (n=2) |", md[all..]);

        // Paired tests on the leading (unlabelled) scores, and on the test images.
        var sig = SummaryTables.Significance(rows);
        Assert.All(sig, s => Assert.Equal(ScoredImages.Unlabelled, s.Images));
        Assert.Equal(0.08, sig.Single(s => s.Alpha == 0.1).Acc.MeanDifference, 12);
        Assert.Equal(0.14, sig.Single(s => s.Alpha == 0).Acc.MeanDifference, 12);
        var onTest = SummaryTables.Significance(rows, images: ScoredImages.Test).Single();
        Assert.Equal((0.1, 1), (onTest.Alpha, onTest.N));
        Assert.Contains("**Paired tests**, scores on the unlabelled training images only", md);
        Assert.Contains("**Paired tests**, scores on the held-out test images", md);
        Assert.DoesNotContain("**Paired tests**, scores on all training images", md);

        var html = SummaryTables.Html(rows);
        Assert.Contains("<caption>ACC on the unlabelled training images only", html);
        Assert.True(html.IndexOf("<caption>ACC on the unlabelled", StringComparison.Ordinal) < html.IndexOf("<caption>ACC on all", StringComparison.Ordinal));
    }

    [Fact]
    public void OldRowsWithoutUnlabelledScoresLeadWithAllImagesAndSayWhich()
    {
        Assert.Equal(new[] { ScoredImages.All }, SummaryTables.ScoredSets(Grid()));
        var md = SummaryTables.Markdown(Grid());
        Assert.Contains("**ACC** on all training images (the labelled ones included)", md);
        Assert.DoesNotContain("**ACC** on the unlabelled", md);
        Assert.DoesNotContain("Learned omega", md);
        Assert.All(SummaryTables.Significance(Grid()), s => Assert.Equal(ScoredImages.All, s.Images));
    }

    [Fact]
    public void OmegaIsComparedWithTheTrueProportionsSortedAtAlphaZero()
    {
        var cells = SummaryTables.Omegas(SemiSupervised());
        Assert.Equal(new[] { (0.0, "dnnmm"), (0.1, "dnnmm") }, cells.Select(c => (c.Alpha, c.Method)));
        var a0 = cells[0];
        Assert.True(a0.Sorted);
        // Sorted: (0.5, 0.3, 0.2) against (0.55, 0.3, 0.15) in both runs.
        Assert.Equal(new[] { 0.5f, 0.3f, 0.2f }, a0.Omega);
        Assert.Equal(0.05, a0.MeanLargestDifference, 6);
        var a1 = cells[1];
        Assert.False(a1.Sorted);
        Assert.Equal(2, a1.N);
        Assert.Equal(0.535, a1.Omega[0], 6);
        Assert.Equal(new[] { 0.55f, 0.3f, 0.15f }, a1.Proportions);
        Assert.Equal((0.05 + 0.02) / 2, a1.MeanLargestDifference, 6);
        Assert.Equal(0.05, a1.WorstLargestDifference, 6);
        var md = SummaryTables.Markdown(SemiSupervised());
        Assert.Contains("| 0 (sorted) | dnnmm | 2 | 0.500 0.300 0.200 | 0.550 0.300 0.150 | 0.0500 | 0.0500 |", md);
        Assert.Contains("| 0.1 | dnnmm | 2 | 0.535 0.290 0.175 | 0.550 0.300 0.150 | 0.0350 | 0.0500 |", md);
        Assert.Contains("<td>0.535 0.290 0.175</td><td>0.550 0.300 0.150</td>", SummaryTables.Html(SemiSupervised()));
    }

    [Fact]
    public void PValuesAreFormattedCompactly()
    {
        Assert.Equal("0.0625", SummaryTables.P(0.0625));
        Assert.Equal("1.2e-05", SummaryTables.P(1.229e-5));
        Assert.Equal("–", SummaryTables.P(double.NaN));
        Assert.Equal("0.05", SummaryTables.Alpha(0.05));
    }
}
