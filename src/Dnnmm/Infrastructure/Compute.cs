
namespace Dnnmm.Infrastructure;

/// <summary>Where tensors live and how many CPU threads libtorch uses.</summary>
public static class Compute
{
    private static readonly object SeededInitLock = new();

    /// <summary>
    /// Builds networks whose initial weights come from libtorch's global generator seeded with <paramref name="seed"/>.
    /// Seeding and building hold one process-wide lock: two fits on different threads (a test run, a parallel sweep)
    /// would otherwise draw from the one global generator in turn and get each other's weights.
    /// </summary>
    public static T SeededInit<T>(int seed, Func<T> build)
    {
        lock (SeededInitLock)
        {
            torch.manual_seed(seed);
            return build();
        }
    }

    /// <summary>Whether <paramref name="name"/> is a device name this program accepts: cpu, cuda or cuda:N.</summary>
    public static bool IsDeviceName(string name) => name == "cpu" || name == "cuda" || name.StartsWith("cuda:");

    /// <summary>The libtorch device of that name; CUDA when it is not available is a one-line input error.</summary>
    public static Device ResolveDevice(string name)
    {
        if (name.StartsWith("cuda") && !torch.cuda.is_available())
            throw new OptionException("device", $"'{name}': CUDA is not available (a CPU build of dnnmm, the default, or no NVIDIA GPU and driver; build with -p:TorchBackend=cuda and run where there is one, see docs/gpu.md)");
        return new Device(name);
    }

    /// <summary>The environment variable that sets the thread count of <c>--threads 0</c> (every core when unset).</summary>
    public const string ThreadsVariable = "DNNMM_THREADS";

    /// <summary>
    /// libtorch's CPU threads for <paramref name="threads"/>: itself when positive; for 0, <see cref="ThreadsVariable"/>
    /// when set (a shared machine, a test run: several fits in one process must not resize one another's thread pool),
    /// otherwise every core.
    /// </summary>
    public static int ResolveThreads(int threads) => ResolveThreads(threads, Environment.GetEnvironmentVariable(ThreadsVariable));

    /// <summary><see cref="ResolveThreads(int)"/> with the variable's value <paramref name="v"/> given.</summary>
    public static int ResolveThreads(int threads, string? v)
    {
        if (threads > 0) return threads;
        if (string.IsNullOrWhiteSpace(v)) return Environment.ProcessorCount;
        if (!int.TryParse(v.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n < 1)
            throw new DnnmmInputException($"{ThreadsVariable}='{v}': not a positive number of threads");
        return n;
    }

    /// <summary>Sets libtorch's CPU threads (<see cref="ResolveThreads(int)"/>), leaving the pool alone when it already has that many.</summary>
    public static void ConfigureThreads(int threads)
    {
        int n = ResolveThreads(threads);
        if (torch.get_num_threads() != n) torch.set_num_threads(n);
    }
}
