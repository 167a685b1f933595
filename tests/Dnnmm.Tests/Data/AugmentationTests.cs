using static TorchSharp.torch;
using Dnnmm.Data;

namespace Dnnmm.Tests.Data;

public class AugmentationTests
{
    private static Tensor OnePixel(int row, int col, int side = 8)
    {
        var px = new float[side * side];
        px[row * side + col] = 1;
        return tensor(px, new long[] { 1, 1, side, side });
    }

    private static (int Row, int Col) Brightest(Tensor x)
    {
        int side = (int)x.shape[3];
        int i = (int)x.reshape(-1).argmax().item<long>();
        return (i / side, i % side);
    }

    [Fact]
    public void NoRotationOrShiftIsTheIdentity()
    {
        using var x = rand(3, 2, 6, 9);
        using var y = Augmentation.Affine(x, new float[3], new float[3], new float[3]);
        Assert.True(y.allclose(x, atol: 1e-5));
    }

    [Fact]
    public void AWholePixelShiftMovesThePixelExactly()
    {
        using var x = OnePixel(3, 2);
        using var y = Augmentation.Affine(x, new[] { 0f }, new[] { 2f }, new[] { -1f });
        Assert.Equal((2, 4), Brightest(y));
        Assert.Equal(1.0, y.max().item<float>(), 4);
    }

    [Fact]
    public void QuarterTurnMatchesRot90()
    {
        using var x = rand(1, 1, 6, 6);
        using var y = Augmentation.Affine(x, new[] { 90f }, new[] { 0f }, new[] { 0f });
        // Positive angles turn the picture clockwise as displayed (row 0 at the top).
        using var expected = x.rot90(-1, (2, 3));
        Assert.True(y.allclose(expected, atol: 1e-4));
    }

    [Fact]
    public void RandomAffineStaysWithinTheRanges()
    {
        using var x = OnePixel(4, 4, side: 9);
        var rng = new Random(3);
        for (int t = 0; t < 20; t++)
        {
            using var y = Augmentation.RandomAffine(x, shift: 0.1, rotation: 10, rng);
            var (r, c) = Brightest(y);
            // centre pixel: a rotation about the centre keeps it; shifts are at most 0.9 pixel.
            Assert.InRange(r, 3, 5);
            Assert.InRange(c, 3, 5);
        }
    }
}
