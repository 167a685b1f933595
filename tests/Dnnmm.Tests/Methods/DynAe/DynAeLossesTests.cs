using static TorchSharp.torch;
using Dnnmm.Methods.DynAe;

namespace Dnnmm.Tests.Methods.DynAe;

public class DynAeLossesTests
{
    [Fact]
    public void InitialThresholdsAreKappaOverKAndHalfOfIt()
    {
        var t = DynAeThresholds.Initial(3, 10);
        Assert.Equal(0.3, t.Beta1, 12);
        Assert.Equal(0.15, t.Beta2, 12);
        Assert.Equal(3, t.Kappa);
        Assert.Equal(0.9, t.DeltaKappa, 12);
    }

    [Fact]
    public void ThresholdsShrinkAsTheOfficialCode()
    {
        // K = 10, kappa = 3: beta -= 0.9/10; then delta = 0.3 * 3 = 0.9, kappa = 0.9;
        // again beta -= 0.9/10; then delta = kappa = 0.27; again beta -= 0.027
        var t = DynAeThresholds.Initial(3, 10).Shrink(10);
        Assert.Equal(0.21, t.Beta1, 12); Assert.Equal(0.06, t.Beta2, 12); Assert.Equal(0.9, t.Kappa, 12); Assert.Equal(0.9, t.DeltaKappa, 12);
        t = t.Shrink(10);
        Assert.Equal(0.12, t.Beta1, 12); Assert.Equal(-0.03, t.Beta2, 12); Assert.Equal(0.27, t.Kappa, 12); Assert.Equal(0.27, t.DeltaKappa, 12);
        t = t.Shrink(10);
        Assert.Equal(0.093, t.Beta1, 12); Assert.Equal(-0.057, t.Beta2, 12); Assert.Equal(0.081, t.Kappa, 12);
    }

    [Fact]
    public void SoftAssignmentIsStudentT()
    {
        // z = 0; centres at distance^2 0 and 1 -> kernels 1 and 1/2 -> q = (2/3, 1/3)
        using var z = zeros(1, 2);
        using var c = tensor(new float[] { 0, 0, 1, 0 }, new long[] { 2, 2 });
        using var q = DynAeLosses.SoftAssignment(z, c);
        Assert.Equal(new[] { 2f / 3, 1f / 3 }, q.data<float>().ToArray(), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void ConflictedAndUnconflictedSplitOnAHandMadeAssignmentMatrix()
    {
        // K = 3, beta1 = 0.5, beta2 = 0.25:
        // row 0: top 0.8 > .5, gap 0.7 > .25 -> unconflicted
        // row 1: top 0.45 <= .5 -> conflicted
        // row 2: top 0.6 > .5 but gap 0.6 - 0.4 = 0.2 <= .25 -> conflicted
        // row 3: top 0.6, gap 0.6 - 0.3 = 0.3 -> unconflicted
        using var q = tensor(new float[]
        {
            0.8f, 0.1f, 0.1f,
            0.45f, 0.3f, 0.25f,
            0.4f, 0.6f, 0.0f,
            0.1f, 0.3f, 0.6f,
        }, new long[] { 4, 3 });
        using var u = DynAeLosses.Unconflicted(q, 0.5, 0.25);
        Assert.Equal(new[] { true, false, false, true }, u.data<bool>().ToArray());
        // after one shrink of kappa = 1.5, K = 3 (beta1 = .5, beta2 = .25 -> .35, .10): rows 1 and 2 join
        var th = DynAeThresholds.Initial(1.5, 3);
        Assert.Equal(0.5, th.Beta1, 12);
        th = th.Shrink(3);
        using var u2 = DynAeLosses.Unconflicted(q, th.Beta1, th.Beta2);
        Assert.Equal(new[] { true, true, true, true }, u2.data<bool>().ToArray());
    }

    [Fact]
    public void UnconflictedImagesTargetTheirCentreConflictedOnesThemselves()
    {
        using var q = tensor(new float[] { 0.9f, 0.1f, 0.5f, 0.5f, 0.2f, 0.8f }, new long[] { 3, 2 });
        using var z = tensor(new float[] { 1, 1, 2, 2, 3, 3 }, new long[] { 3, 2 });
        using var x = tensor(new float[] { 10, 11, 12 }, new long[] { 3, 1, 1, 1 });
        using var ce = tensor(new float[] { -1, -1, 5, 5 }, new long[] { 2, 2 });
        using var ci = tensor(new float[] { 100, 200 }, new long[] { 2, 1, 1, 1 });
        var (tz, tx) = DynAeLosses.Targets(z, x, ce, ci, q, 0.6, 0.3);
        using var _1 = tz; using var _2 = tx;
        Assert.Equal(new float[] { -1, -1, 2, 2, 5, 5 }, tz.data<float>().ToArray());
        Assert.Equal(new float[] { 100, 11, 200 }, tx.data<float>().ToArray());
    }

    [Fact]
    public void ClusteringLossWeighsTheReconstructionByGamma()
    {
        using var z = tensor(new float[] { 1, 2 }, new long[] { 1, 2 });
        using var tz = tensor(new float[] { 0, 0 }, new long[] { 1, 2 });
        using var r = tensor(new float[] { 1, 1, 1, 1 }, new long[] { 1, 1, 2, 2 });
        using var tr = tensor(new float[] { 0, 1, 1, 1 }, new long[] { 1, 1, 2, 2 });
        using var loss = DynAeLosses.ClusteringLoss(z, r, tz, tr, 100);
        Assert.Equal((1 + 4) / 2.0 + 100 * 0.25, loss.item<float>(), 4);
    }

    [Fact]
    public void AcaiCriticAndAutoencoderLosses()
    {
        using var cInterp = tensor(new float[] { 0.5f, 0.0f });
        using var alpha = tensor(new float[] { 0.25f, 0.5f });
        using var cMix = tensor(new float[] { 1f, -1f });
        using var lc = DynAeLosses.AcaiCriticLoss(cInterp, alpha, cMix);
        Assert.Equal((0.0625 + 0.25) / 2 + 1.0, lc.item<float>(), 5);

        using var x = tensor(new float[] { 0, 1 }, new long[] { 2, 1 });
        using var rec = tensor(new float[] { 1, 1 }, new long[] { 2, 1 });
        using var la = DynAeLosses.AcaiAutoencoderLoss(x, rec, cInterp, 0.5);
        Assert.Equal(0.5 + 0.5 * (0.25 + 0) / 2, la.item<float>(), 5);
    }

    [Fact]
    public void LabelledCrossEntropyIsMinusMeanLogQOfTheLabel()
    {
        using var q = tensor(new float[] { 0.5f, 0.5f, 0.25f, 0.75f }, new long[] { 2, 2 });
        using var y = tensor(new long[] { 0, 1 });
        using var ce = DynAeLosses.LabelledCrossEntropy(q, y);
        Assert.Equal(-(Math.Log(0.5) + Math.Log(0.75)) / 2, ce.item<float>(), 5);
    }

    [Fact]
    public void LabelledMeansPutClassKInRowKAndFillMissingClasses()
    {
        // 1-D embeddings; class 0 labelled at 0 and 2 (mean 1), class 2 at 10; class 1 has no labels
        var emb = new float[] { 0, 2, 10, 50, 51 };
        var labels = new[] { 0, 0, 2, -1, -1 };
        var m = DynAeMethod.LabelledMeans(emb, 1, labels, 3, new Random(1));
        Assert.Equal(1f, m[0]);
        Assert.Equal(10f, m[2]);
        Assert.Contains(m[1], new[] { 50f, 51f }); // k-means++ picks a far point with high probability; these dominate D^2
    }

    private sealed class FloatTolerance(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tol;
        public int GetHashCode(float v) => 0;
    }
}
