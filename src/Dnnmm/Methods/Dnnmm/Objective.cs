
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
        return WeightedRowMean(lj, gamma);
    }

    /// <summary>mean_n sum_k w_nk v_nk: per-component values weighted by memberships (or one-hot targets), averaged over rows.</summary>
    private static Tensor WeightedRowMean(Tensor values, Tensor weights)
    {
        using var weighted = values.mul(weights);
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
    /// Hard memberships from the E step (beyond the paper, as FixMatch's pseudo-labels, Sohn et al. 2020): one-hot at the
    /// most likely component for the rows whose largest membership is at least <paramref name="threshold"/>, zero rows
    /// for the others (they leave the likelihood term; the mean still divides by every row).
    /// </summary>
    public static Tensor PseudoLabels(Tensor gamma, double threshold)
    {
        using var _ = no_grad();
        var (max, arg) = gamma.max(1);
        using (max) using (arg)
        {
            using var hot = nn.functional.one_hot(arg, gamma.shape[1]).to_type(gamma.dtype);
            using var keep = max.ge(threshold).to_type(gamma.dtype).unsqueeze(1);
            return hot.mul(keep);
        }
    }

    /// <summary>
    /// Posterior term (beyond the paper; the discriminative half of the likelihood, log p(z, k) = log p(k | z) + log p(z)):
    /// mean_n sum_k t_nk log p(k | E(x_n)), with targets t (memberships, or one-hot labels). Maximised, it moves the codes
    /// away from the other components' means as well as towards their own.
    /// </summary>
    public static Tensor PosteriorTerm(LatentMixture mixture, Tensor z, Tensor targets)
    {
        using var lj = mixture.LogJoint(z);
        using var logPost = lj.log_softmax(1);
        return WeightedRowMean(logPost, targets);
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
    /// Bce: -log D(x) - log(1 - D(G(y))). Literal: -log D(x) + log D(G(y)). Hinge: relu(1 - s(x)) + relu(1 + s(G(y))) on
    /// the logits s.
    /// </summary>
    public static Tensor DiscriminatorLoss(Tensor realLogits, Tensor fakeLogits, GanLoss loss, Tensor? fakeWeights = null)
    {
        if (loss == GanLoss.Hinge)
        {
            using var realMargin = realLogits.neg().add_(1).relu_();
            using var realHinge = realMargin.mean();
            using var fakeMargin = fakeLogits.add(1).relu_();
            using var fakeHinge = WeightedMean(fakeMargin.flatten(), fakeWeights);
            return realHinge.add(fakeHinge);
        }
        using var logDReal = nn.functional.logsigmoid(realLogits);
        using var realPart = logDReal.mean().neg();
        using var fakeLog = loss == GanLoss.Bce
            ? nn.functional.logsigmoid(fakeLogits.neg()).neg()   // -log(1 - D(G(y)))
            : nn.functional.logsigmoid(fakeLogits);              // +log D(G(y))
        using var fakePart = WeightedMean(fakeLog.flatten(), fakeWeights);
        return realPart.add(fakePart);
    }

    /// <summary>
    /// The generator's side of the adversarial term (non-saturating), maximised: mean_s w_s log D(G(y_s)); with the hinge
    /// loss mean_s w_s s(G(y_s)), the logit itself.
    /// </summary>
    public static Tensor AdversarialTerm(Tensor fakeLogits, Tensor? weights = null, GanLoss loss = GanLoss.Bce)
    {
        if (loss == GanLoss.Hinge)
        {
            using var s = fakeLogits.flatten();
            return WeightedMean(s, weights);
        }
        using var logD = nn.functional.logsigmoid(fakeLogits).flatten();
        return WeightedMean(logD, weights);
    }

    /// <summary>
    /// The complement term (a K+1 discriminator in the encoder, in the spirit of Salimans et al. 2016 and Dai et al. 2017),
    /// maximised by the encoder: mean_real log sigma(s(E(x))) + mean_fake log(1 - sigma(s(E(G(y))))), where
    /// s(z) = log sum_k omega_k N(z; mu_k, I) - l0 is the mixture log-likelihood above l0 = log(1/K) - (d/2) log(2 pi) - d/2,
    /// the log-likelihood of a point at the typical distance sqrt(d) from a mean of weight 1/K. Real images are pulled
    /// into the components, generated ones pushed out of them: between the clusters, where the decision boundaries belong.
    /// </summary>
    public static Tensor ComplementTerm(LatentMixture mixture, Tensor realZ, Tensor fakeZ, Tensor? fakeWeights = null)
    {
        double l0 = -Math.Log(mixture.K) - 0.5 * mixture.Dim * Math.Log(2 * Math.PI) - 0.5 * mixture.Dim;
        using var sReal = mixture.LogLikelihood(realZ).sub(l0);
        using var sFake = mixture.LogLikelihood(fakeZ).sub(l0);
        using var realPart = nn.functional.logsigmoid(sReal).mean();
        using var fakeLog = nn.functional.logsigmoid(sFake.neg());
        using var fakePart = WeightedMean(fakeLog, fakeWeights);
        return realPart.add(fakePart);
    }

    /// <summary>
    /// 1 where the encoder assigns a generated sample to the component it was drawn from with posterior at least
    /// <paramref name="confidence"/>, else 0 (n floats): the samples --consistency-encoder confident lets teach the encoder.
    /// </summary>
    public static Tensor ConfidentMask(LatentMixture mixture, Tensor fakeZ, Tensor components, double confidence)
    {
        using var _ = no_grad();
        using var post = mixture.Posterior(fakeZ.detach());
        using var own = post.gather(1, components.unsqueeze(1)).squeeze(1);
        using var ok = own.ge(confidence);
        return ok.to_type(ScalarType.Float32);
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
