
namespace Dnnmm.Tsne.Tests;

public class TrustworthinessTests
{
    private static float[] RandomData(int n, int d, int seed)
    {
        var rng = new Random(seed);
        var a = new float[n * d];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() * 10);
        return a;
    }

    [Fact]
    public void IdenticalEmbeddingIsOne()
    {
        var x = RandomData(20, 5, 3);
        for (int k = 1; k < 10; k++)
            Assert.Equal(1.0, Trustworthiness.Compute(x, x, 20, 5, 5, k), 12);
    }

    [Fact]
    public void DistancePreservingEmbeddingIsOne()
    {
        // A reflected and shifted copy of points on a line keeps every neighbourhood.
        float[] x = [0, 1, 3, 7, 15, 31];
        float[] y = [100, 99, 97, 93, 85, 69];
        Assert.Equal(1.0, Trustworthiness.Compute(x, y, 6, 1, 1, 2), 12);
    }

    [Fact]
    public void HandWorkedSwapOfTwoPoints()
    {
        // Points on a line at 0, 1, 3, 7, 15, 31 (no tied distances); the embedding swaps points 2 and 3:
        // 0, 1, 7, 3, 15, 31. With k = 2, the embedding's 2-NN and the input ranks r(i, j) of the intruders are:
        //   i=0: {1, 3}, r(0,3) = 3 -> 1     i=1: {0, 3}, r(1,3) = 3 -> 1     i=2: {3, 1}, r(2,3) = 3 -> 1
        //   i=3: {1, 0}, r(3,0) = 3 -> 1     i=4: {2, 3}, none        -> 0     i=5: {4, 2}, r(5,2) = 3 -> 1
        // sum (r - k) = 5, T = 1 - 2 / (n k (2n - 3k - 1)) * 5 = 1 - 2 / (6 * 2 * 5) * 5 = 5/6.
        // With k = 1: intruders 2->3 (r = 3), 3->1 (r = 2), 4->2 (r = 2): sum = 2 + 1 + 1 = 4,
        // T = 1 - 2 / (6 * 1 * 8) * 4 = 5/6 as well. (A literal port of scikit-learn's code gives the same.)
        float[] x = [0, 1, 3, 7, 15, 31];
        float[] y = [0, 1, 7, 3, 15, 31];
        Assert.Equal(1.0 - 2.0 / (6 * 2 * (12 - 6 - 1)) * 5, Trustworthiness.Compute(x, y, 6, 1, 1, 2), 12);
        Assert.Equal(1.0 - 2.0 / (6 * 1 * (12 - 3 - 1)) * 4, Trustworthiness.Compute(x, y, 6, 1, 1, 1), 12);
        Assert.Equal(5.0 / 6.0, Trustworthiness.Compute(x, y, 6, 1, 1, 2), 12);
    }

    [Fact]
    public void MatchesLiteralPortOfScikitLearn()
    {
        // Random data (no ties): compare with a direct port of sklearn.manifold.trustworthiness
        // (argsort of the input distances, inverted index of ranks, k nearest in the embedding).
        const int n = 40, dh = 6, dl = 2;
        var x = RandomData(n, dh, 11);
        var y = RandomData(n, dl, 12);
        foreach (int k in new[] { 1, 5, 12, 19 })
            Assert.Equal(Reference(x, y, n, dh, dl, k), Trustworthiness.Compute(x, y, n, dh, dl, k), 12);
    }

    private static double Reference(float[] x, float[] y, int n, int dh, int dl, int k)
    {
        double Dist(float[] a, int d, int i, int j)
        {
            double s = 0;
            for (int c = 0; c < d; c++) s += (a[i * d + c] - (double)a[j * d + c]) * (a[i * d + c] - (double)a[j * d + c]);
            return Math.Sqrt(s);
        }
        var inverted = new int[n, n];
        for (int i = 0; i < n; i++)
        {
            var order = Enumerable.Range(0, n).OrderBy(j => j == i ? double.PositiveInfinity : Dist(x, dh, i, j)).ToArray();
            for (int r = 0; r < n; r++) inverted[i, order[r]] = r + 1;
        }
        double t = 0;
        for (int i = 0; i < n; i++)
        {
            var nn = Enumerable.Range(0, n).Where(j => j != i).OrderBy(j => Dist(y, dl, i, j)).Take(k);
            foreach (int j in nn)
            {
                int rank = inverted[i, j] - k;
                if (rank > 0) t += rank;
            }
        }
        return 1.0 - t * (2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)));
    }

    [Fact]
    public void DoubleMatrixOverloadAgrees()
    {
        float[] x = [0, 1, 3, 7, 15, 31];
        float[] y = [0, 1, 7, 3, 15, 31];
        var xm = new double[6, 1];
        var ym = new double[6, 1];
        for (int i = 0; i < 6; i++) { xm[i, 0] = x[i]; ym[i, 0] = y[i]; }
        Assert.Equal(Trustworthiness.Compute(x, y, 6, 1, 1, 2), Trustworthiness.Compute(xm, ym, 2), 12);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)] // k must be < n/2 = 3
    [InlineData(4)]
    public void RejectsKOutOfRange(int k)
    {
        var x = RandomData(6, 2, 1);
        Assert.Throws<ArgumentException>(() => Trustworthiness.Compute(x, x, 6, 2, 2, k));
    }

    [Fact]
    public void RejectsWrongShapes()
    {
        var x = RandomData(6, 2, 1);
        Assert.Throws<ArgumentException>(() => Trustworthiness.Compute(x, x, 6, 3, 2, 1));
        Assert.Throws<ArgumentException>(() => Trustworthiness.Compute(new double[6, 2], new double[5, 2], 1));
    }

    [Fact]
    public void NearestNeighbourAgreementHandCase()
    {
        // A at 0, 1, 6; B at 10, 11. The point at 6 is nearer to 10 (4) than to 1 (5): 4 of 5 agree.
        var e = new double[,] { { 0 }, { 1 }, { 10 }, { 11 }, { 6 } };
        int[] labels = [0, 0, 1, 1, 0];
        Assert.Equal(0.8, Trustworthiness.NearestNeighbourAgreement(e, labels), 12);
        Assert.Equal(1.0, Trustworthiness.NearestNeighbourAgreement(e, [0, 0, 1, 1, 1]), 12);
        Assert.Throws<ArgumentException>(() => Trustworthiness.NearestNeighbourAgreement(e, [0, 1]));
    }
}
