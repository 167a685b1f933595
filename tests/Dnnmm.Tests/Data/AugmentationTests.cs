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

    [Fact]
    public void TheIdentityPolicyKeepsTheImages()
    {
        using var x = rand(3, 1, 8, 8);
        using var v = Augmentation.View(x, new ViewPolicy(), new Random(1));
        Assert.True(v.allclose(x));
    }

    [Fact]
    public void AViewIsReproducibleFromItsSeed()
    {
        using var x = rand(4, 3, 8, 8);
        var p = new ViewPolicy(0.2, 20, true, 0.4, 0.3, 0.1);
        using var a = Augmentation.View(x, p, new Random(7));
        using var b = Augmentation.View(x, p, new Random(7));
        using var c = Augmentation.View(x, p, new Random(8));
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
        Assert.False(a.allclose(c));
        Assert.True(a.min().item<float>() >= 0 && a.max().item<float>() <= 1);
    }

    [Fact]
    public void CutoutFillsASquareWithTheImageMean()
    {
        // A constant 0 image with one bright pixel far from the square would change the mean; use a ramp and count.
        using var x = ones(1, 1, 10, 10).mul(0.25f);
        x[0, 0, 0, 0] = tensor(1f);
        using var v = Augmentation.View(x, new ViewPolicy(Cutout: 0.3), new Random(3));
        float mean = x.mean().item<float>();
        int changed = (int)v.sub(x).abs().gt(1e-6).sum().item<long>();
        int atMean = (int)v.sub(mean).abs().lt(1e-6).sum().item<long>();
        Assert.InRange(atMean, 1, 9);       // a 3x3 square, possibly clipped at the border
        Assert.True(changed <= atMean);
    }

    [Fact]
    public void FlipsMirrorSomeImagesExactly()
    {
        using var x = rand(16, 1, 5, 5);
        using var v = Augmentation.View(x, new ViewPolicy(Flip: true), new Random(2));
        int mirrored = 0, same = 0;
        for (int i = 0; i < 16; i++)
        {
            if (v[i].allclose(x[i].flip(2))) mirrored++;
            else if (v[i].allclose(x[i])) same++;
        }
        Assert.Equal(16, mirrored + same);
        Assert.InRange(mirrored, 1, 15);
    }
}

