using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;
using static Dnnmm.Tests.Methods.NetworkAssert;

namespace Dnnmm.Tests.Methods.Dnnmm;

/// <summary>DNN-MM's generator, encoder and discriminator on the image shapes of the data sets (tiny widths and batches).</summary>
public class NetworksTests
{
    [Theory]
    [MemberData(nameof(ImageShapes), MemberType = typeof(NetworkAssert))]
    public void GeneratorMapsCodesToImagesInTheUnitInterval(int channels, int side)
    {
        var shape = new ImageShape(channels, side, side);
        using var g = new ImageGenerator(latentDim: 5, shape, width: 2);
        GeneratesImages(g, 5, shape);
        Assert.True(g.MacsPerSample > 0);
    }

    [Theory]
    [MemberData(nameof(ImageShapes), MemberType = typeof(NetworkAssert))]
    public void EncoderMapsImagesToCodesAndDiscriminatorToOneLogit(int channels, int side)
    {
        var shape = new ImageShape(channels, side, side);
        using var e = Encoder.Create(shape, width: 2, latentDim: 5);
        using var d = Discriminator.Create(shape, width: 2);
        using var x = Images(3, shape);
        using var z = e.forward(x);
        Shape(z, 3, 5);
        using var logit = d.forward(x);
        Shape(logit, 3, 1);
        using var f = e.Features(x);
        Shape(f, 3, e.FeatureCount);
        Assert.True(e.MacsPerSample > 0 && d.MacsPerSample > 0);
    }

    [Fact]
    public void ParameterNamesAreStable()
    {
        var shape = new ImageShape(1, 28, 28);
        using var g = new ImageGenerator(4, shape, 2);
        Assert.Equal(new[]
        {
            "project.fc.weight", "project.fc.bias", "project.bn.weight", "project.bn.bias",
            "upsample.deconv1.weight", "upsample.deconv1.bias", "upsample.bn1.weight", "upsample.bn1.bias",
            "upsample.deconv2.weight", "upsample.deconv2.bias",
        }, ParameterNames(g));
        using var e = Encoder.Create(shape, 2, 4);
        Assert.Equal(new[] { "trunk.conv1.weight", "trunk.conv1.bias", "trunk.conv2.weight", "trunk.conv2.bias", "head.weight", "head.bias" },
            ParameterNames(e));
        using var d = Discriminator.Create(new ImageShape(3, 64, 64), 2);
        Assert.Equal(10, ParameterNames(d).Length); // four convolutions and the head
    }

    [Fact]
    public void UnsupportedShapesAreAClearError()
    {
        Assert.Throws<DnnmmInputException>(() => new ImageGenerator(4, new ImageShape(1, 20, 20), 2));
        Assert.Throws<DnnmmInputException>(() => Encoder.Create(new ImageShape(1, 28, 32), 2, 4));
    }
}
