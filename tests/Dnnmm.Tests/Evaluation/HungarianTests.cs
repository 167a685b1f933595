using System.Diagnostics;
using Dnnmm.Evaluation;

namespace Dnnmm.Tests.Evaluation;

public class HungarianTests
{
    [Fact]
    public void Solves3x3Example()
    {
        // Unique optimum 1 + 2 + 2 = 5 (next best is 6).
        var cost = new double[,] { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } };
        int[] a = Hungarian.Solve(cost);
        Assert.Equal(new[] { 1, 0, 2 }, a);
        Assert.Equal(5, Hungarian.TotalCost(cost, a));
    }

    [Fact]
    public void Solves4x4ClassicExample()
    {
        // Four workers, four jobs: 69 + 37 + 11 + 23 = 140 is the unique optimum (next best 142).
        var cost = new double[,]
        {
            { 82, 83, 69, 92 },
            { 77, 37, 49, 92 },
            { 11, 69, 5, 86 },
            { 8, 9, 98, 23 },
        };
        int[] a = Hungarian.Solve(cost);
        Assert.Equal(new[] { 2, 1, 0, 3 }, a);
        Assert.Equal(140, Hungarian.TotalCost(cost, a));
    }

    [Fact]
    public void SolvesSecond4x4Example()
    {
        // 2 + 6 + 1 + 4 = 13, unique (next best 14).
        var cost = new double[,] { { 9, 2, 7, 8 }, { 6, 4, 3, 7 }, { 5, 8, 1, 8 }, { 7, 6, 9, 4 } };
        int[] a = Hungarian.Solve(cost);
        Assert.Equal(new[] { 1, 0, 2, 3 }, a);
        Assert.Equal(13, Hungarian.TotalCost(cost, a));
    }

    [Fact]
    public void SolvesWideMatrix()
    {
        // Pairs: (0->1, 1->0) = 2 + 2 = 4 beats (0->0, 1->1) = 5 and every use of column 2.
        var cost = new double[,] { { 1, 2, 3 }, { 2, 4, 6 } };
        int[] a = Hungarian.Solve(cost);
        Assert.Equal(new[] { 1, 0 }, a);
        Assert.Equal(4, Hungarian.TotalCost(cost, a));
    }

    [Fact]
    public void SolvesTallMatrixLeavingRowsUnassigned()
    {
        // Transpose of the wide case: row 2 has no column.
        var cost = new double[,] { { 1, 2 }, { 2, 4 }, { 3, 6 } };
        int[] a = Hungarian.Solve(cost);
        Assert.Equal(new[] { 1, 0, -1 }, a);
        Assert.Equal(4, Hungarian.TotalCost(cost, a));
    }

    [Fact]
    public void HandlesTiesAndNegativeAndFractionalCosts()
    {
        var flat = new double[4, 4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                flat[i, j] = 1;
        int[] a = Hungarian.Solve(flat);
        AssertPermutation(a, 4);
        Assert.Equal(4, Hungarian.TotalCost(flat, a));

        // Two optima of cost 2 (identity and swap in the first block); either is fine.
        var tied = new double[,] { { 1, 1, 9 }, { 1, 1, 9 }, { 9, 9, 0 } };
        int[] b = Hungarian.Solve(tied);
        AssertPermutation(b, 3);
        Assert.Equal(2, Hungarian.TotalCost(tied, b));

        var neg = new double[,] { { -1.5, 0.25 }, { 0.5, -2.75 } };
        Assert.Equal(new[] { 0, 1 }, Hungarian.Solve(neg));
    }

    [Fact]
    public void SolveMaximumMaximises()
    {
        // Diagonal 5 + 3 = 8 beats 1 + 4 = 5.
        var profit = new double[,] { { 5, 1 }, { 4, 3 } };
        Assert.Equal(new[] { 0, 1 }, Hungarian.SolveMaximum(profit));

        // Maximum of the 3x3 example: rows 0->0, 1->2, 2->1 give 4 + 5 + 2 = 11, unique (next 9).
        var m = new double[,] { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } };
        int[] a = Hungarian.SolveMaximum(m);
        Assert.Equal(new[] { 0, 2, 1 }, a);
        Assert.Equal(11, Hungarian.TotalCost(m, a));
        Assert.Equal(BruteForceMax(m), Hungarian.TotalCost(m, a));
    }

    [Fact]
    public void EmptyAndDegenerateShapes()
    {
        Assert.Empty(Hungarian.Solve(new double[0, 0]));
        Assert.Empty(Hungarian.Solve(new double[0, 3]));
        Assert.Equal(new[] { -1, -1 }, Hungarian.Solve(new double[2, 0]));
        Assert.Equal(new[] { 0 }, Hungarian.Solve(new double[,] { { 7 } }));
    }

    [Fact]
    public void RejectsNonFiniteCosts()
    {
        Assert.Throws<ArgumentException>(() => Hungarian.Solve(new double[,] { { 1, double.NaN }, { 0, 1 } }));
        Assert.Throws<ArgumentException>(() => Hungarian.Solve(new double[,] { { double.PositiveInfinity } }));
        Assert.Throws<ArgumentNullException>(() => Hungarian.Solve(null!));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void MatchesBruteForceOnRandomSquareMatrices(int k)
    {
        for (int seed = 0; seed < 40; seed++)
        {
            var rng = new Random(1000 * k + seed);
            // Even seeds: small integers (many ties, exact comparison); odd seeds: real numbers.
            bool integers = seed % 2 == 0;
            var cost = RandomMatrix(rng, k, k, integers);
            int[] a = Hungarian.Solve(cost, out var u, out var v);
            AssertPermutation(a, k);
            double best = BruteForceMin(cost);
            double got = Hungarian.TotalCost(cost, a);
            if (integers)
                Assert.Equal(best, got);
            else
                Assert.Equal(best, got, 9);
            AssertDualCertificate(cost, a, u, v);
        }
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 5)]
    [InlineData(3, 7)]
    [InlineData(5, 6)]
    [InlineData(6, 2)]
    [InlineData(7, 4)]
    public void MatchesBruteForceOnRandomRectangularMatrices(int rows, int cols)
    {
        for (int seed = 0; seed < 25; seed++)
        {
            var rng = new Random(rows * 100 + cols * 10 + seed);
            var cost = RandomMatrix(rng, rows, cols, integers: seed % 2 == 0);
            int[] a = Hungarian.Solve(cost, out var u, out var v);

            Assert.Equal(rows, a.Length);
            Assert.Equal(Math.Min(rows, cols), a.Count(j => j >= 0));
            var usedCols = a.Where(j => j >= 0).ToArray();
            Assert.Equal(usedCols.Length, usedCols.Distinct().Count());
            Assert.Equal(BruteForceMin(cost), Hungarian.TotalCost(cost, a), 9);
            AssertDualCertificate(cost, a, u, v);
        }
    }

    [Fact]
    public void Solves50x50QuicklyAndOptimally()
    {
        const int k = 50;
        var rng = new Random(50);
        var cost = RandomMatrix(rng, k, k, integers: false);
        var sw = Stopwatch.StartNew();
        int[] a = Hungarian.Solve(cost, out var u, out var v);
        sw.Stop();
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"took {sw.Elapsed}");

        AssertPermutation(a, k);
        double got = Hungarian.TotalCost(cost, a);
        // Optimality certificate: a feasible dual whose value equals the primal cost.
        AssertDualCertificate(cost, a, u, v);

        // And no worse than the identity, a greedy choice, or 1000 random permutations.
        Assert.True(got <= Hungarian.TotalCost(cost, Enumerable.Range(0, k).ToArray()));
        Assert.True(got <= Hungarian.TotalCost(cost, Greedy(cost)) + 1e-9);
        for (int t = 0; t < 1000; t++)
        {
            int[] perm = Enumerable.Range(0, k).ToArray();
            rng.Shuffle(perm);
            Assert.True(got <= Hungarian.TotalCost(cost, perm) + 1e-9);
        }
    }

    [Fact]
    public void Recovers50x50HiddenZeroPermutation()
    {
        // cost[i, pi(i)] = 0 and every other entry is in [1, 100]: pi is the unique optimum.
        const int k = 50;
        var rng = new Random(7);
        int[] pi = Enumerable.Range(0, k).ToArray();
        rng.Shuffle(pi);
        var cost = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                cost[i, j] = j == pi[i] ? 0 : 1 + rng.Next(100);
        int[] a = Hungarian.Solve(cost);
        Assert.Equal(pi, a);
        Assert.Equal(0, Hungarian.TotalCost(cost, a));

        // As a maximisation of the negated costs, the same answer.
        var profit = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                profit[i, j] = -cost[i, j];
        Assert.Equal(pi, Hungarian.SolveMaximum(profit));
    }

    private static double[,] RandomMatrix(Random rng, int rows, int cols, bool integers)
    {
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                m[i, j] = integers ? rng.Next(0, 6) : rng.NextDouble() * 200 - 50;
        return m;
    }

    private static void AssertPermutation(int[] a, int k)
    {
        Assert.Equal(k, a.Length);
        Assert.Equal(Enumerable.Range(0, k), a.OrderBy(x => x));
    }

    /// <summary>u[i] + v[j] &lt;= c[i, j], tight on assigned pairs, long-side potentials &lt;= 0 and 0 when unmatched, sum = cost.</summary>
    private static void AssertDualCertificate(double[,] cost, int[] a, double[] u, double[] v)
    {
        const double tol = 1e-9;
        int rows = cost.GetLength(0), cols = cost.GetLength(1);
        Assert.Equal(rows, u.Length);
        Assert.Equal(cols, v.Length);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                Assert.True(u[i] + v[j] <= cost[i, j] + tol, $"dual infeasible at ({i},{j})");
        for (int i = 0; i < rows; i++)
        {
            if (a[i] >= 0)
                Assert.Equal(cost[i, a[i]], u[i] + v[a[i]], 9);
        }
        var (longSide, matched) = rows <= cols
            ? (v, Enumerable.Range(0, cols).Select(j => a.Contains(j)).ToArray())
            : (u, a.Select(j => j >= 0).ToArray());
        for (int t = 0; t < longSide.Length; t++)
        {
            Assert.True(longSide[t] <= tol);
            if (!matched[t]) Assert.Equal(0, longSide[t]);
        }
        Assert.Equal(Hungarian.TotalCost(cost, a), u.Sum() + v.Sum(), 8);
    }

    private static int[] Greedy(double[,] cost)
    {
        int k = cost.GetLength(0);
        var taken = new bool[k];
        var a = new int[k];
        for (int i = 0; i < k; i++)
        {
            int best = -1;
            for (int j = 0; j < k; j++)
                if (!taken[j] && (best < 0 || cost[i, j] < cost[i, best])) best = j;
            taken[best] = true;
            a[i] = best;
        }
        return a;
    }

    /// <summary>Minimum over all injective maps of the shorter side into the longer side.</summary>
    internal static double BruteForceMin(double[,] cost)
    {
        int rows = cost.GetLength(0), cols = cost.GetLength(1);
        double best = double.PositiveInfinity;
        if (rows <= cols)
        {
            foreach (var p in Injections(rows, cols))
                best = Math.Min(best, Enumerable.Range(0, rows).Sum(i => cost[i, p[i]]));
        }
        else
        {
            foreach (var p in Injections(cols, rows))
                best = Math.Min(best, Enumerable.Range(0, cols).Sum(j => cost[p[j], j]));
        }
        return best;
    }

    private static double BruteForceMax(double[,] m)
    {
        var neg = new double[m.GetLength(0), m.GetLength(1)];
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++)
                neg[i, j] = -m[i, j];
        return -BruteForceMin(neg);
    }

    /// <summary>All sequences of n distinct values from 0..m-1.</summary>
    internal static IEnumerable<int[]> Injections(int n, int m)
    {
        var current = new int[n];
        var used = new bool[m];
        IEnumerable<int[]> Rec(int pos)
        {
            if (pos == n)
            {
                yield return (int[])current.Clone();
                yield break;
            }
            for (int j = 0; j < m; j++)
            {
                if (used[j]) continue;
                used[j] = true;
                current[pos] = j;
                foreach (var r in Rec(pos + 1)) yield return r;
                used[j] = false;
            }
        }
        return Rec(0);
    }
}
