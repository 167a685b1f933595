using Dnnmm.Infrastructure;
using Dnnmm.Tests.Reliability;

namespace Dnnmm.Tests.Infrastructure;

public class GcFenceTests
{
    [Fact]
    public void LibtorchCallsSurviveAnotherThreadsAllocations()
    {
        // Without the fence this stress run dies within seconds ("Unknown scalar type" or another libtorch error;
        // docs/benchmarks.md); in a child process, so that a crash cannot take the test host. The other thread allocates
        // at the default 200 MB/s: without pause it could use up a region while this thread waits for a core on a loaded
        // machine (one CI run failed so), which no real process's other threads do.
        var (code, err) = BadInputTests.ProgramWith(GcFence.Variable, "on", "bench", "--gc-stress", "8");
        Assert.True(code == 0, err);
    }

    [Fact]
    public void TheRegionIsRenewedAfterAQuarterOfTheBudgetOrAfterEnoughSafePoints()
    {
        // Steps allocate little managed memory but leave native tensors that only a collection frees: the safe-point
        // bound makes the renewal's collection come at regular intervals however little is allocated.
        Assert.False(GcFence.Renews(1, 0));
        Assert.False(GcFence.Renews(GcFence.MaxSafePoints - 1, GcFence.Budget / 4 - 1));
        Assert.True(GcFence.Renews(GcFence.MaxSafePoints, 0));
        Assert.True(GcFence.Renews(1, GcFence.Budget / 4));
    }

    [Fact]
    public void TheFenceMovesWithTheThreadThatTrainsNow()
    {
        // The serial test runner (and any host) may train on one thread and later on another: the later thread's safe
        // points must renew the region too. When the first thread owned the fence for good, a later training thread was
        // unprotected and a test died in Adam's step ("Expected false to be true").
        Assert.True(GcFence.Enabled, $"{GcFence.Variable} turns the fence off in the test process");
        var first = new Thread(GcFence.SafePoint);
        first.Start(); first.Join();
        int before = GcFence.Regions;
        var later = new Thread(() => { for (int i = 0; i <= GcFence.MaxSafePoints; i++) GcFence.SafePoint(); });
        later.Start(); later.Join();
        Assert.True(GcFence.Regions > before, $"regions {GcFence.Regions}, before {before}");
    }

    [Fact]
    public void AnOutOfRangeStressTimeIsAnInputError()
    {
        var (code, err) = BadInputTests.ProgramWith(GcFence.Variable, "on", "bench", "--gc-stress", "0");
        Assert.NotEqual(0, code);
        Assert.Contains("--gc-stress", err);
    }

    [Fact]
    public void ANegativeChurnRateIsAnInputError()
    {
        var (code, err) = BadInputTests.ProgramWith(GcFence.Variable, "on", "bench", "--gc-stress", "1", "--gc-churn", "-5");
        Assert.NotEqual(0, code);
        Assert.Contains("--gc-churn", err);
    }
}
