namespace Dnnmm.Tsne;

/// <summary>
/// PCA initialisation for t-SNE: leading principal components by subspace iteration (never forming the covariance)
/// plus a Rayleigh-Ritz step, signs fixed so that each column's largest-magnitude entry is positive, scaled so that
/// the first coordinate has standard deviation 1e-4 (scikit-learn's init="pca").
/// </summary>
internal static class TsnePca
{
    private const int MaxIterations = 300;
    private const int Chunks = 16;

    public static double[] Initialise(double[] x, int n, int dim, int m, int seed)
    {
        if (m > Math.Min(n, dim))
            throw new ArgumentException($"PCA initialisation needs Dimensions ({m}) <= min(points, features) = {Math.Min(n, dim)}.", "options");
        var mean = new double[dim];
        for (int i = 0; i < n; i++)
            for (int f = 0; f < dim; f++)
                mean[f] += x[i * dim + f];
        for (int f = 0; f < dim; f++) mean[f] /= n;

        var rng = new Random(seed);
        var q = new double[dim * m];
        for (int e = 0; e < q.Length; e++) q[e] = TsneEmbedding.Gaussian(rng);
        Orthonormalise(q, dim, m, rng);

        var z = new double[n * m];
        var w = new double[dim * m];
        for (int it = 0; it < MaxIterations; it++)
        {
            Project(x, mean, n, dim, q, m, z);
            BackProject(x, mean, n, dim, z, m, w);
            Orthonormalise(w, dim, m, rng);
            // Converged when the new basis spans the old one: |Q^T W| has singular values ~1; check sum of squares.
            double overlap = 0.0;
            for (int a = 0; a < m; a++)
                for (int b = 0; b < m; b++)
                {
                    double s = 0.0;
                    for (int f = 0; f < dim; f++) s += q[f * m + a] * w[f * m + b];
                    overlap += s * s;
                }
            (q, w) = (w, q);
            if (m - overlap < 1e-14) break;
        }

        // Rayleigh-Ritz: rotate the basis to the eigenvectors of B = (Xc Q)^T (Xc Q).
        Project(x, mean, n, dim, q, m, z);
        var bm = new double[m * m];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
            {
                double s = 0.0;
                for (int i = 0; i < n; i++) s += z[i * m + a] * z[i * m + b];
                bm[a * m + b] = s;
            }
        var (values, vectors) = JacobiEigen(bm, m);
        var order = Enumerable.Range(0, m).OrderByDescending(k => values[k]).ToArray();
        var y = new double[n * m];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < m; c++)
            {
                double s = 0.0;
                for (int a = 0; a < m; a++) s += z[i * m + a] * vectors[a * m + order[c]];
                y[i * m + c] = s;
            }

        for (int c = 0; c < m; c++)
        {
            int arg = 0;
            for (int i = 1; i < n; i++) if (Math.Abs(y[i * m + c]) > Math.Abs(y[arg * m + c])) arg = i;
            if (y[arg * m + c] < 0) for (int i = 0; i < n; i++) y[i * m + c] = -y[i * m + c];
        }
        double mu = 0.0, var0 = 0.0;
        for (int i = 0; i < n; i++) mu += y[i * m];
        mu /= n;
        for (int i = 0; i < n; i++) var0 += (y[i * m] - mu) * (y[i * m] - mu);
        double std = Math.Sqrt(var0 / n);
        if (!(std > 0) || !double.IsFinite(std))
        {
            // Degenerate data (all points equal): fall back to the random initialisation.
            for (int e = 0; e < y.Length; e++) y[e] = 1e-4 * TsneEmbedding.Gaussian(rng);
            return y;
        }
        double scale = 1e-4 / std;
        for (int e = 0; e < y.Length; e++) y[e] *= scale;
        return y;
    }

    // z = (X - mean) q: n x m.
    private static void Project(double[] x, double[] mean, int n, int dim, double[] q, int m, double[] z)
    {
        var mq = new double[m];
        for (int c = 0; c < m; c++)
            for (int f = 0; f < dim; f++) mq[c] += mean[f] * q[f * m + c];
        Parallel.For(0, n, i =>
        {
            for (int c = 0; c < m; c++)
            {
                double s = 0.0;
                for (int f = 0; f < dim; f++) s += x[i * dim + f] * q[f * m + c];
                z[i * m + c] = s - mq[c];
            }
        });
    }

    // w = (X - mean)^T z: dim x m. Rows are split into fixed chunks whose partial sums are added in order (deterministic).
    private static void BackProject(double[] x, double[] mean, int n, int dim, double[] z, int m, double[] w)
    {
        int chunks = Math.Min(Chunks, n);
        var partial = new double[chunks][];
        Parallel.For(0, chunks, ch =>
        {
            var acc = new double[dim * m];
            int s = (int)((long)n * ch / chunks), e = (int)((long)n * (ch + 1) / chunks);
            for (int i = s; i < e; i++)
                for (int f = 0; f < dim; f++)
                {
                    double xv = x[i * dim + f];
                    for (int c = 0; c < m; c++) acc[f * m + c] += xv * z[i * m + c];
                }
            partial[ch] = acc;
        });
        Array.Clear(w);
        foreach (var acc in partial)
            for (int e = 0; e < w.Length; e++) w[e] += acc[e];
        var zs = new double[m];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < m; c++) zs[c] += z[i * m + c];
        for (int f = 0; f < dim; f++)
            for (int c = 0; c < m; c++) w[f * m + c] -= mean[f] * zs[c];
    }

    // Modified Gram-Schmidt on the m columns of a (rows x m, row-major).
    private static void Orthonormalise(double[] a, int rows, int m, Random rng)
    {
        for (int c = 0; c < m; c++)
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                for (int b = 0; b < c; b++)
                {
                    double dot = 0.0;
                    for (int r = 0; r < rows; r++) dot += a[r * m + c] * a[r * m + b];
                    for (int r = 0; r < rows; r++) a[r * m + c] -= dot * a[r * m + b];
                }
                double norm = 0.0;
                for (int r = 0; r < rows; r++) norm += a[r * m + c] * a[r * m + c];
                norm = Math.Sqrt(norm);
                if (norm > 1e-150)
                {
                    for (int r = 0; r < rows; r++) a[r * m + c] /= norm;
                    break;
                }
                // The column collapsed (rank-deficient data): restart it from noise.
                for (int r = 0; r < rows; r++) a[r * m + c] = TsneEmbedding.Gaussian(rng);
            }
        }
    }

    // Cyclic Jacobi for a small symmetric matrix; returns eigenvalues and eigenvectors (columns of vectors).
    private static (double[] values, double[] vectors) JacobiEigen(double[] a, int m)
    {
        var v = new double[m * m];
        for (int i = 0; i < m; i++) v[i * m + i] = 1.0;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0.0;
            for (int i = 0; i < m; i++)
                for (int j = i + 1; j < m; j++) off += a[i * m + j] * a[i * m + j];
            if (off < 1e-30) break;
            for (int p = 0; p < m; p++)
                for (int q = p + 1; q < m; q++)
                {
                    double apq = a[p * m + q];
                    if (apq == 0.0) continue;
                    double theta = (a[q * m + q] - a[p * m + p]) / (2.0 * apq);
                    double t = Math.Sign(theta == 0 ? 1.0 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1.0));
                    double c = 1.0 / Math.Sqrt(t * t + 1.0), s = t * c;
                    for (int k = 0; k < m; k++)
                    {
                        double akp = a[k * m + p], akq = a[k * m + q];
                        a[k * m + p] = c * akp - s * akq;
                        a[k * m + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < m; k++)
                    {
                        double apk = a[p * m + k], aqk = a[q * m + k];
                        a[p * m + k] = c * apk - s * aqk;
                        a[q * m + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < m; k++)
                    {
                        double vkp = v[k * m + p], vkq = v[k * m + q];
                        v[k * m + p] = c * vkp - s * vkq;
                        v[k * m + q] = s * vkp + c * vkq;
                    }
                }
        }
        var values = new double[m];
        for (int i = 0; i < m; i++) values[i] = a[i * m + i];
        return (values, v);
    }
}
