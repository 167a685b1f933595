using SkiaSharp;
using static Dnnmm.Tests.Cli.CliRunner;


namespace Dnnmm.Tests.Cli;

public class CliTests
{


    [Theory]
    [InlineData("--help")]
    [InlineData("data", "--help")]
    [InlineData("data", "info", "--help")]
    [InlineData("train", "--help")]
    [InlineData("predict", "--help")]
    [InlineData("sample", "--help")]
    [InlineData("bench", "--help")]
    [InlineData("reference", "--help")]
    [InlineData("reference", "train", "--help")]
    [InlineData("reference", "score", "--help")]
    public void EveryCommandHasHelp(params string[] args)
    {
        var r = Run(args);
        Assert.Equal(0, r.Code);
        Assert.Contains("Usage", r.Out);
    }

    [Fact]
    public void DataInfoDescribesTheShippedMnist()
    {
        var r = Run("data", "info", "--data", "mnist", "--classes", "3,7", "--per-class", "20", "--alpha", "0.1", "--seed", "4");
        Assert.Equal(0, r.Code);
        Assert.Contains("1x28x28", r.Out);
        Assert.Contains("K = 2", r.Out);
    }

    [Fact]
    public void BenchSyntheticReportsStoredBytesAndPeakMemory()
    {
        var r = Run("bench", "--synthetic", "500x3x16x16");
        Assert.Equal(0, r.Code);
        Assert.Contains("| images | 500 x 3x16x16 |", r.Out);
        Assert.Contains("0.00 GB", r.Out); // 384,000 bytes
        Assert.Contains("peak resident memory", r.Out);
    }

    [Theory]
    [InlineData("500x3x16")]
    [InlineData("500x3x16x0")]
    [InlineData("ax3x16x16")]
    public void BenchSyntheticShapeErrorsAreOneLine(string shape) =>
        AssertBadInput(Run("bench", "--synthetic", shape), "--synthetic");

    [Fact]
    public void AlphaOutOfRangeIsAOneLineError() =>
        AssertBadInput(Run("data", "info", "--alpha", "1.5"), "--alpha");

    [Fact]
    public void MissingDatasetFolderIsAOneLineError() =>
        AssertBadInput(Run("data", "info", "--data", "idx:/no/such/folder"), "/no/such/folder");

    [Fact]
    public void UnknownOptionIsAOneLineError() =>
        AssertBadInput(Run("data", "info", "--no-such-option", "3"), "--no-such-option");

    [Fact]
    public void NonNumericValueIsAOneLineError() =>
        AssertBadInput(Run("train", "--seed", "abc", "--out", "x"), "abc");

    [Fact]
    public void BadEnumValueIsAOneLineError() =>
        AssertBadInput(Run("train", "--e-step", "sometimes", "--out", "x"), "sometimes");

    [Fact]
    public void TooManyImagesPerClassIsAOneLineError() =>
        AssertBadInput(Run("data", "info", "--per-class", "5000"), "--per-class");

    /// <summary>The library names data options by their JSON names; the CLI shows the data flags, not a method's flag of the same JSON name.</summary>
    [Theory]
    [InlineData("error: --per-class 0 must be at least 1", "--per-class", "0")]
    [InlineData("error: --noise-std -1 must be a finite number >= 0", "--noise-std", "-1")]
    [InlineData("error: --classes 'horse' is not a class of mnist (shipped)", "--classes", "horse")]
    [InlineData("error: --image-size 32 is only used with folder: and celeba: data", "--image-size", "32")]
    [InlineData("error: --data 'nope:/x' is not a known data source", "--data", "nope:/x")]
    public void DataOptionErrorsShowTheFlag(string expected, string flag, string value) =>
        AssertBadInput(Run("data", "info", flag, value), expected);

    [Fact]
    public void TrainRefusesToOverwriteAnotherRunAndBadInputNeverDestroysIt()
    {
        using var dir = new TempDir();
        string marker = dir.File("options.json");
        File.WriteAllText(marker, "earlier run");
        AssertBadInput(Run("train", "--classes", "0,1", "--per-class", "10", "--out", dir.Path), "--force");
        Assert.Equal("earlier run", File.ReadAllText(marker));
        // even with --force, bad input is reported before anything is removed
        AssertBadInput(Run("train", "--classes", "0,1", "--per-class", "10", "--alpha", "2", "--out", dir.Path, "--force"), "--alpha");
        Assert.Equal("earlier run", File.ReadAllText(marker));
    }

    [Fact]
    public void TrainPredictSampleAndResumeEndToEnd()
    {
        using var dir = new TempDir();
        string run = dir.File("run");
        var t = Run("train", "--classes", "0,1", "--per-class", "16", "--alpha", "0.25", "--epochs", "1", "--width", "8",
            "--batch-size", "16", "--threads", "1", "--out", run);
        Assert.True(t.Code == 0, t.Err);
        Assert.Contains("final ACC", t.Out);
        foreach (var f in new[] { "options.json", "model.json", "checkpoint.bin", "metrics.csv", "metrics.json", "samples.png", "summary.json" })
            Assert.True(File.Exists(Path.Combine(run, f)), f);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);
        using (var png = SKBitmap.Decode(Path.Combine(run, "samples.png")))
            Assert.Equal(2 + 2 * (28 * 2 + 2), png.Height); // one row per cluster

        string csv = dir.File("pred.csv");
        var p = Run("predict", "--model", run, "--data", "mnist", "--classes", "0,1", "--per-class", "16", "--out", csv);
        Assert.True(p.Code == 0, p.Err);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("index,class,cluster,p_0,p_1,log_likelihood", lines[0]);
        // --out naming an existing folder: a one-line error, exit 2, the folder untouched (was an unhandled IOException).
        string folder = dir.Sub("a-folder");
        AssertBadInput(Run("predict", "--model", run, "--data", "mnist", "--classes", "0,1", "--per-class", "16", "--out", folder), "is a folder");
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        Assert.Equal(33, lines.Length);
        // Each image's log-likelihood under the model (eq 4, the -(d/2) log 2 pi constant included): finite, at most
        // the peak of one unit Gaussian in the default d = 10 dimensions, and its mean is printed.
        var logLik = lines.Skip(1).Select(l => double.Parse(l.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.All(logLik, v => Assert.True(double.IsFinite(v) && v <= -5 * Math.Log(2 * Math.PI) + 1e-6, $"{v}"));
        Assert.Contains("mean log-likelihood", p.Out);

        string png2 = dir.File("s.png");
        var s = Run("sample", "--model", run, "--cluster", "1", "--n", "9", "--out", png2);
        Assert.True(s.Code == 0, s.Err);
        using (var bmp = SKBitmap.Decode(png2)) Assert.Equal(3 * 56 + 4 * 2, bmp.Width);
        Assert.Matches(@"samples of cluster 1 \(1, ω 0\.\d{3}\)", s.Out); // the cluster's learned weight
        AssertBadInput(Run("sample", "--model", run, "--cluster", "5", "--out", png2), "--cluster");

        // a finished run resumes to the same state without training again
        var r = Run("train", "--resume", run);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);
    }

    [Fact]
    public void PredictWithAModelOfAnotherShapeIsAOneLineError()
    {
        AssertBadInput(Run("predict", "--model", "/no/such/run", "--out", "x.csv"), "/no/such/run");
    }
}
