using SkiaSharp;
using static TorchSharp.torch;
using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Visualisation;
using Dnnmm.Tsne;

namespace Dnnmm.Tests.Visualisation;

public class PicturesTests
{
    private static (int W, int H) Size(byte[] png)
    {
        using var bmp = SKBitmap.Decode(png);
        Assert.NotNull(bmp);
        return (bmp.Width, bmp.Height);
    }

    private static int Grid(int tiles, int side, int scale = 2, int gap = 2) => tiles * side * scale + (tiles + 1) * gap;

    /// <summary>An untrained model of 16 x 16 grey images, K = 3 one-hot means (d = 3).</summary>
    private static DnnmmModel TinyModel() =>
        new(new DnnmmModelInfo(1, 16, 16, 3, 3, 4, new[] { "c0", "c1", "c2" }, MeanPlacement.OneHot, 4, 1), CPU);

    [Fact]
    public void LabelledGridKeepsTheGridHeightAndAddsALabelMargin()
    {
        var px = new float[6 * 16 * 16];
        var plain = Size(ImageGrid.ToPng(px, 6, 1, 16, 16, 3));
        var labelled = Size(ImageGrid.ToLabelledPng(px, 6, 1, 16, 16, 3, new[] { "0: zero", "1: a longer name" }));
        Assert.Equal((Grid(3, 16), Grid(2, 16)), plain);
        Assert.Equal(plain.H, labelled.H);
        Assert.True(labelled.W > plain.W + 30, $"{labelled.W} vs {plain.W}");
    }

    [Fact]
    public void GroupedGridAddsTheGroupGapBetweenGroups()
    {
        var px = new float[8 * 16 * 16];
        Assert.Equal((Grid(4, 16) + 8, Grid(2, 16)), Size(ImageGrid.ToPng(px, 8, 1, 16, 16, 4, groupSize: 2, groupGap: 8)));
    }

    [Fact]
    public void ScatterWithLegendIsAPngOfTheRequestedSize()
    {
        var rng = new Random(3);
        int n = 60;
        var xs = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var ys = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var groups = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        var png = LatentPlots.Scatter(xs, ys, groups, new[] { "zero", "one", "two" }, null, "a title", 640, 480);
        Assert.Equal((640, 480), Size(png));
        // The legend is drawn in the group colours: the first group's colour appears even though the points are
        // translucent (legend symbols are opaque).
        using var bmp = SKBitmap.Decode(png);
        var c0 = PlotStyle.GroupColour(0);
        bool found = false;
        for (int y = 0; y < bmp.Height && !found; y++)
            for (int x = 0; x < bmp.Width && !found; x++)
            {
                var p = bmp.GetPixel(x, y);
                found = p.Red == c0.R && p.Green == c0.G && p.Blue == c0.B;
            }
        Assert.True(found, "no pixel in the first group's colour");
    }

    [Fact]
    public void A_long_title_is_wrapped_at_a_colon_or_comma_and_a_short_one_is_left_alone()
    {
        Assert.Equal("mnist5, alpha = 0.1: t-SNE", LatentPlots.WrapTitle("mnist5, alpha = 0.1: t-SNE", 900));
        string title = "cifar10-5-noisy (dnnmm-no-gan-depth2), alpha = 0.1: t-SNE of E(x) by predicted cluster (ACC 0.5872)";
        Assert.Equal("cifar10-5-noisy (dnnmm-no-gan-depth2), alpha = 0.1:\nt-SNE of E(x) by predicted cluster (ACC 0.5872)",
            LatentPlots.WrapTitle(title, 900));
        var narrow = LatentPlots.WrapTitle(title, 400).Split('\n');
        Assert.True(narrow.Length >= 3);
        Assert.All(narrow, l => Assert.InRange(l.Length, 1, 400 * 6 / 10 / 9));
        Assert.Equal(title.Replace(" ", ""), string.Concat(narrow).Replace(" ", ""));
        Assert.Equal(new string('x', 80), LatentPlots.WrapTitle(new string('x', 80), 300)); // no space: left whole
    }

    [Fact]
    public void A_long_scatter_title_stays_inside_the_picture()
    {
        var rng = new Random(4);
        var xs = Enumerable.Range(0, 50).Select(_ => rng.NextDouble()).ToArray();
        var ys = Enumerable.Range(0, 50).Select(_ => rng.NextDouble()).ToArray();
        var groups = Enumerable.Range(0, 50).Select(i => i % 5).ToArray();
        var png = LatentPlots.Scatter(xs, ys, groups, Enumerable.Range(0, 5).Select(g => $"cluster {g} (class a long class name {g})").ToArray(), null,
            "cifar10-5-noisy (dnnmm-no-gan-depth2), alpha = 0.1: t-SNE of E(x) by predicted cluster (ACC 0.5872)", 900, 700);
        using var bmp = SKBitmap.Decode(png);
        // Title text is dark; before the wrapping, this title ran off the left edge of the picture.
        for (int y = 0; y < 60; y++)
            foreach (int x in new[] { 0, 1, 2, bmp.Width - 3, bmp.Width - 2, bmp.Width - 1 })
                Assert.True(bmp.GetPixel(x, y).Red > 128, $"dark pixel at the edge ({x}, {y}): the title is cut off");
    }

    private static EpochRow Row(int epoch, double acc, bool losses = true) => new(epoch, 1.5,
        losses
            ? new Dictionary<string, double>
            {
                ["likelihood"] = -16 + epoch, ["consistency"] = 10.0 / epoch, ["adversarial_g"] = 2, ["loss_d"] = 0.5,
                ["log_likelihood"] = -14 + 0.5 * epoch, ["acc"] = acc, ["ari"] = acc - 0.1, ["nmi"] = acc - 0.2,
            }
            : new Dictionary<string, double> { ["acc"] = acc },
        new[] { 0.5f, 0.5f });

    [Fact]
    public void CurvesFromHandMadeRowsHaveOnePanelPerKindOfValue()
    {
        var rows = new[] { Row(1, 0.5), Row(2, 0.7), Row(3, 0.8) };
        // 6 panels in 3 columns, under a title band
        Assert.Equal((3 * 300, 34 + 2 * 200), Size(TrainingCurves.ToPng(rows, "run x", 300, 200)));
        Assert.Equal((3 * 300, 200), Size(TrainingCurves.LossesPng(rows, null, 300, 200)));
        Assert.Equal((3 * 300, 200), Size(TrainingCurves.MetricsPng(rows, null, 300, 200)));
        // a baseline that reports only ACC (and omega): two panels
        var sparse = new[] { Row(1, 0.5, losses: false), Row(2, 0.6, losses: false) };
        Assert.Equal((2 * 300, 200), Size(TrainingCurves.ToPng(sparse, null, 300, 200)));
        // a run scored with a reference classifier: sample purity and the Fréchet distance get a panel each
        var scored = rows.Select(r => r with { Values = new Dictionary<string, double>(r.Values) { ["sample_purity"] = 0.9, ["frechet"] = 3 } }).ToArray();
        Assert.Equal((3 * 300, 2 * 200), Size(TrainingCurves.MetricsPng(scored, null, 300, 200)));
    }

    [Fact]
    public void CurvesOfNothingAreBadInput()
    {
        Assert.Throws<DnnmmInputException>(() => TrainingCurves.ToPng(Array.Empty<EpochRow>()));
        var empty = new[] { new EpochRow(1, 1, new Dictionary<string, double> { ["other"] = 1 }, Array.Empty<float>()) };
        Assert.Throws<DnnmmInputException>(() => TrainingCurves.ToPng(empty));
    }

    private static EpochRow Timed(int epoch, double seconds, double? acc) => new(epoch, seconds,
        acc is double a ? new Dictionary<string, double> { ["acc"] = a } : new Dictionary<string, double> { ["loss"] = 1 },
        Array.Empty<float>());

    [Fact]
    public void ProgressAddsUpTheEpochTimes()
    {
        // epoch 2 reports no ACC (a pretraining epoch without monitoring): its time still counts
        var rows = new[] { Timed(1, 30, 0.2), Timed(2, 60, null), Timed(3, 90, 0.6), Timed(4, 120, 0.8) };
        var (min, acc) = ProgressCurves.Series(rows, "acc");
        Assert.Equal(new[] { 0.5, 3.0, 5.0 }, min);
        Assert.Equal(new[] { 0.2, 0.6, 0.8 }, acc);
        // the last value whose epoch ends within the budget: 180 s ends epoch 3; 299 s does not reach epoch 4's end (300 s)
        Assert.Equal((3, 180.0, 0.6), ProgressCurves.WithinBudget(rows, "acc", 299));
        Assert.Equal((4, 300.0, 0.8), ProgressCurves.WithinBudget(rows, "acc", 300));
        Assert.Null(ProgressCurves.WithinBudget(rows, "acc", 29));
        Assert.Null(ProgressCurves.WithinBudget(rows, "nmi", 1000));
    }

    [Fact]
    public void ProgressFigureOfTwoRunsWithBudgetAndTargets()
    {
        var a = new ProgressRun("a", new[] { Timed(1, 60, 0.3), Timed(2, 60, 0.5) });
        var b = new ProgressRun("b", new[] { Timed(1, 100, 0.4), Timed(2, 100, 0.45), Timed(3, 100, 0.7) });
        Assert.Equal((500, 300), Size(ProgressCurves.ToPng(new[] { a, b }, "acc", 240, new[] { 0.85, 0.9 }, "title", 500, 300)));
        Assert.Throws<DnnmmInputException>(() => ProgressCurves.ToPng(new[] { a, b }, "nmi", null, Array.Empty<double>()));
        var none = new ProgressRun("c", new[] { Timed(1, 10, null) });
        var e = Assert.Throws<DnnmmInputException>(() => ProgressCurves.ToPng(new[] { a, none }, "acc", null, Array.Empty<double>()));
        Assert.Contains("'c'", e.Message);
        Assert.Throws<DnnmmInputException>(() => ProgressCurves.ToPng(Array.Empty<ProgressRun>(), "acc", null, Array.Empty<double>()));
    }

    [Fact]
    public void LongTitlesShrinkToFitTheFigure()
    {
        Assert.Equal(18f, TrainingCurves.TitleSize("run x", 480));
        string title = new string('w', 120);
        float size = TrainingCurves.TitleSize(title, 480);
        Assert.InRange(size, 8f, 17.99f);
        using var font = new SKFont(SKTypeface.Default, size);
        Assert.True(font.MeasureText(title) <= 480 - 16 + 0.5f || size == 8f);
    }

    [Fact]
    public void LegendGoesWhereTheCurvesAreNot()
    {
        var x = new double[] { 1, 2, 3, 4, 5, 6 };
        Assert.Equal(ScottPlot.Alignment.LowerRight, TrainingCurves.EmptiestCorner(new[] { (x, new double[] { 0, 5, 7, 8, 8.5, 9 }) }));
        Assert.Equal(ScottPlot.Alignment.UpperRight, TrainingCurves.EmptiestCorner(new[] { (x, new double[] { 9, 2, 1, 0.5, 0.4, 0.3 }) }));
    }

    [Fact]
    public void InterpolationEndsAreTheGeneratorAtTheMeans()
    {
        using var model = TinyModel();
        model.G.train(); // Generate must switch to evaluation mode (batch norm running statistics) and back
        var px = GenerativePictures.Interpolate(model, 0, 2, 5);
        int size = 16 * 16;
        Assert.Equal(5 * size, px.Length);
        Assert.True(model.G.training);

        float[] AtMean(int k)
        {
            // DnnmmModel.Sample(k) is G(mu_k + eps); with eps = 0 it is G(mu_k):
            using var _ = no_grad();
            model.G.eval();
            using var mu = model.Mixture.Means[k].unsqueeze(0);
            using var x = model.G.forward(mu);
            model.G.train();
            return x.data<float>().ToArray();
        }
        // G of one latent and G of it inside a batch of five agree to float rounding, not bit for bit (the kernels
        // block a batch of five differently from one, and their rounding can follow the buffers' alignment)
        static void Near(float[] expected, float[] actual) =>
            Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5f, $"{p.First} vs {p.Second}"));
        Near(AtMean(0), px[..size]);
        Near(AtMean(2), px[(4 * size)..]);
        Assert.True(AtMean(0).Zip(px[(2 * size)..(3 * size)]).Max(p => Math.Abs(p.First - p.Second)) > 1e-3f);

        var y = GenerativePictures.SegmentLatents(model, 0, 2, 5);
        Assert.Equal(new[] { 2f, 0f, 2f }, y[6..9]); // the midpoint of 4 e_0 and 4 e_2
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, 3)]
    public void InterpolationOutsideTheClustersIsBadInput(int from, int to)
    {
        using var model = TinyModel();
        var e = Assert.Throws<DnnmmInputException>(() => GenerativePictures.Interpolate(model, from, to, 4));
        Assert.Contains(from < 0 ? "--from" : "--to", e.Message);
    }

    [Fact]
    public void GenerativePicturesHaveTheExpectedSizes()
    {
        using var model = TinyModel();
        var strip = Size(GenerativePictures.InterpolationPng(model, 0, 1, 6));
        Assert.Equal(Grid(1, 16), strip.H);
        Assert.True(strip.W > Grid(6, 16));
        var pairs = Size(GenerativePictures.AllPairsPng(model, 4));
        Assert.Equal(Grid(2, 16), pairs.H); // K - 1 = 2 strips

        var data = TinyData.Make(classes: 3, perClass: 4);
        var (px, idx) = GenerativePictures.Reconstruct(model, data, 5);
        Assert.Equal(5, idx.Length);
        Assert.Equal(idx.Distinct().Count(), idx.Length);
        Assert.Equal(data.Pixels[(idx[1] * 256)..(idx[1] * 256 + 256)], px[(2 * 256)..(3 * 256)]); // originals at even places
        // 5 pairs, 3 per row: 6 columns in 3 groups, 2 rows
        Assert.Equal((Grid(6, 16) + 2 * GenerativePictures.PairGap, Grid(2, 16)), Size(GenerativePictures.ReconstructionPng(model, data, 5)));
    }

    [Fact]
    public void ClusterLabelsNameTheClassUnlessItIsTheIndex()
    {
        Assert.Equal(new[] { "0", "1: cat", "2" }, GenerativePictures.ClusterLabels(3, new[] { "0", "cat" }));
    }

    [Fact]
    public void ClusterLabelsCarryTheLearnedWeightWhenGiven()
    {
        Assert.Equal(new[] { "0  ω 0.125", "1: cat  ω 0.875" }, GenerativePictures.ClusterLabels(2, new[] { "0", "cat" }, new[] { 0.125f, 0.875f }));
    }

    [Fact]
    public void ClusterLabelsPutTheTrueClassShareNextToTheWeight()
    {
        Assert.Equal(new[] { "0  ω 0.125 (data 0.100)", "1: cat  ω 0.875 (data 0.900)" },
            GenerativePictures.ClusterLabels(2, new[] { "0", "cat" }, new[] { 0.125f, 0.875f }, new[] { 0.1f, 0.9f }));
    }

    /// <summary>A stand-in generative method of grey 8 x 8 images, a mixture model with the given weights or none.</summary>
    private sealed class GreyGenerator(float[]? omega) : IClusteringMethod, IMixtureModel
    {
        public string Name => "grey";
        public int Clusters => 2;
        public bool CanSample => true;
        public float[] Omega => omega ?? throw new InvalidOperationException("no weights");
        public void Fit(FitInput input, FitContext context) { }
        public int[] Predict(ImageSet images) => throw new NotSupportedException();
        public float[,] PredictProbabilities(ImageSet images) => throw new NotSupportedException();
        public double[] ScoreSamples(ImageSet images) => throw new NotSupportedException();
        public float[] Sample(int cluster, int n, int seed) => Enumerable.Repeat(0.5f, n * 64).ToArray();
        public void Dispose() { }
    }

    /// <summary>The same generator without the mixture contract.</summary>
    private sealed class PlainGenerator : IClusteringMethod
    {
        private readonly GreyGenerator inner = new(null);
        public string Name => inner.Name;
        public int Clusters => inner.Clusters;
        public bool CanSample => true;
        public void Fit(FitInput input, FitContext context) { }
        public int[] Predict(ImageSet images) => throw new NotSupportedException();
        public float[,] PredictProbabilities(ImageSet images) => throw new NotSupportedException();
        public float[] Sample(int cluster, int n, int seed) => inner.Sample(cluster, n, seed);
        public void Dispose() { }
    }

    [Fact]
    public void SamplesGridLabelsEachRowWithOmegaForAMixtureModel()
    {
        string[] names = { "a", "b" };
        var plain = Size(GenerativePictures.SamplesGrid(new PlainGenerator(), 1, 8, 8, names, perCluster: 3));
        var mixture = Size(GenerativePictures.SamplesGrid(new GreyGenerator(new[] { 0.25f, 0.75f }), 1, 8, 8, names, perCluster: 3));
        Assert.Equal(plain.H, mixture.H);
        // The wider label margin holds "  ω 0.250" after "0: a".
        Assert.True(mixture.W > plain.W + 20, $"{mixture.W} vs {plain.W}");
    }

    /// <summary>A stand-in method whose latent codes are well separated blobs, one per class.</summary>
    private sealed class BlobMethod(bool encoder) : IClusteringMethod, ILatentEncoder
    {
        public string Name => "blobs";
        public int Clusters => 3;
        public bool CanSample => false;
        public int LatentDim => 5;
        public void Fit(FitInput input, FitContext context) { }
        public int[] Predict(ImageSet images) => images.Labels.Select((y, i) => i == 0 ? (y + 1) % 3 : y).ToArray();
        public float[,] PredictProbabilities(ImageSet images) => throw new NotSupportedException();
        public float[] Sample(int cluster, int n, int seed) => throw new NotSupportedException();
        public void Dispose() { }

        public float[] Encode(ImageSet images)
        {
            if (!encoder) throw new InvalidOperationException("not an encoder");
            var rng = new Random(2);
            var z = new float[images.Count * LatentDim];
            for (int i = 0; i < images.Count; i++)
                for (int e = 0; e < LatentDim; e++)
                    z[i * LatentDim + e] = (e == images.Labels[i] ? 8f : 0f) + (float)Gaussian(rng);
            return z;
        }

        private static double Gaussian(Random rng) => Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble())) * Math.Cos(2.0 * Math.PI * rng.NextDouble());
    }

    private sealed class NoEncoder : IClusteringMethod
    {
        public string Name => "plain";
        public int Clusters => 3;
        public bool CanSample => false;
        public void Fit(FitInput input, FitContext context) { }
        public int[] Predict(ImageSet images) => images.Labels;
        public float[,] PredictProbabilities(ImageSet images) => throw new NotSupportedException();
        public float[] Sample(int cluster, int n, int seed) => throw new NotSupportedException();
        public void Dispose() { }
    }

    [Fact]
    public void TsneScatterWorksForAnyMethodWithAnEncoder()
    {
        var data = TinyData.Make(classes: 3, perClass: 30);
        var o = new TsneScatterOptions
        {
            Tsne = new TsneOptions { Perplexity = 10, Iterations = 300 }, MaxPoints = 60, Width = 500, Height = 400,
            Dataset = "tiny", Alpha = 0.25,
        };
        var r = LatentPlots.TsneScatter(new BlobMethod(true), data, o);
        Assert.Equal(60, r.Indices.Length);
        Assert.Equal(r.Indices.Order(), r.Indices);
        Assert.Equal(r.Indices.Select(i => data.Labels[i]), r.Classes);
        Assert.Equal(89.0 / 90, r.Acc, 12); // one of 90 images mispredicted, ACC over all of them
        Assert.Equal(10, r.TrustworthinessK);
        Assert.InRange(r.Trustworthiness, 0.9, 1.0);
        Assert.Equal((500, 400), Size(r.ByClassPng));
        Assert.Equal((500, 400), Size(r.ByClusterPng));
        var csv = r.ToCsv().TrimEnd().Split('\n');
        Assert.Equal("index,x,y,class,cluster", csv[0]);
        Assert.Equal(61, csv.Length);
        Assert.Equal(5, csv[1].Split(',').Length);
    }

    [Fact]
    public void TsneScatterChecksItsInputWithOneLineMessages()
    {
        var data = TinyData.Make(classes: 3, perClass: 4); // 12 images
        var e = Assert.Throws<DnnmmInputException>(() => LatentPlots.TsneScatter(new BlobMethod(true), data,
            new TsneScatterOptions { Tsne = new TsneOptions { Perplexity = 30 } }));
        Assert.Contains("--perplexity", e.Message);
        Assert.Contains("(12)", e.Message);
        Assert.Throws<DnnmmInputException>(() => LatentPlots.TsneScatter(new NoEncoder(), data));
        e = Assert.Throws<DnnmmInputException>(() => LatentPlots.TsneScatter(new BlobMethod(true), data,
            new TsneScatterOptions { Tsne = new TsneOptions { Perplexity = 3, Theta = -1 } }));
        Assert.Contains("--theta", e.Message);
        // trustworthiness needs k < n / 2: k is lowered for tiny sets
        var r = LatentPlots.TsneScatter(new BlobMethod(true), data,
            new TsneScatterOptions { Tsne = new TsneOptions { Perplexity = 3, Iterations = 100 }, Width = 300, Height = 300 });
        Assert.Equal(5, r.TrustworthinessK);
    }

    [Fact]
    public void DnnmmEncodesWithItsEncoder()
    {
        var data = TinyData.Make();
        using var m = new DnnmmMethod(new DnnmmOptions { Epochs = 1, BatchSize = 16, LabelledBatchSize = 8, NetworkWidth = 8, Threads = 1 }, 1);
        m.Fit(new FitInput(data, TinyData.Labelled(data, 2)), new FitContext());
        ILatentEncoder enc = m;
        var z = enc.Encode(data);
        Assert.Equal(data.Count * enc.LatentDim, z.Length);
        using var x = m.Model.ToTensor(data);
        using var direct = m.Model.Encode(x);
        Assert.Equal(direct.data<float>().ToArray(), z);
    }
}
