using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Evaluation;
using Dnnmm.Methods;
using Dnnmm.Methods.ClusterGan;
using Dnnmm.Methods.DynAe;
using Dnnmm.Methods.KMeans;
using Dnnmm.Methods.LabelledOnly;
using Dnnmm.Runs;

namespace Dnnmm.Tests.Methods;

/// <summary>A few steps of every method on tiny synthetic images (16x16, 3 classes x 24).</summary>
public class BaselineMethodTests
{
    internal static ClusterGanOptions TinyGan(int epochs = 2) => new()
    {
        Epochs = epochs, BatchSize = 16, NetworkWidth = 8, Hidden = 32, NoiseDim = 4, CriticSteps = 2, LabelledBatchSize = 4,
        KMeansRestarts = 2, Threads = 1, LearningRate = 1e-3,
    };

    internal static DynAeOptions TinyDynAe(int pretrain = 2, int cluster = 3) => new()
    {
        PretrainEpochs = pretrain, ClusterEpochs = cluster, BatchSize = 16, HiddenDims = new[] { 32, 16 }, EmbeddingDim = 4,
        CheckInterval = 3, KMeansRestarts = 2, LabelledBatchSize = 4, Threads = 1, PretrainLearningRate = 1e-3,
    };

    private static (List<EpochReport> Reports, List<string> Log) Fit(IClusteringMethod m, ImageSet data, int labelledPerClass,
        int monitorEvery = 1)
    {
        var reports = new List<EpochReport>();
        var log = new List<string>();
        m.Fit(new FitInput(data, TinyData.Labelled(data, labelledPerClass)),
            new FitContext { MonitorLabels = data.Labels, MonitorEvery = monitorEvery, OnEpoch = reports.Add, Log = log.Add });
        return (reports, log);
    }

    [Fact]
    public void MonitorEveryScoresOnlyThoseEpochsAndTheLast()
    {
        var data = TinyData.Make();
        // DynAE: 5 pretraining epochs scored at 2 and 4 and at the end of pretraining (5); the clustering epochs always
        using (var d = new DynAeMethod(TinyDynAe(pretrain: 5, cluster: 2), 1))
        {
            var (r, _) = Fit(d, data, 0, monitorEvery: 2);
            var scored = r.Where(e => e.Values.ContainsKey("acc")).Select(e => e.Epoch).ToArray();
            Assert.Equal(new[] { 2, 4, 5 }, scored.Where(e => e <= 5));
            Assert.All(r.Where(e => e.Epoch > 5), e => Assert.True(e.Values.ContainsKey("acc")));
        }
        // ClusterGAN: 3 epochs every 2: epoch 2 and the last; the k-means readout is fitted in the last epoch all the same
        using (var g = new ClusterGanMethod(TinyGan(3), 1))
        {
            var (r, _) = Fit(g, data, 0, monitorEvery: 2);
            Assert.Equal(new[] { 2, 3 }, r.Where(e => e.Values.ContainsKey("acc")).Select(e => e.Epoch));
            AssertProbabilities(g, data);
        }
        var ctx = new FitContext { MonitorEvery = 3 };
        Assert.False(ctx.Monitors(3, last: true)); // no labels: never
        ctx = new FitContext { MonitorLabels = data.Labels, MonitorEvery = 3 };
        Assert.Equal(new[] { false, false, true, false, true }, new[] { 1, 2, 3, 4, 5 }.Select(e => ctx.Monitors(e, last: e == 5)));
    }

    private static void AssertProbabilities(IClusteringMethod m, ImageSet data)
    {
        var p = m.PredictProbabilities(data);
        Assert.Equal(data.Count, p.GetLength(0));
        Assert.Equal(data.ClassNames.Length, p.GetLength(1));
        for (int i = 0; i < data.Count; i++)
        {
            double s = 0;
            for (int k = 0; k < p.GetLength(1); k++) { Assert.InRange(p[i, k], 0f, 1f); s += p[i, k]; }
            Assert.InRange(s, 0.999, 1.001);
        }
        var pred = m.Predict(data);
        Assert.Equal(data.Count, pred.Length);
        Assert.All(pred, c => Assert.InRange(c, 0, data.ClassNames.Length - 1));
    }

    [Fact]
    public void ClusterGanSsTrainsReportsBothReadoutsAndSamples()
    {
        var data = TinyData.Make();
        using var m = new ClusterGanMethod(TinyGan(), 1);
        var (r, _) = Fit(m, data, 2);
        Assert.Equal(2, r.Count);
        foreach (var key in new[] { "acc", "ari", "nmi", "acc_kmeans", "acc_argmax", "loss_d", "gradient_penalty", "wasserstein",
                     "adversarial_g", "noise_reconstruction", "category_ce", "labelled_ce", "acc_unlabelled" })
            Assert.True(r[^1].Values.ContainsKey(key), key);
        Assert.All(r[^1].Values.Values, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(r[^1].Values["acc_kmeans"], r[^1].Values["acc"]); // the default readout
        Assert.True(r[^1].Values["generator_steps"] >= 1);
        AssertProbabilities(m, data);
        var s = m.Sample(1, 3, 7);
        Assert.Equal(3 * 16 * 16, s.Length);
        Assert.All(s, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(s, m.Sample(1, 3, 7));
        var emb = m.Encode(data);
        Assert.Equal(4 + 3, m.LatentDim); // [z_n, softmax z_c]
        Assert.Equal(data.Count * m.LatentDim, emb.Length);
    }

    [Fact]
    public void ClusterGanArgmaxReadoutWithoutLabels()
    {
        var data = TinyData.Make();
        using var m = new ClusterGanMethod(TinyGan(1) with { Readout = ClusterGanReadout.Argmax, BetaN = 0 }, 2);
        var (r, _) = Fit(m, data, 0);
        Assert.False(r[0].Values.ContainsKey("labelled_ce"));
        Assert.Equal(r[0].Values["acc_argmax"], r[0].Values["acc"]);
        AssertProbabilities(m, data);
        Assert.Equal(3 * data.Count, m.Encode(data).Length); // beta_n = 0: k-means on softmax(E_c) alone, as the official code
    }

    [Fact]
    public void ClusterGanIsDeterministicForASeed()
    {
        var data = TinyData.Make();
        using var a = new ClusterGanMethod(TinyGan(1), 3);
        using var b = new ClusterGanMethod(TinyGan(1), 3);
        var ra = Fit(a, data, 1).Reports;
        var rb = Fit(b, data, 1).Reports;
        Assert.Equal(ra[0].Values["loss_d"], rb[0].Values["loss_d"]);
        Assert.Equal(a.Predict(data), b.Predict(data));
    }

    [Fact]
    public void ClusterGanScalesToColourImagesOf32Pixels()
    {
        var data = Colour(side: 32);
        using var m = new ClusterGanMethod(TinyGan(1), 1);
        var (r, _) = Fit(m, data, 0);
        Assert.Single(r);
        Assert.Equal(3 * 32 * 32 * 2, m.Sample(0, 2, 1).Length);
    }

    [Fact]
    public void DynAeSsRunsBothPhasesAndShrinksThresholds()
    {
        var data = TinyData.Make();
        using var m = new DynAeMethod(TinyDynAe(), 1);
        var (r, log) = Fit(m, data, 2);
        Assert.InRange(r.Count, 3, 5);
        Assert.Equal(5, r[0].Epochs);
        Assert.Equal(1, r[0].Values["phase"]);
        Assert.True(r[0].Values.ContainsKey("reconstruction"));
        Assert.True(r[0].Values.ContainsKey("loss_critic"));
        var last = r[^1].Values;
        Assert.Equal(2, last["phase"]);
        foreach (var key in new[] { "acc", "ari", "nmi", "loss", "labelled_ce", "beta1", "beta2", "conflicted_fraction", "mean_max_q" })
            Assert.True(last.ContainsKey(key), key);
        Assert.All(last.Values, v => Assert.True(double.IsFinite(v)));
        // max_j q_ij of a distribution over K = 3 clusters lies in [1/3, 1]
        Assert.InRange(last["mean_max_q"], 1.0 / 3, 1.0);
        // the initial thresholds are kappa / K = 1, 0.5: nothing is unconflicted, so the first check shrinks them
        Assert.True(m.Thresholds.Beta1 < 1.0);
        Assert.Contains(log, l => l.StartsWith("dynae: iteration 0: ") && l.Contains("mean max q") && l.Contains("new centres"));
        AssertProbabilities(m, data);
        Assert.False(m.CanSample);
        Assert.Throws<NotSupportedException>(() => m.Sample(0, 1, 1));
        var emb = m.Encode(data);
        Assert.Equal(4, m.LatentDim);
        Assert.Equal(data.Count * 4, emb.Length);
    }

    [Fact]
    public void DynAeConvolutionalVariantOnColourImagesWithoutLabels()
    {
        var data = Colour(side: 16);
        using var m = new DynAeMethod(TinyDynAe(1, 2) with { Architecture = DynAeArchitecture.Conv, NetworkWidth = 4 }, 1);
        var (r, _) = Fit(m, data, 0);
        Assert.False(r[^1].Values.ContainsKey("labelled_ce"));
        AssertProbabilities(m, data);
    }

    [Fact]
    public void DynAeStopsUnderTheConflictedFraction()
    {
        var data = TinyData.Make();
        // kappa near 0: thresholds near 0, so the first check (step 0) finds (almost) no conflicted image and stops.
        using var m = new DynAeMethod(TinyDynAe(1, 5) with { Kappa = 1e-6 }, 1);
        var (r, log) = Fit(m, data, 0);
        Assert.True(m.Converged);
        Assert.Contains(log, l => l.Contains("clustering stopped"));
        Assert.Equal(2, r.Count); // the pretraining epoch and the stopped clustering epoch
    }

    [Fact]
    public void KMeansMethodClustersTinyImagesPerfectly()
    {
        var data = TinyData.Make();
        using var m = new KMeansMethod(new KMeansOptions(), 1);
        var (r, _) = Fit(m, data, 0);
        Assert.Single(r);
        Assert.Equal(1.0, r[0].Values["acc"]);
        AssertProbabilities(m, data);
        Assert.Equal(1.0, ClusteringMetrics.Accuracy(data.Labels, m.Predict(data)));
    }

    [Fact]
    public void LabelledOnlyLearnsFromTheLabelledImages()
    {
        var data = TinyData.Make();
        using var m = new LabelledOnlyMethod(new LabelledOnlyOptions { Epochs = 3, NetworkWidth = 8, LearningRate = 1e-3, Threads = 1 }, 1);
        var (r, _) = Fit(m, data, 2);
        Assert.Equal(3, r.Count);
        Assert.True(r[^1].Values["cross_entropy"] < r[0].Values["cross_entropy"]);
        Assert.True(r[^1].Values.ContainsKey("acc_unlabelled"));
        AssertProbabilities(m, data);
    }

    [Fact]
    public void LabelledOnlyWithoutLabelsIsAOneLineInputError()
    {
        var data = TinyData.Make();
        using var m = new LabelledOnlyMethod(new LabelledOnlyOptions(), 1);
        var e = Assert.Throws<OptionException>(() => Fit(m, data, 0));
        Assert.Equal("alpha", e.Option);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void EveryMethodIsCreatedByName()
    {
        foreach (var name in MethodRegistry.Names)
        {
            var o = new TrainRunOptions { Method = name };
            using var m = TrainRun.CreateMethod(o);
            Assert.Equal(name, m.Name);
            Assert.True(o.MethodOptions().Epochs >= 1);
        }
        Assert.Equal("method", Assert.Throws<OptionException>(() => new TrainRunOptions { Method = "nope" }.MethodOptions()).Option);
    }

    [Fact]
    public void OutOfRangeOptionsAreOneLineErrorsNamingTheOption()
    {
        var input = new FitInput(TinyData.Make(), new bool[72]);
        void Bad(IMethodOptions o, string name)
        {
            var e = Assert.ThrowsAny<DnnmmInputException>(() => o.Validate(input));
            Assert.Contains(name, e.Message);
        }
        Bad(new ClusterGanOptions { BetaN = -1 }, "betaN");
        Bad(new ClusterGanOptions { CriticSteps = 0 }, "criticSteps");
        Bad(new DynAeOptions { Kappa = 0 }, "kappa");
        Bad(new DynAeOptions { HiddenDims = Array.Empty<int>() }, "hiddenDims");
        Bad(new KMeansOptions { Restarts = 0 }, "restarts");
        Bad(new LabelledOnlyOptions(), "alpha");
        // a 20x20 image suits the MLP DynAE but not the convolutional networks
        var odd = new FitInput(new ImageSet(new float[2 * 400], new[] { 0, 1 }, new[] { "a", "b" }, 1, 20, 20, "odd"), new bool[2]);
        new DynAeOptions().Validate(odd);
        Assert.Throws<DnnmmInputException>(() => new ClusterGanOptions().Validate(odd));
        Assert.Throws<DnnmmInputException>(() => new DynAeOptions { Architecture = DynAeArchitecture.Conv }.Validate(odd));
    }

    /// <summary>Colour images whose class is a bright colour channel.</summary>
    private static ImageSet Colour(int side, int classes = 3, int perClass = 8)
    {
        var rng = new Random(1);
        int n = classes * perClass, size = 3 * side * side;
        var px = new float[n * size];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % classes;
            for (int c = 0; c < 3; c++)
            for (int p = 0; p < side * side; p++)
                px[i * size + c * side * side + p] = (c == labels[i] ? 0.8f : 0.1f) + (float)rng.NextDouble() * 0.1f;
        }
        return new ImageSet(px, labels, Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(), 3, side, side, "colour");
    }
}
