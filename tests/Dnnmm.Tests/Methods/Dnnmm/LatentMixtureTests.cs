using TorchSharp;
using static TorchSharp.torch;
using Dnnmm.Infrastructure;
using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Tests.Methods.Dnnmm;

public class LatentMixtureTests
{
    private static LatentMixture TwoComponents(float w0 = 0.5f) =>
        new(tensor(new float[] { 0, 0, 2, 0 }, new long[] { 2, 2 }), tensor(new[] { w0, 1 - w0 }));

    [Fact]
    public void PosteriorMatchesHandComputation()
    {
        using var m = TwoComponents(0.25f);
        using var z = tensor(new float[] { 0, 0, 1, 0 }, new long[] { 2, 2 });
        using var g = m.Posterior(z);
        var p = g.data<float>().ToArray();
        // z = (0,0): logits log .25 - 0 and log .75 - 2
        double a = Math.Log(0.25), b = Math.Log(0.75) - 2;
        Assert.Equal(Math.Exp(a) / (Math.Exp(a) + Math.Exp(b)), p[0], 5);
        // z = (1,0) is equidistant: posterior equals the weights
        Assert.Equal(0.25, p[2], 5);
        Assert.Equal(0.75, p[3], 5);
    }

    public static TheoryData<int, float[]> Weights => new()
    {
        { 1, new[] { 0.25f, 0.25f, 0.25f, 0.25f } },
        { 2, new[] { 0.7f, 0.2f, 0.08f, 0.02f } },
        { 3, new[] { 0.001f, 0.009f, 0.09f, 0.9f } },
        { 4, new[] { 0.6f, 0.4f } },
    };

    private const int Dim = 6;

    /// <summary>
    /// Applies one of LatentMixture's functions to 64 random codes scattered around random means (enough codes for
    /// cdist's matrix-product path), for weights omega; returns its values (flat, row-major) and the codes and means
    /// (flat, row-major, in double) for the reference.
    /// </summary>
    private static (float[] Actual, double[] Codes, double[] Means) Evaluate(int seed, float[] omega, Func<LatentMixture, Tensor, Tensor> f)
    {
        var rng = new Random(seed);
        var means = Enumerable.Range(0, omega.Length * Dim).Select(_ => (float)(rng.NextDouble() * 6 - 3)).ToArray();
        var codes = Enumerable.Range(0, 64 * Dim).Select(_ => (float)(rng.NextDouble() * 10 - 5)).ToArray();
        using var m = new LatentMixture(tensor(means, new long[] { omega.Length, Dim }), tensor(omega));
        using var z = tensor(codes, new long[] { 64, Dim });
        using var result = f(m, z);
        return (result.data<float>().ToArray(), codes.Select(v => (double)v).ToArray(), means.Select(v => (double)v).ToArray());
    }

    private static double[] Doubles(float[] w) => w.Select(v => (double)v).ToArray();

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 1e-4);
    }

    [Theory]
    [MemberData(nameof(Weights))]
    public void LogLikelihoodMatchesTheDoubleReference(int seed, float[] omega)
    {
        var (actual, codes, means) = Evaluate(seed, omega, (m, z) => m.LogLikelihood(z));
        AssertClose(GmmLikelihoodReference.LogLikelihoods(codes, Dim, means, Doubles(omega)), actual);
    }

    [Theory]
    [MemberData(nameof(Weights))]
    public void PosteriorMatchesTheDoubleReference(int seed, float[] omega)
    {
        var (actual, codes, means) = Evaluate(seed, omega, (m, z) => m.Posterior(z));
        AssertClose(GmmLikelihoodReference.Posteriors(codes, Dim, means, Doubles(omega)).Cast<double>().ToArray(), actual);
    }

    [Theory]
    [MemberData(nameof(Weights))]
    public void LogJointMatchesTheDoubleReference(int seed, float[] omega)
    {
        var (actual, codes, means) = Evaluate(seed, omega, (m, z) => m.LogJoint(z));
        int k = omega.Length, n = codes.Length / Dim;
        // log omega_c + log N(z; mu_c, I): the reference's log-likelihood of a one-component "mixture" of weight omega_c.
        var expected = new double[n * k];
        for (int c = 0; c < k; c++)
        {
            var column = GmmLikelihoodReference.LogLikelihoods(codes, Dim, means[(c * Dim)..((c + 1) * Dim)], new double[] { omega[c] });
            for (int i = 0; i < n; i++) expected[i * k + c] = column[i];
        }
        AssertClose(expected, actual);
    }

    [Fact]
    public void BalancedPosteriorFillsTheComponentsInProportionOmega()
    {
        using var m = TwoComponents(0.5f);
        // Four encodings all nearest component 0: the plain posterior puts them all there.
        using var z = tensor(new float[] { 0, 0, 0.2f, 0, 0.4f, 0, 0.6f, 0 }, new long[] { 4, 2 });
        using var plain = m.Posterior(z);
        Assert.True(plain.sum(dim: 0).data<float>()[0] > 2.5);
        using var g = m.BalancedPosterior(z, iterations: 50);
        var col = g.sum(dim: 0).data<float>().ToArray();
        Assert.Equal(2.0, col[0], 3); // N omega_k = 4 * 0.5
        Assert.Equal(2.0, col[1], 3);
        Assert.All(g.sum(dim: 1).data<float>().ToArray(), r => Assert.Equal(1.0, r, 5));
        // The order is kept: the encoding nearest component 1 has the largest share of it.
        var p = g.data<float>().ToArray();
        Assert.True(p[7] > p[5] && p[5] > p[3] && p[3] > p[1]);
    }

    [Fact]
    public void BalancedPosteriorUnderANonUniformOmegaKeepsColumnSumsAtNOmega()
    {
        using var m = TwoComponents(0.8f);
        using var z = tensor(new float[] { 0, 0, 0.5f, 0, 1, 0, 1.5f, 0, 2, 0 }, new long[] { 5, 2 });
        using var g = m.BalancedPosterior(z, iterations: 60);
        var col = g.sum(dim: 0).data<float>().ToArray();
        Assert.Equal(4.0, col[0], 3); // N omega = 5 * 0.8, not N / K
        Assert.Equal(1.0, col[1], 3);
        Assert.All(g.sum(dim: 1).data<float>().ToArray(), r => Assert.Equal(1.0, r, 5));
    }

    [Fact]
    public void BalancedPosteriorLeavesAnAlreadyBalancedPosteriorAlone()
    {
        using var m = TwoComponents(0.5f);
        using var z = tensor(new float[] { 0, 0, 2, 0 }, new long[] { 2, 2 });
        using var plain = m.Posterior(z);
        using var g = m.BalancedPosterior(z);
        Assert.Equal(plain.data<float>().ToArray(), g.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void LogLikelihoodIncludesTheGaussianConstant()
    {
        using var m = TwoComponents();
        using var z = tensor(new float[] { 0, 0 }, new long[] { 1, 2 });
        using var ll = m.LogLikelihood(z);
        // log(0.5 N(0; 0, I) + 0.5 N(0; (2,0), I)) in 2-d: -log(2 pi) + log(0.5 + 0.5 e^-2)
        double expected = -Math.Log(2 * Math.PI) + Math.Log(0.5 + 0.5 * Math.Exp(-2));
        Assert.Equal(expected, ll.item<float>(), 5);
    }

    [Fact]
    public void OneHotMeansAreScaledUnitVectors()
    {
        using var means = LatentMixture.PlaceMeans(3, 5, MeanPlacement.OneHot, 4, 1, CPU);
        var v = means.data<float>().ToArray();
        Assert.Equal(new float[] { 4, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 4, 0, 0 }, v);
    }

    [Fact]
    public void OrthonormalMeansAreOrthogonalWithTheGivenNorm()
    {
        using var means = LatentMixture.PlaceMeans(4, 6, MeanPlacement.Orthonormal, 3, 7, CPU);
        using var gram = means.matmul(means.t());
        var g = gram.data<float>().ToArray();
        for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            Assert.Equal(i == j ? 9.0 : 0.0, g[i * 4 + j], 4);
    }

    [Fact]
    public void TooSmallLatentDimIsAClearError()
    {
        var e = Assert.Throws<DnnmmInputException>(() => LatentMixture.PlaceMeans(5, 3, MeanPlacement.OneHot, 4, 1, CPU));
        Assert.Contains("--latent-dim", e.Message);
    }

    [Fact]
    public void SamplingFollowsTheWeightsAndTheMeans()
    {
        using var m = TwoComponents(0.8f);
        torch.manual_seed(3);
        var (y, k) = m.Sample(20000);
        double frac0 = k.eq(0).to_type(ScalarType.Float32).mean().item<float>();
        Assert.InRange(frac0, 0.78, 0.82);
        using var sel = y.index_select(0, k.eq(1).nonzero().flatten());
        var mean = sel.mean(new long[] { 0 }).data<float>().ToArray();
        Assert.InRange(mean[0], 1.9, 2.1);
        Assert.InRange(mean[1], -0.1, 0.1);
    }

    [Fact]
    public void OmegaFloorGuardsAgainstCollapse()
    {
        using var m = TwoComponents();
        m.SetOmega(tensor(new[] { 1f, 0f }), floor: 0.05);
        var w = m.OmegaArray();
        Assert.Equal(1.0, w[0] + w[1], 5);
        Assert.True(w[1] > 0.04);
    }
}
