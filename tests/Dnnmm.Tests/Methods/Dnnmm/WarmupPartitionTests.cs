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
    public void RefinedMembershipsComeFromTheEncoderAfterTheirEpochAndResumeFromTheCheckpoint()
    {
        // Epoch 1 on the t-SNE memberships of the pixels, epochs 2-3 on those of the encoder's features after epoch 1.
        var o = Tiny with { Epochs = 3, WarmupEpochs = 2, RefineEpoch = 1 };
        var (full, log, predicted) = Run(o);
        Assert.Single(log, l => l.StartsWith("t-SNE k-means (encoder features) memberships after epoch 1 for the next 2 epochs"));
        Assert.All(full, e => Assert.NotEqual(0.0, e.Values["likelihood"]));
        // Stopped after epoch 2 and resumed: epoch 3 trains on the memberships kept in the checkpoint, not recomputed ones.
        using var dir = new TempDir();
        RunIn(o with { Epochs = 2 }, dir.Path, resume: false);
        var (rest, restLog, restPredicted) = RunIn(o, dir.Path, resume: true);
        Assert.DoesNotContain(restLog, l => l.Contains("memberships"));
        Assert.Equal(3, Assert.Single(rest).Epoch);
        Assert.Equal(full[^1].Values["likelihood"], rest[0].Values["likelihood"]);
        Assert.Equal(predicted, restPredicted);
    }

    [Fact]
    public void ConsensusKeepsThePartitionThatAgreesMostWithTheOthers()
    {
        int[] good = { 0, 0, 0, 1, 1, 1, 2, 2, 2 };
        int[] renamed = { 2, 2, 2, 0, 0, 0, 1, 1, 1 };     // the same partition under other numbers: NMI 1 to good
        int[] nearly = { 0, 0, 0, 1, 1, 1, 2, 2, 1 };      // one image moved
        int[] wrong = { 0, 1, 2, 0, 1, 2, 0, 1, 2 };       // independent of good: NMI 0
        var (index, agreement) = WarmupPartition.Consensus(new[] { wrong, nearly, good, renamed });
        Assert.Equal(2, index);                            // good and renamed tie; the first is kept
        Assert.Equal(agreement[2], agreement[3], 12);
        Assert.Equal(ClusteringMetrics.NormalizedMutualInfo(wrong, nearly) / 3, agreement[0], 12); // 0 to good and renamed
        double nmi = ClusteringMetrics.NormalizedMutualInfo(good, nearly);
        Assert.Equal((nmi + 1.0 + 0.0) / 3, agreement[2], 12);
        Assert.Equal((nmi + nmi + ClusteringMetrics.NormalizedMutualInfo(wrong, nearly)) / 3, agreement[1], 12);
        Assert.Equal(0, WarmupPartition.Consensus(new[] { good }).Index);
        Assert.Throws<ArgumentException>(() => WarmupPartition.Consensus(Array.Empty<int[]>()));
    }

    [Fact]
    public void SeveralRefinedMapsLogEachAndTheFirstIsTheSingleMap()
    {
        var data = TinyData.Make();
        using var x = TorchSharp.torch.tensor(data.Pixels, new long[] { data.Count, 1, data.Height, data.Width });
        var maps = WarmupPartition.TsneKMeans(x, 3, 50, new[] { 4, 9 });
        Assert.Equal(2, maps.Count);
        Assert.Equal(WarmupPartition.TsneKMeans(x, 3, 50, seed: 4), maps[0]);
        Assert.Equal(WarmupPartition.TsneKMeans(x, 3, 50, seed: 9), maps[1]);

        var (_, log, _) = Run(Tiny with { Epochs = 2, WarmupEpochs = 1, RefineEpoch = 1, RefineMaps = 3 });
        Assert.Equal(3, log.Count(l => l.TrimStart().StartsWith("map ", StringComparison.Ordinal)));
        Assert.DoesNotContain(log, l => l.Contains("neighbours in the same cluster")); // computed only when it decides
        Assert.Single(log, l => l.Contains("(kept)"));
        Assert.Single(log, l => l.StartsWith("t-SNE k-means (encoder features) memberships after epoch 1"));
        var e = Assert.Throws<OptionException>(() => (new DnnmmOptions() with { RefineMaps = 3 }).Validate(3));
        Assert.Equal("refineMaps", e.Option);

        // --refine-choice neighbours keeps the map whose line says the most neighbours agree; both scores are logged.
        var (_, byNeighbours, _) = Run(Tiny with { Epochs = 2, WarmupEpochs = 1, RefineEpoch = 1, RefineMaps = 3, RefineChoice = RefineChoice.Neighbours });
        var lines = byNeighbours.Where(l => l.TrimStart().StartsWith("map ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lines.Count);
        double Score(string l) => double.Parse(System.Text.RegularExpressions.Regex.Match(l, @"neighbours in the same cluster ([0-9.]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(lines.Max(Score), Score(Assert.Single(lines, l => l.Contains("(kept)"))));
        e = Assert.Throws<OptionException>(() => (new DnnmmOptions() with { RefineEpoch = 2, RefineChoice = RefineChoice.Neighbours }).Validate(3));
        Assert.Equal("refineChoice", e.Option);
    }

    [Fact]
    public void NearestNeighboursAreTheClosestOtherRowsNearestFirstTiesToTheLowerIndex()
    {
        float[] line = { 0, 1, 3, 7 };                       // 1-D points
        Assert.Equal(new[] { new[] { 1 }, new[] { 0 }, new[] { 1 }, new[] { 2 } }, WarmupPartition.NearestNeighbours(line, 4, 1, 1));
        Assert.Equal(new[] { new[] { 1, 2 }, new[] { 0, 2 }, new[] { 1, 0 }, new[] { 2, 1 } }, WarmupPartition.NearestNeighbours(line, 4, 1, 2));
        Assert.Equal(new[] { 0, 2 }, WarmupPartition.NearestNeighbours(new float[] { 0, 1, 2 }, 3, 1, 2)[1]); // 0 and 2 tie: 0 first
        // 2-D, more rows than one block (2e7 distances: 3,333 rows of 6,000): the neighbour of each point of a far-apart pair is the other.
        var pairs = new float[6000 * 2];
        for (int i = 0; i < 3000; i++) { pairs[4 * i] = i * 10; pairs[4 * i + 2] = i * 10; pairs[4 * i + 3] = 0.5f; }
        var nn = WarmupPartition.NearestNeighbours(pairs, 6000, 2, 1);
        for (int i = 0; i < 6000; i++) Assert.Equal(i ^ 1, nn[i][0]);
        Assert.Throws<ArgumentException>(() => WarmupPartition.NearestNeighbours(line, 4, 1, 4));
    }

    [Fact]
    public void SizeEvennessIsTheEntropyOfTheClusterSizesOverLogK()
    {
        Assert.Equal(1.0, WarmupPartition.SizeEvenness(new[] { 0, 0, 1, 1 }, 2), 12);
        // shares 3/4 and 1/4: (3/4 ln 4/3 + 1/4 ln 4) / ln 2 = 0.811278...
        Assert.Equal(0.8112781244591328, WarmupPartition.SizeEvenness(new[] { 0, 0, 0, 1 }, 2), 12);
        Assert.Equal(Math.Log(2) / Math.Log(3), WarmupPartition.SizeEvenness(new[] { 0, 0, 1, 1 }, 3), 12); // one cluster empty
        Assert.Equal(0.0, WarmupPartition.SizeEvenness(new[] { 1, 1, 1 }, 3), 12);
        // Ten classes of 100: a cut that merges two and splits a third is less even than the classes.
        int[] classes = Enumerable.Range(0, 1000).Select(i => i / 100).ToArray();
        int[] mergeSplit = classes.Select((c, i) => c == 1 ? 0 : c == 2 && i % 2 == 0 ? 1 : c).ToArray();
        Assert.Equal(1, WarmupPartition.ArgMax(new[] { WarmupPartition.SizeEvenness(mergeSplit, 10), WarmupPartition.SizeEvenness(classes, 10) }));
        Assert.Equal(0, WarmupPartition.ArgMax(new[] { 0.5, 0.5 }));               // a tie keeps the first
        Assert.Throws<ArgumentException>(() => WarmupPartition.SizeEvenness(new[] { 0, 3 }, 3));
        Assert.Throws<ArgumentException>(() => WarmupPartition.ArgMax(Array.Empty<double>()));
    }

    [Fact]
    public void NeighbourAgreementCountsNeighboursInTheSameClusterAndPrefersCutsAlongTheGaps()
    {
        // Points 0, 1, 3, 7 with one neighbour each: 0->1, 1->0, 3->1, 7->3. {0, 1} {3, 7} keeps 3 of the 4 pairs.
        var nn = WarmupPartition.NearestNeighbours(new float[] { 0, 1, 3, 7 }, 4, 1, 1);
        Assert.Equal(0.75, WarmupPartition.NeighbourAgreement(nn, new[] { 0, 0, 1, 1 }), 12);
        Assert.Equal(1.0, WarmupPartition.NeighbourAgreement(nn, new[] { 5, 5, 5, 5 }), 12);
        Assert.Equal(0.0, WarmupPartition.NeighbourAgreement(nn, new[] { 0, 1, 2, 3 }), 12);

        // Three blobs of six points on a line; of two partitions into three clusters, the one that follows the blobs
        // parts no neighbour pair, the one that merges two blobs and splits the third parts some.
        var x = new List<float>();
        foreach (float c in new[] { 0f, 100f, 200f }) for (int i = 0; i < 6; i++) x.Add(c + i);
        var nn3 = WarmupPartition.NearestNeighbours(x.ToArray(), 18, 1, 3);
        int[] blobs = Enumerable.Range(0, 18).Select(i => i / 6).ToArray();
        int[] wrong = Enumerable.Range(0, 18).Select(i => i < 12 ? 0 : i < 15 ? 1 : 2).ToArray();
        var (index, scores) = WarmupPartition.MostNeighbourly(nn3, new[] { wrong, blobs });
        Assert.Equal(1, index);
        Assert.Equal(1.0, scores[1], 12);
        Assert.True(scores[0] < 1.0);
        Assert.Throws<ArgumentException>(() => WarmupPartition.MostNeighbourly(nn3, Array.Empty<int[]>()));
    }

    [Fact]
    public void RefineEpochNeedsWarmupEpochs()
    {
        var e = Assert.Throws<OptionException>(() => (new DnnmmOptions() with { RefineEpoch = 3, WarmupEpochs = 0, Init = MembershipInit.None }).Validate(3));
        Assert.Equal("refineEpoch", e.Option);
    }

    private static (List<EpochReport> Reports, List<string> Log, int[] Predicted) RunIn(DnnmmOptions o, string dir, bool resume)
    {
        var data = TinyData.Make();
        var reports = new List<EpochReport>();
        var log = new List<string>();
        using var m = new DnnmmMethod(o, 1);
        m.Fit(new FitInput(data, new bool[data.Count]),
            new FitContext { MonitorLabels = data.Labels, OnEpoch = reports.Add, Log = log.Add, Folder = new RunFolder(dir), Resume = resume });
        return (reports, log, m.Predict(data));
    }

    [Fact]
    public void TheLearningRateFallsAlongAHalfCosineAfterLrDecayFrom()
    {
        var o = new DnnmmOptions { Epochs = 20, LrDecayFrom = 16 };
        Assert.Equal(1.0, o.LearningRateFactor(1));
        Assert.Equal(1.0, o.LearningRateFactor(16));
        // t-th of the T = 4 epochs after epoch 16: 0.5 (1 + cos(pi t / 5)).
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI / 5)), o.LearningRateFactor(17), 12);
        Assert.Equal(0.9045084972, o.LearningRateFactor(17), 9);
        Assert.Equal(0.0954915028, o.LearningRateFactor(20), 9);
        Assert.Equal(1.0, (o with { LrDecayFrom = 0 }).LearningRateFactor(20));
        Assert.Equal(1.0, (o with { LrDecayFrom = 20 }).LearningRateFactor(20));
    }

    [Fact]
    public void TheUnsupervisedVariantIsTheRecipe()
    {
        var u = DnnmmOptions.ForVariant("unsupervised");
        Assert.Equal((MembershipInit.Tsne, OmegaUpdate.Fixed, 12, 3, RefineChoice.Even, 16, 4, 20),
            (u.Init, u.Omega, u.RefineEpoch, u.RefineMaps, u.RefineChoice, u.LrDecayFrom, u.WarmupEpochs, u.Epochs));
        Assert.Equal(new DnnmmOptions() with
        {
            Init = u.Init, Omega = u.Omega, RefineEpoch = u.RefineEpoch, RefineMaps = u.RefineMaps, RefineChoice = u.RefineChoice, LrDecayFrom = u.LrDecayFrom,
        }, u);
        u.Validate(10);
        Assert.Contains("unsupervised", Assert.Throws<OptionException>(() => DnnmmOptions.ForVariant("nope")).Message);
    }
}
