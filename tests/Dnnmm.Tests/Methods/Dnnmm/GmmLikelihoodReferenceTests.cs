namespace Dnnmm.Tests.Methods.Dnnmm;

public class GmmLikelihoodReferenceTests
{
    private static readonly double Log2Pi = Math.Log(2 * Math.PI);

    [Fact]
    public void OneDimensionalHandComputed()
    {
        // d = 1, mu = (0, 1), omega = (0.25, 0.75), z = (0, 2):
        // log p(0) = log(0.25 e^0 + 0.75 e^{-1/2}) - log(2 pi)/2
        // log p(2) = log(0.25 e^{-2} + 0.75 e^{-1/2}) - log(2 pi)/2
        double[] z = { 0, 2 }, mu = { 0, 1 }, w = { 0.25, 0.75 };
        double l0 = Math.Log(0.25 + 0.75 * Math.Exp(-0.5)) - 0.5 * Log2Pi;
        double l2 = Math.Log(0.25 * Math.Exp(-2) + 0.75 * Math.Exp(-0.5)) - 0.5 * Log2Pi;

        double[] per = GmmLikelihoodReference.LogLikelihoods(z, 1, mu, w);
        Assert.Equal(l0, per[0], 14);
        Assert.Equal(l2, per[1], 14);
        Assert.Equal((l0 + l2) / 2, GmmLikelihoodReference.MeanLogLikelihood(z, 1, mu, w), 14);

        // gamma(0) = (0.25, 0.75 e^{-1/2}) / (0.25 + 0.75 e^{-1/2}).
        var g = GmmLikelihoodReference.Posteriors(z, 1, mu, w);
        double norm = 0.25 + 0.75 * Math.Exp(-0.5);
        Assert.Equal(0.25 / norm, g[0, 0], 14);
        Assert.Equal(0.75 * Math.Exp(-0.5) / norm, g[0, 1], 14);
    }

    [Fact]
    public void TwoDimensionalHandComputed()
    {
        // d = 2, z = (1, 1), mu_1 = (0, 0), mu_2 = (1, 2), omega = (1/2, 1/2):
        // squared distances 2 and 1, so log p = log(e^{-1}/2 + e^{-1/2}/2) - log(2 pi).
        double[] z = { 1, 1 }, mu = { 0, 0, 1, 2 }, w = { 0.5, 0.5 };
        double expected = Math.Log(0.5 * Math.Exp(-1) + 0.5 * Math.Exp(-0.5)) - Log2Pi;
        Assert.Equal(expected, GmmLikelihoodReference.MeanLogLikelihood(z, 2, mu, w), 14);

        var g = GmmLikelihoodReference.Posteriors(z, 2, mu, w);
        Assert.Equal(Math.Exp(-1) / (Math.Exp(-1) + Math.Exp(-0.5)), g[0, 0], 14);
        Assert.Equal(Math.Exp(-0.5) / (Math.Exp(-1) + Math.Exp(-0.5)), g[0, 1], 14);
    }

    [Fact]
    public void SingleComponentIsAGaussian()
    {
        // d = 3, z = (1, -2, 0.5), mu = 0: log N = -||z||^2/2 - (3/2) log(2 pi) = -5.25/2 - 1.5 log(2 pi).
        double[] z = { 1, -2, 0.5 };
        double expected = -5.25 / 2 - 1.5 * Log2Pi;
        Assert.Equal(expected, GmmLikelihoodReference.MeanLogLikelihood(z, 3, new double[3], new[] { 1.0 }), 14);
        Assert.Equal(1.0, GmmLikelihoodReference.Posteriors(z, 3, new double[3], new[] { 1.0 })[0, 0]);
    }

    [Fact]
    public void PosteriorRowsSumToOne()
    {
        var rng = new Random(1);
        int n = 200, d = 5, k = 7;
        double[] z = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble() * 20 - 10).ToArray();
        double[] mu = Enumerable.Range(0, k * d).Select(_ => rng.NextDouble() * 20 - 10).ToArray();
        double[] w = Enumerable.Range(0, k).Select(_ => rng.NextDouble()).ToArray();
        double total = w.Sum();
        w = w.Select(x => x / total).ToArray();

        var g = GmmLikelihoodReference.Posteriors(z, d, mu, w);
        Assert.Equal(n, g.GetLength(0));
        Assert.Equal(k, g.GetLength(1));
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int c = 0; c < k; c++)
            {
                Assert.InRange(g[i, c], 0.0, 1.0);
                s += g[i, c];
            }
            Assert.Equal(1.0, s, 12);
        }

        // Per-sample values agree with a direct (unstabilised) sum at these moderate distances.
        double[] per = GmmLikelihoodReference.LogLikelihoods(z, d, mu, w);
        for (int i = 0; i < n; i++)
        {
            double p = 0;
            for (int c = 0; c < k; c++)
            {
                double sq = 0;
                for (int j = 0; j < d; j++) sq += Math.Pow(z[i * d + j] - mu[c * d + j], 2);
                p += w[c] * Math.Exp(-0.5 * sq) * Math.Pow(2 * Math.PI, -d / 2.0);
            }
            if (p > 1e-280)
                Assert.Equal(Math.Log(p), per[i], 9);
        }
    }

    [Fact]
    public void LargeDistancesStayFinite()
    {
        // exp(-0.5 * 1e12) underflows to 0 in a naive sum; log-sum-exp keeps the exact value.
        // d = 1, z = (1e6, -1e6), mu = (0, 1e6 + 3), omega = (1/2, 1/2).
        double[] z = { 1e6, -1e6 };
        double[] mu = { 0, 1e6 + 3 };
        double[] w = { 0.5, 0.5 };

        double[] per = GmmLikelihoodReference.LogLikelihoods(z, 1, mu, w);
        Assert.All(per, v => Assert.True(double.IsFinite(v)));
        // Sample 0 is 3 from mean 1 and 1e6 from mean 0: log p = log(0.5) - 9/2 - log(2 pi)/2 (+ a negligible term).
        Assert.Equal(Math.Log(0.5) - 4.5 - 0.5 * Log2Pi, per[0], 12);
        // Sample 1 is 1e6 from mean 0: log p = log(0.5) - 1e12/2 - log(2 pi)/2.
        Assert.Equal(Math.Log(0.5) - 0.5e12 - 0.5 * Log2Pi, per[1], 1e-3);

        var g = GmmLikelihoodReference.Posteriors(z, 1, mu, w);
        foreach (double v in g) Assert.False(double.IsNaN(v));
        Assert.Equal(0.0, g[0, 0]);
        Assert.Equal(1.0, g[0, 1]);
        Assert.Equal(1.0, g[1, 0]);
        Assert.Equal(0.0, g[1, 1]);

        // Every component far away: still finite, posteriors still sum to 1.
        double[] far = { 1e8, 1e8 };
        var g2 = GmmLikelihoodReference.Posteriors(far, 2, new double[] { 0, 0, 1, 1 }, w);
        Assert.Equal(1.0, g2[0, 0] + g2[0, 1], 12);
        Assert.True(double.IsFinite(GmmLikelihoodReference.MeanLogLikelihood(far, 2, new double[] { 0, 0, 1, 1 }, w)));
    }

    [Fact]
    public void ZeroWeightGivesZeroPosteriorWithoutNaN()
    {
        // omega = (0, 1): the mixture is N(mu_2, I), log p(z) = -(z - 3)^2/2 - log(2 pi)/2.
        double[] z = { 0, 3, 100 }, mu = { 0, 3 }, w = { 0, 1 };
        double[] per = GmmLikelihoodReference.LogLikelihoods(z, 1, mu, w);
        for (int i = 0; i < z.Length; i++)
            Assert.Equal(-0.5 * Math.Pow(z[i] - 3, 2) - 0.5 * Log2Pi, per[i], 12);
        var g = GmmLikelihoodReference.Posteriors(z, 1, mu, w);
        for (int i = 0; i < z.Length; i++)
        {
            Assert.Equal(0.0, g[i, 0]);
            Assert.Equal(1.0, g[i, 1]);
        }
    }

    [Fact]
    public void FloatOverloadsAgreeWithDouble()
    {
        float[] z = { 0.5f, -1.25f, 2f, 0.75f, -3f, 1f };
        float[] mu = { 0f, 0f, 1f, -1f, -2f, 2f };
        float[] w = { 0.2f, 0.3f, 0.5f };
        double[] zd = z.Select(x => (double)x).ToArray(), mud = mu.Select(x => (double)x).ToArray(), wd = w.Select(x => (double)x).ToArray();
        Assert.Equal(GmmLikelihoodReference.MeanLogLikelihood(zd, 2, mud, wd), GmmLikelihoodReference.MeanLogLikelihood(z, 2, mu, w));
        Assert.Equal(GmmLikelihoodReference.LogLikelihoods(zd, 2, mud, wd), GmmLikelihoodReference.LogLikelihoods(z, 2, mu, w));
        Assert.Equal(GmmLikelihoodReference.Posteriors(zd, 2, mud, wd), GmmLikelihoodReference.Posteriors(z, 2, mu, w));
    }

    [Fact]
    public void RejectsBadShapesAndValues()
    {
        double[] z = { 1, 2, 3, 4 }, mu = { 0, 0 }, w = { 1 };
        Assert.Throws<ArgumentException>(() => GmmLikelihoodReference.MeanLogLikelihood(z, 3, mu, w));            // 4 values, d = 3
        Assert.Throws<ArgumentException>(() => GmmLikelihoodReference.MeanLogLikelihood(z, 0, mu, w));
        Assert.Throws<ArgumentException>(() => GmmLikelihoodReference.MeanLogLikelihood(Array.Empty<double>(), 2, mu, w));
        Assert.Throws<ArgumentException>(() => GmmLikelihoodReference.MeanLogLikelihood(z, 2, new double[] { 0, 0, 0 }, w));
        Assert.Throws<ArgumentException>(() => GmmLikelihoodReference.MeanLogLikelihood(z, 2, mu, Array.Empty<double>()));
        Assert.Throws<ArgumentException>(() => GmmLikelihoodReference.MeanLogLikelihood(z, 2, new double[4], new[] { -0.5, 1.5 }));
        Assert.Throws<ArgumentException>(() => GmmLikelihoodReference.MeanLogLikelihood(z, 2, new double[4], new[] { 0.0, 0.0 }));
        Assert.Throws<ArgumentException>(() => GmmLikelihoodReference.Posteriors(new[] { double.NaN, 0 }, 2, mu, w));
        Assert.Throws<ArgumentException>(() => GmmLikelihoodReference.LogLikelihoods(z, 2, new[] { double.PositiveInfinity, 0 }, w));
    }
}
