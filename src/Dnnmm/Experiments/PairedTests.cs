using MathNet.Numerics.Distributions;

namespace Dnnmm.Experiments;

/// <summary>
/// Two paired two-sided tests of a - b.
/// </summary>
/// <param name="N">Number of pairs (zero differences included).</param>
/// <param name="MeanDifference">Mean of a - b (NaN when there are no pairs).</param>
/// <param name="TStatistic">Paired t statistic (0 when every difference is 0, ±inf when all are equal and non-zero).</param>
/// <param name="TPValue">Two-sided p of the t-test with N - 1 degrees of freedom (NaN when N &lt; 2).</param>
/// <param name="WilcoxonStatistic">min(W+, W-) over the non-zero differences, with average ranks for ties.</param>
/// <param name="WilcoxonPValue">Two-sided p of the signed-rank test (1 when no difference is non-zero, NaN when N = 0).</param>
public sealed record PairedResult(int N, double MeanDifference, double TStatistic, double TPValue,
    double WilcoxonStatistic, double WilcoxonPValue);

/// <summary>
/// Paired t-test and Wilcoxon signed-rank test, following scipy.stats.ttest_rel and scipy.stats.wilcoxon with their
/// defaults (zero_method "wilcox": zero differences are dropped; no continuity correction): the Wilcoxon p is exact
/// up to <see cref="ExactWilcoxonMaxN"/> non-zero differences (all 2^n sign patterns, ties kept at their average
/// ranks), above that the normal approximation with the tie correction of the variance.
/// </summary>
public static class PairedTests
{
    /// <summary>Largest number of non-zero differences for which the Wilcoxon p is exact.</summary>
    public const int ExactWilcoxonMaxN = 20;

    /// <summary>Both tests of a[i] - b[i]. The lists must have the same length and hold finite numbers.</summary>
    public static PairedResult Compare(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"paired samples differ in length: {a.Count} and {b.Count}");
        var d = new double[a.Count];
        for (int i = 0; i < d.Length; i++)
        {
            if (!double.IsFinite(a[i]) || !double.IsFinite(b[i]))
                throw new ArgumentException($"pair {i}: ({a[i]}, {b[i]}) is not a pair of finite numbers");
            d[i] = a[i] - b[i];
        }
        var (t, tp) = TTest(d);
        var (w, wp) = Wilcoxon(d);
        return new PairedResult(d.Length, d.Length == 0 ? double.NaN : d.Average(), t, tp, w, wp);
    }

    /// <summary>The paired t statistic and its two-sided p for the differences <paramref name="d"/>.</summary>
    public static (double T, double P) TTest(IReadOnlyList<double> d)
    {
        ArgumentNullException.ThrowIfNull(d);
        int n = d.Count;
        if (n < 2) return (double.NaN, double.NaN);
        double mean = d.Average();
        // All equal: no spread. Checked exactly (the computed variance of equal values need not be exactly 0).
        if (d.All(x => x == d[0])) return d[0] == 0 ? (0.0, 1.0) : (d[0] > 0 ? double.PositiveInfinity : double.NegativeInfinity, 0.0);
        double ss = 0;
        foreach (var x in d) ss += (x - mean) * (x - mean);
        double sd = Math.Sqrt(ss / (n - 1));
        double t = mean / (sd / Math.Sqrt(n));
        double p = 2 * StudentT.CDF(0, 1, n - 1, -Math.Abs(t));
        return (t, Math.Min(1.0, p));
    }

    /// <summary>The signed-rank statistic min(W+, W-) and its two-sided p for the differences <paramref name="d"/>.</summary>
    public static (double Statistic, double P) Wilcoxon(IReadOnlyList<double> d)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (d.Count == 0) return (double.NaN, double.NaN);
        var nz = d.Where(x => x != 0).ToArray();
        int n = nz.Length;
        if (n == 0) return (0.0, 1.0);

        // Average ranks of |d|, doubled so that they are integers (a tie's average rank is a multiple of 1/2).
        var order = Enumerable.Range(0, n).OrderBy(i => Math.Abs(nz[i])).ToArray();
        var rank2 = new int[n];
        var tieSizes = new List<int>();
        for (int s = 0; s < n;)
        {
            int e = s;
            while (e + 1 < n && Math.Abs(nz[order[e + 1]]) == Math.Abs(nz[order[s]])) e++;
            int r2 = s + 1 + e + 1; // 2 x the average of the 1-based ranks s+1 .. e+1
            for (int k = s; k <= e; k++) rank2[order[k]] = r2;
            tieSizes.Add(e - s + 1);
            s = e + 1;
        }
        int wPlus2 = 0, total2 = 0;
        for (int i = 0; i < n; i++)
        {
            total2 += rank2[i];
            if (nz[i] > 0) wPlus2 += rank2[i];
        }
        int stat2 = Math.Min(wPlus2, total2 - wPlus2);
        double statistic = stat2 / 2.0;

        double p;
        if (n <= ExactWilcoxonMaxN)
        {
            // Number of sign patterns for each (doubled) W+: a subset-sum count over the doubled ranks.
            var counts = new double[total2 + 1];
            counts[0] = 1;
            int reach = 0;
            foreach (int r in rank2)
            {
                for (int s = reach; s >= 0; s--)
                    if (counts[s] != 0) counts[s + r] += counts[s];
                reach += r;
            }
            double atOrBelow = 0;
            for (int s = 0; s <= stat2; s++) atOrBelow += counts[s];
            p = 2 * atOrBelow / Math.Pow(2, n);
        }
        else
        {
            double mn = n * (n + 1) / 4.0;
            double var = n * (n + 1) * (2.0 * n + 1) / 24.0;
            foreach (int t in tieSizes) var -= (t * (double)t * t - t) / 48.0;
            double z = (statistic - mn) / Math.Sqrt(var);
            p = 2 * MathNet.Numerics.Distributions.Normal.CDF(0, 1, -Math.Abs(z));
        }
        return (statistic, Math.Min(1.0, p));
    }
}
