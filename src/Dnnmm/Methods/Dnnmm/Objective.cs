
namespace Dnnmm.Methods.Dnnmm;

/// <summary>
/// The terms of the MinMax+EM objective (eq 12 and 13), each averaged over its own set, with one sign convention:
/// a *Term is the quantity as the paper writes it, and the encoder and generator MAXIMISE
/// LikelihoodTerm + LabelledLikelihoodTerm - lambda1 ConsistencyTerm + lambda2 AdversarialTerm;
/// a *Loss is minimised (the discriminator's <see cref="DiscriminatorLoss"/>).
/// </summary>
public static class Objective
{
    /// <summary>
    /// Unlabelled likelihood term (first line of eq 12): mean_n sum_k gamma_nk (log omega_k + log N(E(x_n); mu_k, I)),
    /// with the memberships gamma fixed by the E step.
    /// </summary>
    public static Tensor LikelihoodTerm(LatentMixture mixture, Tensor z, Tensor gamma)
    {
        using var lj = mixture.LogJoint(z);
        using var weighted = lj.mul(gamma);
        using var perSample = weighted.sum(dim: 1);
        return perSample.mean();
    }

    /// <summary>
    /// Labelled likelihood term (first line of eq 13): crisp memberships, mean_m (log omega_{z_m} + log N(E(x_m); mu_{z_m}, I)).
    /// </summary>
    public static Tensor LabelledLikelihoodTerm(LatentMixture mixture, Tensor z, Tensor labels)
    {
        using var lj = mixture.LogJoint(z);
        using var idx = labels.unsqueeze(1);
        using var picked = lj.gather(1, idx);
        return picked.mean();
    }

    /// <summary>
    /// Consistency term (eq 5-6): mean_s w_s ||y_s - E(G(y_s))||^2. The weights carry omega_k when
    /// y is drawn per component; they are null when k ~ Cat(omega) already weights the components.
    /// </summary>
    public static Tensor ConsistencyTerm(Tensor y, Tensor reencoded, Tensor? weights = null)
    {
        using var diff = y.sub(reencoded);
        using var sq = diff.pow(2).sum(dim: 1);
        return WeightedMean(sq, weights);
    }

    /// <summary>
    /// The discriminator's loss from the adversarial term (eq 7-8), from logits of D, minimised over theta_D.
    /// Bce: -log D(x) - log(1 - D(G(y))). Literal: -log D(x) + log D(G(y)).
    /// </summary>
    public static Tensor DiscriminatorLoss(Tensor realLogits, Tensor fakeLogits, GanLoss loss, Tensor? fakeWeights = null)
    {
        using var logDReal = nn.functional.logsigmoid(realLogits);
        using var realPart = logDReal.mean().neg();
        using var fakeLog = loss == GanLoss.Bce
            ? nn.functional.logsigmoid(fakeLogits.neg()).neg()   // -log(1 - D(G(y)))
            : nn.functional.logsigmoid(fakeLogits);              // +log D(G(y))
        using var fakePart = WeightedMean(fakeLog.flatten(), fakeWeights);
        return realPart.add(fakePart);
    }

    /// <summary>
    /// The generator's side of the adversarial term (non-saturating), maximised: mean_s w_s log D(G(y_s)).
    /// </summary>
    public static Tensor AdversarialTerm(Tensor fakeLogits, Tensor? weights = null)
    {
        using var logD = nn.functional.logsigmoid(fakeLogits).flatten();
        return WeightedMean(logD, weights);
    }

    private static Tensor WeightedMean(Tensor values, Tensor? weights)
    {
        if (weights is null) return values.mean();
        using var w = values.mul(weights);
        return w.mean();
    }

    /// <summary>
    /// The M step for omega in closed form (eq 11 and 13): omega_k = (sum_n gamma_nk + sum_m 1[z_m = k]) / (N + M); with a
    /// Dirichlet(a) prior the MAP estimate (sum_n gamma_nk + sum_m 1[z_m = k] + a - 1) / (N + M + K (a - 1)).
    /// </summary>
    public static Tensor ClosedFormOmega(Tensor gammaSum, Tensor labelledCounts, int unlabelled, int labelled, double prior = 1)
    {
        using var total = gammaSum.add(labelledCounts);
        if (prior == 1) return total.div((double)Math.Max(1, unlabelled + labelled));
        using var smoothed = total.add(prior - 1);
        return smoothed.div(unlabelled + labelled + gammaSum.shape[0] * (prior - 1));
    }
}
