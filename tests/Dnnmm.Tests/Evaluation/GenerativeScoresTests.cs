using Dnnmm.Evaluation;

namespace Dnnmm.Tests.Evaluation;

public class GenerativeScoresTests
{
    private static double[,] RandomSet(int n, int d, int seed, Func<int, int, double>? scale = null)
    {
        var rng = new Random(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                // Box-Muller normals, correlated across coordinates so the covariance is not diagonal.
                double z = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                x[i, j] = z * (scale?.Invoke(i, j) ?? 1) + (j > 0 ? 0.5 * x[i, j - 1] : 0);
            }
        return x;
    }

    private static double[,] Shift(double[,] x, double[] d)
    {
        var y = (double[,])x.Clone();
        for (int i = 0; i < y.GetLength(0); i++)
            for (int j = 0; j < d.Length; j++) y[i, j] += d[j];
        return y;
    }

    [Fact]
    public void Identical_sets_are_at_distance_zero()
    {
        var x = RandomSet(200, 6, 1);
        Assert.Equal(0, FrechetDistance.Compute(x, x), 9);
        // The same rows in another order are the same set.
        var reversed = new double[200, 6];
        for (int i = 0; i < 200; i++)
            for (int j = 0; j < 6; j++) reversed[i, j] = x[199 - i, j];
        Assert.Equal(0, FrechetDistance.Compute(x, reversed), 9);
    }

    [Fact]
    public void A_set_shifted_by_d_is_at_distance_the_squared_length_of_d()
    {
        var x = RandomSet(300, 5, 2);
        var d = new[] { 1.0, -2.0, 0.5, 0.0, 3.0 };
        double expected = d.Sum(v => v * v); // 14.25: the covariances are equal, so only the means differ
        Assert.Equal(expected, FrechetDistance.Compute(x, Shift(x, d)), 8);
        Assert.Equal(expected, FrechetDistance.Compute(Shift(x, d), x), 8);
    }

    [Fact]
    public void Diagonal_covariances_give_the_closed_form()
    {
        var s1 = new[] { 1.0, 4.0, 0.25, 9.0 };
        var s2 = new[] { 4.0, 1.0, 0.25, 0.0 };
        var m1 = new[] { 0.0, 1.0, 2.0, 3.0 };
        var m2 = new[] { 1.0, 1.0, 0.0, 3.0 };
        double expected = m1.Zip(m2, (a, b) => (a - b) * (a - b)).Sum()
                          + s1.Zip(s2, (a, b) => a + b - 2 * Math.Sqrt(a * b)).Sum(); // 5 + (1 + 1 + 0 + 9) = 16
        Assert.Equal(16, expected, 12);
        Assert.Equal(expected, FrechetDistance.Compute(m1, Diagonal(s1), m2, Diagonal(s2)), 10);
    }

    [Fact]
    public void Covariances_with_common_eigenvectors_give_the_closed_form_of_their_eigenvalues()
    {
        // S1 = R diag(a) R^T, S2 = R diag(b) R^T with R a rotation: Tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2) = sum (sqrt a - sqrt b)^2.
        var a = new[] { 2.0, 0.5, 3.0 };
        var b = new[] { 0.5, 2.0, 1.0 };
        double c = Math.Cos(0.7), s = Math.Sin(0.7);
        var r = new double[,] { { c, -s, 0 }, { s * 0.6, c * 0.6, -0.8 }, { s * 0.8, c * 0.8, 0.6 } };
        var zero = new double[3];
        double expected = a.Zip(b, (x, y) => (Math.Sqrt(x) - Math.Sqrt(y)) * (Math.Sqrt(x) - Math.Sqrt(y))).Sum();
        Assert.Equal(expected, FrechetDistance.Compute(zero, Rotate(r, a), zero, Rotate(r, b)), 10);
    }

    [Fact]
    public void In_one_dimension_it_is_the_squared_differences_of_means_and_standard_deviations()
    {
        var x = new double[,] { { 1 }, { 2 }, { 3 }, { 4 } };   // mean 2.5, variance 5/3
        var y = new double[,] { { 0 }, { 4 }, { 8 } };         // mean 4, variance 16
        double expected = 1.5 * 1.5 + Math.Pow(Math.Sqrt(5.0 / 3) - 4, 2);
        Assert.Equal(expected, FrechetDistance.Compute(x, y), 10);
    }

    [Fact]
    public void The_covariance_is_the_unbiased_sample_covariance()
    {
        var x = new double[,] { { 1, 2 }, { 3, 0 }, { 5, 4 } };
        var (mean, cov) = FrechetDistance.MeanCovariance(x);
        Assert.Equal(new[] { 3.0, 2.0 }, mean);
        // deviations (-2, 0), (0, -2), (2, 2): sums of products 8, 4, 8 over n - 1 = 2.
        Assert.Equal(new double[,] { { 4, 2 }, { 2, 4 } }, cov);
    }

    [Fact]
    public void Sets_of_different_widths_are_refused() =>
        Assert.Throws<ArgumentException>(() => FrechetDistance.Compute(new double[3, 2], new double[3, 3]));

    private static double[,] Diagonal(double[] v)
    {
        var m = new double[v.Length, v.Length];
        for (int i = 0; i < v.Length; i++) m[i, i] = v[i];
        return m;
    }

    private static double[,] Rotate(double[,] r, double[] eigenvalues)
    {
        int n = eigenvalues.Length;
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) m[i, j] += r[i, k] * eigenvalues[k] * r[j, k];
        return m;
    }

    [Fact]
    public void Clusters_are_matched_to_classes_as_ACC_matches_them()
    {
        // Cluster 2 holds class 0, cluster 0 class 1, cluster 1 class 2 (one image off); no image fell in cluster 3.
        int[] truth = { 0, 0, 0, 1, 1, 1, 2, 2, 2, 2 };
        int[] pred = { 2, 2, 2, 0, 0, 1, 1, 1, 1, 1 };
        Assert.Equal(new[] { 1, 2, 0, -1 }, SamplePurity.MatchClusters(truth, pred, 4));
    }

    [Fact]
    public void Purity_is_the_share_of_each_clusters_samples_in_its_class_averaged_over_clusters()
    {
        int[] clusterToClass = { 1, 2, 0 };
        var samples = new[]
        {
            new[] { 1, 1, 1, 0 },   // 3 of 4 in class 1
            new[] { 2, 2 },         // 2 of 2 in class 2
            new[] { 1, 2, 1, 2, 0 },// 1 of 5 in class 0
        };
        var p = SamplePurity.Compute(samples, clusterToClass);
        Assert.Equal(new[] { 0.75, 1.0, 0.2 }, p.PerCluster);
        Assert.Equal((0.75 + 1.0 + 0.2) / 3, p.Purity, 12);
        Assert.Equal(clusterToClass, p.ClusterToClass);
    }

    [Fact]
    public void A_cluster_matched_to_no_class_has_purity_zero()
    {
        var p = SamplePurity.Compute(new[] { new[] { 0, 0 }, new[] { 1, 1 } }, new[] { 0, -1 });
        Assert.Equal(new[] { 1.0, 0.0 }, p.PerCluster);
        Assert.Equal(0.5, p.Purity);
    }
}
