using System.Runtime;

namespace Dnnmm.Infrastructure;

/// <summary>
/// Keeps the garbage collector out of libtorch's calls. TorchSharp turns numbers into temporary <c>Scalar</c> objects
/// (x.add(1), LeakyReLU's slope, Adam's betas) and passes their native handles to libtorch without keeping the objects
/// alive; a garbage collection during that native call, started by an allocation on another thread, finalises the
/// Scalar and frees the native value that libtorch is reading: the run dies with "Unknown scalar type" or a similar
/// libtorch error (a 20-epoch experiment grid lost both of its shards this way). A collection started by the training
/// thread itself is harmless: that thread is then in managed code, between native calls.
/// <para>
/// So the training thread holds a no-GC region (<see cref="GC.TryStartNoGCRegion(long)"/>) and moves it at safe points
/// (<see cref="SafePoint"/>: every minibatch read, every training step, every k-means iteration): when the managed
/// allocations since the region began reach a quarter of its <see cref="Budget"/>, it ends the region and starts a new
/// one, and that start is a full collection on the training thread. Other threads then never start a collection (unless
/// the budget runs out). The first thread that reaches a safe point owns the fence; safe points of other threads do
/// nothing. DNNMM_GC_FENCE=off turns it off (for diagnosis: <c>dnnmm bench --gc-stress</c>).
/// </para>
/// </summary>
public static class GcFence
{
    /// <summary>The size of a no-GC region; the heap grows by at most a quarter of it between collections.</summary>
    public const long Budget = 128L << 20;

    /// <summary>The variable that turns the fence off (value off, 0 or false).</summary>
    public const string Variable = "DNNMM_GC_FENCE";

    private static int owner;
    private static long regionStart;
    private static readonly bool enabled = ReadEnabled();

    /// <summary>False when DNNMM_GC_FENCE turns the fence off.</summary>
    public static bool Enabled => enabled;

    /// <summary>Regions started so far (each a collection on the owning thread).</summary>
    public static int Regions { get; private set; }

    private static bool ReadEnabled()
    {
        var v = Environment.GetEnvironmentVariable(Variable)?.Trim().ToLowerInvariant();
        return v is not ("off" or "0" or "false" or "no");
    }

    /// <summary>
    /// Call between native calls on the training thread (no TorchSharp call in flight on it): starts a new no-GC region
    /// when there is none or when the current one is a quarter used.
    /// </summary>
    public static void SafePoint()
    {
        if (!enabled) return;
        int me = Environment.CurrentManagedThreadId;
        if (Volatile.Read(ref owner) != me && Interlocked.CompareExchange(ref owner, me, 0) != 0) return;
        bool inRegion = GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;
        if (inRegion && GC.GetTotalAllocatedBytes() - regionStart < Budget / 4) return;
        try
        {
            if (inRegion) GC.EndNoGCRegion();
        }
        catch (InvalidOperationException) { /* the region had already ended (a collection ran out of the budget) */ }
        try
        {
            if (GC.TryStartNoGCRegion(Budget)) Regions++;
        }
        catch (InvalidOperationException) { /* a region is already in progress */ }
        catch (ArgumentOutOfRangeException) { /* a budget above what this GC allows: no fence */ }
        regionStart = GC.GetTotalAllocatedBytes();
    }
}
