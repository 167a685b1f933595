using Dnnmm.Infrastructure;

namespace Dnnmm.Methods.Dnnmm;

/// <summary>How the fixed component means mu_k are placed in the latent space.</summary>
public enum MeanPlacement
{
    /// <summary>mu_k = s * e_k (needs d >= K).</summary>
    OneHot,
    /// <summary>mu_k = s * q_k with q_k orthonormal columns of a random (seeded) rotation (needs d >= K).</summary>
    Orthonormal,
}

/// <summary>
/// The latent prior P(Y) = sum_k omega_k N(y; mu_k, I): K Gaussians with FIXED means and identity
/// covariance, and weights omega that the M step learns (eq 1-4 of the paper).
/// </summary>
public sealed class LatentMixture : IDisposable
{
    private static readonly double Log2Pi = Math.Log(2 * Math.PI);

    public LatentMixture(Tensor means, Tensor omega)
    {
        if (means.dim() != 2 || omega.dim() != 1 || omega.shape[0] != means.shape[0])
            throw new ArgumentException("means must be K x d and omega of length K");
        Means = means.detach().to_type(ScalarType.Float32);
        Omega = omega.detach().to_type(ScalarType.Float32);
    }

    /// <summary>Fixed means, K x d.</summary>
    public Tensor Means { get; }
    /// <summary>Mixture weights, length K, summing to 1.</summary>
    public Tensor Omega { get; private set; }
    public int K => (int)Means.shape[0];
    public int Dim => (int)Means.shape[1];

    public static Tensor PlaceMeans(int k, int dim, MeanPlacement placement, double separation, int seed, Device device)
    {
        if (k < 1) throw new DnnmmInputException($"number of clusters {k} must be at least 1");
        if (dim < k) throw new DnnmmInputException($"--latent-dim {dim} must be at least the number of clusters {k} for {placement} means");
        if (!(separation > 0)) throw new DnnmmInputException($"--mean-scale {separation} must be positive");
        using var scope = NewDisposeScope();
        Tensor basis;
        if (placement == MeanPlacement.OneHot)
            basis = eye(dim)[..k];
        else
        {
            using var gen = new torch.Generator((ulong)seed);
            using var g = randn(new long[] { dim, dim }, generator: gen, dtype: ScalarType.Float64);
            var (q, _) = linalg.qr(g);
            basis = q.t()[..k].to_type(ScalarType.Float32);
        }
        return (basis * (float)separation).contiguous().to(device).MoveToOuterDisposeScope();
    }

    public static LatentMixture Create(int k, int dim, MeanPlacement placement, double separation, int seed, Device device)
    {
        var means = PlaceMeans(k, dim, placement, separation, seed, device);
        return new LatentMixture(means, full(k, 1.0f / k, device: device));
    }

    /// <summary>log N(z_n; mu_k, I) for every n, k (N x K), including the -(d/2) log(2 pi) constant.</summary>
    public Tensor LogGaussian(Tensor z)
    {
        using var sq = cdist(z, Means).pow(2);
        return sq.mul(-0.5).sub(0.5 * Dim * Log2Pi);
    }

    /// <summary>log omega_k + log N(z_n; mu_k, I), N x K.</summary>
    public Tensor LogJoint(Tensor z)
    {
        using var lg = LogGaussian(z);
        using var lo = Omega.log();
        return lg.add(lo);
    }

    /// <summary>Posterior memberships gamma_nk = P(Z = k | x_n) (eq 3), N x K.</summary>
    public Tensor Posterior(Tensor z)
    {
        using var lj = LogJoint(z);
        return lj.softmax(1);
    }

    /// <summary>
    /// Balanced memberships (N x K): the posterior (eq 3) rescaled by Sinkhorn-Knopp iterations, in the log domain, so
    /// that the N images share the components in proportion omega (column sums N omega_k) while every row still sums
    /// to 1. This is the equipartition constraint of self-labelling (Asano et al., ICLR 2020): it stops an E step on
    /// an uninformative encoder from putting every image into one component.
    /// </summary>
    public Tensor BalancedPosterior(Tensor z, int iterations = 3)
    {
        using var scope = NewDisposeScope();
        long n = z.shape[0];
        var logTarget = Omega.log().add(Math.Log(n));
        var lq = LogJoint(z);
        for (int i = 0; i < iterations; i++)
        {
            lq = lq.sub(lq.logsumexp(0, keepdim: true)).add(logTarget);
            lq = lq.sub(lq.logsumexp(1, keepdim: true));
        }
        return lq.exp().MoveToOuterDisposeScope();
    }

    /// <summary>Per-sample log-likelihood log sum_k omega_k N(z_n; mu_k, I) (eq 4 before the expectation).</summary>
    public Tensor LogLikelihood(Tensor z)
    {
        using var lj = LogJoint(z);
        return lj.logsumexp(1);
    }

    /// <summary>Draws y = mu_k + eps with k ~ Cat(omega), eps ~ N(0, I). Returns y (n x d) and k (n).</summary>
    public (Tensor Y, Tensor Component) Sample(int n, torch.Generator? generator = null)
    {
        // Drawn on the CPU (where a seeded generator lives), then moved to the mixture's device.
        using var w = Omega.cpu();
        using var kCpu = multinomial(w, n, replacement: true, generator: generator);
        var k = kCpu.to(Means.device);
        return (SampleFrom(k, generator), k);
    }

    /// <summary>y = mu_{k_i} + eps_i for the given components.</summary>
    public Tensor SampleFrom(Tensor components, torch.Generator? generator = null)
    {
        using var mu = Means.index_select(0, components);
        using var epsCpu = randn(mu.shape, generator: generator);
        using var eps = epsCpu.to(Means.device);
        return mu.add(eps);
    }

    /// <summary>Sets the weights (M step), renormalised, with an optional floor against collapse.</summary>
    public void SetOmega(Tensor omega, double floor = 0)
    {
        using var scope = NewDisposeScope();
        var w = omega.detach().to(Means.device).to_type(ScalarType.Float32);
        if (floor > 0) w = w.clamp_min(floor);
        w = w / w.sum();
        var old = Omega;
        Omega = w.DetachFromDisposeScope(); // owned by the mixture, whatever scope the M step runs in
        old.Dispose();
    }

    public float[] OmegaArray() => Omega.cpu().data<float>().ToArray();

    public void Dispose()
    {
        Means.Dispose();
        Omega.Dispose();
    }
}
