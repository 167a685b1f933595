using System.Runtime.CompilerServices;
using Dnnmm.Infrastructure;

namespace Dnnmm.Tests;

internal static class TestSetup
{
    /// <summary>
    /// Every fit in the test process uses one libtorch thread: test classes run in parallel, and fits asking for
    /// different thread counts would resize libtorch's one thread pool under one another (and change the rounding of
    /// runs that tests compare exactly). Tests that pass --threads keep theirs.
    /// </summary>
    [ModuleInitializer]
    internal static void OneThread() => Environment.SetEnvironmentVariable(Compute.ThreadsVariable, "1");
}
