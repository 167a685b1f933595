using static Dnnmm.Tests.Cli.CliRunner;

namespace Dnnmm.Tests.Cli;

/// <summary>
/// --device cuda (docs/gpu.md): on the default CPU build, or without an NVIDIA GPU, a one-line error that says how to get
/// CUDA instead of a failure deep in libtorch; on a CUDA build with a GPU, a short training on it.
/// </summary>
public class DeviceCliTests
{
    [Fact]
    public void CudaIsAOneLineErrorWithoutCudaAndTrainsWithIt()
    {
        using var dir = new TempDir();
        var r = Run("train", "--classes", "0,1", "--per-class", "10", "--epochs", "1", "--width", "8", "--device", "cuda", "--out", dir.File("run"));
        if (!TorchSharp.torch.cuda.is_available())
            AssertBadInput(r, "error: --device 'cuda': CUDA is not available (a CPU build of dnnmm, the default, or no NVIDIA GPU and driver; build with -p:TorchBackend=cuda");
        else
            Assert.True(r.Code == 0 && r.Out.Contains("final ACC"), r.Err);
    }

    [Fact]
    public void AnUnknownDeviceIsAOneLineError()
    {
        using var dir = new TempDir();
        AssertBadInput(Run("train", "--classes", "0,1", "--per-class", "10", "--device", "gpu", "--out", dir.File("run")), "'gpu' must be cpu, cuda or cuda:N");
    }
}
