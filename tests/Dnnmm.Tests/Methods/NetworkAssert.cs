using static TorchSharp.torch;

namespace Dnnmm.Tests.Methods;

/// <summary>Shape and parameter-name checks shared by the network tests.</summary>
internal static class NetworkAssert
{
    /// <summary>The (channels, side) of the data sets' images: MNIST, CIFAR-10, CelebA.</summary>
    public static TheoryData<int, int> ImageShapes => new() { { 1, 28 }, { 3, 32 }, { 3, 64 } };

    public static void Shape(Tensor t, params long[] expected) => Assert.Equal(expected, t.shape);

    /// <summary>Every value in [lo, hi].</summary>
    public static void InRange(Tensor t, double lo, double hi)
    {
        Assert.True(t.min().item<float>() >= lo, $"min {t.min().item<float>()} < {lo}");
        Assert.True(t.max().item<float>() <= hi, $"max {t.max().item<float>()} > {hi}");
    }

    /// <summary>The parameter names (the keys of a saved checkpoint): non-empty, unique; returned in order.</summary>
    public static string[] ParameterNames(nn.Module module)
    {
        var names = module.named_parameters().Select(p => p.name).ToArray();
        Assert.NotEmpty(names);
        Assert.Equal(names.Length, names.Distinct().Count());
        return names;
    }

    /// <summary>Three random codes through a generator, in training and in evaluation mode: 3 x C x H x W images in [0, 1].</summary>
    public static void GeneratesImages(nn.Module<Tensor, Tensor> generator, int latentDim, global::Dnnmm.Methods.ImageShape shape)
    {
        using var y = randn(3, latentDim);
        foreach (bool training in new[] { true, false })
        {
            generator.train(training);
            using var x = generator.forward(y);
            Shape(x, 3, shape.Channels, shape.Height, shape.Width);
            InRange(x, 0, 1);
        }
        ParameterNames(generator);
    }

    /// <summary>N random images in [0, 1] of the given shape.</summary>
    public static Tensor Images(int n, global::Dnnmm.Methods.ImageShape shape) => rand(n, shape.Channels, shape.Height, shape.Width);
}
