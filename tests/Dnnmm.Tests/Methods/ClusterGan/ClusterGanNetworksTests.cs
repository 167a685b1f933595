using TorchSharp.Modules;
using Dnnmm.Methods;
using Dnnmm.Methods.ClusterGan;
using static Dnnmm.Tests.Methods.NetworkAssert;

namespace Dnnmm.Tests.Methods.ClusterGan;

/// <summary>ClusterGAN's generator and critic/encoder network on the image shapes of the data sets (tiny widths and batches).</summary>
public class ClusterGanNetworksTests
{
    [Theory]
    [MemberData(nameof(ImageShapes), MemberType = typeof(NetworkAssert))]
    public void GeneratorMapsCodesToImagesInTheUnitInterval(int channels, int side)
    {
        var shape = new ImageShape(channels, side, side);
        using var g = new ClusterGanGenerator(latentDim: 6, shape, width: 2, hidden: 8);
        GeneratesImages(g, 6, shape);
    }

    [Theory]
    [MemberData(nameof(ImageShapes), MemberType = typeof(NetworkAssert))]
    public void ConvNetGivesTheRequestedOutputs(int channels, int side)
    {
        var shape = new ImageShape(channels, side, side);
        using var critic = new ClusterGanConvNet("critic", shape, width: 2, hidden: 8, outputs: 1);
        using var encoder = new ClusterGanConvNet("encoder", shape, width: 2, hidden: 8, outputs: 5 + 3); // dim(z_n) + K
        using var x = Images(3, shape);
        using var s = critic.forward(x);
        Shape(s, 3, 1);
        using var z = encoder.forward(x);
        Shape(z, 3, 8);
        Assert.Equal(ParameterNames(critic), ParameterNames(encoder));
    }

    [Fact]
    public void TheOfficialInitialisationZeroesTheBiasesAndShrinksTheWeights()
    {
        var shape = new ImageShape(1, 28, 28);
        using var g = new ClusterGanGenerator(6, shape, 2, 8);
        using var e = new ClusterGanConvNet("encoder", shape, 2, 8, 4);
        foreach (var (name, p) in g.named_parameters().Concat(e.named_parameters()))
        {
            if (name.EndsWith(".bias")) Assert.Equal(0f, p.abs().max().item<float>());
        }
        // the convolutions' weights are N(0, 0.02): far below the default's scale
        var conv = (Conv2d)e.named_modules().First(m => m.module is Conv2d).module;
        Assert.InRange(conv.weight!.std().item<float>(), 0.005, 0.05);
    }
}
