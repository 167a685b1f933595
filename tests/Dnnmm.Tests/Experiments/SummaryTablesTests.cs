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

    [Fact]
    public void PValuesAreFormattedCompactly()
    {
        Assert.Equal("0.0625", SummaryTables.P(0.0625));
        Assert.Equal("1.2e-05", SummaryTables.P(1.229e-5));
        Assert.Equal("–", SummaryTables.P(double.NaN));
        Assert.Equal("0.05", SummaryTables.Alpha(0.05));
    }
}
