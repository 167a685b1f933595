
namespace Dnnmm.Methods.ClusterGan;

/// <summary>The loss terms of ClusterGAN (WGAN-GP with an inverting encoder), each on its own.</summary>
public static class ClusterGanLosses
{
    /// <summary>The critic's Wasserstein loss: mean D(G(z)) - mean D(x) (minimised by the critic).</summary>
    public static Tensor CriticLoss(Tensor realScores, Tensor fakeScores)
    {
        using var f = fakeScores.mean();
        using var r = realScores.mean();
        return f.sub(r);
    }

    /// <summary>The generator's adversarial loss: -mean D(G(z)).</summary>
    public static Tensor GeneratorLoss(Tensor fakeScores)
    {
        using var f = fakeScores.mean();
        return f.neg();
    }

    /// <summary>
    /// The WGAN-GP penalty: weight * mean_i (||grad_x D(x_hat_i)|| - 1)^2 at x_hat = eps * real + (1 - eps) * fake.
    /// eps has one entry per sample or a single one for the batch (the official code draws one per batch).
    /// The graph is kept (create_graph) so that the critic's parameters receive the penalty's gradient.
    /// </summary>
    public static Tensor GradientPenalty(Func<Tensor, Tensor> critic, Tensor real, Tensor fake, Tensor eps, double weight)
    {
        using var scope = NewDisposeScope();
        var e = eps.dim() == 0 || eps.numel() == 1 ? eps.reshape(1) : eps;
        var shape = new long[real.dim()];
        shape[0] = e.shape[0];
        for (int i = 1; i < shape.Length; i++) shape[i] = 1;
        e = e.reshape(shape);
        var xHat = e.mul(real).add(e.neg().add(1).mul(fake.detach())).detach().requires_grad_(true);
        var scores = critic(xHat);
        var grads = torch.autograd.grad(new[] { scores.sum() }, new[] { xHat }, retain_graph: true, create_graph: true)[0];
        var norm = grads.flatten(1).pow(2).sum(dim: 1).add(1e-12).sqrt();
        return norm.sub(1).pow(2).mean().mul(weight).MoveToOuterDisposeScope();
    }

    /// <summary>The z_n reconstruction term: mean over samples and coordinates of (z_n - E_n(G(z)))^2 (official: tf.reduce_mean(tf.square(.))).</summary>
    public static Tensor NoiseReconstruction(Tensor zn, Tensor znHat) => nn.functional.mse_loss(znHat, zn);

    /// <summary>Cross-entropy between category logits and category indices (mean over samples).</summary>
    public static Tensor CategoryCrossEntropy(Tensor logits, Tensor categories) => nn.functional.cross_entropy(logits, categories);
}
