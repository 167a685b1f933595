using Dnnmm.Infrastructure;
using System.Numerics;

namespace Dnnmm.Evaluation;

/// <summary>A k-means solution: K x d centroids (row-major), the label of every point and the inertia.</summary>
public sealed record KMeansResult(float[] Centroids, int K, int Dim, int[] Labels, double Inertia, int Iterations)
{
    /// <summary>The nearest centroid of every row of <paramref name="data"/> (N x d, row-major).</summary>
    public int[] Predict(float[] data) => KMeansClustering.Assign(data, Dim, Centroids, K, out _);

    /// <summary>The same clustering with cluster j renamed to map[j] (map is a permutation of 0..K-1).</summary>
    public KMeansResult Relabel(int[] map)
    {
        if (map.Length != K || map.Distinct().Count() != K || map.Any(m => m < 0 || m >= K))
            throw new ArgumentException("map must be a permutation of 0..K-1");
        var c = new float[Centroids.Length];
        for (int j = 0; j < K; j++) Array.Copy(Centroids, j * Dim, c, map[j] * Dim, Dim);
        return this with { Centroids = c, Labels = Labels.Select(l => map[l]).ToArray() };
    }
}

/// <summary>
/// Lloyd's k-means with k-means++ seeding and restarts (the best inertia wins), deterministic for a
/// seed. Points are rows of a row-major float array (N x d). Used on pixels (the "kmeans" reference)
/// and on the latent codes of ClusterGAN and DynAE.
/// </summary>
public static class KMeansClustering
{
    /// <param name="data">N x d points, row-major.</param>
    /// <param name="dim">d.</param>
    /// <param name="k">Number of clusters.</param>
    /// <param name="seed">Seed of the k-means++ draws.</param>
    /// <param name="restarts">Independent k-means++ starts; the lowest inertia is kept.</param>
    /// <param name="maxIterations">Lloyd iterations per start at most.</param>
    /// <param name="tolerance">Stop when the squared centroid shift is below tolerance x the mean per-feature variance (as scikit-learn).</param>
    /// <param name="init">Initial centroids (K x d); then a single start from them, no k-means++.</param>
    public static KMeansResult Fit(float[] data, int dim, int k, int seed, int restarts = 10, int maxIterations = 300,
        double tolerance = 1e-4, float[]? init = null)
    {
        if (dim < 1) throw new ArgumentException("dim must be at least 1");
        if (data.Length % dim != 0) throw new ArgumentException($"data length {data.Length} is not a multiple of dim {dim}");
        int n = data.Length / dim;
        if (k < 1 || k > n) throw new ArgumentException($"k = {k} must be in [1, N = {n}]");
        if (restarts < 1) throw new ArgumentException("restarts must be at least 1");
        if (init is not null && init.Length != k * dim) throw new ArgumentException("init must be K x d");
        double tol = tolerance * MeanVariance(data, n, dim);
        var rng = new Random(seed);
        KMeansResult? best = null;
        int starts = init is null ? restarts : 1;
        for (int r = 0; r < starts; r++)
        {
            var c = init is null ? PlusPlus(data, n, dim, k, rng) : (float[])init.Clone();
            var res = Lloyd(data, n, dim, k, c, maxIterations, tol);
            if (best is null || res.Inertia < best.Inertia) best = res;
        }
        return best!;
    }

    /// <summary>k-means on the rows of an N x d tensor (copied to the CPU).</summary>
    public static KMeansResult Fit(Tensor x, int k, int seed, int restarts = 10, int maxIterations = 300, double tolerance = 1e-4, float[]? init = null)
    {
        if (x.dim() != 2) throw new ArgumentException("x must be N x d");
        using var c = x.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return Fit(c.data<float>().ToArray(), (int)x.shape[1], k, seed, restarts, maxIterations, tolerance, init);
    }

    /// <summary>k-means++ seeding: the first centroid uniformly, each next one with probability proportional to D(x)^2.</summary>
    public static float[] PlusPlus(float[] data, int n, int dim, int k, Random rng, float[]? given = null, int givenCount = 0)
    {
        var c = new float[k * dim];
        var d2 = new double[n];
        Array.Fill(d2, double.PositiveInfinity);
        int have = 0;
        if (given is not null)
        {
            Array.Copy(given, c, givenCount * dim);
            for (; have < givenCount; have++) UpdateNearest(data, n, dim, c, have, d2);
        }
        if (have == 0)
        {
            int first = rng.Next(n);
            Array.Copy(data, first * dim, c, 0, dim);
            UpdateNearest(data, n, dim, c, 0, d2);
            have = 1;
        }
        for (int j = have; j < k; j++)
        {
            double total = 0;
            for (int i = 0; i < n; i++) total += d2[i];
            int pick;
            if (!(total > 0)) pick = rng.Next(n); // every point coincides with a centroid
            else
            {
                double u = rng.NextDouble() * total, acc = 0;
                pick = n - 1;
                for (int i = 0; i < n; i++)
                {
                    acc += d2[i];
                    if (acc >= u && d2[i] > 0) { pick = i; break; }
                }
            }
            Array.Copy(data, pick * dim, c, j * dim, dim);
            UpdateNearest(data, n, dim, c, j, d2);
        }
        return c;
    }

    private static void UpdateNearest(float[] data, int n, int dim, float[] c, int j, double[] d2)
    {
        var cj = new ReadOnlySpan<float>(c, j * dim, dim);
        for (int i = 0; i < n; i++)
        {
            double d = SquaredDistance(new ReadOnlySpan<float>(data, i * dim, dim), cj);
            if (d < d2[i]) d2[i] = d;
        }
    }

    private static KMeansResult Lloyd(float[] data, int n, int dim, int k, float[] c, int maxIterations, double tol)
    {
        var labels = new int[n];
        var dist = new double[n];
        var sums = new double[k * dim];
        var counts = new int[k];
        int it = 0;
        double inertia = AssignInto(data, n, dim, c, k, labels, dist);
        while (it < maxIterations)
        {
            GcFence.SafePoint(); // between native calls: see GcFence
            it++;
            Array.Clear(sums); Array.Clear(counts);
            for (int i = 0; i < n; i++)
            {
                int l = labels[i];
                counts[l]++;
                int o = i * dim, s = l * dim;
                for (int f = 0; f < dim; f++) sums[s + f] += data[o + f];
            }
            // An empty cluster takes the point farthest from its centroid (each such point used once).
            var taken = new HashSet<int>();
            for (int j = 0; j < k; j++)
            {
                if (counts[j] > 0) continue;
                int far = -1;
                for (int i = 0; i < n; i++)
                    if (!taken.Contains(i) && counts[labels[i]] > 1 && (far < 0 || dist[i] > dist[far])) far = i;
                if (far < 0) continue;
                taken.Add(far);
                int from = labels[far];
                counts[from]--; counts[j] = 1;
                for (int f = 0; f < dim; f++)
                {
                    sums[from * dim + f] -= data[far * dim + f];
                    sums[j * dim + f] = data[far * dim + f];
                }
                labels[far] = j; dist[far] = 0;
            }
            double shift = 0;
            for (int j = 0; j < k; j++)
            {
                if (counts[j] == 0) continue;
                for (int f = 0; f < dim; f++)
                {
                    float v = (float)(sums[j * dim + f] / counts[j]);
                    double dlt = v - c[j * dim + f];
                    shift += dlt * dlt;
                    c[j * dim + f] = v;
                }
            }
            var before = (int[])labels.Clone();
            inertia = AssignInto(data, n, dim, c, k, labels, dist);
            if (shift <= tol || before.AsSpan().SequenceEqual(labels)) break;
        }
        return new KMeansResult(c, k, dim, labels, inertia, it);
    }

    /// <summary>The nearest centroid of every point, and the inertia (sum of squared distances to it).</summary>
    public static int[] Assign(float[] data, int dim, float[] centroids, int k, out double inertia)
    {
        int n = data.Length / dim;
        var labels = new int[n];
        inertia = AssignInto(data, n, dim, centroids, k, labels, new double[n]);
        return labels;
    }

    private static double AssignInto(float[] data, int n, int dim, float[] c, int k, int[] labels, double[] dist)
    {
        double inertia = 0;
        for (int i = 0; i < n; i++)
        {
            var x = new ReadOnlySpan<float>(data, i * dim, dim);
            int best = 0;
            double bd = double.PositiveInfinity;
            for (int j = 0; j < k; j++)
            {
                double d = SquaredDistance(x, new ReadOnlySpan<float>(c, j * dim, dim));
                if (d < bd) { bd = d; best = j; }
            }
            labels[i] = best; dist[i] = bd; inertia += bd;
        }
        return inertia;
    }

    /// <summary>Squared Euclidean distance, vectorised.</summary>
    public static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int w = Vector<float>.Count, i = 0;
        var acc = Vector<float>.Zero;
        for (; i <= a.Length - w; i += w)
        {
            var d = new Vector<float>(a.Slice(i, w)) - new Vector<float>(b.Slice(i, w));
            acc += d * d;
        }
        double s = Vector.Dot(acc, Vector<float>.One);
        for (; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    private static double MeanVariance(float[] data, int n, int dim)
    {
        double total = 0;
        for (int f = 0; f < dim; f++)
        {
            double m = 0, m2 = 0;
            for (int i = 0; i < n; i++) { double v = data[i * dim + f]; m += v; m2 += v * v; }
            m /= n;
            total += Math.Max(0, m2 / n - m * m);
        }
        return total / dim;
    }

    /// <summary>
    /// A permutation map[j] of the clusters of <paramref name="labels"/> that best matches <paramref name="reference"/>
    /// (Hungarian method on their contingency table), so two readouts of one model share cluster indices.
    /// </summary>
    public static int[] MatchTo(int[] reference, int[] labels, int k)
    {
        var best = Evaluation.ClusteringMetrics.BestMap(reference, labels);
        var map = Enumerable.Repeat(-1, k).ToArray();
        foreach (var (from, to) in best)
            if (from >= 0 && from < k && to >= 0 && to < k) map[from] = to;
        var free = new Queue<int>(Enumerable.Range(0, k).Where(t => !map.Contains(t)));
        for (int j = 0; j < k; j++) if (map[j] < 0) map[j] = free.Dequeue();
        return map;
    }
}
