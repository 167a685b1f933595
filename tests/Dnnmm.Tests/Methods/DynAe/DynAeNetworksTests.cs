using Dnnmm.Methods;
using Dnnmm.Methods.DynAe;
using static Dnnmm.Tests.Methods.NetworkAssert;

namespace Dnnmm.Tests.Methods.DynAe;

/// <summary>DynAE's autoencoder and critic, both architectures, on the image shapes of the data sets (tiny widths and batches).</summary>
public class DynAeNetworksTests
{
    private static readonly int[] Hidden = { 8, 6 };

    public static TheoryData<DynAeArchitecture, int, int> Cases => new()
    {
        { DynAeArchitecture.Mlp, 1, 28 }, { DynAeArchitecture.Mlp, 3, 32 },
        { DynAeArchitecture.Conv, 1, 28 }, { DynAeArchitecture.Conv, 3, 32 }, { DynAeArchitecture.Conv, 3, 64 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AutoencoderEncodesToTheEmbeddingAndDecodesToTheImageShape(DynAeArchitecture arch, int channels, int side)
    {
        var shape = new ImageShape(channels, side, side);
        using var ae = new DynAeAutoencoder(shape, arch, Hidden, embeddingDim: 4, width: 2);
        Assert.Equal(shape, ae.Shape);
        using var x = Images(3, shape);
        using var z = ae.Encode(x);
        Shape(z, 3, 4);
        using var d = ae.Decode(z);
        Shape(d, 3, channels, side, side);
        using var r = ae.forward(x);
        Shape(r, 3, channels, side, side);
        var all = ParameterNames(ae);
        int encoder = ae.EncoderParameters().Count();
        Assert.InRange(encoder, 1, all.Length - 1); // the encoder's parameters are a proper part of the autoencoder's
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CriticGivesOneScorePerImage(DynAeArchitecture arch, int channels, int side)
    {
        var shape = new ImageShape(channels, side, side);
        using var critic = new DynAeCritic(shape, arch, Hidden, embeddingDim: 4, width: 2);
        using var x = Images(3, shape);
        using var s = critic.forward(x);
        Shape(s, 3);
        ParameterNames(critic);
    }
}
