using TorchSharp;
using static TorchSharp.torch;
using Dnnmm.Methods.ClusterGan;

namespace Dnnmm.Tests.Methods.ClusterGan;

public class ClusterGanLossesTests
{
    [Fact]
    public void GradientPenaltyOfALinearCriticIsTenTimesSquaredNormMinusOne()
    {
        // D(x) = w . x has gradient w everywhere: penalty = 10 (|w| - 1)^2 = 10 * (5 - 1)^2 = 160, whatever eps.
        using var w = tensor(new float[] { 3, 4 });
        using var real = tensor(new float[] { 1, 2, -1, 0, 5, 5 }, new long[] { 3, 2 });
        using var fake = tensor(new float[] { 0, 0, 7, 1, -2, 3 }, new long[] { 3, 2 });
        Tensor Critic(Tensor x) => x.matmul(w);
        foreach (var eps in new[] { tensor(0.3f), tensor(new float[] { 0.1f, 0.5f, 0.9f }) })
        {
            using var gp = ClusterGanLosses.GradientPenalty(Critic, real, fake, eps, 10);
            Assert.Equal(160.0, gp.item<float>(), 3);
            eps.Dispose();
        }
    }

    [Fact]
    public void GradientPenaltyWorksOnImagesAndVanishesForUnitNorm()
    {
        // images 1x2x2; D(x) = sum of pixels * 0.5: gradient 0.5 on 4 pixels, norm 1 -> no penalty
        using var real = rand(5, 1, 2, 2);
        using var fake = rand(5, 1, 2, 2);
        using var eps = rand(5);
        Tensor Critic(Tensor x) => x.flatten(1).sum(dim: 1).mul(0.5);
        using var gp = ClusterGanLosses.GradientPenalty(Critic, real, fake, eps, 10);
        Assert.Equal(0.0, gp.item<float>(), 5);
    }

    [Fact]
    public void GradientPenaltyReachesTheCriticParameters()
    {
        // D(x) = a * sum(x) with a = 2 on 1-D inputs: penalty 10 (|a| - 1)^2 = 10, d/da = 20 (a - 1) = 20
        using var a = tensor(2f).requires_grad_(true);
        using var real = tensor(new float[] { 1, 2 }, new long[] { 2, 1 });
        using var fake = tensor(new float[] { 0, 3 }, new long[] { 2, 1 });
        using var eps = tensor(0.5f);
        using var gp = ClusterGanLosses.GradientPenalty(x => x.sum(dim: 1).mul(a), real, fake, eps, 10);
        Assert.Equal(10.0, gp.item<float>(), 4);
        gp.backward();
        Assert.Equal(20.0, a.grad!.item<float>(), 3);
    }

    [Fact]
    public void WassersteinTermsAreDifferencesOfMeans()
    {
        using var real = tensor(new float[] { 1, 3 });
        using var fake = tensor(new float[] { -2, 0, 5 });
        using var c = ClusterGanLosses.CriticLoss(real, fake);
        Assert.Equal(1.0 - 2.0, c.item<float>(), 5);
        using var g = ClusterGanLosses.GeneratorLoss(fake);
        Assert.Equal(-1.0, g.item<float>(), 5);
    }

    [Fact]
    public void NoiseReconstructionIsAMeanOverSamplesAndCoordinates()
    {
        using var zn = tensor(new float[] { 0, 0, 1, 1 }, new long[] { 2, 2 });
        using var hat = tensor(new float[] { 1, 0, 1, 3 }, new long[] { 2, 2 });
        using var t = ClusterGanLosses.NoiseReconstruction(zn, hat);
        Assert.Equal((1 + 0 + 0 + 4) / 4.0, t.item<float>(), 5);
    }

    [Fact]
    public void CategoryCrossEntropyOfUniformLogitsIsLogK()
    {
        using var logits = zeros(2, 4);
        using var cats = tensor(new long[] { 0, 3 });
        using var ce = ClusterGanLosses.CategoryCrossEntropy(logits, cats);
        Assert.Equal(Math.Log(4), ce.item<float>(), 5);
        // logits (ln 3, 0) with category 0: -log(3/4)
        using var l2 = tensor(new float[] { (float)Math.Log(3), 0 }, new long[] { 1, 2 });
        using var c2 = tensor(new long[] { 0 });
        using var ce2 = ClusterGanLosses.CategoryCrossEntropy(l2, c2);
        Assert.Equal(-Math.Log(0.75), ce2.item<float>(), 5);
    }

    [Fact]
    public void LatentIsScaledNoiseThenOneHot()
    {
        using var gen = new torch.Generator(3);
        using var cats = tensor(new long[] { 2, 0 });
        using var z = ClusterGanMethod.Latent(cats, 30, 0.1, 3, gen);
        Assert.Equal(new long[] { 2, 33 }, z.shape);
        Assert.Equal(new float[] { 0, 0, 1 }, z[0].narrow(0, 30, 3).data<float>().ToArray());
        Assert.Equal(new float[] { 1, 0, 0 }, z[1].narrow(0, 30, 3).data<float>().ToArray());
        using var noise = z.narrow(1, 0, 30);
        double std = noise.std().item<float>();
        Assert.InRange(std, 0.06, 0.14);
    }
}
