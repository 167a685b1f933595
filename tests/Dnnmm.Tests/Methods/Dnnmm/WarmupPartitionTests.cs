using Dnnmm.Evaluation;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Tests.Methods.Dnnmm;

public class WarmupPartitionTests
{
    [Fact]
    public void PcaProjectsOnTheLeadingComponentsLargestFirst()
    {
        // x_i = t_i (0.6, 0.8) + s_i (-0.8, 0.6): t and s have mean 0, t . s = 0 and var t > var s, so the
        // components are (0.6, 0.8) and (0.8, -0.6) (sign: the largest loading positive) and the scores t and -s.
        double[] t = { -2, -1, 0, 1, 2 }, s = { 0.1, -0.2, 0, 0.2, -0.1 };
        var x = new float[10];
        for (int i = 0; i < 5; i++) { x[2 * i] = (float)(0.6 * t[i] - 0.8 * s[i]); x[2 * i + 1] = (float)(0.8 * t[i] + 0.6 * s[i]); }
        using var xt = TorchSharp.torch.tensor(x, new long[] { 5, 2 });
        using var scores = WarmupPartition.Pca(xt, 2);
        var v = scores.data<float>().ToArray();
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(t[i], v[2 * i], 5);
            Assert.Equal(-s[i], v[2 * i + 1], 5);
        }
        using var first = WarmupPartition.Pca(xt, 1);
        Assert.Equal(t.Select(a => (float)a), first.data<float>().ToArray().Select(a => (float)Math.Round(a, 5)));
    }

    [Fact]
    public void TsneKMeansFindsSeparatedClassesTheSameWayForASeed()
    {
        var data = TinyData.Make();
        using var x = TorchSharp.torch.tensor(data.Pixels, new long[] { data.Count, 1, data.Height, data.Width });
        var a = WarmupPartition.TsneKMeans(x, 3, 50, seed: 4);
        Assert.Equal(1.0, ClusteringMetrics.Accuracy(data.Labels, a));
        Assert.Equal(a, WarmupPartition.TsneKMeans(x, 3, 50, seed: 4));
    }

    [Fact]
    public void TsneInitNeedsWarmupEpochs()
    {
        var e = Assert.Throws<OptionException>(() => (new DnnmmOptions() with { Init = MembershipInit.Tsne, WarmupEpochs = 0 }).Validate(3));
        Assert.Equal("init", e.Option);
        Assert.Contains("tsne needs at least one warm-up epoch", e.Message);
    }

    private static (List<EpochReport> Reports, List<string> Log, int[] Predicted) Run(DnnmmOptions o)
    {
        var data = TinyData.Make();
        var reports = new List<EpochReport>();
        var log = new List<string>();
        using var m = new DnnmmMethod(o, 1);
        m.Fit(new FitInput(data, new bool[data.Count]), new FitContext { MonitorLabels = data.Labels, OnEpoch = reports.Add, Log = log.Add });
        return (reports, log, m.Predict(data));
    }

    private static DnnmmOptions Tiny => new()
    {
        Epochs = 1, BatchSize = 16, NetworkWidth = 8, LearningRate = 1e-3, Threads = 1, WarmupEpochs = 1,
        Omega = OmegaUpdate.Fixed, Init = MembershipInit.Tsne,
    };

    [Fact]
    public void TsneMembershipsTrainTheWarmUpAndAreScoredInTheLog()
    {
        var (r, log, _) = Run(Tiny);
        Assert.NotEqual(0.0, r[0].Values["likelihood"]);
        Assert.Contains(log, l => l.StartsWith("t-SNE k-means (pixels) memberships for the 1 warm-up epochs") && l.Contains("ACC 1.0000"));
    }

    [Fact]
    public void AutoencoderPretrainingLowersTheReconstructionErrorAndIsRepeatable()
    {
        var o = Tiny with { PretrainEpochs = 3 };
        var (_, log, predicted) = Run(o);
        var errors = log.Where(l => l.StartsWith("autoencoder pretraining epoch"))
            .Select(l => double.Parse(l.Split("reconstruction error ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, errors.Count);
        Assert.True(errors[2] < errors[0], $"reconstruction error {errors[0]} -> {errors[2]}");
        Assert.Contains(log, l => l.StartsWith("t-SNE k-means (encoder codes)"));
        Assert.Equal(predicted, Run(o).Predicted);
    }
}
