using System.Text.RegularExpressions;
using SkiaSharp;
using Dnnmm.Experiments;

namespace Dnnmm.Tests.Experiments;

public class ExperimentReportTests
{
    private static ResultRow Row(string method, double alpha, int seed, double acc, string dataset = "mnist5") =>
        new(dataset, "0;1;2;3;4", method, alpha, seed, acc, acc - 0.1, acc - 0.2, method == "dnnmm" ? -14.5 : null, 30, "abc");

    private static List<ResultRow> Rows() => new()
    {
        Row("dnnmm", 0.01, 1, 0.9), Row("dnnmm", 0.01, 2, 0.8), Row("dnnmm", 0.01, 3, 0.7),
        Row("clustergan", 0.01, 1, 0.6), Row("clustergan", 0.01, 2, 0.65),
        Row("dnnmm", 0.1, 1, 0.95), Row("dnnmm-no-gan", 0.1, 1, 0.93), Row("dnnmm-no-gan", 0.5, 2, 0.97),
        Row("dnnmm", 0.5, 1, 0.5, dataset: "fashion"),
    };

    [Fact]
    public void PlotsArePngsOfTheRequestedSizePerDatasetAndMetric()
    {
        using var dir = new TempDir();
        var paths = ExperimentPlots.Write(Rows(), dir.File("plots"), 500, 360);
        Assert.Equal(new[] { "mnist5-acc.png", "mnist5-ari.png", "mnist5-nmi.png", "fashion-acc.png", "fashion-ari.png", "fashion-nmi.png" },
            paths.Select(Path.GetFileName));
        foreach (var p in paths)
        {
            using var bmp = SKBitmap.Decode(p);
            Assert.NotNull(bmp);
            Assert.Equal((500, 360), (bmp.Width, bmp.Height));
        }
        Assert.Empty(ExperimentPlots.Write(Array.Empty<ResultRow>(), dir.File("none")));
        Assert.Equal("a_b_c", ExperimentPlots.FileStem("a/b c"));
    }

    [Fact]
    public void ReportIsSelfContainedAndHasTheTables()
    {
        using var dir = new TempDir();
        string picture = dir.File("tsne.png");
        using (var bmp = new SKBitmap(8, 8))
        using (var data = bmp.Encode(SKEncodedImageFormat.Png, 100))
            File.WriteAllBytes(picture, data.ToArray());
        string outDir = dir.File("report");
        var info = new ReportInfo("Grid <one>", "dnnmm grid --config grid.json", "2 CPU cores",
            new[] { new ReportPicture("t-SNE", picture), new ReportPicture("missing", dir.File("nope.png")) }, "first try & check");
        ExperimentReport.Write(outDir, Rows(), info);

        foreach (var f in new[] { "results.csv", "summary.md", "summary.html", "report.html", "plots/mnist5-acc.png", "plots/fashion-nmi.png" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Equal(Rows(), ResultsCsv.Read(Path.Combine(outDir, "results.csv")));

        string md = File.ReadAllText(Path.Combine(outDir, "summary.md"));
        Assert.StartsWith("# Grid <one>\n", md);
        Assert.Contains("dnnmm grid --config grid.json", md);
        Assert.Contains("2 CPU cores", md);
        Assert.Contains("**0.8000 ± 0.1000 (n=3)**", md);
        Assert.Contains("](plots/mnist5-acc.png)", md);
        Assert.Contains("](../tsne.png)", md);
        Assert.DoesNotContain("nope.png", md);

        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        var refs = Regex.Matches(html, "(?:src|href)\\s*=\\s*[\"']?([^\"'\\s>]*)", RegexOptions.IgnoreCase).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(6 + 1, refs.Count);
        Assert.All(refs, r => Assert.StartsWith("data:image/png;base64,", r));
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("url(", html);
        foreach (var m in new[] { "dnnmm", "clustergan", "dnnmm-no-gan" }) Assert.Contains(m, html);
        Assert.Contains("Grid &lt;one&gt;", html);
        Assert.Contains("first try &amp; check", html);
        Assert.Contains("0.8000 ± 0.1000 (n=3)", html);
        Assert.Contains("t-SNE", html);
        Assert.DoesNotContain(">missing<", html);
        // The embedded plot decodes.
        var b64 = refs[0]["data:image/png;base64,".Length..];
        using (var bmp = SKBitmap.Decode(Convert.FromBase64String(b64))) Assert.NotNull(bmp);

        string summaryHtml = File.ReadAllText(Path.Combine(outDir, "summary.html"));
        Assert.Contains("<table", summaryHtml);
        Assert.DoesNotContain("<img", summaryHtml);
    }

    [Fact]
    public void PlotsAndReportLeadWithUnlabelledScoresAddTestAccAndShowOmega()
    {
        var rows = Rows().Select(r => r with
        {
            Unlabelled = new Scores(r.Acc - 0.02, r.Ari - 0.02, r.Nmi - 0.02),
            Test = r.Dataset == "fashion" ? null : new Scores(r.Acc - 0.03, double.NaN, double.NaN),
            Omega = r.Method == "dnnmm" ? new[] { 0.4f, 0.6f } : Array.Empty<float>(), ClassProportions = new[] { 0.5f, 0.5f },
        }).ToList();
        using var dir = new TempDir();
        var paths = ExperimentPlots.Write(rows, dir.File("plots"), 400, 300);
        Assert.Equal(new[] { "mnist5-acc.png", "mnist5-ari.png", "mnist5-nmi.png", "mnist5-acc-test.png", "fashion-acc.png", "fashion-ari.png", "fashion-nmi.png" },
            paths.Select(Path.GetFileName));

        string outDir = dir.File("report");
        ExperimentReport.Write(outDir, rows, new ReportInfo("Grid", "cmd", "machine", Array.Empty<ReportPicture>()));
        Assert.Equal(rows, ResultsCsv.Read(Path.Combine(outDir, "results.csv")));
        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("Which images are scored", html);
        int unlabelled = html.IndexOf("<caption>ACC on the unlabelled training images only", StringComparison.Ordinal);
        Assert.True(unlabelled > 0 && unlabelled < html.IndexOf("<caption>ACC on the held-out test images", StringComparison.Ordinal));
        Assert.Contains("Learned omega against the true class proportions", html);
        Assert.Contains("<td>0.400 0.600</td><td>0.500 0.500</td><td>0.1000</td>", html);
        Assert.Contains("Learned omega", File.ReadAllText(Path.Combine(outDir, "summary.md")));
    }

    [Fact]
    public void EmptyRowsGiveAReportThatSaysNoRunsHaveFinished()
    {
        using var dir = new TempDir();
        string outDir = dir.File("report");
        ExperimentReport.Write(outDir, Array.Empty<ResultRow>(), new ReportInfo("Empty", "cmd", "machine", Array.Empty<ReportPicture>()));
        Assert.Empty(ResultsCsv.Read(Path.Combine(outDir, "results.csv")));
        Assert.Contains("No finished runs yet", File.ReadAllText(Path.Combine(outDir, "summary.md")));
        Assert.Contains("No finished runs yet", File.ReadAllText(Path.Combine(outDir, "report.html")));
        Assert.Contains("No finished runs yet", File.ReadAllText(Path.Combine(outDir, "summary.html")));
    }
}
