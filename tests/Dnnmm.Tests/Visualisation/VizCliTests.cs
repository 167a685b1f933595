using SkiaSharp;
using static Dnnmm.Tests.Cli.CliRunner;
using Dnnmm.Tests.Cli;

namespace Dnnmm.Tests.Visualisation;

/// <summary>A 1-epoch tiny DNN-MM run on the shipped MNIST (classes 0 and 1, 16 each), trained once for the class.</summary>
public sealed class TinyRunFixture : IDisposable
{
    private readonly TempDir dir = new();

    public TinyRunFixture()
    {
        Run = dir.File("run");
        TensorBoard = dir.File("tb");
        var t = VizCliTests.Cli("train", "--classes", "0,1", "--per-class", "16", "--alpha", "0.25", "--epochs", "1", "--width", "8",
            "--batch-size", "16", "--threads", "1", "--out", Run, "--tensorboard", TensorBoard);
        TrainResult = t;
    }

    public string Dir => dir.Path;
    public string Run { get; }
    public string TensorBoard { get; }
    public (int Code, string Out, string Err) TrainResult { get; }

    public void Dispose() => dir.Dispose();
}

public class VizCliTests(TinyRunFixture fx) : IClassFixture<TinyRunFixture>
{
    internal static (int Code, string Out, string Err) Cli(params string[] args) => CliRunner.Run(args);


    private static readonly string[] Data = { "--data", "mnist", "--classes", "0,1", "--per-class", "16" };


    private static (int W, int H) Size(string path)
    {
        using var bmp = SKBitmap.Decode(path);
        Assert.NotNull(bmp);
        return (bmp.Width, bmp.Height);
    }

    private static int Grid(int tiles, int scale = 2, int gap = 2) => tiles * 28 * scale + (tiles + 1) * gap;

    private string Out(string name) => Path.Combine(fx.Dir, name);

    [Theory]
    [InlineData("viz", "--help")]
    [InlineData("viz", "tsne", "--help")]
    [InlineData("viz", "samples", "--help")]
    [InlineData("viz", "interpolate", "--help")]
    [InlineData("viz", "reconstruct", "--help")]
    [InlineData("viz", "curves", "--help")]
    [InlineData("viz", "progress", "--help")]
    public void EveryVizCommandHasHelp(params string[] args)
    {
        var r = Cli(args);
        Assert.Equal(0, r.Code);
        Assert.Contains("Usage", r.Out);
    }

    [Fact]
    public void TheHiddenTsneBenchRuns()
    {
        var r = Cli("viz", "tsne-bench", "--n", "200");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("t-SNE of 200 points", r.Out);
        Assert.Contains("trustworthiness (k = 10, 200 points): ", r.Out);
        Assert.DoesNotContain("tsne-bench", Cli("viz", "--help").Out);
        AssertBadInput(Cli("viz", "tsne-bench", "--n", "50"), "--n 50");
    }

    [Fact]
    public void TrainingWritesTensorBoardEvents()
    {
        Assert.True(fx.TrainResult.Code == 0, fx.TrainResult.Err);
        Assert.Contains("tensorboard: ", fx.TrainResult.Out);
        var file = Assert.Single(Directory.GetFiles(fx.TensorBoard, "events.out.tfevents.*"));
        var tags = TensorBoardLogTests.ReadEvents(file).SelectMany(e => e.Summary?.Value.Select(v => v.Tag) ?? []).ToHashSet();
        foreach (var t in new[] { "loss/likelihood", "loss/consistency", "loss/adversarial_g", "loss/loss_d", "metrics/acc", "metrics/log_likelihood", "omega/1" })
            Assert.Contains(t, tags);
        // the samples of the (one) epoch as a PNG image, and the latent codes of the 32 images for the projector
        var image = TensorBoardLogTests.ReadEvents(file).Where(e => e.Summary is not null).SelectMany(e => e.Summary.Value)
            .Single(v => v.Tag == "samples").Image;
        using (var png = SKBitmap.Decode(image.EncodedImageString.ToByteArray()))
            Assert.Equal((image.Width, image.Height), (png.Width, png.Height));
        Assert.Contains("tensorboard projector: ", fx.TrainResult.Out);
        Assert.Contains("tensor_path: \"latent/tensors.tsv\"", File.ReadAllText(Path.Combine(fx.TensorBoard, "projector_config.pbtxt")));
        var meta = File.ReadAllLines(Path.Combine(fx.TensorBoard, "latent", "metadata.tsv"));
        Assert.Equal("index\tclass\tcluster", meta[0]);
        Assert.Equal(33, meta.Length);
        Assert.Equal(new[] { "0", "1" }, meta.Skip(1).Select(l => l.Split('\t')[1]).Distinct().Order());
        Assert.Equal(32, File.ReadAllLines(Path.Combine(fx.TensorBoard, "latent", "tensors.tsv")).Length);
    }

    [Fact]
    public void TsneWritesTwoScattersACsvAndTheTrustworthiness()
    {
        string stem = Out("tsne");
        var r = Cli(["viz", "tsne", "--model", fx.Run, .. Data, "--perplexity", "5", "--iterations", "250", "--out", stem + ".png"]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("trustworthiness (k = 10): ", r.Out);
        Assert.Equal((900, 700), Size(stem + "-classes.png"));
        Assert.Equal((900, 700), Size(stem + "-clusters.png"));
        var csv = File.ReadAllLines(stem + ".csv");
        Assert.Equal("index,x,y,class,cluster", csv[0]);
        Assert.Equal(33, csv.Length);

        // --max-points cuts the set; a subset of 8 cannot take perplexity 30
        var small = Cli(["viz", "tsne", "--model", fx.Run, .. Data, "--max-points", "8", "--iterations", "50", "--perplexity", "3", "--out", Out("small")]);
        Assert.True(small.Code == 0, small.Err);
        Assert.Equal(9, File.ReadAllLines(Out("small.csv")).Length);
    }

    [Fact]
    public void TsneErrorsAreOneLine()
    {
        AssertBadInput(Cli(["viz", "tsne", "--model", fx.Run, .. Data, "--perplexity", "50", "--out", Out("x")]), "--perplexity");
        AssertBadInput(Cli(["viz", "tsne", "--model", fx.Run, .. Data, "--learning-rate", "fast", "--out", Out("x")]), "--learning-rate");
        AssertBadInput(Cli(["viz", "tsne", "--model", fx.Run, .. Data, "--method", "umap", "--out", Out("x")]), "umap");
        AssertBadInput(Cli(["viz", "tsne", "--model", Out("no-such-run"), .. Data, "--out", Out("x")]), "no-such-run");
        Assert.False(File.Exists(Out("x.csv")));
    }

    [Fact]
    public void SamplesInterpolationsAndReconstructionsHaveTheExpectedSizes()
    {
        var s = Cli("viz", "samples", "--model", fx.Run, "--per-cluster", "6", "--out", Out("samples.png"));
        Assert.True(s.Code == 0, s.Err);
        var (sw, sh) = Size(Out("samples.png"));
        Assert.Equal(Grid(2), sh); // one row per cluster
        Assert.True(sw > Grid(6), $"{sw}: no room for the row labels");
        // DNN-MM is a mixture model: the rows carry its learned omega, which the command also prints.
        Assert.Matches(@"rows labelled with omega: ω 0\.\d{3}, ω 0\.\d{3}\)", s.Out);

        var i = Cli("viz", "interpolate", "--model", fx.Run, "--from", "0", "--to", "1", "--steps", "7", "--out", Out("interp.png"));
        Assert.True(i.Code == 0, i.Err);
        var (iw, ih) = Size(Out("interp.png"));
        Assert.Equal(Grid(1), ih);
        Assert.True(iw > Grid(7));

        var a = Cli("viz", "interpolate", "--model", fx.Run, "--all-pairs", "--steps", "5", "--out", Out("pairs.png"));
        Assert.True(a.Code == 0, a.Err);
        Assert.Equal(Grid(1), Size(Out("pairs.png")).H); // K = 2: one strip

        var r = Cli(["viz", "reconstruct", "--model", fx.Run, .. Data, "--n", "9", "--out", Out("rec.png")]);
        Assert.True(r.Code == 0, r.Err);
        // 9 pairs, 3 per row: 6 columns in 3 pairs
        Assert.Equal((Grid(6) + 2 * Dnnmm.Visualisation.GenerativePictures.PairGap, Grid(3)), Size(Out("rec.png")));
    }

    [Fact]
    public void CurvesOfTheRun()
    {
        var c = Cli("viz", "curves", "--run", fx.Run, "--out", Out("curves.png"), "--separate");
        Assert.True(c.Code == 0, c.Err);
        Assert.Equal((3 * 480, 34 + 2 * 340), Size(Out("curves.png")));
        Assert.Equal((3 * 480, 34 + 340), Size(Out("curves-losses.png")));
        Assert.Equal((3 * 480, 34 + 340), Size(Out("curves-metrics.png")));
        var t = Cli("viz", "curves", "--run", fx.Run, "--title", "my title", "--out", Out("curves-titled.png"));
        Assert.True(t.Code == 0, t.Err);
        Assert.Equal((3 * 480, 34 + 2 * 340), Size(Out("curves-titled.png")));
    }

    [Fact]
    public void ProgressOfTheRunAgainstABudget()
    {
        var c = Cli("viz", "progress", "--run", fx.Run, "--run", fx.Run, "--label", "first", "--label", "second",
            "--budget-minutes", "30", "--target", "0.9", "--out", Out("progress.png"));
        Assert.True(c.Code == 0, c.Err);
        Assert.Equal((760, 460), Size(Out("progress.png")));
        Assert.Contains("first: acc ", c.Out);
        Assert.Contains("within 30 min: ", c.Out);
    }

    [Fact]
    public void GenerativeAndCurveErrorsAreOneLine()
    {
        AssertBadInput(Cli("viz", "samples", "--model", Out("no-such-run"), "--out", Out("x.png")), "no-such-run");
        AssertBadInput(Cli("viz", "interpolate", "--model", fx.Run, "--from", "0", "--to", "2", "--out", Out("x.png")), "--to 2");
        AssertBadInput(Cli("viz", "interpolate", "--model", fx.Run, "--from", "-1", "--to", "1", "--out", Out("x.png")), "--from -1");
        AssertBadInput(Cli("viz", "interpolate", "--model", fx.Run, "--from", "0", "--out", Out("x.png")), "--to");
        AssertBadInput(Cli("viz", "curves", "--run", Out("no-such-run"), "--out", Out("x.png")), "no-such-run");
        string empty = Directory.CreateDirectory(Out("empty-run")).FullName;
        AssertBadInput(Cli("viz", "curves", "--run", empty, "--out", Out("x.png")), "metrics.json");
        AssertBadInput(Cli("viz", "progress", "--run", empty, "--out", Out("x.png")), "metrics.json");
        AssertBadInput(Cli("viz", "progress", "--run", fx.Run, "--label", "a", "--label", "b", "--out", Out("x.png")), "--label");
        AssertBadInput(Cli("viz", "progress", "--run", fx.Run, "--budget-minutes", "0", "--out", Out("x.png")), "--budget-minutes");
        AssertBadInput(Cli("viz", "progress", "--run", fx.Run, "--metric", "no_such_key", "--out", Out("x.png")), "no_such_key");
        Assert.False(File.Exists(Out("x.png")));
    }
}
