using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Dnnmm.Evaluation;

/// <summary>
/// Sample purity of a generative clustering model: how many of the images generated from cluster k a fixed reference
/// classifier puts in the class that cluster k stands for.
/// </summary>
/// <param name="Purity">The mean of <paramref name="PerCluster"/> over the clusters.</param>
/// <param name="PerCluster">Per cluster k, the fraction of its samples whose reference class is <paramref name="ClusterToClass"/>[k]
/// (0 for a cluster matched to no class).</param>
/// <param name="ClusterToClass">The class each cluster stands for (-1: none), from the Hungarian match on the real images.</param>
public sealed record SamplePurityResult(double Purity, double[] PerCluster, int[] ClusterToClass);

/// <summary>The sample purity of generated images (<see cref="SamplePurityResult"/>).</summary>
public static class SamplePurity
{
    /// <summary>
    /// The class each of the clusters 0..<paramref name="clusters"/>-1 stands for: the Hungarian match of the method's
    /// clusters of the real images (<paramref name="predicted"/>) to their classes (<paramref name="truth"/>), as ACC
    /// matches them (<see cref="ClusteringMetrics.BestMap"/>); -1 for a cluster no real image fell in.
    /// </summary>
    public static int[] MatchClusters(int[] truth, int[] predicted, int clusters)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Length != predicted.Length) throw new ArgumentException($"{truth.Length} classes for {predicted.Length} clusters");
        var map = Enumerable.Repeat(-1, clusters).ToArray();
        if (truth.Length == 0) return map;
        foreach (var (cluster, cls) in ClusteringMetrics.BestMap(truth, predicted))
            if (cluster >= 0 && cluster < clusters) map[cluster] = cls;
        return map;
    }

    /// <summary>
    /// Purity from the reference classes of each cluster's samples: <paramref name="sampleClasses"/>[k] holds the
    /// reference class of every sample generated from cluster k; cluster k's purity is the fraction of them equal to
    /// <paramref name="clusterToClass"/>[k], and the purity is the mean over the clusters.
    /// </summary>
    public static SamplePurityResult Compute(IReadOnlyList<int[]> sampleClasses, int[] clusterToClass)
    {
        ArgumentNullException.ThrowIfNull(sampleClasses);
        ArgumentNullException.ThrowIfNull(clusterToClass);
        if (sampleClasses.Count != clusterToClass.Length)
            throw new ArgumentException($"samples of {sampleClasses.Count} clusters, a class map of {clusterToClass.Length}");
        if (sampleClasses.Count == 0) throw new ArgumentException("no clusters");
        var per = new double[sampleClasses.Count];
        for (int k = 0; k < per.Length; k++)
        {
            var s = sampleClasses[k];
            if (s.Length == 0) throw new ArgumentException($"cluster {k} has no samples");
            per[k] = clusterToClass[k] < 0 ? 0 : (double)s.Count(c => c == clusterToClass[k]) / s.Length;
        }
        return new SamplePurityResult(per.Average(), per, (int[])clusterToClass.Clone());
    }
}

/// <summary>
/// The Fréchet distance between two Gaussians fitted to two sets of feature vectors, as FID computes it
/// (Heusel et al. 2017): |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1^{1/2} S2 S1^{1/2})^{1/2}), in double precision, the square
/// roots from the eigen-decompositions of symmetric matrices (negative round-off eigenvalues taken as 0). Covariances are
/// the unbiased sample covariances (n - 1), as numpy.cov. Applied to any feature space it is "FID-like": comparable
/// only between scores made with the same features.
/// </summary>
public static class FrechetDistance
{
    /// <summary>The distance between the feature sets <paramref name="a"/> and <paramref name="b"/> (rows are samples, same width).</summary>
    public static double Compute(double[,] a, double[,] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.GetLength(1) != b.GetLength(1)) throw new ArgumentException($"features of width {a.GetLength(1)} and {b.GetLength(1)}");
        var (m1, s1) = MeanCovariance(a);
        var (m2, s2) = MeanCovariance(b);
        return Compute(m1, s1, m2, s2);
    }

    /// <summary>The distance between N(<paramref name="mean1"/>, <paramref name="cov1"/>) and N(<paramref name="mean2"/>, <paramref name="cov2"/>).</summary>
    public static double Compute(double[] mean1, double[,] cov1, double[] mean2, double[,] cov2)
    {
        int d = mean1.Length;
        if (mean2.Length != d || cov1.GetLength(0) != d || cov1.GetLength(1) != d || cov2.GetLength(0) != d || cov2.GetLength(1) != d)
            throw new ArgumentException("means and covariances of different dimensions");
        double diff = 0;
        for (int i = 0; i < d; i++) diff += (mean1[i] - mean2[i]) * (mean1[i] - mean2[i]);
        var s1 = Matrix<double>.Build.DenseOfArray(cov1);
        var s2 = Matrix<double>.Build.DenseOfArray(cov2);
        var root1 = SymmetricSqrt(s1);
        var inner = root1 * s2 * root1;
        double traceRoot = SymmetricEigenvalues(inner).Sum(l => Math.Sqrt(Math.Max(l, 0)));
        double value = diff + s1.Trace() + s2.Trace() - 2 * traceRoot;
        // Round-off can leave a tiny negative number where the two Gaussians are the same.
        return Math.Max(value, 0);
    }

    /// <summary>The mean and the unbiased covariance (n - 1; zero for one row) of the rows of <paramref name="x"/>.</summary>
    public static (double[] Mean, double[,] Covariance) MeanCovariance(double[,] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.GetLength(0), d = x.GetLength(1);
        if (n == 0) throw new ArgumentException("no feature vectors");
        var mean = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) mean[j] += x[i, j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        var centred = Matrix<double>.Build.Dense(n, d, (i, j) => x[i, j] - mean[j]);
        var cov = n > 1 ? centred.TransposeThisAndMultiply(centred) / (n - 1) : Matrix<double>.Build.Dense(d, d);
        return (mean, cov.ToArray());
    }

    /// <summary>The symmetric square root V diag(sqrt(max(l, 0))) V^T of a symmetric positive semi-definite matrix.</summary>
    private static Matrix<double> SymmetricSqrt(Matrix<double> s)
    {
        var evd = Symmetrised(s).Evd(Symmetricity.Symmetric);
        var v = evd.EigenVectors;
        var roots = Vector<double>.Build.Dense(s.RowCount, i => Math.Sqrt(Math.Max(evd.EigenValues[i].Real, 0)));
        return v * Matrix<double>.Build.DenseOfDiagonalVector(roots) * v.Transpose();
    }

    private static IEnumerable<double> SymmetricEigenvalues(Matrix<double> s) =>
        Symmetrised(s).Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real);

    private static Matrix<double> Symmetrised(Matrix<double> s) => (s + s.Transpose()) / 2;
}
