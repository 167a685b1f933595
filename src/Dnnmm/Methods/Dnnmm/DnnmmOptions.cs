using Dnnmm.Infrastructure;

namespace Dnnmm.Methods.Dnnmm;

/// <summary>When the E step computes the memberships gamma.</summary>
public enum EStepSchedule
{
    /// <summary>Per minibatch with the current encoder, detached (incremental EM).</summary>
    Minibatch,
    /// <summary>Once per epoch over the whole data set, before the epoch's M steps (literal EM).</summary>
    Epoch,
}

/// <summary>How the M step updates the mixture weights omega (closed form, eq 11).</summary>
public enum OmegaUpdate
{
    /// <summary>omega_k = (sum_n gamma_nk + sum_m 1[z_m = k]) / (N + M) from the memberships of the last epoch.</summary>
    Epoch,
    /// <summary>A running average of the per-minibatch closed-form estimate.</summary>
    Running,
    /// <summary>omega stays uniform (the default: the paper's protocol has equally many images per class).</summary>
    Fixed,
}

/// <summary>How the memberships of the unlabelled images are set during the warm-up epochs.</summary>
public enum MembershipInit
{
    /// <summary>No initialisation: the unlabelled likelihood term ramps up from 0 with the encoder's own posteriors.</summary>
    None,
    /// <summary>
    /// k-means on the pixels (k-means++, 10 restarts) gives crisp memberships that the likelihood term uses at full
    /// weight during the warm-up, as EM for a Gaussian mixture is classically started from k-means. With labelled
    /// images the clusters are matched to the classes by the Hungarian method on the labelled images.
    /// </summary>
    KMeans,
    /// <summary>KMeans when no image is labelled (eq 12), None otherwise (the labels anchor the components).</summary>
    Auto,
}

/// <summary>The discriminator's loss.</summary>
public enum GanLoss
{
    /// <summary>-log D(x) - log(1 - D(G(y))): bounded, standard.</summary>
    Bce,
    /// <summary>Literal eq 7: -log D(x) + log D(G(y)); unbounded below for D.</summary>
    Literal,
}

/// <summary>How the latent samples y of the consistency and GAN terms are drawn.</summary>
public enum YSampling
{
    /// <summary>k ~ Cat(omega), y = mu_k + eps.</summary>
    Categorical,
    /// <summary>S = B/K samples per component, each term weighted by omega_k (eq 6 and 8 literally).</summary>
    PerComponent,
}

/// <summary>
/// Every hyper-parameter of DNN-MM with MinMax+EM learning, defaults in one place. The defaults are
/// the measured choices recorded in docs/model.md.
/// </summary>
public sealed record DnnmmOptions : IMethodOptions
{
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 64;
    /// <summary>Size of the labelled minibatch drawn every step (when there are labelled images).</summary>
    public int LabelledBatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 2e-3;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Latent dimension d; 0 = max(10, K).</summary>
    public int LatentDim { get; init; } = 0;
    /// <summary>Channels of the first convolution (doubled per stage).</summary>
    public int Width { get; init; } = 32;
    public MeanPlacement Means { get; init; } = MeanPlacement.OneHot;
    /// <summary>Separation s of the fixed means (mu_k = s * unit vector).</summary>
    public double MeanScale { get; init; } = 4.0;
    /// <summary>lambda1: weight of the consistency term (eq 5-6).</summary>
    public double Lambda1 { get; init; } = 0.3;
    /// <summary>lambda2: weight of the adversarial term (eq 7-8).</summary>
    public double Lambda2 { get; init; } = 1.0;
    /// <summary>Weight of the likelihood term of the unlabelled images (0 = encoder learns from labels only).</summary>
    public double UnlabelledWeight { get; init; } = 1.0;
    /// <summary>Weight of the likelihood term of the labelled images (crisp memberships, eq 13).</summary>
    public double LabelledWeight { get; init; } = 1.0;
    /// <summary>
    /// Epochs over which the unlabelled likelihood weight ramps linearly from 0 to its value (0 = none): the
    /// GAN and consistency terms first give each component its own mode, so that the EM term does not
    /// pull every encoding into one component. Default 4: without it CIFAR-5 and unsupervised MNIST
    /// collapse into one component (docs/model.md).
    /// </summary>
    public int WarmupEpochs { get; init; } = 4;
    /// <summary>
    /// Memberships of the unlabelled images during the warm-up. Default Auto (k-means when unsupervised): from the
    /// encoder's own posteriors, unsupervised MNIST-5 locks at ACC 0.59 by the end of the warm-up (docs/model.md).
    /// </summary>
    public MembershipInit Init { get; init; } = MembershipInit.Auto;
    public EStepSchedule EStep { get; init; } = EStepSchedule.Minibatch;
    /// <summary>
    /// Balanced E step: the memberships of the unlabelled images of each E step are rescaled (Sinkhorn-Knopp) so that
    /// they fill the components in proportion omega (<see cref="LatentMixture.BalancedPosterior"/>). Default on:
    /// without it CIFAR-5 at alpha 0.01 collapses into one component (ACC 0.21; with it 0.44), and on MNIST-5 it
    /// costs nothing (docs/model.md).
    /// </summary>
    public bool BalancedEStep { get; init; } = true;
    /// <summary>
    /// Default Fixed (uniform omega, right for the paper's balanced protocol): the learned omega of eq 11 (Epoch)
    /// runs away into one component on CIFAR-5 and unsupervised MNIST (docs/model.md); use Epoch for unbalanced data.
    /// </summary>
    public OmegaUpdate Omega { get; init; } = OmegaUpdate.Fixed;
    /// <summary>Lower bound of every omega_k (then renormalised), against collapse.</summary>
    public double OmegaFloor { get; init; } = 0.02;
    /// <summary>Step size of the running omega update.</summary>
    public double OmegaMomentum { get; init; } = 0.01;
    public GanLoss GanLoss { get; init; } = GanLoss.Bce;
    public YSampling YSampling { get; init; } = YSampling.Categorical;
    /// <summary>cpu or cuda (cuda:N).</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>CPU threads for libtorch; 0 = all cores.</summary>
    public int Threads { get; init; } = 0;

    public int ResolveLatentDim(int k) => LatentDim > 0 ? LatentDim : Math.Max(10, k);

    /// <summary>Checks the options and that the images suit the convolutional networks.</summary>
    public void Validate(FitInput input)
    {
        Validate(input.Clusters);
        new ImageShape(input.Images.Channels, input.Images.Height, input.Images.Width).ConvLayout();
    }

    /// <summary>Throws a one-line <see cref="DnnmmInputException"/> for an out-of-range option.</summary>
    public void Validate(int clusters)
    {
        void Check(bool ok, string message) { if (!ok) throw new DnnmmInputException(message); }
        Check(Epochs >= 1, $"--epochs {Epochs} must be at least 1");
        Check(BatchSize >= 2, $"--batch-size {BatchSize} must be at least 2");
        Check(LabelledBatchSize >= 1, $"--labelled-batch-size {LabelledBatchSize} must be at least 1");
        Check(LearningRate > 0 && LearningRate < 1, $"--lr {LearningRate} must be in (0, 1)");
        Check(Beta1 >= 0 && Beta1 < 1 && Beta2 >= 0 && Beta2 < 1, "--beta1/--beta2 must be in [0, 1)");
        Check(Width >= 4 && Width <= 1024, $"--width {Width} must be in [4, 1024]");
        Check(LatentDim >= 0, $"--latent-dim {LatentDim} must be positive (0 = auto)");
        Check(ResolveLatentDim(clusters) >= clusters, $"--latent-dim {LatentDim} must be at least the number of clusters {clusters}");
        Check(MeanScale > 0, $"--mean-scale {MeanScale} must be positive");
        Check(Lambda1 >= 0, $"--lambda1 {Lambda1} must be >= 0");
        Check(Lambda2 >= 0, $"--lambda2 {Lambda2} must be >= 0");
        Check(UnlabelledWeight >= 0 && LabelledWeight >= 0, "--unlabelled-weight/--labelled-weight must be >= 0");
        Check(OmegaFloor >= 0 && OmegaFloor * clusters < 1, $"--omega-floor {OmegaFloor} must be in [0, 1/K)");
        Check(OmegaMomentum > 0 && OmegaMomentum <= 1, $"--omega-momentum {OmegaMomentum} must be in (0, 1]");
        Check(WarmupEpochs >= 0, $"--warmup-epochs {WarmupEpochs} must be >= 0");
        Check(Init != MembershipInit.KMeans || WarmupEpochs > 0, "--init kmeans needs --warmup-epochs >= 1 (the epochs that use the k-means memberships)");
        Check(Threads >= 0, $"--threads {Threads} must be >= 0");
        Check(Device == "cpu" || Device == "cuda" || Device.StartsWith("cuda:"), $"--device '{Device}' must be cpu, cuda or cuda:N");
    }
}
