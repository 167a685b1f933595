using System.Text.Json;
using Dnnmm.Data;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Runs;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Runs;

/// <summary>A run scored on a held-out test set: test metrics in the summary and the last metrics row, test images never fitted.</summary>
public class TestSetRunTests
{
    private const int Side = 16;
    private const byte TestMarker = 77;

    /// <summary>
    /// An IDX folder with two classes (a bright bar in the top or the bottom half): a train split of 12 per class and a
    /// t10k split of 6 per class whose first pixel is <see cref="TestMarker"/> (never so in the train split).
    /// </summary>
    private static TempDir MakeIdx()
    {
        var t = new TempDir();
        static byte Pixel(int label, int i, int p, bool test)
        {
            if (p == 0) return test ? TestMarker : (byte)0;
            int row = p / Side;
            bool on = label == 0 ? row < Side / 2 : row >= Side / 2;
            return (byte)((on ? 210 : 20) + (i * 7 + p) % 13);
        }
        byte[] Labels(int n) => Enumerable.Range(0, 2 * n).Select(i => (byte)(i % 2)).ToArray();
        var train = Labels(12);
        var test = Labels(6);
        WriteIdxPair(t.Path, "train", train, Side, Side, (i, p) => Pixel(train[i], i, p, false), gzip: true);
        WriteIdxPair(t.Path, "t10k", test, Side, Side, (i, p) => Pixel(test[i], i, p, true), gzip: true);
        return t;
    }

    private static TrainRunOptions Options(string data, string method = "dnnmm") =>
        new TrainRunOptions
        {
            Data = new DataOptions { Data = $"idx:{data}", Alpha = 0.25, TestSplit = "test" },
            Method = method,
        }.With(new DnnmmOptions { Epochs = 1, BatchSize = 8, LabelledBatchSize = 4, NetworkWidth = 8, Threads = 1 });

    [Theory]
    [InlineData("dnnmm")]
    [InlineData("kmeans")]
    public void TestScoresReachTheSummaryAndTheLastMetricsRowAndTestImagesAreNeverFitted(string method)
    {
        using var data = MakeIdx();
        using var runs = new TempDir();
        string dir = runs.File("run");
        ImageSet? fitted = null;
        var summary = TrainRun.Run(Options(data.Path, method), dir, force: false, resume: false, afterFit: (_, d) => fitted = d.Images);

        Assert.NotNull(fitted);
        Assert.Equal(24, fitted!.Count);
        Assert.All(Enumerable.Range(0, fitted.Count), i => Assert.NotEqual(TestMarker / 255f, fitted.Pixels[i * fitted.ImageSize]));
        Assert.Equal(12, summary.TestImages);
        foreach (var v in new[] { summary.AccTest, summary.AriTest, summary.NmiTest })
            Assert.InRange(v!.Value, -1, 1);
        Assert.InRange(summary.AccTest!.Value, 0.5, 1);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, RunFolder.SummaryFile)));
        Assert.Equal(summary.AccTest!.Value, json.RootElement.GetProperty("accTest").GetDouble());
        Assert.Equal(12, json.RootElement.GetProperty("testImages").GetInt32());
        var rows = new RunFolder(dir).ReadMetrics();
        Assert.Equal(summary.AccTest.Value, rows[^1].Values["acc_test"]);
        Assert.All(new[] { "ari_test", "nmi_test" }, k => Assert.True(rows[^1].Values.ContainsKey(k), k));
        Assert.All(rows.SkipLast(1), r => Assert.False(r.Values.ContainsKey("acc_test")));
        Assert.Contains("acc_test", File.ReadLines(Path.Combine(dir, "metrics.csv")).First());
    }

    [Fact]
    public void TheTestSetScoresWhatTheFittedMethodPredicts()
    {
        using var data = MakeIdx();
        using var runs = new TempDir();
        var o = Options(data.Path, "kmeans");
        IClusteringMethod? m = null;
        var summary = TrainRun.Run(o, runs.File("run"), false, false, afterFit: (method, _) => m = method);
        var test = DataPipeline.PrepareTest(o.Data)!;
        Assert.All(Enumerable.Range(0, test.Count), i => Assert.Equal(TestMarker / 255f, test.Pixels[i * test.ImageSize]));
        var scores = TrainRun.ScoreTest(m!, test);
        Assert.Equal(summary.AccTest, scores["acc_test"]);
        Assert.Equal(summary.NmiTest, scores["nmi_test"]);
    }

    [Fact]
    public void NoTestSetNoTestScores()
    {
        using var data = MakeIdx();
        using var runs = new TempDir();
        var o = Options(data.Path, "kmeans");
        var summary = TrainRun.Run(o with { Data = o.Data with { TestSplit = null } }, runs.File("run"), false, false);
        Assert.Null(summary.AccTest);
        Assert.Equal(0, summary.TestImages);
        Assert.DoesNotContain("testSplit", File.ReadAllText(Path.Combine(runs.File("run"), "options.json")));
    }

    [Fact]
    public void ABadTestSetIsReportedBeforeTheRunFolderIsTouched()
    {
        using var runs = new TempDir();
        string dir = runs.File("run");
        var o = new TrainRunOptions { Data = new DataOptions { Classes = new[] { "0", "1" }, PerClass = 10 }, Method = "kmeans" };
        var e = Assert.Throws<OptionException>(() => TrainRun.Run(o with { Data = o.Data with { TestData = "idx:/no/such/folder" } }, dir, false, false));
        Assert.Equal("testData", e.Option);
        Assert.False(Directory.Exists(dir));
    }
}
