using TorchSharp;
using static TorchSharp.torch;

namespace Dnnmm.Tests.Methods;

/// <summary>Shape and parameter-name checks shared by the network tests.</summary>
internal static class NetworkAssert
{
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

    /// <summary>N random images in [0, 1] of the given shape.</summary>
    public static Tensor Images(int n, global::Dnnmm.Methods.ImageShape shape) => rand(n, shape.Channels, shape.Height, shape.Width);
}
