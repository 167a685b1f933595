
namespace Dnnmm.Tsne.Tests;

public class TsneTests
{
    private sealed class Recorder : IProgress<(int iter, double kl)>
    {
        public List<(int iter, double kl)> Reports { get; } = [];
        public void Report((int iter, double kl) value) => Reports.Add(value);
    }

    /// <summary>blobs x perBlob points in 50-d, unit variance, centres sqrt(50) e_b: pairwise centre distance 10.</summary>
    private static (float[] data, int[] labels) Blobs(int blobs, int perBlob, int seed, int dim = 50)
    {
        var rng = new Random(seed);
        int n = blobs * perBlob;
        var data = new float[n * dim];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int b = i % blobs;
            labels[i] = b;
            for (int f = 0; f < dim; f++)
                data[i * dim + f] = (float)((f == b ? Math.Sqrt(50) : 0.0) + TsneEmbedding.Gaussian(rng));
        }
        return (data, labels);
    }

    private static double[,] ToMatrix(float[] data, int n, int dim)
    {
        var m = new double[n, dim];
        for (int i = 0; i < n; i++)
            for (int f = 0; f < dim; f++) m[i, f] = data[i * dim + f];
        return m;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void GradientMatchesCentralFiniteDifferences(int dims)
    {
        const int n = 8;
        var rng = new Random(5);
        var p = new double[n, n];
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double v = rng.NextDouble() + 0.01;
                p[i, j] = p[j, i] = v;
                total += 2 * v;
            }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) p[i, j] /= total;
        var y = new double[n, dims];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < dims; c++) y[i, c] = TsneEmbedding.Gaussian(rng);

        var grad = new double[n, dims];
        TsneEmbedding.KlDivergence(p, y, grad);

        const double h = 1e-5;
        double errSq = 0, normSq = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < dims; c++)
            {
                double keep = y[i, c];
                y[i, c] = keep + h;
                double up = TsneEmbedding.KlDivergence(p, y);
                y[i, c] = keep - h;
                double down = TsneEmbedding.KlDivergence(p, y);
                y[i, c] = keep;
                double fd = (up - down) / (2 * h);
                errSq += (fd - grad[i, c]) * (fd - grad[i, c]);
                normSq += grad[i, c] * grad[i, c];
                Assert.True(Math.Abs(fd - grad[i, c]) <= 1e-4 * Math.Max(Math.Abs(fd), 1e-3), $"({i},{c}): fd {fd} vs {grad[i, c]}");
            }
        Assert.True(Math.Sqrt(errSq / normSq) < 1e-4, $"relative error {Math.Sqrt(errSq / normSq)}");
    }

    [Fact]
    public void KlDivergenceOfMatchingQIsZero()
    {
        // With P set to the Q of the embedding itself, KL = 0 and the gradient vanishes.
        var y = new double[,] { { 0, 0 }, { 1, 0 }, { 0, 2 }, { 3, 1 } };
        var p = new double[4, 4];
        double z = 0;
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                if (i != j) z += p[i, j] = 1 / (1 + Math.Pow(y[i, 0] - y[j, 0], 2) + Math.Pow(y[i, 1] - y[j, 1], 2));
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) p[i, j] /= z;
        var g = new double[4, 2];
        Assert.Equal(0.0, TsneEmbedding.KlDivergence(p, y, g), 12);
        foreach (var v in g) Assert.Equal(0.0, v, 12);
    }

    [Theory]
    [InlineData(5.0)]
    [InlineData(30.0)]
    [InlineData(50.0)]
    public void PerplexityCalibrationHitsTarget(double perplexity)
    {
        var rng = new Random(7);
        var d = new double[199];
        for (int j = 0; j < d.Length; j++) d[j] = 1000 * rng.NextDouble() * rng.NextDouble();
        var p = TsneEmbedding.ConditionalProbabilities(d, perplexity, out double beta);
        Assert.True(beta > 0);
        Assert.Equal(1.0, p.Sum(), 12);
        double bits = -p.Where(v => v > 0).Sum(v => v * Math.Log2(v));
        Assert.True(Math.Abs(Math.Pow(2, bits) - perplexity) < 1e-5 * perplexity, $"2^H = {Math.Pow(2, bits)}");
        // p_j is proportional to exp(-beta d_j).
        Assert.Equal(-beta * (d[1] - d[0]), Math.Log(p[1] / p[0]), 1e-9 * Math.Max(1, beta * Math.Abs(d[1] - d[0])));
    }

    [Fact]
    public void JointProbabilitiesAreSymmetricNormalisedAndCalibrated()
    {
        var (data, _) = Blobs(3, 20, 4, dim: 10);
        var x = ToMatrix(data, 60, 10);
        var p = TsneEmbedding.JointProbabilities(x, 10);
        double sum = 0;
        for (int i = 0; i < 60; i++)
        {
            Assert.Equal(0.0, p[i, i]);
            for (int j = 0; j < 60; j++)
            {
                Assert.Equal(p[i, j], p[j, i], 15);
                sum += p[i, j];
            }
        }
        Assert.Equal(1.0, sum, 12);
        Assert.Throws<ArgumentException>(() => TsneEmbedding.JointProbabilities(x, 60));
    }

    [Fact]
    public void BarnesHutGradientWithThetaZeroAndAllNeighboursEqualsExact()
    {
        // Perplexity 10 gives 31 neighbours: with n = 32 the sparse P holds every pair and equals the dense P,
        // and theta = 0 opens every cell, so both gradients (and KL values) must agree to rounding.
        const int n = 32;
        var (data, _) = Blobs(4, 8, 9, dim: 5);
        var x = data.Select(v => (double)v).ToArray();
        var dense = TsneAffinities.ExactJointP(x, n, 5, 10);
        var sparse = TsneAffinities.KnnJointP(x, n, 5, 10);
        Assert.Equal(n * (n - 1), sparse.Values.Length);
        for (int i = 0; i < n; i++)
            for (int e = sparse.RowStart[i]; e < sparse.RowStart[i + 1]; e++)
                Assert.Equal(dense[i * n + sparse.Columns[e]], sparse.Values[e], 14);

        var rng = new Random(2);
        var y = new double[2 * n];
        for (int e = 0; e < y.Length; e++) y[e] = 3 * TsneEmbedding.Gaussian(rng);
        y[2] = y[0]; y[3] = y[1]; // a duplicated point exercises multi-point leaves
        var gExact = new double[2 * n];
        var gBh = new double[2 * n];
        double klExact = TsneGradient.Exact(dense, y, n, 2, 4.0, gExact, new double[3 * n], true);
        double klBh = TsneGradient.BarnesHut(sparse, y, n, 0.0, 4.0, gBh, new TsneQuadTree(), new double[n], new double[n], true);
        Assert.Equal(klExact, klBh, 10);
        for (int e = 0; e < 2 * n; e++) Assert.Equal(gExact[e], gBh[e], 10);

        // theta = 0.5 approximates the same gradient to a few per cent.
        var gApprox = new double[2 * n];
        TsneGradient.BarnesHut(sparse, y, n, 0.5, 1.0, gApprox, new TsneQuadTree(), new double[n], new double[n], false);
        TsneGradient.Exact(dense, y, n, 2, 1.0, gExact, new double[3 * n], false);
        double err = 0, norm = 0;
        for (int e = 0; e < 2 * n; e++) { err += Math.Pow(gApprox[e] - gExact[e], 2); norm += gExact[e] * gExact[e]; }
        Assert.True(Math.Sqrt(err / norm) < 0.05, $"relative gradient error {Math.Sqrt(err / norm)}");
    }

    [Fact]
    public void NearestNeighboursAreExactAndOrdered()
    {
        var (data, _) = Blobs(2, 15, 3, dim: 4);
        var x = data.Select(v => (double)v).ToArray();
        const int n = 30, k = 7;
        var (index, dist) = TsneAffinities.NearestNeighbours(x, n, 4, k);
        for (int i = 0; i < n; i++)
        {
            var expected = Enumerable.Range(0, n).Where(j => j != i)
                .OrderBy(j => TsneAffinities.SquaredDistance(x.AsSpan(i * 4, 4), x.AsSpan(j * 4, 4))).Take(k).ToArray();
            Assert.Equal(expected, index.AsSpan(i * k, k).ToArray());
            for (int t = 1; t < k; t++) Assert.True(dist[i * k + t - 1] <= dist[i * k + t]);
        }
    }

    [Theory]
    [InlineData(TsneMethod.Exact)]
    [InlineData(TsneMethod.BarnesHut)]
    public void SeparatesGaussianBlobs(TsneMethod method)
    {
        var (data, labels) = Blobs(5, 60, 1);
        var recorder = new Recorder();
        var result = TsneEmbedding.Fit(data, 300, 50, new TsneOptions { Method = method }, recorder);
        Assert.Equal(method, result.Method);
        Assert.Equal(50.0, result.LearningRate); // auto: max(300 / 12 / 4, 50)
        Assert.Equal(300, result.Embedding.GetLength(0));
        Assert.Equal(2, result.Embedding.GetLength(1));
        Assert.True(Trustworthiness.NearestNeighbourAgreement(result.Embedding, labels) >= 0.99);
        Assert.True(Trustworthiness.Compute(ToMatrix(data, 300, 50), result.Embedding, 10) > 0.9);

        // Reports at 0, 50, ..., 950 and the final one at 1000, which equals the result's KL.
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 50 * i).Append(1000), recorder.Reports.Select(r => r.iter));
        Assert.Equal(result.KlDivergence, recorder.Reports[^1].kl);
        Assert.True(recorder.Reports[^1].kl < recorder.Reports[0].kl);
        Assert.True(result.KlDivergence > 0);
    }

    [Fact]
    public void BarnesHutMatchesExactQuality()
    {
        var (data, labels) = Blobs(5, 40, 2);
        const int n = 200;
        var x = ToMatrix(data, n, 50);
        var p = TsneEmbedding.JointProbabilities(x, 30);
        var exact = TsneEmbedding.Fit(data, n, 50, new TsneOptions { Method = TsneMethod.Exact });
        var bh0 = TsneEmbedding.Fit(data, n, 50, new TsneOptions { Method = TsneMethod.BarnesHut, Theta = 0 });
        var bh = TsneEmbedding.Fit(data, n, 50, new TsneOptions { Method = TsneMethod.BarnesHut });

        double klExact = TsneEmbedding.KlDivergence(p, exact.Embedding);
        Assert.Equal(klExact, exact.KlDivergence, 9);
        foreach (var r in new[] { bh0, bh })
        {
            // Judged with the exact P, and as reported with its own sparse P.
            double kl = TsneEmbedding.KlDivergence(p, r.Embedding);
            Assert.True(Math.Abs(kl - klExact) < 0.05 * klExact, $"KL exact {klExact}, Barnes-Hut {kl}");
            Assert.True(Math.Abs(r.KlDivergence - klExact) < 0.05 * klExact, $"KL exact {klExact}, Barnes-Hut reported {r.KlDivergence}");
            Assert.True(Math.Abs(Trustworthiness.Compute(x, r.Embedding, 10) - Trustworthiness.Compute(x, exact.Embedding, 10)) < 0.01);
            Assert.True(Trustworthiness.NearestNeighbourAgreement(r.Embedding, labels) >= 0.99);
        }
    }

    [Fact]
    public void SameSeedSameResultDifferentSeedDifferentResult()
    {
        var (data, _) = Blobs(3, 30, 6, dim: 8);
        var o = new TsneOptions { Method = TsneMethod.BarnesHut, Iterations = 100, Perplexity = 10 };
        var a = TsneEmbedding.Embed(data, 90, 8, o);
        var b = TsneEmbedding.Embed(data, 90, 8, o);
        var c = TsneEmbedding.Embed(data, 90, 8, o with { Seed = 2 });
        Assert.Equal(a.Cast<double>(), b.Cast<double>());
        Assert.NotEqual(a.Cast<double>(), c.Cast<double>());
    }

    [Fact]
    public void ExactSupportsThreeDimensionsAndDoubleInput()
    {
        var (data, labels) = Blobs(3, 20, 8, dim: 10);
        var o = new TsneOptions { Dimensions = 3, Perplexity = 10, Iterations = 400 };
        var e = TsneEmbedding.Embed(ToMatrix(data, 60, 10), o);
        Assert.Equal(3, e.GetLength(1));
        Assert.True(Trustworthiness.NearestNeighbourAgreement(e, labels) >= 0.99);
        Assert.Equal(TsneMethod.Exact, o.ResolveMethod(100_000)); // Auto never picks Barnes-Hut for 3-d
    }

    [Fact]
    public void PcaInitialisationWorks()
    {
        // Points spread along (1, 1, 0, 0) much more than along anything else: the first PCA coordinate follows it.
        var rng = new Random(3);
        const int n = 200, d = 4;
        var x = new double[n * d];
        var t = new double[n];
        for (int i = 0; i < n; i++)
        {
            t[i] = 10 * TsneEmbedding.Gaussian(rng);
            for (int f = 0; f < d; f++) x[i * d + f] = (f < 2 ? t[i] : 0) + 0.1 * TsneEmbedding.Gaussian(rng) + 5;
        }
        var y = TsnePca.Initialise(x, n, d, 2, 1);
        double sy = 0, st = 0, syy = 0, stt = 0, syt = 0;
        for (int i = 0; i < n; i++) { sy += y[2 * i]; st += t[i]; syy += y[2 * i] * y[2 * i]; stt += t[i] * t[i]; syt += y[2 * i] * t[i]; }
        double corr = (syt - sy * st / n) / Math.Sqrt((syy - sy * sy / n) * (stt - st * st / n));
        Assert.True(Math.Abs(corr) > 0.999, $"correlation {corr}");
        double mean0 = sy / n;
        Assert.Equal(1e-4, Math.Sqrt(syy / n - mean0 * mean0), 9);

        var (data, labels) = Blobs(5, 40, 5);
        var e = TsneEmbedding.Embed(data, 200, 50, new TsneOptions { Initialization = TsneInitialization.Pca, Iterations = 500 });
        Assert.True(Trustworthiness.NearestNeighbourAgreement(e, labels) >= 0.99);
    }

    [Fact]
    public void OptionsResolveAndValidate()
    {
        var o = new TsneOptions();
        Assert.Equal(TsneMethod.Exact, o.ResolveMethod(2000));
        Assert.Equal(TsneMethod.BarnesHut, o.ResolveMethod(2001));
        Assert.Equal(50.0, o.ResolveLearningRate(1000));
        Assert.Equal(10000 / 12.0 / 4.0, o.ResolveLearningRate(10000));
        Assert.Equal(200.0, (o with { LearningRate = 200 }).ResolveLearningRate(10000));

        var (data, _) = Blobs(2, 10, 1, dim: 3);
        Assert.Throws<ArgumentException>(() => TsneEmbedding.Embed(data, 20, 3, new TsneOptions { Method = TsneMethod.BarnesHut, Dimensions = 3, Perplexity = 5 }));
        Assert.Throws<ArgumentException>(() => TsneEmbedding.Embed(data, 20, 3, new TsneOptions { Perplexity = 20 }));
        Assert.Throws<ArgumentException>(() => TsneEmbedding.Embed(data, 21, 3, new TsneOptions { Perplexity = 5 }));
        Assert.Throws<ArgumentException>(() => TsneEmbedding.Embed(data, 20, 3, new TsneOptions { Perplexity = 5, Theta = -1 }));
        Assert.Throws<ArgumentException>(() => TsneEmbedding.Embed(data, 20, 3, new TsneOptions { Perplexity = 5, LearningRate = 0 }));
        var bad = (float[])data.Clone();
        bad[7] = float.NaN;
        Assert.Throws<ArgumentException>(() => TsneEmbedding.Embed(bad, 20, 3, new TsneOptions { Perplexity = 5 }));
        // Zero iterations return the initialisation: N(0, 1e-4^2).
        var init = TsneEmbedding.Embed(data, 20, 3, new TsneOptions { Perplexity = 5, Iterations = 0 });
        Assert.All(init.Cast<double>(), v => Assert.True(Math.Abs(v) < 1e-3));
    }
}
