using System.Numerics;
using System.Runtime.InteropServices;

namespace Dnnmm.Tsne;

/// <summary>Symmetric joint probabilities P in compressed-sparse-row form (columns sorted in each row).</summary>
internal sealed class TsneSparseP
{
    public TsneSparseP(int n, int[] rowStart, int[] columns, double[] values)
    {
        N = n;
        RowStart = rowStart;
        Columns = columns;
        Values = values;
    }

    public int N { get; }
    public int[] RowStart { get; }
    public int[] Columns { get; }
    public double[] Values { get; }
}

/// <summary>Input-space affinities: perplexity calibration, dense exact P, sparse k-nearest-neighbour P.</summary>
internal static class TsneAffinities
{
    /// <summary>Tolerance on the entropy (nats) of a calibrated row. scikit-learn uses 1e-5.</summary>
    public const double EntropyTolerance = 1e-8;

    public const int MaxCalibrationSteps = 200;

    /// <summary>
    /// Fills <paramref name="p"/> with p_j = exp(-beta d_j) / sum_l exp(-beta d_l), beta found by bisection so that the
    /// entropy H = -sum p log p equals log(perplexity) (scikit-learn's _binary_search_perplexity, with distances shifted
    /// by their minimum for numerical safety). <paramref name="squaredDistances"/> must exclude the point itself.
    /// Returns beta.
    /// </summary>
    public static double Calibrate(ReadOnlySpan<double> squaredDistances, double perplexity, Span<double> p)
    {
        int m = squaredDistances.Length;
        if (m == 0) return 1.0;
        double dmin = double.PositiveInfinity;
        for (int j = 0; j < m; j++) if (squaredDistances[j] < dmin) dmin = squaredDistances[j];

        double target = Math.Log(perplexity);
        double beta = 1.0, betaMin = double.NegativeInfinity, betaMax = double.PositiveInfinity;
        double betaUsed = beta, sum = 1.0;
        for (int step = 0; step < MaxCalibrationSteps; step++)
        {
            betaUsed = beta;
            sum = 0.0;
            double sumDp = 0.0;
            for (int j = 0; j < m; j++)
            {
                double d = squaredDistances[j] - dmin;
                double e = Math.Exp(-d * beta);
                p[j] = e;
                sum += e;
                sumDp += d * e;
            }
            // sum >= 1: the nearest neighbour contributes exp(0).
            double entropy = Math.Log(sum) + beta * sumDp / sum;
            double diff = entropy - target;
            if (Math.Abs(diff) <= EntropyTolerance) break;
            if (diff > 0)
            {
                betaMin = beta;
                beta = double.IsPositiveInfinity(betaMax) ? beta * 2.0 : (beta + betaMax) / 2.0;
            }
            else
            {
                betaMax = beta;
                beta = double.IsNegativeInfinity(betaMin) ? beta / 2.0 : (beta + betaMin) / 2.0;
            }
        }
        double inv = 1.0 / sum;
        for (int j = 0; j < m; j++) p[j] *= inv;
        return betaUsed;
    }

    public static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int len = a.Length, k = 0;
        double s = 0.0;
        int w = Vector<double>.Count;
        if (Vector.IsHardwareAccelerated && len >= w)
        {
            var acc = Vector<double>.Zero;
            var va = MemoryMarshal.Cast<double, Vector<double>>(a);
            var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
            for (int v = 0; v < va.Length; v++)
            {
                var d = va[v] - vb[v];
                acc += d * d;
            }
            s = Vector.Sum(acc);
            k = va.Length * w;
        }
        for (; k < len; k++)
        {
            double d = a[k] - b[k];
            s += d * d;
        }
        return s;
    }

    /// <summary>Dense symmetric P (n*n, row-major, zero diagonal): conditional rows over all other points, then (P + P^T) / sum.</summary>
    public static double[] ExactJointP(double[] x, int n, int dim, double perplexity)
    {
        var p = new double[(long)n * n];
        Parallel.For(0, n, () => (dist: new double[n - 1], row: new double[n - 1]), (i, _, buf) =>
        {
            var xi = x.AsSpan(i * dim, dim);
            int t = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                buf.dist[t++] = SquaredDistance(xi, x.AsSpan(j * dim, dim));
            }
            Calibrate(buf.dist, perplexity, buf.row);
            t = 0;
            long off = (long)i * n;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                p[off + j] = buf.row[t++];
            }
            return buf;
        }, _ => { });

        double total = 0.0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double v = p[(long)i * n + j] + p[(long)j * n + i];
                p[(long)i * n + j] = v;
                p[(long)j * n + i] = v;
                total += 2 * v;
            }
        double inv = 1.0 / total;
        for (long q = 0; q < p.LongLength; q++) p[q] *= inv;
        return p;
    }

    /// <summary>Number of neighbours used by Barnes-Hut (scikit-learn: min(n - 1, int(3 * perplexity + 1))).</summary>
    public static int NeighbourCount(int n, double perplexity) => (int)Math.Min(n - 1, Math.Floor(3.0 * perplexity + 1.0));

    /// <summary>
    /// Exact k nearest neighbours (squared Euclidean, ties broken by index) of every point, O(n^2 dim) in parallel.
    /// Row i of the results lists its neighbours nearest first.
    /// </summary>
    public static (int[] index, double[] sqDist) NearestNeighbours(double[] x, int n, int dim, int k)
    {
        var index = new int[n * k];
        var sqDist = new double[n * k];
        Parallel.For(0, n, () => (hd: new double[k], hi: new int[k]), (i, _, buf) =>
        {
            var xi = x.AsSpan(i * dim, dim);
            // Max-heap of the k best (distance, index) seen so far.
            int size = 0;
            var hd = buf.hd;
            var hi = buf.hi;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double d = SquaredDistance(xi, x.AsSpan(j * dim, dim));
                if (size < k)
                {
                    int c = size++;
                    while (c > 0)
                    {
                        int parent = (c - 1) >> 1;
                        if (!Worse(d, j, hd[parent], hi[parent])) break;
                        hd[c] = hd[parent]; hi[c] = hi[parent];
                        c = parent;
                    }
                    hd[c] = d; hi[c] = j;
                }
                else if (Worse(hd[0], hi[0], d, j))
                {
                    SiftDown(hd, hi, size, d, j);
                }
            }
            // Pop the heap: worst first, so fill from the back.
            for (int r = size - 1; r >= 0; r--)
            {
                sqDist[i * k + r] = hd[0];
                index[i * k + r] = hi[0];
                double ld = hd[r];
                int li = hi[r];
                SiftDown(hd, hi, r, ld, li);
            }
            return buf;
        }, _ => { });
        return (index, sqDist);
    }

    // (d1, i1) ranks after (d2, i2).
    private static bool Worse(double d1, int i1, double d2, int i2) => d1 > d2 || (d1 == d2 && i1 > i2);

    // Replace the root of a max-heap of the given size by (d, j) and restore the heap.
    private static void SiftDown(double[] hd, int[] hi, int size, double d, int j)
    {
        int c = 0;
        while (true)
        {
            int l = 2 * c + 1;
            if (l >= size) break;
            int r = l + 1;
            int big = r < size && Worse(hd[r], hi[r], hd[l], hi[l]) ? r : l;
            if (!Worse(hd[big], hi[big], d, j)) break;
            hd[c] = hd[big]; hi[c] = hi[big];
            c = big;
        }
        if (size > 0) { hd[c] = d; hi[c] = j; }
    }

    /// <summary>Sparse symmetric P from the k = 3*perplexity nearest neighbours: calibrated conditional rows, then (P + P^T) / sum.</summary>
    public static TsneSparseP KnnJointP(double[] x, int n, int dim, double perplexity)
    {
        int k = NeighbourCount(n, perplexity);
        var (index, sqDist) = NearestNeighbours(x, n, dim, k);
        var cond = new double[n * k];
        Parallel.For(0, n, i => Calibrate(sqDist.AsSpan(i * k, k), perplexity, cond.AsSpan(i * k, k)));

        // Sort each conditional row by column.
        Parallel.For(0, n, i => Array.Sort(index, cond, i * k, k));

        // Transpose (columns of each transposed row come out sorted because rows are visited in order).
        var tStart = new int[n + 1];
        for (int e = 0; e < n * k; e++) tStart[index[e] + 1]++;
        for (int i = 0; i < n; i++) tStart[i + 1] += tStart[i];
        var tCol = new int[n * k];
        var tVal = new double[n * k];
        var fill = (int[])tStart.Clone();
        for (int i = 0; i < n; i++)
            for (int e = i * k; e < (i + 1) * k; e++)
            {
                int pos = fill[index[e]]++;
                tCol[pos] = i;
                tVal[pos] = cond[e];
            }

        // Merge row i of P and of P^T.
        var rowStart = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int a = i * k, aEnd = a + k, b = tStart[i], bEnd = tStart[i + 1], c = 0;
            while (a < aEnd || b < bEnd)
            {
                if (b >= bEnd || (a < aEnd && index[a] < tCol[b])) a++;
                else if (a >= aEnd || tCol[b] < index[a]) b++;
                else { a++; b++; }
                c++;
            }
            rowStart[i + 1] = rowStart[i] + c;
        }
        var cols = new int[rowStart[n]];
        var vals = new double[rowStart[n]];
        double total = 0.0;
        for (int i = 0; i < n; i++)
        {
            int a = i * k, aEnd = a + k, b = tStart[i], bEnd = tStart[i + 1], c = rowStart[i];
            while (a < aEnd || b < bEnd)
            {
                if (b >= bEnd || (a < aEnd && index[a] < tCol[b])) { cols[c] = index[a]; vals[c] = cond[a]; a++; }
                else if (a >= aEnd || tCol[b] < index[a]) { cols[c] = tCol[b]; vals[c] = tVal[b]; b++; }
                else { cols[c] = index[a]; vals[c] = cond[a] + tVal[b]; a++; b++; }
                total += vals[c];
                c++;
            }
        }
        double inv = 1.0 / total;
        for (int e = 0; e < vals.Length; e++) vals[e] *= inv;
        return new TsneSparseP(n, rowStart, cols, vals);
    }
}
