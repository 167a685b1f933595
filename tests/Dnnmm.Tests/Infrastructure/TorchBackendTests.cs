using static TorchSharp.torch;

namespace Dnnmm.Tests.Infrastructure;

public class TorchBackendTests
{
    [Fact]
    public void NativeBackendLoadsAndMatmulRuns()
    {
        // Fails with "GLIBCXX_3.4.32 not found" on Debian 12 unless the build step patched libLibTorchSharp.so.
        using var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        using var c = a.matmul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void AutogradComputesGradient()
    {
        using var x = tensor(new float[] { 3f }, requires_grad: true);
        using var y = x * x;
        y.backward();
        Assert.Equal(6f, x.grad!.item<float>(), 5);
    }
}
