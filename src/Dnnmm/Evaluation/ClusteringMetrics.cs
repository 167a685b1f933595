namespace Dnnmm.Evaluation;

/// <summary>Clustering accuracy, adjusted Rand index and normalised mutual information of one labelling.</summary>
public sealed record ClusteringScores(double Acc, double Ari, double Nmi);

/// <summary>
/// External clustering metrics comparing predicted cluster labels with true class labels.
/// Labels may be any ints, not necessarily contiguous. ARI and NMI follow scikit-learn's
/// <c>adjusted_rand_score</c> and <c>normalized_mutual_info_score</c> (arithmetic mean, natural log).
/// </summary>
/// <remarks>Every method throws <see cref="ArgumentException"/> for null, empty or different-length label arrays.</remarks>
public static class ClusteringMetrics
{
    /// <summary>The (true class x predicted cluster) contingency table.</summary>
    public static ContingencyTable Contingency(int[] truth, int[] predicted) => ContingencyTable.Build(truth, predicted);

    /// <summary>ACC, ARI and NMI computed from one contingency table.</summary>
    public static ClusteringScores Score(int[] truth, int[] predicted)
    {
        var table = Contingency(truth, predicted);
        return new ClusteringScores(Accuracy(table), AdjustedRandIndex(table), NormalizedMutualInfo(table));
    }

    /// <summary>
    /// Clustering accuracy: the fraction of samples correctly labelled under the best one-to-one
    /// map of clusters to classes (Hungarian algorithm on the contingency table). When there are
    /// more clusters than classes, the samples of unmatched clusters count as wrong.
    /// Costs O(K^3) in the number K of distinct labels.
    /// </summary>
    public static double Accuracy(int[] truth, int[] predicted) => Accuracy(Contingency(truth, predicted));

    /// <inheritdoc cref="Accuracy(int[], int[])"/>
    public static double Accuracy(ContingencyTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        int[] clusterToClass = MatchClusters(table);
        var counts = table.ToMatrix();
        long matched = 0;
        for (int j = 0; j < clusterToClass.Length; j++)
        {
            if (clusterToClass[j] >= 0)
                matched += counts[clusterToClass[j], j];
        }
        return (double)matched / table.SampleCount;
    }

    /// <summary>
    /// The best one-to-one map from predicted cluster label to true class label, as used by
    /// <see cref="Accuracy(int[], int[])"/>. Clusters left unmatched (more clusters than classes) are absent.
    /// </summary>
    public static IReadOnlyDictionary<int, int> BestMap(int[] truth, int[] predicted)
    {
        var table = Contingency(truth, predicted);
        int[] clusterToClass = MatchClusters(table);
        var map = new Dictionary<int, int>();
        for (int j = 0; j < clusterToClass.Length; j++)
        {
            if (clusterToClass[j] >= 0)
                map[table.ClusterArray[j]] = table.ClassArray[clusterToClass[j]];
        }
        return map;
    }

    /// <summary>
    /// Adjusted Rand index, as scikit-learn computes it from the pair confusion matrix:
    /// 2 (TP TN - FN FP) / ((TP + FN)(FN + TN) + (TP + FP)(FP + TN)), and exactly 1.0 when no pair
    /// is split differently (FN = FP = 0: identical partitions, including one cluster each or all singletons).
    /// </summary>
    public static double AdjustedRandIndex(int[] truth, int[] predicted) => AdjustedRandIndex(Contingency(truth, predicted));

    /// <inheritdoc cref="AdjustedRandIndex(int[], int[])"/>
    public static double AdjustedRandIndex(ContingencyTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        long n = table.SampleCount;
        long sumSquares = 0, rowSquares = 0, colSquares = 0;
        foreach (var c in table.CellArray) sumSquares += (long)c.Count * c.Count;
        foreach (int a in table.ClassSizeArray) rowSquares += (long)a * a;
        foreach (int b in table.ClusterSizeArray) colSquares += (long)b * b;

        // Ordered pairs of distinct samples: same in both / same only in pred / same only in truth / split in both.
        long tp = sumSquares - n;
        long fp = colSquares - sumSquares;
        long fn = rowSquares - sumSquares;
        long tn = n * n - fp - fn - sumSquares;
        if (fn == 0 && fp == 0)
            return 1.0;

        // Products reach ~n^4, beyond long for large n.
        Int128 numerator = (Int128)tp * tn - (Int128)fn * fp;
        Int128 denominator = (Int128)(tp + fn) * (fn + tn) + (Int128)(tp + fp) * (fp + tn);
        return 2.0 * (double)numerator / (double)denominator;
    }

    /// <summary>
    /// Normalised mutual information MI / mean(H(truth), H(predicted)), natural log, as in
    /// scikit-learn with average_method='arithmetic': 1.0 when both labellings are a single
    /// cluster, 0.0 whenever the mutual information is 0. Agrees with scikit-learn to ~1e-15;
    /// exactly independent labellings give exactly 0 (see <see cref="MutualInfo"/>).
    /// </summary>
    public static double NormalizedMutualInfo(int[] truth, int[] predicted) => NormalizedMutualInfo(Contingency(truth, predicted));

    /// <inheritdoc cref="NormalizedMutualInfo(int[], int[])"/>
    public static double NormalizedMutualInfo(ContingencyTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.ClassArray.Length == 1 && table.ClusterArray.Length == 1)
            return 1.0;  // no split on either side: a perfect match
        double mi = MutualInfo(table);
        if (mi == 0)
            return 0.0;
        double normalizer = (Entropy(table.ClassSizeArray) + Entropy(table.ClusterSizeArray)) / 2;
        return mi / normalizer;
    }

    /// <summary>
    /// Mutual information (nats): sum over cells of (n_ij / N) log(N n_ij / (a_i b_j)). The ratio is
    /// formed from exact integer products, so independent cells contribute exactly 0; otherwise
    /// this agrees with scikit-learn's mutual_info_score to rounding, including its dropping of
    /// terms below machine epsilon and clipping at 0.
    /// </summary>
    public static double MutualInfo(ContingencyTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        int[] rowSums = table.ClassSizeArray, colSums = table.ClusterSizeArray;
        if (rowSums.Length == 1 || colSums.Length == 1)
            return 0.0;  // a single cluster has zero entropy, so MI = 0
        long n = table.SampleCount;
        double total = 0;
        foreach (var c in table.CellArray)
        {
            double ratio = (double)(c.Count * n) / (double)((long)rowSums[c.Row] * colSums[c.Column]);
            double term = (double)c.Count / n * Math.Log(ratio);
            if (Math.Abs(term) >= MachineEpsilon)
                total += term;
        }
        return Math.Max(total, 0.0);
    }

    /// <summary>Shannon entropy (nats) of a labelling given its cluster sizes; 0 for a single cluster.</summary>
    private static double Entropy(int[] sizes)
    {
        if (sizes.Length == 1)
            return 0.0;
        double sum = 0;
        foreach (int s in sizes) sum += s;
        double logSum = Math.Log(sum), h = 0;
        foreach (int s in sizes)
            h += s / sum * (Math.Log(s) - logSum);
        return -h;
    }

    /// <summary>numpy's finfo(float64).eps = 2^-52 (not <see cref="double.Epsilon"/>, the smallest subnormal).</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>For each cluster (column) index, the matched class (row) index or -1, maximising matched samples.</summary>
    private static int[] MatchClusters(ContingencyTable table)
    {
        int classes = table.ClassArray.Length, clusters = table.ClusterArray.Length;
        var profit = new double[clusters, classes];
        foreach (var c in table.CellArray)
            profit[c.Column, c.Row] = c.Count;
        return Hungarian.SolveMaximum(profit);
    }
}
