using Dnnmm.Clustering;
using Dnnmm.Data;
using Dnnmm.Evaluation;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Runs;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Clustering;

public class DnnmmClustererTests
{
    private static DnnmmClustererOptions Tiny(int clusters = 3, int epochs = 3) => new()
    {
        Clusters = clusters, Epochs = epochs, Seed = 2,
        Model = new DnnmmOptions { BatchSize = 16, LabelledBatchSize = 8, NetworkWidth = 8, Threads = 1, WarmupEpochs = 1 },
    };

    /// <summary>TinyData's images as an N x 1 x H x W array, and two labels per class (-1 for the rest).</summary>
    private static (float[,,,] Images, int[] Labels, ImageSet Set) Data()
    {
        var set = TinyData.Make();
        var a = new float[set.Count, 1, set.Height, set.Width];
        Buffer.BlockCopy(set.Pixels, 0, a, 0, set.Pixels.Length * sizeof(float));
        var labelled = TinyData.Labelled(set, 2);
        return (a, set.Labels.Select((y, i) => labelled[i] ? y : -1).ToArray(), set);
    }

    [Fact]
    public void FitsArraysWithAFewLabelsPredictsScoresSamplesAndRoundTripsThroughARunFolder()
    {
        var (images, labels, set) = Data();
        using var c = new DnnmmClusterer(Tiny());
        var epochs = new List<int>();
        c.OnEpoch = r => epochs.Add(r.Epoch);
        Assert.Same(c, c.Fit(images, labels));
        Assert.Equal(new[] { 1, 2, 3 }, epochs);
        Assert.Equal(3, c.History.Count);
        Assert.Equal(new ImageShape(1, 16, 16), c.ImageShape);

        int[] pred = c.Predict(images);
        Assert.Equal(set.Count, pred.Length);
        // the labels name the clusters: cluster k is class k, and the bars are easy
        Assert.True(pred.Zip(set.Labels).Count(p => p.First == p.Second) >= 0.9 * set.Count,
            $"accuracy {pred.Zip(set.Labels).Count(p => p.First == p.Second)} of {set.Count}");
        var probs = c.PredictProbabilities(images);
        Assert.Equal((set.Count, 3), (probs.GetLength(0), probs.GetLength(1)));
        for (int i = 0; i < set.Count; i++)
            Assert.Equal(1.0, Enumerable.Range(0, 3).Sum(k => (double)probs[i, k]), 4);
        double[] scores = c.ScoreSamples(images);
        Assert.All(scores, s => Assert.True(double.IsFinite(s) && s <= -5 * Math.Log(2 * Math.PI) + 1e-6, $"{s}"));
        Assert.Equal(1.0, c.Omega.Sum(), 4);
        var samples = c.Sample(1, 5);
        Assert.Equal(new[] { 5, 1, 16, 16 }, Enumerable.Range(0, 4).Select(samples.GetLength));
        Assert.All(samples.Cast<float>(), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(samples.Cast<float>(), c.Sample(1, 5).Cast<float>()); // same seed, same images

        // the same images as an ImageSet (its own labels are not used) and as an N x H x W array give the same answers
        Assert.Equal(pred, c.Predict(set));
        var grey = new float[set.Count, 16, 16];
        Buffer.BlockCopy(set.Pixels, 0, grey, 0, set.Pixels.Length * sizeof(float));
        Assert.Equal(scores, c.ScoreSamples(grey));

        using var dir = new TempDir();
        string run = dir.File("model");
        c.Save(run);
        foreach (var f in new[] { "options.json", "model.json", "checkpoint.bin", "metrics.json", "metrics.csv", "samples.png", "summary.json" })
            Assert.True(File.Exists(Path.Combine(run, f)), f);
        using (var loaded = DnnmmClusterer.Load(run))
        {
            Assert.Equal(pred, loaded.Predict(images));
            Assert.Equal(scores, loaded.ScoreSamples(images));
            Assert.Equal(probs.Cast<float>(), loaded.PredictProbabilities(images).Cast<float>());
            Assert.Equal(samples.Cast<float>(), loaded.Sample(1, 5).Cast<float>());
            Assert.Equal(3, loaded.History.Count);
            Assert.Equal(3, loaded.Clusters);
            // saving a loaded clusterer writes the same model again
            string again = dir.File("again");
            loaded.Save(again);
            Assert.Equal(File.ReadAllBytes(Path.Combine(run, "checkpoint.bin")), File.ReadAllBytes(Path.Combine(again, "checkpoint.bin")));
        }
        // a saved clusterer is a run folder the runs layer (and so dnnmm predict/sample/viz) loads
        using (var m = TrainRun.LoadMethod(run))
        {
            Assert.Equal(pred, m.Predict(set));
            Assert.Equal(scores, ((IMixtureModel)m).ScoreSamples(set));
        }
        // a non-empty folder is kept unless asked to overwrite
        AssertInputError(() => c.Save(run), "not empty", "overwrite");
        c.Save(run, overwrite: true);
    }

    [Fact]
    public void FitsAndPredictsImageFilesDecodedToTheModelsShape()
    {
        using var t = new TempDir();
        var files = new List<string>();
        for (int i = 0; i < 8; i++)
        {
            string f = t.File($"f{i}" + (i % 2 == 0 ? ".png" : ".jpg"));
            int side = i < 4 ? 16 : 24; // mixed sizes, resized to 16
            byte V(int y) => (byte)((y < side / 2) == (i % 2 == 0) ? 220 : 30);
            if (i % 2 == 0) WritePng(f, side, side, (x, y) => (V(y), V(y), V(y)));
            else WriteJpeg(f, side, side, (x, y) => (V(y), 0, V(y)));
            files.Add(f);
        }
        using var c = new DnnmmClusterer(Tiny(2, 1) with { Channels = 1, ImageSize = 16 });
        c.Fit(files, new[] { 0, 1, -1, -1, -1, -1, -1, -1 });
        Assert.Equal(new ImageShape(1, 16, 16), c.ImageShape);
        Assert.Equal(8, c.Predict(files).Length);
        Assert.Equal(8, c.ScoreSamples(files.ToArray()).Length);
        Assert.Equal(c.Predict(files), c.Predict(DnnmmClusterer.ReadImages(files, 1, 16)));
        AssertInputError(() => c.Predict(new[] { t.File("missing.png") }), "missing.png", "not found");
    }

    [Fact]
    public void BadInputIsAOneLineError()
    {
        var (images, labels, _) = Data();
        var e = Assert.Throws<OptionException>(() => new DnnmmClusterer(Tiny(1)));
        Assert.Equal("clusters", e.Option);
        Assert.Equal("channels", Assert.Throws<OptionException>(() => new DnnmmClusterer(Tiny() with { Channels = 2 })).Option);
        Assert.Equal("epochs", Assert.Throws<OptionException>(() => new DnnmmClusterer(Tiny(epochs: 0))).Option);
        Assert.Equal("omegaFloor", Assert.Throws<OptionException>(() => new DnnmmClusterer(Tiny() with { Model = new DnnmmOptions { OmegaFloor = 0.5 } })).Option);

        using var c = new DnnmmClusterer(Tiny());
        Assert.Throws<InvalidOperationException>(() => c.Predict(images));
        AssertInputError(() => c.Fit(images, labels.Take(5).ToArray()), "5 labels for 72 images");
        AssertInputError(() => c.Fit(images, labels.Select((y, i) => i == 3 ? 3 : y).ToArray()), "labels[3] = 3 is outside -1..2");
        Assert.Contains("clusters 3 is more than the 2 images", Assert.Throws<OptionException>(() => c.Fit(new float[2, 1, 16, 16])).Message);
        AssertInputError(() => c.Fit(new float[4, 2, 16, 16]), "C must be 1 or 3");
        AssertInputError(() => c.Fit(new float[0, 16, 16]), "no pixels");
        var bright = new float[4, 16, 16];
        bright[2, 3, 4] = 255;
        AssertInputError(() => c.Fit(bright), "pixel 255 of image 2 is not in [0, 1]");
        bright[2, 3, 4] = float.NaN;
        AssertInputError(() => c.Fit(bright), "NaN");
        AssertInputError(() => c.Fit(new float[4, 1, 20, 20]), "side must be 28 or a power of two");
        AssertInputError(() => c.Fit(Array.Empty<string>()), "no image files");
        Assert.False(c.IsFitted);

        using var dir = new TempDir();
        AssertInputError(() => DnnmmClusterer.Load(dir.File("none")), "run folder not found");
        File.WriteAllText(dir.File("options.json"), "{\"method\":\"kmeans\"}");
        AssertInputError(() => DnnmmClusterer.Load(dir.Path), "a 'kmeans' model");
    }

    [Fact]
    public void SampleAndShapeErrorsNameTheProblem()
    {
        var (images, labels, _) = Data();
        using var c = new DnnmmClusterer(Tiny(epochs: 1));
        c.Fit(images, labels);
        AssertInputError(() => c.Sample(3, 2), "cluster 3 is outside 0..2");
        AssertInputError(() => c.Sample(0, 0), "at least one image");
        AssertInputError(() => c.Predict(new float[2, 3, 16, 16]), "images are 3x16x16 but the model was trained on 1x16x16");
        using var dir = new TempDir();
        string file = dir.File("x");
        File.WriteAllText(file, "");
        AssertInputError(() => c.Save(file), "is a file");
    }
}
