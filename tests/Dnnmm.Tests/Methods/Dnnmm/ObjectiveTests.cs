using static TorchSharp.torch;
using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Tests.Methods.Dnnmm;

public class ObjectiveTests
{
    private static LatentMixture Mixture() =>
        new(tensor(new float[] { 0, 0, 2, 0 }, new long[] { 2, 2 }), tensor(new[] { 0.5f, 0.5f }));

    private static readonly double LogNormConst = -Math.Log(2 * Math.PI); // -(d/2) log(2 pi), d = 2

    [Fact]
    public void LikelihoodTermWeighsLogJointByFixedMemberships()
    {
        using var m = Mixture();
        using var z = tensor(new float[] { 0, 0, 2, 1 }, new long[] { 2, 2 });
        using var gamma = tensor(new float[] { 1, 0, 0.25f, 0.75f }, new long[] { 2, 2 });
        using var term = Objective.LikelihoodTerm(m, z, gamma);
        // sample 1: log .5 + c - 0; sample 2: .25 (log .5 + c - 0.5*5) + .75 (log .5 + c - 0.5*1)
        double s1 = Math.Log(0.5) + LogNormConst;
        double s2 = 0.25 * (Math.Log(0.5) + LogNormConst - 2.5) + 0.75 * (Math.Log(0.5) + LogNormConst - 0.5);
        Assert.Equal((s1 + s2) / 2, term.item<float>(), 5);
    }

    [Fact]
    public void LabelledTermUsesCrispMemberships()
    {
        using var m = Mixture();
        using var z = tensor(new float[] { 1, 0 }, new long[] { 1, 2 });
        using var labels = tensor(new long[] { 1 });
        using var term = Objective.LabelledLikelihoodTerm(m, z, labels);
        Assert.Equal(Math.Log(0.5) + LogNormConst - 0.5, term.item<float>(), 5);
    }

    [Fact]
    public void ConsistencyTermIsMeanSquaredDistance()
    {
        using var y = tensor(new float[] { 1, 2, 0, 0 }, new long[] { 2, 2 });
        using var r = tensor(new float[] { 1, 0, 3, 4 }, new long[] { 2, 2 });
        using var t = Objective.ConsistencyTerm(y, r);
        Assert.Equal((4.0 + 25.0) / 2, t.item<float>(), 5);
        using var w = tensor(new float[] { 0.5f, 1.5f });
        using var tw = Objective.ConsistencyTerm(y, r, w);
        Assert.Equal((0.5 * 4 + 1.5 * 25) / 2, tw.item<float>(), 4);
    }

    [Fact]
    public void AdversarialTermsAtHalfConfidence()
    {
        using var zero = zeros(4, 1);
        using var bce = Objective.DiscriminatorLoss(zero, zero, GanLoss.Bce);
        Assert.Equal(2 * Math.Log(2), bce.item<float>(), 5);      // -log .5 - log .5
        using var lit = Objective.DiscriminatorLoss(zero, zero, GanLoss.Literal);
        Assert.Equal(0.0, lit.item<float>(), 5);                 // -log .5 + log .5
        using var g = Objective.AdversarialTerm(zero);
        Assert.Equal(-Math.Log(2), g.item<float>(), 5);                   // log D(G(y)) = log .5
        using var confident = full(new long[] { 2, 1 }, 3f);
        using var g2 = Objective.AdversarialTerm(confident);
        Assert.Equal(-Math.Log(1 + Math.Exp(-3)), g2.item<float>(), 5);   // log sigmoid(3)
    }

    [Fact]
    public void ClosedFormOmegaCountsMembershipsAndLabels()
    {
        // N = 4 unlabelled with summed memberships (3, 1), M = 2 labelled both in class 1: omega = (3, 3) / 6
        using var gammaSum = tensor(new[] { 3f, 1f });
        using var counts = tensor(new[] { 0f, 2f });
        using var w = Objective.ClosedFormOmega(gammaSum, counts, 4, 2);
        Assert.Equal(new[] { 0.5f, 0.5f }, w.data<float>().ToArray());
    }

    [Fact]
    public void ClosedFormOmegaWithADirichletPriorAddsPseudoCounts()
    {
        // a = 3 adds 2 to each of the K = 2 counts: (3 + 0 + 2, 1 + 2 + 2) / (4 + 2 + 4) = (0.5, 0.5); (1 + 2, 0 + 2) / (1 + 4)
        using var gammaSum = tensor(new[] { 3f, 1f });
        using var counts = tensor(new[] { 0f, 2f });
        using var w = Objective.ClosedFormOmega(gammaSum, counts, 4, 2, prior: 3);
        Assert.Equal(new[] { 0.5f, 0.5f }, w.data<float>().ToArray());
        using var g1 = tensor(new[] { 1f, 0f });
        using var none = zeros(2);
        using var w1 = Objective.ClosedFormOmega(g1, none, 1, 0, prior: 3);
        Assert.Equal(new[] { 0.6f, 0.4f }, w1.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
    }
}
