using static TorchSharp.torch;
using Dnnmm.Evaluation;

namespace Dnnmm.Tests.Evaluation;

public class KMeansTests
{
    /// <summary>k tight blobs far apart in d dimensions: blob c is centred at 10 * c on every coordinate.</summary>
    private static (float[] Data, int[] Truth) Blobs(int k = 4, int perBlob = 30, int dim = 3, int seed = 2)
    {
        var rng = new Random(seed);
        var data = new float[k * perBlob * dim];
        var truth = new int[k * perBlob];
        for (int i = 0; i < k * perBlob; i++)
        {
            int c = (i * 7) % k; // interleaved, so order carries no information
            truth[i] = c;
            for (int f = 0; f < dim; f++) data[i * dim + f] = 10f * c * (f % 2 == 0 ? 1 : -1) + (float)(rng.NextDouble() - 0.5);
        }
        return (data, truth);
    }

    [Fact]
    public void RecoversWellSeparatedBlobsExactly()
    {
        var (data, truth) = Blobs();
        var r = KMeansClustering.Fit(data, 3, 4, seed: 1);
        Assert.Equal(1.0, ClusteringMetrics.Accuracy(truth, r.Labels));
        // each centroid is its blob's mean: within the noise (half-width 0.5) of 10 * c
        for (int j = 0; j < 4; j++)
        {
            float c0 = r.Centroids[j * 3];
            Assert.True(Math.Abs(c0 / 10f - MathF.Round(c0 / 10f)) < 0.05, $"centroid {j} at {c0}");
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 5)]
    [InlineData(7, 1)]
    [InlineData(12345, 10)]
    public void TheSolutionDoesNotDependOnSeedOrRestarts(int seed, int restarts)
    {
        var (data, truth) = Blobs();
        var reference = KMeansClustering.Fit(data, 3, 4, seed: 99, restarts: 3);
        var r = KMeansClustering.Fit(data, 3, 4, seed, restarts);
        Assert.Equal(1.0, ClusteringMetrics.Accuracy(truth, r.Labels));
        Assert.Equal(reference.Inertia, r.Inertia, 3);
    }

    [Fact]
    public void SameSeedSameResult()
    {
        var rng = new Random(3);
        var data = Enumerable.Range(0, 200).Select(_ => (float)rng.NextDouble()).ToArray(); // no structure: seeds matter
        var a = KMeansClustering.Fit(data, 2, 5, seed: 4, restarts: 2);
        var b = KMeansClustering.Fit(data, 2, 5, seed: 4, restarts: 2);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.Centroids, b.Centroids);
    }

    [Fact]
    public void HandComputedTwoClusterCase()
    {
        // 1-D points {0, 1, 10, 12}: clusters {0, 1} and {10, 12}, centroids 0.5 and 11, inertia .25+.25+1+1
        var r = KMeansClustering.Fit(new float[] { 0, 1, 10, 12 }, 1, 2, seed: 0);
        Assert.Equal(r.Labels[0], r.Labels[1]);
        Assert.Equal(r.Labels[2], r.Labels[3]);
        Assert.NotEqual(r.Labels[0], r.Labels[2]);
        Assert.Equal(2.5, r.Inertia, 5);
        Assert.Equal(new[] { 0.5f, 11f }, r.Centroids.OrderBy(v => v).ToArray());
        Assert.Equal(new[] { r.Labels[0], r.Labels[2] }, r.Predict(new float[] { -3, 100 }));
    }

    [Fact]
    public void StartsFromGivenCentroidsAndKeepsTheirOrder()
    {
        var (data, truth) = Blobs(k: 3);
        var init = new float[9];
        for (int c = 0; c < 3; c++) for (int f = 0; f < 3; f++) init[c * 3 + f] = 10f * c * (f % 2 == 0 ? 1 : -1) + 1f;
        var r = KMeansClustering.Fit(data, 3, 3, seed: 0, init: init);
        Assert.Equal(truth, r.Labels); // cluster c = blob c
    }

    [Fact]
    public void TensorOverloadAgreesWithArrays()
    {
        var (data, _) = Blobs();
        using var x = tensor(data, new long[] { data.Length / 3, 3 });
        var a = KMeansClustering.Fit(x, 4, seed: 1);
        var b = KMeansClustering.Fit(data, 3, 4, seed: 1);
        Assert.Equal(b.Labels, a.Labels);
    }

    [Fact]
    public void RelabelAndMatchAlignTwoLabellings()
    {
        var reference = new[] { 0, 0, 1, 1, 2, 2 };
        var other = new[] { 2, 2, 0, 0, 1, 1 };
        var map = KMeansClustering.MatchTo(reference, other, 3);
        Assert.Equal(reference, other.Select(l => map[l]).ToArray());
        var r = new KMeansResult(new float[] { 10, 20, 0 }, 3, 1, other, 0, 1).Relabel(map);
        Assert.Equal(reference, r.Labels);
        Assert.Equal(new float[] { 0, 10, 20 }, r.Centroids);
    }

    [Fact]
    public void MoreClustersThanDistinctPointsStillGivesKCentroids()
    {
        var r = KMeansClustering.Fit(new float[] { 1, 1, 1, 5 }, 1, 3, seed: 0);
        Assert.Equal(3, r.K);
        Assert.Equal(4, r.Labels.Length);
        Assert.Equal(0, r.Inertia, 6);
    }
}
