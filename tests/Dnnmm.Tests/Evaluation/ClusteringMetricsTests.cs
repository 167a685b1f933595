using System.Diagnostics;
using Dnnmm.Evaluation;

namespace Dnnmm.Tests.Evaluation;

public class ClusteringMetricsTests
{
    // ---------- contingency ----------

    [Fact]
    public void ContingencyMatchesScikitLearnExample()
    {
        // sklearn docs: contingency_matrix([0,0,1,1,2,2], [1,0,2,1,0,2]) = [[1,1,0],[0,1,1],[1,0,1]].
        var t = ClusteringMetrics.Contingency(new[] { 0, 0, 1, 1, 2, 2 }, new[] { 1, 0, 2, 1, 0, 2 });
        Assert.Equal(new[,] { { 1, 1, 0 }, { 0, 1, 1 }, { 1, 0, 1 } }, t.ToMatrix());
        Assert.Equal(6, t.SampleCount);
        Assert.Equal(new[] { 2, 2, 2 }, t.ClassSizes);
        Assert.Equal(new[] { 2, 2, 2 }, t.ClusterSizes);
        Assert.Equal(6, t.NonZeroCells.Count);
    }

    [Fact]
    public void ContingencySortsNonContiguousLabels()
    {
        var t = ClusteringMetrics.Contingency(new[] { 9, 3, 9, 3, 3 }, new[] { 100, 7, 7, 7, 100 });
        Assert.Equal(new[] { 3, 9 }, t.Classes);
        Assert.Equal(new[] { 7, 100 }, t.Clusters);
        // class 3: samples 1, 3, 4 -> clusters 7, 7, 100; class 9: samples 0, 2 -> 100, 7.
        Assert.Equal(new[,] { { 2, 1 }, { 1, 1 } }, t.ToMatrix());
        Assert.Equal(new[] { 3, 2 }, t.ClassSizes);
        Assert.Equal(new[] { 3, 2 }, t.ClusterSizes);
    }

    [Fact]
    public void RejectsBadInput()
    {
        int[] a = { 0, 1, 1 }, shorter = { 0, 1 }, empty = Array.Empty<int>();
        Assert.Throws<ArgumentException>(() => ClusteringMetrics.Accuracy(a, shorter));
        Assert.Throws<ArgumentException>(() => ClusteringMetrics.AdjustedRandIndex(a, shorter));
        Assert.Throws<ArgumentException>(() => ClusteringMetrics.NormalizedMutualInfo(shorter, a));
        Assert.Throws<ArgumentException>(() => ClusteringMetrics.Score(empty, empty));
        Assert.Throws<ArgumentException>(() => ClusteringMetrics.Contingency(empty, empty));
        Assert.Throws<ArgumentException>(() => ClusteringMetrics.BestMap(a, shorter));
        Assert.ThrowsAny<ArgumentException>(() => ClusteringMetrics.Score(null!, a));
        Assert.ThrowsAny<ArgumentException>(() => ClusteringMetrics.Score(a, null!));
    }

    // ---------- ACC ----------

    [Fact]
    public void AccuracyHandComputed()
    {
        // Clusters {1: two of class 0}, {0: one of class 0, three of class 1}: map 1->0, 0->1, 5 of 6 right.
        Assert.Equal(5.0 / 6, ClusteringMetrics.Accuracy(new[] { 0, 0, 0, 1, 1, 1 }, new[] { 1, 1, 0, 0, 0, 0 }), 15);
        // More clusters than classes: only two of the four singleton clusters can be matched.
        Assert.Equal(0.5, ClusteringMetrics.Accuracy(new[] { 0, 0, 1, 1 }, new[] { 0, 1, 2, 3 }));
        // Fewer clusters than classes: one cluster, so one class, is matched.
        Assert.Equal(0.25, ClusteringMetrics.Accuracy(new[] { 0, 1, 2, 3 }, new[] { 5, 5, 5, 5 }));
        // Table [[4, 3], [3, 0]] (class x cluster). Taking the largest cell first (cluster 0 -> class 0)
        // leaves 4 + 0 = 4 of 10; the optimum maps cluster 0 -> class 1 and 1 -> 0: 3 + 3 = 6 of 10.
        int[] truth = { 0, 0, 0, 0, 0, 0, 0, 1, 1, 1 };
        int[] pred = { 0, 0, 0, 0, 1, 1, 1, 0, 0, 0 };
        Assert.Equal(0.6, ClusteringMetrics.Accuracy(truth, pred), 15);
        Assert.Equal(new Dictionary<int, int> { [0] = 1, [1] = 0 }, ClusteringMetrics.BestMap(truth, pred));
    }

    [Fact]
    public void BestMapReturnsClusterToClass()
    {
        var map = ClusteringMetrics.BestMap(new[] { 0, 0, 0, 1, 1, 1 }, new[] { 1, 1, 0, 0, 0, 0 });
        Assert.Equal(2, map.Count);
        Assert.Equal(0, map[1]);
        Assert.Equal(1, map[0]);

        // Non-contiguous labels and an unmatched extra cluster (label 50, one sample).
        var map2 = ClusteringMetrics.BestMap(new[] { 7, 7, 9, 9, 9 }, new[] { 20, 20, 30, 30, 50 });
        Assert.Equal(new Dictionary<int, int> { [20] = 7, [30] = 9 }, map2);
        Assert.Equal(0.8, ClusteringMetrics.Accuracy(new[] { 7, 7, 9, 9, 9 }, new[] { 20, 20, 30, 30, 50 }), 15);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 3)]
    [InlineData(4, 2)]
    [InlineData(5, 5)]
    [InlineData(5, 7)]
    [InlineData(6, 6)]
    [InlineData(7, 7)]
    [InlineData(7, 4)]
    public void AccuracyMatchesBruteForce(int classes, int clusters)
    {
        for (int seed = 0; seed < 15; seed++)
        {
            var rng = new Random(classes * 1000 + clusters * 50 + seed);
            int n = 30 + rng.Next(60);
            int[] truth = Enumerable.Range(0, n).Select(_ => rng.Next(classes)).ToArray();
            // Correlated with the truth half the time so the optimum is not trivial.
            int[] offset = Enumerable.Range(0, classes).Select(_ => rng.Next(clusters)).ToArray();
            int[] pred = truth.Select(t => rng.NextDouble() < 0.5 ? offset[t] : rng.Next(clusters)).ToArray();

            var table = ClusteringMetrics.Contingency(truth, pred).ToMatrix();
            int kc = table.GetLength(0), kp = table.GetLength(1);
            // Best total over all injective cluster -> class maps (or class -> cluster when fewer classes).
            long best = 0;
            if (kp <= kc)
            {
                foreach (var p in HungarianTests.Injections(kp, kc))
                    best = Math.Max(best, Enumerable.Range(0, kp).Sum(j => (long)table[p[j], j]));
            }
            else
            {
                foreach (var p in HungarianTests.Injections(kc, kp))
                    best = Math.Max(best, Enumerable.Range(0, kc).Sum(i => (long)table[i, p[i]]));
            }
            Assert.Equal((double)best / n, ClusteringMetrics.Accuracy(truth, pred), 14);

            // The best map reproduces that accuracy.
            var map = ClusteringMetrics.BestMap(truth, pred);
            int correct = Enumerable.Range(0, n).Count(s => map.TryGetValue(pred[s], out int c) && c == truth[s]);
            Assert.Equal(best, correct);
        }
    }

    // ---------- ARI ----------

    [Fact]
    public void AdjustedRandIndexMatchesScikitLearnDocs()
    {
        // adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714...: ordered pairs TP=2, FP=0, FN=2, TN=8,
        // 2(2*8 - 2*0) / ((2+2)(2+8) + (2+0)(0+8)) = 32/56 = 4/7.
        Assert.Equal(4.0 / 7, ClusteringMetrics.AdjustedRandIndex(new[] { 0, 0, 1, 1 }, new[] { 0, 0, 1, 2 }), 15);
        // The printed 0.5714285714285715 (older scikit-learn, combination-count formula) is one ulp
        // above the correctly rounded 4/7 = 0.5714285714285714 that the pair-count formula gives.
        Assert.Equal(0.5714285714285715, ClusteringMetrics.AdjustedRandIndex(new[] { 0, 0, 1, 2 }, new[] { 0, 0, 1, 1 }), 1e-15);
        Assert.Equal(4.0 / 7, ClusteringMetrics.AdjustedRandIndex(new[] { 0, 0, 1, 2 }, new[] { 0, 0, 1, 1 }));
        // One cluster against all singletons: TP = FP = TN = 0, FN = 12, so the numerator is 0.
        Assert.Equal(0.0, ClusteringMetrics.AdjustedRandIndex(new[] { 0, 0, 0, 0 }, new[] { 0, 1, 2, 3 }));
        // sklearn docs: perfect up to renaming gives 1; [0,0,1,1] vs [0,1,0,1] gives -0.5
        // (TP=0, FP=FN=TN=4: 2(0 - 16)/(4*8 + 4*8) = -0.5).
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(new[] { 0, 0, 1, 1 }, new[] { 1, 1, 0, 0 }));
        Assert.Equal(-0.5, ClusteringMetrics.AdjustedRandIndex(new[] { 0, 0, 1, 1 }, new[] { 0, 1, 0, 1 }), 15);
    }

    [Fact]
    public void AdjustedRandIndexHandComputed()
    {
        // truth [0,0,0,1,1,1], pred [0,0,1,1,2,2]: cells 2,1 / 1,2.
        // Hubert-Arabie: sum C(n_ij,2) = 2, sum C(a_i,2) = 6, sum C(b_j,2) = 3, C(6,2) = 15,
        // expected = 6*3/15 = 1.2, max = (6+3)/2 = 4.5, ARI = (2 - 1.2)/(4.5 - 1.2) = 8/33.
        Assert.Equal(8.0 / 33, ClusteringMetrics.AdjustedRandIndex(new[] { 0, 0, 0, 1, 1, 1 }, new[] { 0, 0, 1, 1, 2, 2 }), 15);
    }

    [Fact]
    public void AdjustedRandIndexSpecialCases()
    {
        // One cluster each, all singletons each, a single sample: all 1.0 as in scikit-learn.
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(new[] { 3, 3, 3 }, new[] { 8, 8, 8 }));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(new[] { 0, 1, 2, 3 }, new[] { 9, 5, 7, 1 }));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(new[] { 4 }, new[] { 2 }));
        // All singletons against one cluster (the reverse of the docs case): 0.
        Assert.Equal(0.0, ClusteringMetrics.AdjustedRandIndex(new[] { 0, 1, 2, 3 }, new[] { 0, 0, 0, 0 }));
    }

    [Fact]
    public void AdjustedRandIndexMatchesPairCountingDefinition()
    {
        // Independent check: count unordered pairs directly and use the Hubert-Arabie formula.
        for (int seed = 0; seed < 30; seed++)
        {
            var rng = new Random(seed);
            int n = 5 + rng.Next(80);
            int ka = 1 + rng.Next(6), kb = 1 + rng.Next(6);
            int[] a = Enumerable.Range(0, n).Select(_ => rng.Next(ka) * 3).ToArray();
            int[] b = Enumerable.Range(0, n).Select(i => rng.NextDouble() < 0.6 ? a[i] / 3 : rng.Next(kb)).ToArray();

            long both = 0, sameA = 0, sameB = 0;
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                {
                    bool x = a[i] == a[j], y = b[i] == b[j];
                    if (x) sameA++;
                    if (y) sameB++;
                    if (x && y) both++;
                }
            double pairs = n * (n - 1) / 2.0;
            double expected = sameA * (double)sameB / pairs;
            double max = (sameA + sameB) / 2.0;
            double got = ClusteringMetrics.AdjustedRandIndex(a, b);
            if (max == expected)
                Assert.Equal(1.0, got);  // degenerate: identical trivial partitions
            else
                Assert.Equal((both - expected) / (max - expected), got, 12);
            Assert.Equal(got, ClusteringMetrics.AdjustedRandIndex(b, a), 15);
        }
    }

    // ---------- NMI ----------

    [Fact]
    public void NormalizedMutualInfoMatchesScikitLearnDocs()
    {
        Assert.Equal(1.0, ClusteringMetrics.NormalizedMutualInfo(new[] { 0, 0, 1, 1 }, new[] { 1, 1, 0, 0 }), 15);
        Assert.Equal(0.0, ClusteringMetrics.NormalizedMutualInfo(new[] { 0, 0, 0, 0 }, new[] { 0, 1, 2, 3 }));
        Assert.Equal(0.0, ClusteringMetrics.NormalizedMutualInfo(new[] { 0, 1, 2, 3 }, new[] { 0, 0, 0, 0 }));
    }

    [Fact]
    public void NormalizedMutualInfoHandComputed()
    {
        // pred refines truth: MI = H(truth) = ln 2, H(pred) = ln 2 / 2 + ln 4 / 2 = 1.5 ln 2,
        // NMI = ln 2 / ((ln 2 + 1.5 ln 2) / 2) = 0.8.
        Assert.Equal(0.8, ClusteringMetrics.NormalizedMutualInfo(new[] { 0, 0, 1, 1 }, new[] { 0, 0, 1, 2 }), 14);

        // truth [0,0,0,1,1,1], pred [0,0,1,1,2,2]: MI = 2 * (1/3) ln((1/3)/(1/2 * 1/3)) = (2/3) ln 2,
        // the cells of size 1 contribute ln 1 = 0; H(truth) = ln 2, H(pred) = ln 3.
        double expected = (2.0 / 3 * Math.Log(2)) / ((Math.Log(2) + Math.Log(3)) / 2);
        Assert.Equal(expected, ClusteringMetrics.NormalizedMutualInfo(new[] { 0, 0, 0, 1, 1, 1 }, new[] { 0, 0, 1, 1, 2, 2 }), 14);

        // 2x2 table [[3,1],[1,3]] (n = 8): MI = 2 (3/8) ln(3/2) + 2 (1/8) ln(1/2), both entropies ln 2.
        double mi = 0.75 * Math.Log(1.5) + 0.25 * Math.Log(0.5);
        Assert.Equal(mi / Math.Log(2), ClusteringMetrics.NormalizedMutualInfo(
            new[] { 0, 0, 0, 0, 1, 1, 1, 1 }, new[] { 0, 0, 0, 1, 1, 1, 1, 0 }), 14);
    }

    [Fact]
    public void NormalizedMutualInfoSpecialCases()
    {
        // Both a single cluster: 1.0 (sklearn's limit case); a single sample likewise.
        Assert.Equal(1.0, ClusteringMetrics.NormalizedMutualInfo(new[] { 2, 2, 2 }, new[] { 0, 0, 0 }));
        Assert.Equal(1.0, ClusteringMetrics.NormalizedMutualInfo(new[] { 1 }, new[] { 1 }));
        // Both all singletons: MI = ln n = both entropies.
        Assert.Equal(1.0, ClusteringMetrics.NormalizedMutualInfo(new[] { 0, 1, 2, 3, 4 }, new[] { 4, 2, 0, 3, 1 }), 14);
    }

    [Fact]
    public void NormalizedMutualInfoMatchesEntropyDefinition()
    {
        for (int seed = 0; seed < 30; seed++)
        {
            var rng = new Random(500 + seed);
            int n = 10 + rng.Next(200);
            int ka = 2 + rng.Next(6), kb = 2 + rng.Next(6);
            int[] a = Enumerable.Range(0, n).Select(_ => rng.Next(ka)).ToArray();
            int[] b = a.Select(x => rng.NextDouble() < 0.5 ? x : rng.Next(kb)).ToArray();
            double h(IEnumerable<int> labels) => -labels.GroupBy(x => x).Sum(g => (double)g.Count() / n * Math.Log((double)g.Count() / n));
            double hab = h(a.Zip(b, (x, y) => x * 100 + y));
            double ha = h(a), hb = h(b);
            double mi = ha + hb - hab;
            Assert.Equal(mi / ((ha + hb) / 2), ClusteringMetrics.NormalizedMutualInfo(a, b), 12);
            Assert.Equal(ClusteringMetrics.NormalizedMutualInfo(a, b), ClusteringMetrics.NormalizedMutualInfo(b, a), 14);
        }
    }

    // ---------- all three ----------

    [Theory]
    [InlineData(4)]
    [InlineData(100)]
    [InlineData(400)]
    [InlineData(1000)]
    [InlineData(10000)]
    public void IndependentLabellingsScoreZero(int n)
    {
        // Balanced 2x2 grid: every cell holds n/4, so the labellings are exactly independent.
        // Pair counts: TP = n^2/4 - n, FP = FN = TN = n^2/4, so ARI = -1/(n - 2) (tends to 0).
        int[] truth = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        int[] pred = Enumerable.Range(0, n).Select(i => (i / 2) % 2).ToArray();
        Assert.Equal(0.0, ClusteringMetrics.NormalizedMutualInfo(truth, pred));
        Assert.Equal(-1.0 / (n - 2), ClusteringMetrics.AdjustedRandIndex(truth, pred), 15);
        Assert.Equal(0.5, ClusteringMetrics.Accuracy(truth, pred));
    }

    [Fact]
    public void PerfectLabellingScoresOne()
    {
        var rng = new Random(3);
        int[] truth = Enumerable.Range(0, 300).Select(_ => rng.Next(10)).ToArray();
        int[] ids = Enumerable.Range(0, 10).Select(k => 1000 - 37 * k).ToArray();
        int[] pred = truth.Select(t => ids[t]).ToArray();
        var s = ClusteringMetrics.Score(truth, pred);
        Assert.Equal(1.0, s.Acc);
        Assert.Equal(1.0, s.Ari);
        Assert.Equal(1.0, s.Nmi, 14);
    }

    [Fact]
    public void ScoresAreInvariantToRelabellingClusters()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var rng = new Random(seed);
            int n = 200, classes = 5, clusters = 4 + rng.Next(4);
            int[] truth = Enumerable.Range(0, n).Select(_ => rng.Next(classes)).ToArray();
            int[] pred = truth.Select(t => rng.NextDouble() < 0.6 ? t % clusters : rng.Next(clusters)).ToArray();
            var before = ClusteringMetrics.Score(truth, pred);

            // Send the cluster ids through a random permutation onto sparse, non-contiguous ids.
            int[] perm = Enumerable.Range(0, clusters).ToArray();
            rng.Shuffle(perm);
            int[] renamed = pred.Select(p => 13 * perm[p] + 5).ToArray();
            var after = ClusteringMetrics.Score(truth, renamed);

            Assert.Equal(before.Acc, after.Acc);
            Assert.Equal(before.Ari, after.Ari);
            Assert.Equal(before.Nmi, after.Nmi, 14);
        }
    }

    [Fact]
    public void ScoreBundlesTheThreeMetrics()
    {
        int[] truth = { 0, 0, 0, 1, 1, 1 }, pred = { 0, 0, 1, 1, 2, 2 };
        var s = ClusteringMetrics.Score(truth, pred);
        Assert.Equal(new ClusteringScores(
            ClusteringMetrics.Accuracy(truth, pred),
            ClusteringMetrics.AdjustedRandIndex(truth, pred),
            ClusteringMetrics.NormalizedMutualInfo(truth, pred)), s);
        Assert.Equal(4.0 / 6, s.Acc, 15);
        Assert.Equal(8.0 / 33, s.Ari, 15);
    }

    [Fact]
    public void LargeInputsRunQuickly()
    {
        // K = 50 classes and clusters, N = 10,000 samples, 70% assigned to a permuted "right" cluster.
        const int n = 10_000, k = 50;
        var rng = new Random(11);
        int[] perm = Enumerable.Range(0, k).ToArray();
        rng.Shuffle(perm);
        int[] truth = Enumerable.Range(0, n).Select(i => i % k).ToArray();
        int[] pred = truth.Select(t => rng.NextDouble() < 0.7 ? perm[t] : rng.Next(k)).ToArray();

        var sw = Stopwatch.StartNew();
        var s = ClusteringMetrics.Score(truth, pred);
        var perfect = ClusteringMetrics.Score(truth, truth.Select(t => perm[t]).ToArray());
        sw.Stop();
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");

        // Each sample is right with probability 0.7 + 0.3/50 = 0.706; the best map is the planted one.
        int planted = Enumerable.Range(0, n).Count(i => pred[i] == perm[truth[i]]);
        Assert.Equal((double)planted / n, s.Acc);
        Assert.InRange(s.Acc, 0.68, 0.73);
        Assert.InRange(s.Ari, 0.3, 0.7);
        Assert.InRange(s.Nmi, 0.5, 0.9);
        Assert.Equal(new ClusteringScores(1.0, 1.0, perfect.Nmi), perfect);
        Assert.Equal(1.0, perfect.Nmi, 14);
    }
}
