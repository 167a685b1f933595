using Dnnmm.Infrastructure;
using TorchSharp;

namespace Dnnmm.Tests.Infrastructure;

public class ComputeTests
{
    [Fact]
    public void ThreadsComeFromTheOptionThenTheVariableThenTheCores()
    {
        Assert.Equal(3, Compute.ResolveThreads(3, "5"));
        Assert.Equal(5, Compute.ResolveThreads(0, "5"));
        Assert.Equal(5, Compute.ResolveThreads(0, " 5 "));
        Assert.Equal(Environment.ProcessorCount, Compute.ResolveThreads(0, null));
        Assert.Equal(Environment.ProcessorCount, Compute.ResolveThreads(0, ""));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("two")]
    [InlineData("1.5")]
    public void ABadThreadsVariableIsAOneLineError(string v)
    {
        var e = Assert.Throws<DnnmmInputException>(() => Compute.ResolveThreads(0, v));
        Assert.Equal($"DNNMM_THREADS='{v}': not a positive number of threads", e.Message);
    }

    [Fact]
    public void TheTestProcessFitsWithOneThread()
    {
        Compute.ConfigureThreads(0);
        Assert.Equal(1, torch.get_num_threads());
    }
}
