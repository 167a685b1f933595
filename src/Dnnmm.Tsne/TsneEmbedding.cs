namespace Dnnmm.Tsne;

/// <summary>
/// t-distributed stochastic neighbour embedding (van der Maaten &amp; Hinton 2008; Barnes-Hut: van der Maaten 2014),
/// with scikit-learn's optimiser: early exaggeration with momentum 0.5, then momentum 0.8 (update and gains reset
/// at the switch), delta-bar-delta gains (+0.2 / x0.8, at least 0.01), gradient 4 sum (p - q) q Z (y_i - y_j).
/// Input distances are squared Euclidean.
/// </summary>
public static class TsneEmbedding
{
    /// <summary>Embeds <paramref name="n"/> points of <paramref name="dim"/> features (row-major) into N x Dimensions.</summary>
    /// <param name="progress">Receives (iteration, KL(P||Q)) every <see cref="TsneOptions.ReportEvery"/> steps
    /// (iteration = steps done so far, starting at 0) and once at the end (iteration = Iterations).
    /// It is called synchronously on the computing thread.</param>
    public static double[,] Embed(float[] data, int n, int dim, TsneOptions? options = null,
        IProgress<(int iter, double kl)>? progress = null)
        => Fit(data, n, dim, options, progress).Embedding;

    /// <summary>Embeds the rows of <paramref name="data"/> (N x features).</summary>
    public static double[,] Embed(double[,] data, TsneOptions? options = null, IProgress<(int iter, double kl)>? progress = null)
        => Fit(data, options, progress).Embedding;

    /// <summary>As <see cref="Embed(float[], int, int, TsneOptions?, IProgress{ValueTuple{int, double}}?)"/>, also returning the final KL divergence.</summary>
    public static TsneResult Fit(float[] data, int n, int dim, TsneOptions? options = null,
        IProgress<(int iter, double kl)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (n < 2) throw new ArgumentException($"t-SNE needs at least 2 points, got {n}.", nameof(n));
        if (dim < 1) throw new ArgumentException($"t-SNE needs at least 1 feature, got {dim}.", nameof(dim));
        if ((long)n * dim != data.Length)
            throw new ArgumentException($"data has {data.Length} values, expected n x dim = {n} x {dim} = {(long)n * dim}.", nameof(data));
        var x = new double[data.Length];
        for (int i = 0; i < x.Length; i++) x[i] = data[i];
        return Run(x, n, dim, options ?? new TsneOptions(), progress);
    }

    /// <summary>As <see cref="Embed(double[,], TsneOptions?, IProgress{ValueTuple{int, double}}?)"/>, also returning the final KL divergence.</summary>
    public static TsneResult Fit(double[,] data, TsneOptions? options = null, IProgress<(int iter, double kl)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.GetLength(0), dim = data.GetLength(1);
        if (n < 2) throw new ArgumentException($"t-SNE needs at least 2 points, got {n}.", nameof(data));
        if (dim < 1) throw new ArgumentException("t-SNE needs at least 1 feature.", nameof(data));
        return Run(Flatten(data), n, dim, options ?? new TsneOptions(), progress);
    }

    /// <summary>
    /// Conditional probabilities p_j|i = exp(-beta d_j) / sum exp(-beta d_l) for one point, given its squared distances
    /// to the other points (itself excluded), with beta found by bisection so that exp(H(p)) = <paramref name="perplexity"/>
    /// (H in nats; equivalently 2^H in bits).
    /// </summary>
    public static double[] ConditionalProbabilities(ReadOnlySpan<double> squaredDistances, double perplexity, out double beta)
    {
        if (!(perplexity > 0)) throw new ArgumentException($"Perplexity must be positive, got {perplexity}.", nameof(perplexity));
        var p = new double[squaredDistances.Length];
        beta = TsneAffinities.Calibrate(squaredDistances, perplexity, p);
        return p;
    }

    /// <summary>The exact method's joint probabilities P (N x N, symmetric, zero diagonal, summing to 1) for the rows of <paramref name="data"/>.</summary>
    public static double[,] JointProbabilities(double[,] data, double perplexity)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.GetLength(0), dim = data.GetLength(1);
        ValidatePerplexity(perplexity, n);
        var p = TsneAffinities.ExactJointP(Flatten(data), n, dim, perplexity);
        return Unflatten(p, n, n);
    }

    /// <summary>
    /// KL(P||Q) for joint probabilities <paramref name="p"/> (N x N, symmetric, zero diagonal, summing to 1) and embedding
    /// <paramref name="y"/> (N x d), where q_ij = (1+|y_i-y_j|^2)^-1 / sum_{k!=l} (1+|y_k-y_l|^2)^-1. Terms with p_ij = 0 count 0.
    /// If <paramref name="gradient"/> (N x d) is given it receives dKL/dy = 4 sum_j (p_ij - q_ij)(y_i - y_j)/(1+|y_i-y_j|^2).
    /// </summary>
    public static double KlDivergence(double[,] p, double[,] y, double[,]? gradient = null)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(y);
        int n = y.GetLength(0), dims = y.GetLength(1);
        if (p.GetLength(0) != n || p.GetLength(1) != n)
            throw new ArgumentException($"P must be {n} x {n} for an embedding of {n} points.", nameof(p));
        if (gradient is not null && (gradient.GetLength(0) != n || gradient.GetLength(1) != dims))
            throw new ArgumentException($"gradient must be {n} x {dims}.", nameof(gradient));
        var grad = new double[n * dims];
        double kl = TsneGradient.Exact(Flatten(p), Flatten(y), n, dims, 1.0, grad, new double[3 * n], true);
        if (gradient is not null)
            for (int i = 0; i < n; i++)
                for (int c = 0; c < dims; c++)
                    gradient[i, c] = grad[i * dims + c];
        return kl;
    }

    private static void ValidatePerplexity(double perplexity, int n)
    {
        if (!(perplexity > 0) || double.IsInfinity(perplexity))
            throw new ArgumentException($"Perplexity must be positive, got {perplexity}.", nameof(perplexity));
        if (perplexity >= n)
            throw new ArgumentException($"Perplexity ({perplexity}) must be less than the number of points ({n}).", nameof(perplexity));
    }

    private static void Validate(TsneOptions o, int n, TsneMethod method)
    {
        if (o.Dimensions < 1) throw new ArgumentException($"Dimensions must be at least 1, got {o.Dimensions}.", nameof(o.Dimensions));
        ValidatePerplexity(o.Perplexity, n);
        if (o.Iterations < 0) throw new ArgumentException($"Iterations must be non-negative, got {o.Iterations}.", nameof(o.Iterations));
        if (o.ExaggerationIterations < 0)
            throw new ArgumentException($"ExaggerationIterations must be non-negative, got {o.ExaggerationIterations}.", nameof(o.ExaggerationIterations));
        if (!(o.EarlyExaggeration > 0) || double.IsInfinity(o.EarlyExaggeration))
            throw new ArgumentException($"EarlyExaggeration must be positive, got {o.EarlyExaggeration}.", nameof(o.EarlyExaggeration));
        if (o.LearningRate is double lr && (!(lr > 0) || double.IsInfinity(lr)))
            throw new ArgumentException($"LearningRate must be positive, got {lr}.", nameof(o.LearningRate));
        if (!(o.Theta >= 0) || double.IsInfinity(o.Theta))
            throw new ArgumentException($"Theta must be non-negative, got {o.Theta}.", nameof(o.Theta));
        if (o.ReportEvery < 1) throw new ArgumentException($"ReportEvery must be at least 1, got {o.ReportEvery}.", nameof(o.ReportEvery));
        if (method == TsneMethod.BarnesHut && o.Dimensions != 2)
            throw new ArgumentException($"Barnes-Hut t-SNE supports Dimensions = 2 only, got {o.Dimensions}; use Method = Exact.", nameof(o.Dimensions));
        if (!Enum.IsDefined(o.Method)) throw new ArgumentException($"Unknown method {o.Method}.", nameof(o.Method));
        if (!Enum.IsDefined(o.Initialization)) throw new ArgumentException($"Unknown initialization {o.Initialization}.", nameof(o.Initialization));
    }

    private static TsneResult Run(double[] x, int n, int dim, TsneOptions o, IProgress<(int iter, double kl)>? progress)
    {
        var method = o.ResolveMethod(n);
        Validate(o, n, method);
        for (int i = 0; i < x.Length; i++)
            if (!double.IsFinite(x[i]))
                throw new ArgumentException($"data contains a non-finite value at row {i / dim}, column {i % dim}.", "data");

        int dims = o.Dimensions;
        double lr = o.ResolveLearningRate(n);
        double[] y = o.Initialization == TsneInitialization.Pca
            ? TsnePca.Initialise(x, n, dim, dims, o.Seed)
            : RandomInit(n, dims, o.Seed);

        Func<double[], double, double[], bool, double> gradient;
        if (method == TsneMethod.Exact)
        {
            var p = TsneAffinities.ExactJointP(x, n, dim, o.Perplexity);
            var row = new double[3 * n];
            gradient = (yy, ex, g, kl) => TsneGradient.Exact(p, yy, n, dims, ex, g, row, kl);
        }
        else
        {
            var p = TsneAffinities.KnnJointP(x, n, dim, o.Perplexity);
            var tree = new TsneQuadTree();
            var rowZ = new double[n];
            var rowKl = new double[n];
            gradient = (yy, ex, g, kl) => TsneGradient.BarnesHut(p, yy, n, o.Theta, ex, g, tree, rowZ, rowKl, kl);
        }

        int len = n * dims;
        var grad = new double[len];
        var update = new double[len];
        var gains = new double[len];
        Array.Fill(gains, 1.0);
        int exaggerationSteps = Math.Min(o.ExaggerationIterations, o.Iterations);
        const double minGain = 0.01;

        for (int it = 0; it < o.Iterations; it++)
        {
            if (it == exaggerationSteps && it > 0)
            {
                // scikit-learn runs the two phases as two calls of its gradient descent: update and gains restart.
                Array.Clear(update);
                Array.Fill(gains, 1.0);
            }
            bool exaggerated = it < exaggerationSteps;
            double momentum = exaggerated ? 0.5 : 0.8;
            bool report = progress is not null && it % o.ReportEvery == 0;
            double kl = gradient(y, exaggerated ? o.EarlyExaggeration : 1.0, grad, report);
            if (report) progress!.Report((it, kl));
            for (int e = 0; e < len; e++)
            {
                double g = grad[e];
                double gain = update[e] * g < 0.0 ? gains[e] + 0.2 : gains[e] * 0.8;
                if (gain < minGain) gain = minGain;
                gains[e] = gain;
                update[e] = momentum * update[e] - lr * gain * g;
                y[e] += update[e];
            }
        }
        double finalKl = gradient(y, 1.0, grad, true);
        progress?.Report((o.Iterations, finalKl));
        return new TsneResult(Unflatten(y, n, dims), finalKl, method, lr);
    }

    private static double[] RandomInit(int n, int dims, int seed)
    {
        var rng = new Random(seed);
        var y = new double[n * dims];
        for (int i = 0; i < y.Length; i++) y[i] = 1e-4 * Gaussian(rng);
        return y;
    }

    internal static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    internal static double[] Flatten(double[,] a)
    {
        int r = a.GetLength(0), c = a.GetLength(1);
        var f = new double[r * c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                f[i * c + j] = a[i, j];
        return f;
    }

    internal static double[,] Unflatten(double[] f, int r, int c)
    {
        var a = new double[r, c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                a[i, j] = f[i * c + j];
        return a;
    }
}
