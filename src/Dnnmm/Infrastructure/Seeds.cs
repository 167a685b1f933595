namespace Dnnmm.Infrastructure;

/// <summary>Seeds derived from a run's seed, so that a resumed run draws exactly what an uninterrupted one does.</summary>
public static class Seeds
{
    /// <summary>A stable seed for (run seed, epoch, stream): a hash of the three numbers, non-negative.</summary>
    public static int Mix(int seed, int epoch, int stream)
    {
        unchecked
        {
            uint h = 2166136261;
            foreach (int v in new[] { seed, epoch, stream })
            {
                h = (h ^ (uint)v) * 16777619;
                h ^= h >> 15;
            }
            return (int)(h & 0x7fffffff);
        }
    }
}
