namespace Dnnmm.Infrastructure;

/// <summary>Shuffles and cyclic minibatch indices, every draw from a given <see cref="Random"/>.</summary>
public static class Batches
{
    /// <summary>A Fisher-Yates shuffled copy of <paramref name="source"/>.</summary>
    public static int[] Shuffle(int[] source, Random rng)
    {
        var a = (int[])source.Clone();
        for (int i = a.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (a[i], a[j]) = (a[j], a[i]);
        }
        return a;
    }

    /// <summary>
    /// The minibatches of one pass over <paramref name="order"/>: batch <paramref name="step"/> of size
    /// <paramref name="batchSize"/> (the last one shorter). A step past the end wraps to the first batch.
    /// </summary>
    public static int[] Slice(int[] order, int step, int batchSize)
    {
        int s0 = step * batchSize, s1 = Math.Min(order.Length, s0 + batchSize);
        if (s0 >= order.Length) { s0 = 0; s1 = Math.Min(order.Length, batchSize); }
        return order[s0..s1];
    }

    /// <summary>Steps of one pass over n items in batches of b (at least one).</summary>
    public static int Steps(int n, int b) => Math.Max(1, (n + b - 1) / b);
}

/// <summary>Indices of batches taken from a cyclic shuffled order, reshuffled whenever it runs out.</summary>
public sealed class BatchCycler
{
    private readonly int[] items;
    private readonly Random rng;
    private int[] order;
    private int pos;

    public BatchCycler(int[] items, Random rng)
    {
        this.items = items; this.rng = rng;
        order = Batches.Shuffle(items, rng);
    }

    public int Count => items.Length;

    /// <summary>The next <paramref name="b"/> indices.</summary>
    public long[] Next(int b)
    {
        var ids = new long[b];
        for (int j = 0; j < b; j++)
        {
            if (pos == order.Length) { order = Batches.Shuffle(items, rng); pos = 0; }
            ids[j] = order[pos++];
        }
        return ids;
    }
}
