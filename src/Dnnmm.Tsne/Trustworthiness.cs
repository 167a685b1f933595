namespace Dnnmm.Tsne;

/// <summary>Quality measures of an embedding.</summary>
public static class Trustworthiness
{
    /// <summary>
    /// Trustworthiness (Venna &amp; Kaski), as scikit-learn's sklearn.manifold.trustworthiness with the Euclidean metric:
    /// T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in U_i^k} (r(i, j) - k), where r(i, j) is the rank of j among
    /// i's neighbours in the input space (1 = nearest) and U_i^k the points among i's k nearest in the embedding that
    /// are not among its k nearest in the input space. Equal distances are ordered by point index (scikit-learn leaves
    /// that order to its sort). Both arrays are row-major (n x dimHigh, n x dimLow). Requires 1 &lt;= k &lt; n / 2.
    /// O(n^2 (dimHigh + dimLow + k)) time, O(n) memory per thread.
    /// </summary>
    public static double Compute(float[] high, float[] low, int n, int dimHigh, int dimLow, int k)
    {
        ArgumentNullException.ThrowIfNull(high);
        ArgumentNullException.ThrowIfNull(low);
        if (n < 1) throw new ArgumentException($"n must be positive, got {n}.", nameof(n));
        if (dimHigh < 1 || (long)n * dimHigh != high.Length)
            throw new ArgumentException($"high has {high.Length} values, expected n x dimHigh = {n} x {dimHigh}.", nameof(high));
        if (dimLow < 1 || (long)n * dimLow != low.Length)
            throw new ArgumentException($"low has {low.Length} values, expected n x dimLow = {n} x {dimLow}.", nameof(low));
        return Core(ToDouble(high), dimHigh, ToDouble(low), dimLow, n, k);
    }

    /// <summary>As <see cref="Compute(float[], float[], int, int, int, int)"/> for row-per-point matrices (e.g. an embedding from <see cref="TsneEmbedding"/>).</summary>
    public static double Compute(double[,] high, double[,] low, int k)
    {
        ArgumentNullException.ThrowIfNull(high);
        ArgumentNullException.ThrowIfNull(low);
        int n = high.GetLength(0);
        if (low.GetLength(0) != n)
            throw new ArgumentException($"high has {n} rows but low has {low.GetLength(0)}.", nameof(low));
        if (high.GetLength(1) < 1 || low.GetLength(1) < 1) throw new ArgumentException("Both spaces need at least one column.");
        return Core(TsneEmbedding.Flatten(high), high.GetLength(1), TsneEmbedding.Flatten(low), low.GetLength(1), n, k);
    }

    /// <summary>
    /// Leave-one-out 1-nearest-neighbour class agreement in the embedding: the fraction of points whose nearest other
    /// point (Euclidean; ties to the lower index) has the same label.
    /// </summary>
    public static double NearestNeighbourAgreement(double[,] embedding, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(labels);
        int n = embedding.GetLength(0), d = embedding.GetLength(1);
        if (labels.Length != n) throw new ArgumentException($"{labels.Length} labels for {n} points.", nameof(labels));
        if (n < 2) throw new ArgumentException("Nearest-neighbour agreement needs at least 2 points.", nameof(embedding));
        var y = TsneEmbedding.Flatten(embedding);
        var hit = new int[n];
        Parallel.For(0, n, i =>
        {
            int best = -1;
            double bestD = double.PositiveInfinity;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double s = TsneAffinities.SquaredDistance(y.AsSpan(i * d, d), y.AsSpan(j * d, d));
                if (s < bestD) { bestD = s; best = j; }
            }
            hit[i] = best >= 0 && labels[best] == labels[i] ? 1 : 0; // best < 0 only for non-finite coordinates
        });
        return (double)hit.Sum() / n;
    }

    private static double[] ToDouble(float[] a)
    {
        var d = new double[a.Length];
        for (int i = 0; i < a.Length; i++) d[i] = a[i];
        return d;
    }

    private static double Core(double[] x, int dx, double[] y, int dy, int n, int k)
    {
        if (k < 1 || k >= n / 2.0)
            throw new ArgumentException($"k must satisfy 1 <= k < n / 2 (n = {n}), got {k}.", nameof(k));
        var penalty = new long[n];
        Parallel.For(0, n, () => (dh: new double[n], dl: new double[n], nb: new int[k], nbd: new double[k]), (i, _, buf) =>
        {
            var (dh, dl, nb, nbd) = buf;
            for (int j = 0; j < n; j++)
            {
                dl[j] = j == i ? double.PositiveInfinity : TsneAffinities.SquaredDistance(y.AsSpan(i * dy, dy), y.AsSpan(j * dy, dy));
                dh[j] = j == i ? double.PositiveInfinity : TsneAffinities.SquaredDistance(x.AsSpan(i * dx, dx), x.AsSpan(j * dx, dx));
            }
            // k nearest in the embedding, ordered by (distance, index): insertion into a sorted list of k.
            int size = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double d = dl[j];
                if (size == k && !(d < nbd[k - 1])) continue; // ties keep the lower index, seen first
                int pos = size < k ? size++ : k - 1;
                while (pos > 0 && nbd[pos - 1] > d)
                {
                    nbd[pos] = nbd[pos - 1];
                    nb[pos] = nb[pos - 1];
                    pos--;
                }
                nbd[pos] = d;
                nb[pos] = j;
            }
            long pen = 0;
            for (int t = 0; t < k; t++)
            {
                int j = nb[t];
                double d = dh[j];
                // rank of j among i's input-space neighbours: 1 + #{l != i : (dh[l], l) < (dh[j], j)}
                int rank = 1;
                for (int l = 0; l < n; l++)
                {
                    double e = dh[l];
                    if (e < d || (e == d && l < j)) rank++;
                }
                if (rank > k) pen += rank - k;
            }
            penalty[i] = pen;
            return buf;
        }, _ => { });
        double total = 0;
        for (int i = 0; i < n; i++) total += penalty[i];
        return 1.0 - total * (2.0 / ((double)n * k * (2.0 * n - 3.0 * k - 1.0)));
    }
}
