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
    public void ADeeperEncoderAddsNamedSameWidthConvolutionsThatKeepTheFeatureShape()
    {
        var shape = new ImageShape(1, 28, 28);
        using var shallow = Encoder.Create(shape, 2, 4);
        using var deep = Encoder.Create(shape, 2, 4, depth: 3);
        Assert.Equal(new[]
        {
            "trunk.conv1.weight", "trunk.conv1.bias", "trunk.conv1_2.weight", "trunk.conv1_2.bias", "trunk.conv1_3.weight", "trunk.conv1_3.bias",
            "trunk.conv2.weight", "trunk.conv2.bias", "trunk.conv2_2.weight", "trunk.conv2_2.bias", "trunk.conv2_3.weight", "trunk.conv2_3.bias",
            "head.weight", "head.bias",
        }, ParameterNames(deep));
        Assert.Equal(shallow.FeatureCount, deep.FeatureCount);
        using var x = Images(3, shape);
        using var z = deep.forward(x);
        Shape(z, 3, 4);
        // Per 3x3 convolution: c * c * 9 multiply-adds at each of the stage's output positions (14 x 14 with 2 channels, 7 x 7 with 4).
        Assert.Equal(shallow.MacsPerSample + 2 * (14 * 14 * 2 * 2 * 9 + 7 * 7 * 4 * 4 * 9), deep.MacsPerSample);
    }

    [Fact]
    public void SpectralNormDividesALinearLayerByItsLargestSingularValue()
    {
        // W = [[3, 0], [0, 1]] (singular values 3 and 1), b = (1, -1): after enough power-iteration passes the layer
        // applies W / 3 = [[1, 0], [0, 1/3]], so x = (3, 3) maps to (3, 1) + b = (4, 0).
        var linear = TorchSharp.torch.nn.Linear(2, 2);
        using (TorchSharp.torch.no_grad())
        {
            linear.weight!.copy_(TorchSharp.torch.tensor(new[] { 3f, 0f, 0f, 1f }).reshape(2, 2));
            linear.bias!.copy_(TorchSharp.torch.tensor(new[] { 1f, -1f }));
        }
        using var sn = new SpectralNorm("sn", linear);
        for (int i = 0; i < 30; i++) { using var s = sn.Sigma(); }
        using var sigma = sn.Sigma();
        Assert.Equal(3.0, sigma.item<float>(), 4);
        using var x = TorchSharp.torch.tensor(new[] { 3f, 3f }).reshape(1, 2);
        using var y = sn.forward(x);
        Assert.Equal(new[] { 4f, 0f }, y.data<float>().ToArray().Select(v => MathF.Round(v, 4)));
        // the gradient reaches the wrapped weight (u and v held fixed)
        using var loss = y.sum();
        loss.backward();
        Assert.NotNull(linear.weight!.grad);
    }

    [Fact]
    public void SpectralNormOfAConvolutionMatchesTheSingularValuesOfItsReshapedWeight()
    {
        var conv = TorchSharp.torch.nn.Conv2d(3, 4, 4, stride: 2, padding: 1);
        using var sn = new SpectralNorm("sn", conv, stride: 2, padding: 1);
        for (int i = 0; i < 100; i++) { using var s = sn.Sigma(); }
        using var sigma = sn.Sigma();
        using var svd = TorchSharp.torch.linalg.svdvals(conv.weight!.detach().reshape(4, -1));
        Assert.Equal(svd.max().item<float>(), sigma.item<float>(), 3);
        // the pass is the convolution with W / sigma
        using var x = Images(2, new ImageShape(3, 8, 8));
        using var y = sn.forward(x);
        using var w = conv.weight!.detach().div(sigma.detach());
        using var expected = TorchSharp.torch.nn.functional.conv2d(x, w, conv.bias!.detach(), strides: new long[] { 2, 2 }, padding: new long[] { 1, 1 });
        Assert.True(y.detach().allclose(expected, rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void TheSpectrallyNormalisedDiscriminatorKeepsItsShapeAndNamesItsLayers()
    {
        var shape = new ImageShape(1, 28, 28);
        using var d = Discriminator.Create(shape, 2, spectralNorm: true);
        using var x = Images(3, shape);
        using var logit = d.forward(x);
        Shape(logit, 3, 1);
        Assert.Equal(new[] { "trunk.conv1.layer.weight", "trunk.conv1.layer.bias", "trunk.conv2.layer.weight", "trunk.conv2.layer.bias", "head.layer.weight", "head.layer.bias" },
            ParameterNames(d));
        Assert.Equal(3, d.buffers().Count());   // one u per layer, saved with the checkpoint
    }

    [Fact]
    public void UnsupportedShapesAreAClearError()
    {
        Assert.Throws<DnnmmInputException>(() => new ImageGenerator(4, new ImageShape(1, 20, 20), 2));
        Assert.Throws<DnnmmInputException>(() => Encoder.Create(new ImageShape(1, 28, 32), 2, 4));
    }
}
