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
    public void HingeTermsOnHandComputedLogits()
    {
        using var zero = zeros(4, 1);
        using var atZero = Objective.DiscriminatorLoss(zero, zero, GanLoss.Hinge);
        Assert.Equal(2.0, atZero.item<float>(), 5);                       // relu(1 - 0) + relu(1 + 0)
        using var real = tensor(new[] { 2f, -1f }).reshape(2, 1);         // relu(1 - s): 0, 2 -> 1
        using var fake = tensor(new[] { -2f, 0.5f }).reshape(2, 1);       // relu(1 + s): 0, 1.5 -> 0.75
        using var d = Objective.DiscriminatorLoss(real, fake, GanLoss.Hinge);
        Assert.Equal(1.75, d.item<float>(), 5);
        using var w = tensor(new[] { 1f, 3f });                           // weighted: (0 * 1 + 1.5 * 3) / 2
        using var dw = Objective.DiscriminatorLoss(real, fake, GanLoss.Hinge, w);
        Assert.Equal(1 + 2.25, dw.item<float>(), 5);
        using var g = Objective.AdversarialTerm(fake, null, GanLoss.Hinge); // mean s(G(y))
        Assert.Equal(-0.75, g.item<float>(), 5);
        using var gw = Objective.AdversarialTerm(fake, w, GanLoss.Hinge);  // (-2 * 1 + 0.5 * 3) / 2
        Assert.Equal(-0.25, gw.item<float>(), 5);
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

    [Fact]
    public void ComplementTermIsHalfAtTheTypicalRadiusOfOneComponent()
    {
        // d = 2, K = 2, omega (1/2, 1/2). Means 0 and (10, 0): far apart, so at z = (sqrt 2, 0) only the first counts and
        // log p(z) = log 1/2 - log(2 pi) - 1 = l0 exactly: s = 0 and log sigma(0) = -log 2 for real and fake alike.
        using var m = new LatentMixture(tensor(new float[] { 0, 0, 10, 0 }, new long[] { 2, 2 }), tensor(new[] { 0.5f, 0.5f }));
        using var z = tensor(new float[] { (float)Math.Sqrt(2), 0 }, new long[] { 1, 2 });
        using var t = Objective.ComplementTerm(m, z, z);
        Assert.Equal(-2 * Math.Log(2), t.item<float>(), 4);
        // A real point at a mean (s = d/2 = 1) and a fake one there too: log sigma(1) + log sigma(-1).
        using var mu = tensor(new float[] { 0, 0 }, new long[] { 1, 2 });
        using var t2 = Objective.ComplementTerm(m, mu, mu);
        Assert.Equal(-Math.Log(1 + Math.Exp(-1)) - Math.Log(1 + Math.Exp(1)), t2.item<float>(), 4);
    }

    [Fact]
    public void ComplementTermRewardsFakesFarFromEveryMean()
    {
        using var m = Mixture();
        using var real = tensor(new float[] { 0, 0, 2, 0 }, new long[] { 2, 2 });
        using var near = tensor(new float[] { 1, 0 }, new long[] { 1, 2 });
        using var far = tensor(new float[] { 1, 6 }, new long[] { 1, 2 });
        using var tNear = Objective.ComplementTerm(m, real, near);
        using var tFar = Objective.ComplementTerm(m, real, far);
        Assert.True(tFar.item<float>() > tNear.item<float>());
    }

    [Fact]
    public void ConfidentMaskKeepsSamplesThatTheEncoderGivesToTheirComponent()
    {
        using var m = Mixture(); // means (0,0) and (2,0)
        // Sample 0 sits at mean 0 (posterior of 0: 1/(1+e^-2) = 0.88); sample 1 at mean 1 but drawn from component 0.
        using var z = tensor(new float[] { 0, 0, 2, 0, 1, 0 }, new long[] { 3, 2 });
        using var k = tensor(new long[] { 0, 0, 1 });
        using var mask = Objective.ConfidentMask(m, z, k, 0.8);
        Assert.Equal(new[] { 1f, 0f, 0f }, mask.data<float>().ToArray()); // sample 2 is halfway: posterior 0.5
        using var all = Objective.ConfidentMask(m, z, k, 0);
        Assert.Equal(new[] { 1f, 1f, 1f }, all.data<float>().ToArray());
    }

    [Fact]
    public void PseudoLabelsAreOneHotWhereTheMembershipIsConfidentAndZeroElsewhere()
    {
        using var gamma = tensor(new float[] { 0.96f, 0.04f, 0.3f, 0.7f, 0.02f, 0.98f }, new long[] { 3, 2 });
        using var hard = Objective.PseudoLabels(gamma, 0.95);
        Assert.Equal(new[] { 1f, 0f, 0f, 0f, 0f, 1f }, hard.data<float>().ToArray());
        using var all = Objective.PseudoLabels(gamma, 0.5);
        Assert.Equal(new[] { 1f, 0f, 0f, 1f, 0f, 1f }, all.data<float>().ToArray());
    }

    [Fact]
    public void PosteriorTermIsTheMeanLogPosteriorOfTheTargets()
    {
        using var m = Mixture(); // means (0,0) and (2,0), omega 1/2 each: log p(0 | z) = -log(1 + e^{2 z_1 - 2})
        using var z = tensor(new float[] { 0, 0, 1, 0 }, new long[] { 2, 2 });
        using var targets = tensor(new float[] { 1, 0, 0.25f, 0.75f }, new long[] { 2, 2 });
        using var term = Objective.PosteriorTerm(m, z, targets);
        double s1 = -Math.Log(1 + Math.Exp(-2)); // sample 1 at mean 0: p(0 | z) = 1 / (1 + e^-2)
        double s2 = Math.Log(0.5);               // sample 2 halfway: p = 1/2 for both
        Assert.Equal((s1 + s2) / 2, term.item<float>(), 5);
        // Zero targets (an image left out by the threshold) add nothing, and the mean still counts the row.
        using var none = tensor(new float[] { 1, 0, 0, 0 }, new long[] { 2, 2 });
        using var half = Objective.PosteriorTerm(m, z, none);
        Assert.Equal(s1 / 2, half.item<float>(), 5);
    }
}
