
namespace Dnnmm.Methods.DynAe;

/// <summary>
/// DynAE's confidence thresholds. Initially beta1 = kappa / K, beta2 = beta1 / 2. When the number of
/// conflicted images stops falling, the official code lowers both by delta_kappa / K (delta_kappa =
/// 0.3 kappa), then sets delta_kappa = 0.3 kappa and kappa = delta_kappa, so the thresholds shrink
/// towards "everything is unconflicted".
/// </summary>
public readonly record struct DynAeThresholds(double Kappa, double DeltaKappa, double Beta1, double Beta2)
{
    public static DynAeThresholds Initial(double kappa, int clusters)
    {
        double b1 = kappa / clusters;
        return new DynAeThresholds(kappa, 0.3 * kappa, b1, b1 / 2);
    }

    public DynAeThresholds Shrink(int clusters)
    {
        double b1 = Beta1 - DeltaKappa / clusters, b2 = Beta2 - DeltaKappa / clusters;
        double dk = 0.3 * Kappa;
        return new DynAeThresholds(dk, dk, b1, b2);
    }
}

/// <summary>The terms of DynAE's two phases and of DynAEss, each on its own.</summary>
public static class DynAeLosses
{
    /// <summary>Student-t soft assignment (alpha = 1): q_ij = (1 + ||z_i - mu_j||^2)^-1 / sum_j'(...).</summary>
    public static Tensor SoftAssignment(Tensor z, Tensor centers)
    {
        using var scope = NewDisposeScope();
        var d2 = z.unsqueeze(1).sub(centers.unsqueeze(0)).pow(2).sum(dim: 2);
        var k = d2.add(1).reciprocal();
        return k.div(k.sum(dim: 1, keepdim: true)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The unconflicted images: max_j q_ij > beta1 and (top-1 q_i - top-2 q_i) > beta2. A bool tensor of length N.
    /// </summary>
    public static Tensor Unconflicted(Tensor q, double beta1, double beta2)
    {
        using var scope = NewDisposeScope();
        var (top, _) = q.topk(2, dim: 1);
        var first = top.select(1, 0);
        var second = top.select(1, 1);
        return first.gt(beta1).logical_and(first.sub(second).gt(beta2)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Phase-2 targets: unconflicted images are pulled to the embedding of their cluster's centre and to
    /// the decoded centre image; conflicted ones keep their own embedding and image.
    /// </summary>
    public static (Tensor EmbeddingTarget, Tensor ImageTarget) Targets(Tensor z, Tensor x, Tensor centersEmb, Tensor centersImg,
        Tensor q, double beta1, double beta2)
    {
        using var scope = NewDisposeScope();
        var assigned = q.argmax(1);
        var unc = Unconflicted(q, beta1, beta2);
        var tz = where(unc.unsqueeze(1), centersEmb.index_select(0, assigned), z.detach());
        var shape = new long[x.dim()];
        shape[0] = -1;
        for (int i = 1; i < shape.Length; i++) shape[i] = 1;
        var tx = where(unc.reshape(shape), centersImg.index_select(0, assigned), x);
        return (tz.detach().MoveToOuterDisposeScope(), tx.detach().MoveToOuterDisposeScope());
    }

    /// <summary>Phase-2 loss: MSE(embedding, target) + gamma * MSE(reconstruction, target image), each a mean over elements.</summary>
    public static Tensor ClusteringLoss(Tensor z, Tensor reconstruction, Tensor embeddingTarget, Tensor imageTarget, double gamma)
    {
        using var a = nn.functional.mse_loss(z, embeddingTarget);
        using var b = nn.functional.mse_loss(reconstruction, imageTarget);
        return a.add(b.mul(gamma));
    }

    /// <summary>
    /// The ACAI critic's loss (official): mean (C(decoded interpolation) - alpha)^2 + mean C(beta x + (1 - beta) reconstruction)^2.
    /// </summary>
    public static Tensor AcaiCriticLoss(Tensor criticOnInterpolation, Tensor alpha, Tensor criticOnMix)
    {
        using var d = criticOnInterpolation.sub(alpha);
        using var a = d.pow(2).mean();
        using var b = criticOnMix.pow(2).mean();
        return a.add(b);
    }

    /// <summary>The autoencoder's phase-1 loss (official): MSE(reconstruction, x) + lambda * mean C(decoded interpolation)^2.</summary>
    public static Tensor AcaiAutoencoderLoss(Tensor x, Tensor reconstruction, Tensor criticOnInterpolation, double lambda)
    {
        using var r = nn.functional.mse_loss(reconstruction, x);
        using var c = criticOnInterpolation.pow(2).mean();
        return r.add(c.mul(lambda));
    }

    /// <summary>DynAEss: cross-entropy between soft assignments q and labels, -mean_i log q_{i, y_i}.</summary>
    public static Tensor LabelledCrossEntropy(Tensor q, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var picked = q.gather(1, labels.unsqueeze(1)).clamp_min(1e-12).log();
        return picked.mean().neg().MoveToOuterDisposeScope();
    }
}
