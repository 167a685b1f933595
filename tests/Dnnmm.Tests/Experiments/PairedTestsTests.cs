using Dnnmm.Experiments;

namespace Dnnmm.Tests.Experiments;

public class PairedTestsTests
{
    private static PairedResult Diff(params double[] d) => PairedTests.Compare(d, new double[d.Length]);

    /// <summary>Closed form of the Student t CDF with 4 degrees of freedom.</summary>
    private static double TwoSidedP4(double t)
    {
        double a = t * t / (1 + t * t / 4);
        double f = 0.5 + 3.0 / 8 * (Math.Abs(t) / Math.Sqrt(1 + t * t / 4)) * (1 - a / 12);
        return 2 * (1 - f);
    }

    [Fact]
    public void TTestMatchesClosedFormsAndTableValues()
    {
        // d = 1..5: mean 3, sd sqrt(2.5), t = 3 / (sqrt(2.5) / sqrt(5)) = 4.2426, df 4.
        var r = Diff(1, 2, 3, 4, 5);
        Assert.Equal(5, r.N);
        Assert.Equal(3, r.MeanDifference, 12);
        Assert.Equal(Math.Sqrt(18), r.TStatistic, 12);
        Assert.Equal(TwoSidedP4(Math.Sqrt(18)), r.TPValue, 10);
        Assert.Equal(0.0132356, r.TPValue, 6);
        // Table: t = 2.776, df 4 -> two-sided p = 0.05. d = (1, 2, 3, 4, 5) - 3 + 2.776 sqrt(0.5): t is 2.776.
        var s = Diff(new[] { 1.0, 2, 3, 4, 5 }.Select(x => x - 3 + 2.776 * Math.Sqrt(0.5)).ToArray());
        Assert.Equal(2.776, s.TStatistic, 9);
        Assert.Equal(0.05, s.TPValue, 3);
        // df 2: F(t) = 1/2 + t / (2 sqrt(2 + t^2)), two-sided p = 1 - |t| / sqrt(2 + t^2). d = (1, 2, 6): t = 3 / (sqrt(7) / sqrt(3)).
        var u = PairedTests.Compare(new[] { 2.0, 3, 10 }, new[] { 1.0, 1, 4 });
        double t2 = 3 / (Math.Sqrt(7) / Math.Sqrt(3));
        Assert.Equal(t2, u.TStatistic, 12);
        Assert.Equal(1 - t2 / Math.Sqrt(2 + t2 * t2), u.TPValue, 10);
        // Sign: a < b gives a negative t and the same p.
        var v = PairedTests.Compare(new[] { 1.0, 1, 4 }, new[] { 2.0, 3, 10 });
        Assert.Equal(-t2, v.TStatistic, 12);
        Assert.Equal(u.TPValue, v.TPValue, 12);
    }

    [Fact]
    public void TTestEdgeCases()
    {
        Assert.True(double.IsNaN(Diff(0.5).TPValue));
        Assert.True(double.IsNaN(Diff().TPValue));
        Assert.True(double.IsNaN(Diff().MeanDifference));
        var zero = Diff(0, 0, 0);
        Assert.Equal((0.0, 1.0), (zero.TStatistic, zero.TPValue));
        var same = PairedTests.Compare(new[] { 0.9, 0.8, 0.7 }, new[] { 0.8, 0.7, 0.6 }.Select((x, i) => new[] { 0.9, 0.8, 0.7 }[i] - 0.25).ToArray());
        Assert.Equal(double.PositiveInfinity, same.TStatistic);
        Assert.Equal(0, same.TPValue);
        Assert.Equal(double.NegativeInfinity, Diff(-2, -2).TStatistic);
        Assert.Throws<ArgumentException>(() => PairedTests.Compare(new[] { 1.0 }, new[] { 1.0, 2 }));
        Assert.Throws<ArgumentException>(() => PairedTests.Compare(new[] { double.NaN }, new[] { 1.0 }));
    }

    [Fact]
    public void WilcoxonExactMatchesHandCounts()
    {
        // n = 5, all positive: W- = 0, p = 2 / 32.
        var all = Diff(1, 2, 3, 4, 5);
        Assert.Equal((0.0, 0.0625), (all.WilcoxonStatistic, all.WilcoxonPValue));
        // W- = 2: sign patterns with W+ <= 2 are {}, {1}, {2}: p = 2 * 3 / 32. A zero difference is dropped.
        var one = Diff(0, 1, -2, 3, 4, 5);
        Assert.Equal(6, one.N);
        Assert.Equal(2, one.WilcoxonStatistic);
        Assert.Equal(0.1875, one.WilcoxonPValue, 15);
        // Ties: |d| = 1, 1, 2, 3 have ranks 1.5, 1.5, 3, 4; W- = 3; sums <= 3: {}, {1.5}, {1.5'}, {1.5, 1.5'}, {3}: p = 10 / 16.
        var tied = Diff(1, 1, -2, 3);
        Assert.Equal(3, tied.WilcoxonStatistic);
        Assert.Equal(0.625, tied.WilcoxonPValue, 15);
        // Symmetric: p capped at 1.
        Assert.Equal(1.0, Diff(1, -1).WilcoxonPValue);
        // Nothing non-zero.
        Assert.Equal((0.0, 1.0), (Diff(0, 0).WilcoxonStatistic, Diff(0, 0).WilcoxonPValue));
    }

    [Fact]
    public void WilcoxonExactAgreesWithBruteForceEnumeration()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = rng.Next(1, 12);
            // Few distinct magnitudes, so that ties are common.
            var d = Enumerable.Range(0, n).Select(_ => rng.Next(-3, 4) * 0.25).ToArray();
            var nz = d.Where(x => x != 0).ToArray();
            var (stat, p) = PairedTests.Wilcoxon(d);
            if (nz.Length == 0) { Assert.Equal(1.0, p); continue; }
            var ranks = nz.Select(x => nz.Count(y => Math.Abs(y) < Math.Abs(x)) + (nz.Count(y => Math.Abs(y) == Math.Abs(x)) + 1) / 2.0).ToArray();
            double wPlus = ranks.Where((_, i) => nz[i] > 0).Sum(), total = ranks.Sum();
            double expectedStat = Math.Min(wPlus, total - wPlus);
            int below = 0, m = nz.Length;
            for (int mask = 0; mask < 1 << m; mask++)
            {
                double s = 0;
                for (int i = 0; i < m; i++) if ((mask >> i & 1) == 1) s += ranks[i];
                if (s <= expectedStat + 1e-9) below++;
            }
            Assert.Equal(expectedStat, stat, 12);
            Assert.Equal(Math.Min(1, 2.0 * below / (1 << m)), p, 12);
        }
    }

    [Fact]
    public void WilcoxonAbove20UsesTheNormalApproximationWithTieCorrection()
    {
        // n = 25, all positive: z = -162.5 / sqrt(25 * 26 * 51 / 24); p = erfc(|z| / sqrt 2) (Python math.erfc).
        var all = Diff(Enumerable.Range(1, 25).Select(i => (double)i).ToArray());
        Assert.Equal(0, all.WilcoxonStatistic);
        Assert.Equal(1.2290322210248443e-05, all.WilcoxonPValue, 12);
        // Five tied ones (rank 3), negatives -2, -7, -17: T = 38; variance less (5^3 - 5) / 48.
        var d = new double[] { 1, 1, 1, 1, 1, -2, 3, 4, 5, 6, -7, 8, 9, 10, 11, 12, 13, 14, 15, 16, -17, 18, 19, 20, 21 };
        var tied = Diff(d);
        Assert.Equal(38, tied.WilcoxonStatistic);
        Assert.Equal(0.0007995623856263463, tied.WilcoxonPValue, 12);
    }
}
