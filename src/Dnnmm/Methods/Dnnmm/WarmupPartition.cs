using Dnnmm.Evaluation;
using Dnnmm.Tsne;

namespace Dnnmm.Methods.Dnnmm;

/// <summary>
/// The partitions of the unlabelled images that the warm-up epochs train on (<see cref="MembershipInit"/>): k-means
/// on the pixels, or k-means on a 2-D t-SNE map of the pixels' leading principal components. All deterministic in the seed.
/// </summary>
public static class WarmupPartition
{
    /// <summary>
    /// The projection of the rows of <paramref name="x"/> (N x D) on their <paramref name="components"/> leading
    /// principal components (eigenvectors of the covariance, largest eigenvalue first), N x components. Signs are
    /// fixed so that each component's largest-magnitude loading is positive.
    /// </summary>
    public static Tensor Pca(Tensor x, int components)
    {
        using var scope = NewDisposeScope();
        var flat = x.reshape(x.shape[0], -1).to_type(ScalarType.Float64).cpu();
        int d = (int)flat.shape[1];
        if (components < 1 || components > d) throw new ArgumentException($"components {components} must be in [1, {d}]");
        var centred = flat - flat.mean(new long[] { 0 }, keepdim: true);
        var cov = centred.t().matmul(centred).div(Math.Max(1, flat.shape[0] - 1));
        var (_, vectors) = linalg.eigh(cov);                       // ascending eigenvalues
        var top = vectors.narrow(1, d - components, components).flip(1); // largest first
        var maxRow = top.abs().argmax(0);
        var signs = top.gather(0, maxRow.unsqueeze(0)).sign();
        signs = where(signs.eq(0), ones_like(signs), signs);
        return centred.matmul(top.mul(signs)).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// k-means (k-means++, 30 restarts) on a 2-D Barnes-Hut t-SNE map (perplexity 30, exaggeration 4, 1000 iterations, seeded) of the
    /// images' first <paramref name="pcaComponents"/> principal components: neighbouring images (same digit in
    /// another hand) stay together in the map where k-means on the pixels splits them by stroke width and slant.
    /// </summary>
    public static int[] TsneKMeans(Tensor images, int k, int pcaComponents, int seed) =>
        TsneKMeans(images, k, pcaComponents, new[] { seed })[0];

    /// <summary>
    /// <see cref="TsneKMeans(Tensor, int, int, int)"/> for several seeds: one partition per seed, each from its own
    /// t-SNE map and k-means; the principal components are computed once.
    /// </summary>
    public static IReadOnlyList<int[]> TsneKMeans(Tensor images, int k, int pcaComponents, IReadOnlyList<int> seeds) =>
        TsneKMeansWithPcs(images, k, pcaComponents, seeds).Partitions;

    /// <summary>
    /// <see cref="TsneKMeans(Tensor, int, int, IReadOnlyList{int})"/>, also returning the principal components the maps
    /// started from (N x C, row-major), the space in which <see cref="NeighbourAgreement"/> judges the partitions.
    /// </summary>
    public static (IReadOnlyList<int[]> Partitions, float[] Pcs, int Dims) TsneKMeansWithPcs(Tensor images, int k, int pcaComponents, IReadOnlyList<int> seeds)
    {
        int n = (int)images.shape[0];
        int pixels = (int)(images.numel() / Math.Max(1, n));
        using var pcs = Pca(images, Math.Min(pcaComponents, Math.Min(pixels, n)));
        var data = pcs.contiguous().data<float>().ToArray();
        int dims = (int)pcs.shape[1];
        return (seeds.Select(seed => TsneKMeansOnRows(data, n, dims, k, seed)).ToList(), data, dims);
    }

    /// <summary>
    /// The <paramref name="k"/> nearest neighbours (Euclidean, the point itself left out) of each of the
    /// <paramref name="n"/> rows of <paramref name="rows"/> (N x dims, row-major), nearest first; equal distances in
    /// the lower index first. Brute force in blocks of rows of at most 2e7 distances (N = 10,000 at 50 dimensions: about
    /// a second; 60,000: about a minute on 2 cores), keeping only the k smallest of each row.
    /// </summary>
    public static int[][] NearestNeighbours(float[] rows, int n, int dims, int k)
    {
        if (k < 1 || k >= n) throw new ArgumentException($"k {k} must be in [1, {n - 1}]");
        using var scope = NewDisposeScope();
        var x = tensor(rows, new long[] { n, dims }).to_type(ScalarType.Float64);
        var sq = x.mul(x).sum(1);
        var result = new int[n][];
        int block = Math.Max(1, 20_000_000 / n);
        for (int s = 0; s < n; s += block)
        {
            int b = Math.Min(block, n - s);
            using var inner = NewDisposeScope();
            var xb = x.narrow(0, s, b);
            var d = sq.narrow(0, s, b).unsqueeze(1) - 2 * xb.matmul(x.t()) + sq.unsqueeze(0);
            d.index_put_(double.PositiveInfinity, arange(b), arange(s, s + b)); // not its own neighbour
            var (values, indices) = d.topk(k, dim: 1, largest: false, sorted: true);
            var dist = values.contiguous().data<double>().ToArray();
            var idx = indices.to_type(ScalarType.Int32).contiguous().data<int>().ToArray();
            for (int i = 0; i < b; i++)
            {
                var order = Enumerable.Range(i * k, k).OrderBy(j => dist[j]).ThenBy(j => idx[j]);
                result[s + i] = order.Select(j => idx[j]).ToArray();
            }
        }
        return result;
    }

    /// <summary>
    /// The fraction of (image, neighbour) pairs of <paramref name="neighbours"/> that <paramref name="partition"/> puts
    /// in the same cluster. Needs no label: a cut through a dense region of the space (one class split in two) parts
    /// many neighbours, a cut along a gap between classes few, while merging two classes parts none; of partitions
    /// into the same number of clusters, the one whose boundaries run through the gaps scores highest.
    /// </summary>
    public static double NeighbourAgreement(int[][] neighbours, int[] partition)
    {
        if (neighbours.Length != partition.Length) throw new ArgumentException($"{neighbours.Length} neighbour lists for {partition.Length} images");
        long same = 0, all = 0;
        for (int i = 0; i < neighbours.Length; i++)
            foreach (int j in neighbours[i]) { all++; if (partition[j] == partition[i]) same++; }
        return all == 0 ? 1 : (double)same / all;
    }

    /// <summary>
    /// The entropy of the cluster sizes of <paramref name="partition"/> over <paramref name="k"/> clusters, divided by
    /// log k: 1 when every cluster has the same size, lower when one cluster holds two classes and two others share one.
    /// </summary>
    public static double SizeEvenness(int[] partition, int k)
    {
        if (k < 2) throw new ArgumentException($"k {k} must be at least 2");
        var counts = new double[k];
        foreach (int c in partition)
        {
            if (c < 0 || c >= k) throw new ArgumentException($"cluster {c} outside [0, {k - 1}]");
            counts[c]++;
        }
        double h = 0;
        foreach (double n in counts) if (n > 0) { double p = n / partition.Length; h -= p * Math.Log(p); }
        return h / Math.Log(k);
    }

    /// <summary>Of several partitions, the index of the largest score (the first on a tie).</summary>
    public static int ArgMax(IReadOnlyList<double> scores)
    {
        if (scores.Count == 0) throw new ArgumentException("no partition to choose from");
        int best = 0;
        for (int i = 1; i < scores.Count; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }

    /// <summary>Of several partitions, the index of the one with the largest <see cref="NeighbourAgreement"/> (the first on a tie), and every score.</summary>
    public static (int Index, double[] Agreement) MostNeighbourly(int[][] neighbours, IReadOnlyList<int[]> partitions)
    {
        if (partitions.Count == 0) throw new ArgumentException("no partition to choose from");
        var scores = partitions.Select(p => NeighbourAgreement(neighbours, p)).ToArray();
        return (ArgMax(scores), scores);
    }

    /// <summary>
    /// Of several partitions of the same images, the index of the one that agrees most with the others (the largest
    /// sum of normalised mutual information to the rest; the first such on a tie). Needs no label: when most maps cut
    /// the data the same way and one cuts it wrongly, the wrong one agrees least (a medoid partition, as in consensus
    /// clustering, Strehl and Ghosh 2002). Also returns each partition's mean NMI to the others.
    /// </summary>
    public static (int Index, double[] Agreement) Consensus(IReadOnlyList<int[]> partitions)
    {
        if (partitions.Count == 0) throw new ArgumentException("no partition to choose from");
        int m = partitions.Count;
        var agreement = new double[m];
        for (int a = 0; a < m; a++)
            for (int b = a + 1; b < m; b++)
            {
                double nmi = ClusteringMetrics.NormalizedMutualInfo(partitions[a], partitions[b]);
                agreement[a] += nmi / (m - 1);
                agreement[b] += nmi / (m - 1);
            }
        int best = 0;
        for (int i = 1; i < m; i++) if (agreement[i] > agreement[best]) best = i;
        return (best, agreement);
    }

    private static int[] TsneKMeansOnRows(float[] data, int n, int dims, int k, int seed)
    {
        var options = new TsneOptions
        {
            Method = n > TsneOptions.ExactMaxPoints ? TsneMethod.BarnesHut : TsneMethod.Exact,
            Perplexity = Math.Min(30, (n - 1) / 3.0),
            // Exaggeration 4 all through (Boehm et al. 2022): tighter, UMAP-like islands that k-means separates better
            // than the standard schedule's (12 for 250 iterations): 0.83 against 0.78 on the development digits.
            EarlyExaggeration = 4,
            ExaggerationIterations = 1000,
            Iterations = 1000,
            Seed = seed,
        };
        var map = TsneEmbedding.Embed(data, n, dims, options);
        var flat = new float[n * 2];
        for (int i = 0; i < n; i++) { flat[2 * i] = (float)map[i, 0]; flat[2 * i + 1] = (float)map[i, 1]; }
        return KMeansClustering.Fit(flat, 2, k, seed, restarts: 30).Labels;
    }
}
