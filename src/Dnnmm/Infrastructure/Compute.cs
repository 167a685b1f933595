
namespace Dnnmm.Infrastructure;

/// <summary>Where tensors live and how many CPU threads libtorch uses.</summary>
public static class Compute
{
    /// <summary>Whether <paramref name="name"/> is a device name this program accepts: cpu, cuda or cuda:N.</summary>
    public static bool IsDeviceName(string name) => name == "cpu" || name == "cuda" || name.StartsWith("cuda:");

    /// <summary>The libtorch device of that name; CUDA when it is not available is a one-line input error.</summary>
    public static Device ResolveDevice(string name)
    {
        if (name.StartsWith("cuda") && !torch.cuda.is_available())
            throw new OptionException("device", $"'{name}': CUDA is not available (a CPU build of dnnmm, the default, or no NVIDIA GPU and driver; build with -p:TorchBackend=cuda and run where there is one, see docs/gpu.md)");
        return new Device(name);
    }

    /// <summary>Sets libtorch's CPU threads: <paramref name="threads"/>, or every core when 0.</summary>
    public static void ConfigureThreads(int threads) =>
        torch.set_num_threads(threads > 0 ? threads : Environment.ProcessorCount);
}
