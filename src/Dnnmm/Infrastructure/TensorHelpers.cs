
namespace Dnnmm.Infrastructure;

/// <summary>Conversions between tensors and arrays, and the finiteness check of every training loop.</summary>
public static class TensorHelpers
{
    /// <summary>Whether every element of <paramref name="t"/> is finite (no NaN, no infinity).</summary>
    public static bool IsFinite(Tensor t) => t.isfinite().all().item<bool>();

    /// <summary>The index of the largest entry of each row of an N x K tensor.</summary>
    public static int[] ArgmaxRows(Tensor p)
    {
        using var a = p.argmax(1).cpu();
        return a.data<long>().Select(v => (int)v).ToArray();
    }

    /// <summary>An N x K tensor as a float matrix on the CPU.</summary>
    public static float[,] ToMatrix(Tensor p)
    {
        using var c = p.detach().cpu().to_type(ScalarType.Float32).contiguous();
        int n = (int)c.shape[0], k = (int)c.shape[1];
        var flat = c.data<float>().ToArray();
        var m = new float[n, k];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(float));
        return m;
    }

    /// <summary>The index of the largest entry of each row of a matrix.</summary>
    public static int[] ArgmaxRows(float[,] p)
    {
        int n = p.GetLength(0), k = p.GetLength(1);
        var pred = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int j = 1; j < k; j++) if (p[i, j] > p[i, best]) best = j;
            pred[i] = best;
        }
        return pred;
    }
}

/// <summary>Medians and means of the figures a run reports.</summary>
public static class Stats
{
    /// <summary>The median; NaN for no values.</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var s = values.OrderBy(x => x).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    /// <summary>Every running sum divided by <paramref name="n"/>.</summary>
    public static Dictionary<string, double> Averages(IReadOnlyDictionary<string, double> sums, int n) =>
        sums.ToDictionary(kv => kv.Key, kv => kv.Value / n);
}
