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
/// allocations since the region began reach a quarter of its <see cref="Budget"/>, or after <see cref="MaxSafePoints"/>
/// safe points, it ends the region, collects (a full blocking collection on the training thread) and starts a new one.
/// Other threads then never start a collection (unless the budget runs out). A training step allocates little managed
/// memory but leaves native tensors whose wrappers only the collector frees, and starting a region does not collect
/// when the GC can extend the heap instead: the explicit collection frees them (measured: without it the main job's
/// resident memory grew by about 30 MB an epoch, 660 MB after 10 epochs against 393 MB without the fence, and the
/// safe-point bound alone left 650 MB; docs/benchmarks.md), and the safe-point bound makes it come at regular intervals
/// however little is allocated. Whichever thread reaches a safe point moves the fence (one at a time; a thread that finds
/// another inside skips its turn): the thread that trains now, whichever it is. A fence owned by the first thread for
/// good left a later training thread unprotected (the serial test runner moves from thread to thread: a test then died
/// in Adam's step with "Expected false to be true"). Two trainings at once in one process are not protected from each
/// other's collections; the CLI and the experiment runner train one run at a time, and the tests run serially.
/// DNNMM_GC_FENCE=off turns it off (for diagnosis: <c>dnnmm bench --gc-stress</c>).
/// </para>
/// </summary>
public static class GcFence
{
    /// <summary>The size of a no-GC region; the heap grows by at most a quarter of it between collections.</summary>
    public const long Budget = 128L << 20;

    /// <summary>Safe points after which the region is renewed (a collection) however little was allocated.</summary>
    public const int MaxSafePoints = 200;

    /// <summary>The variable that turns the fence off (value off, 0 or false).</summary>
    public const string Variable = "DNNMM_GC_FENCE";

    private static readonly object Gate = new();
    private static long regionStart;
    private static int safePoints;
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
    /// Whether a region that has seen <paramref name="safePoints"/> safe points and <paramref name="allocated"/> bytes of
    /// managed allocations is renewed now: at a quarter of the budget, or at <see cref="MaxSafePoints"/> safe points.
    /// </summary>
    public static bool Renews(int safePoints, long allocated) => safePoints >= MaxSafePoints || allocated >= Budget / 4;

    /// <summary>
    /// Call between native calls on the training thread (no TorchSharp call in flight on it): starts a new no-GC region
    /// when there is none, or collects and starts a new one when the current one is due (<see cref="Renews"/>).
    /// </summary>
    public static void SafePoint()
    {
        if (!enabled) return;
        if (!Monitor.TryEnter(Gate)) return;
        try { Move(); }
        finally { Monitor.Exit(Gate); }
    }

    private static void Move()
    {
        bool inRegion = GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;
        if (inRegion && !Renews(++safePoints, GC.GetTotalAllocatedBytes() - regionStart)) return;
        safePoints = 0;
        try
        {
            if (inRegion) GC.EndNoGCRegion();
        }
        catch (InvalidOperationException) { /* the region had already ended (a collection ran out of the budget) */ }
        // A collection here, on the training thread between native calls. Starting a region does not collect by itself
        // when the GC can extend the heap instead (regions GC, dotnet/runtime#54085, #97600): without this the heap grew
        // and the native tensors that only finalisers free were never freed.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        // Starting the region may collect once more; TryStartNoGCRegion(Budget, disallowFullBlockingGC: true) did not
        // help (dnnmm bench --gc-stress 15, two runs each: 2.6 collections per region as here, 2.9 with it).
        try
        {
            if (GC.TryStartNoGCRegion(Budget)) Regions++;
        }
        catch (InvalidOperationException) { /* a region is already in progress */ }
        catch (ArgumentOutOfRangeException) { /* a budget above what this GC allows: no fence */ }
        regionStart = GC.GetTotalAllocatedBytes();
    }
}
