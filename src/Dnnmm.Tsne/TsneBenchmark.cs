using System.Diagnostics;

namespace Dnnmm.Tsne;

/// <summary>Figures of one <see cref="TsneBenchmark.Run"/>.</summary>
/// <param name="Seconds">Wall-clock time of the t-SNE fit alone (affinities + optimisation).</param>
/// <param name="NearestNeighbourAgreement">Leave-one-out 1-NN blob agreement in the embedding.</param>
/// <param name="Trustworthiness">Trustworthiness with k = 10 on <paramref name="TrustworthinessPoints"/> points.</param>
/// <param name="TrustworthinessPoints">All points up to 5,000; otherwise a seeded 1,000-point subsample.</param>
/// <param name="TrustworthinessSeconds">Time of the trustworthiness computation.</param>
public sealed record TsneBenchmarkResult(int N, int Features, int Clusters, TsneMethod Method, double Seconds, double KlDivergence,
    double NearestNeighbourAgreement, double Trustworthiness, int TrustworthinessPoints, double TrustworthinessSeconds);

/// <summary>A timing run of t-SNE on synthetic Gaussian blobs (not a test).</summary>
public static class TsneBenchmark
{
    /// <summary>
    /// <paramref name="n"/> points in 50 dimensions drawn from 10 unit-variance Gaussian blobs whose centres have
    /// N(0, 1) coordinates (centres about 10 apart), embedded with the default options (1,000 iterations, perplexity 30)
    /// and <paramref name="method"/> (Barnes-Hut unless said otherwise).
    /// </summary>
    public static TsneBenchmarkResult Run(int n = 5000, TsneMethod method = TsneMethod.BarnesHut, int seed = 1)
    {
        const int features = 50, clusters = 10;
        var (data, labels) = Blobs(n, features, clusters, seed);
        var options = new TsneOptions { Method = method, Seed = seed };
        var sw = Stopwatch.StartNew();
        var result = TsneEmbedding.Fit(data, n, features, options);
        double seconds = sw.Elapsed.TotalSeconds;

        double agreement = Trustworthiness.NearestNeighbourAgreement(result.Embedding, labels);
        int m = n <= 5000 ? n : 1000;
        int[] rows = Enumerable.Range(0, n).ToArray();
        if (m < n)
        {
            new Random(seed + 1).Shuffle(rows);
            rows = rows[..m];
        }
        var high = new float[m * features];
        var low = new float[m * 2];
        for (int r = 0; r < m; r++)
        {
            Array.Copy(data, rows[r] * features, high, r * features, features);
            low[2 * r] = (float)result.Embedding[rows[r], 0];
            low[2 * r + 1] = (float)result.Embedding[rows[r], 1];
        }
        sw.Restart();
        double trust = Trustworthiness.Compute(high, low, m, features, 2, 10);
        double trustSeconds = sw.Elapsed.TotalSeconds;
        return new TsneBenchmarkResult(n, features, clusters, result.Method, seconds, result.KlDivergence, agreement, trust, m, trustSeconds);
    }

    /// <summary>Gaussian blobs: point i belongs to blob i mod <paramref name="clusters"/>.</summary>
    public static (float[] data, int[] labels) Blobs(int n, int features, int clusters, int seed)
    {
        var rng = new Random(seed);
        var centres = new double[clusters * features];
        for (int e = 0; e < centres.Length; e++) centres[e] = TsneEmbedding.Gaussian(rng);
        var data = new float[n * features];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % clusters;
            labels[i] = c;
            for (int f = 0; f < features; f++)
                data[i * features + f] = (float)(centres[c * features + f] + TsneEmbedding.Gaussian(rng));
        }
        return (data, labels);
    }
}
