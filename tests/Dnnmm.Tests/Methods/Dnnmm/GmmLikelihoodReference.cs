namespace Dnnmm.Tests.Methods.Dnnmm;

/// <summary>
/// The double-precision reference that LatentMixture's tensor implementation is tested against.
/// Data log-likelihood of latent codes under a Gaussian mixture with identity covariances
/// (the paper's eq. 4): log p(z_n) = log sum_k omega_k N(z_n; mu_k, I), evaluated with log-sum-exp.
/// </summary>
/// <remarks>
/// Codes z are N x d and means mu K x d, both flat row-major; omega has K entries, non-negative
/// and finite with at least one positive (they are used as given, not renormalised). A zero
/// weight contributes log 0 = -inf to the sum and posterior exactly 0.
/// </remarks>
public static class GmmLikelihoodReference
{
    /// <summary>Mean over samples of log sum_k omega_k N(z_n; mu_k, I), including the -(d/2) log(2 pi) term.</summary>
    public static double MeanLogLikelihood(double[] z, int dim, double[] means, double[] weights)
    {
        double[] perSample = LogLikelihoods(z, dim, means, weights);
        double sum = 0;
        foreach (double l in perSample) sum += l;
        return sum / perSample.Length;
    }

    /// <inheritdoc cref="MeanLogLikelihood(double[], int, double[], double[])"/>
    public static double MeanLogLikelihood(float[] z, int dim, float[] means, float[] weights) =>
        MeanLogLikelihood(ToDouble(z, nameof(z)), dim, ToDouble(means, nameof(means)), ToDouble(weights, nameof(weights)));

    /// <summary>Per-sample log-likelihoods log sum_k omega_k N(z_n; mu_k, I), length N.</summary>
    public static double[] LogLikelihoods(double[] z, int dim, double[] means, double[] weights)
    {
        var logits = Logits(z, dim, means, weights, out int n, out int k);
        double constant = -0.5 * dim * Math.Log(2 * Math.PI);
        var result = new double[n];
        for (int i = 0; i < n; i++)
            result[i] = LogSumExp(logits.AsSpan(i * k, k)) + constant;
        return result;
    }

    /// <inheritdoc cref="LogLikelihoods(double[], int, double[], double[])"/>
    public static double[] LogLikelihoods(float[] z, int dim, float[] means, float[] weights) =>
        LogLikelihoods(ToDouble(z, nameof(z)), dim, ToDouble(means, nameof(means)), ToDouble(weights, nameof(weights)));

    /// <summary>
    /// Posterior memberships gamma[n, k] = softmax_k(log omega_k - ||z_n - mu_k||^2 / 2), N x K;
    /// each row sums to 1.
    /// </summary>
    public static double[,] Posteriors(double[] z, int dim, double[] means, double[] weights)
    {
        var logits = Logits(z, dim, means, weights, out int n, out int k);
        var gamma = new double[n, k];
        for (int i = 0; i < n; i++)
        {
            var row = logits.AsSpan(i * k, k);
            double lse = LogSumExp(row);
            for (int c = 0; c < k; c++)
                gamma[i, c] = Math.Exp(row[c] - lse);  // exp(-inf) = 0 for zero weights
        }
        return gamma;
    }

    /// <inheritdoc cref="Posteriors(double[], int, double[], double[])"/>
    public static double[,] Posteriors(float[] z, int dim, float[] means, float[] weights) =>
        Posteriors(ToDouble(z, nameof(z)), dim, ToDouble(means, nameof(means)), ToDouble(weights, nameof(weights)));

    /// <summary>Flat N x K array of log omega_k - ||z_n - mu_k||^2 / 2, after validating the shapes and values.</summary>
    private static double[] Logits(double[] z, int dim, double[] means, double[] weights, out int n, out int k)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(weights);
        if (dim <= 0)
            throw new ArgumentException($"Dimension must be positive, got {dim}.", nameof(dim));
        if (z.Length == 0 || z.Length % dim != 0)
            throw new ArgumentException($"z has {z.Length} values, not a positive multiple of dimension {dim}.", nameof(z));
        k = weights.Length;
        if (k == 0)
            throw new ArgumentException("There must be at least one mixture component.", nameof(weights));
        if (means.Length != k * dim)
            throw new ArgumentException($"means has {means.Length} values; expected {k} x {dim} = {k * dim}.", nameof(means));
        RequireFinite(z, nameof(z));
        RequireFinite(means, nameof(means));
        bool anyPositive = false;
        foreach (double w in weights)
        {
            if (!double.IsFinite(w) || w < 0)
                throw new ArgumentException($"Mixture weights must be finite and non-negative, got {w}.", nameof(weights));
            anyPositive |= w > 0;
        }
        if (!anyPositive)
            throw new ArgumentException("At least one mixture weight must be positive.", nameof(weights));

        n = z.Length / dim;
        var logWeights = new double[k];
        for (int c = 0; c < k; c++)
            logWeights[c] = Math.Log(weights[c]);  // log 0 = -inf

        var logits = new double[n * k];
        for (int i = 0; i < n; i++)
        {
            var zi = z.AsSpan(i * dim, dim);
            for (int c = 0; c < k; c++)
            {
                var mu = means.AsSpan(c * dim, dim);
                double sq = 0;
                for (int d = 0; d < dim; d++)
                {
                    double diff = zi[d] - mu[d];
                    sq += diff * diff;
                }
                logits[i * k + c] = logWeights[c] - 0.5 * sq;
            }
        }
        return logits;
    }

    /// <summary>log sum exp(x) shifted by the maximum; -inf entries contribute 0. At least one entry is finite here.</summary>
    private static double LogSumExp(ReadOnlySpan<double> x)
    {
        double max = double.NegativeInfinity;
        foreach (double v in x)
            if (v > max) max = v;
        if (double.IsNegativeInfinity(max))
            return double.NegativeInfinity;
        double sum = 0;
        foreach (double v in x)
            sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    private static void RequireFinite(double[] values, string name)
    {
        foreach (double v in values)
        {
            if (!double.IsFinite(v))
                throw new ArgumentException($"{name} contains a non-finite value ({v}).", name);
        }
    }

    private static double[] ToDouble(float[] values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
            result[i] = values[i];
        return result;
    }
}
