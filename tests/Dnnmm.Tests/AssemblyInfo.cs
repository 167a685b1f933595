// libtorch's default random generator and thread pool are process-wide: tests that build networks
// (whose initial weights come from the global seed) must not run concurrently.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
