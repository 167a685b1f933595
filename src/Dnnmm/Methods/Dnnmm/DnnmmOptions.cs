using System.Text.Json.Serialization;
using Dnnmm.Infrastructure;
using Dnnmm.Data;

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
    /// <summary>omega stays uniform.</summary>
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
    /// <summary>
    /// As KMeans, but k-means runs on a 2-D t-SNE map (Barnes-Hut) of the pixels' first --init-pca principal components
    /// instead of on the pixels (<see cref="WarmupPartition.TsneKMeans"/>).
    /// </summary>
    Tsne,
}

/// <summary>Which of the --refine-maps partitions the refinement keeps (none needs a label).</summary>
public enum RefineChoice
{
    /// <summary>The one that agrees most with the others (mean NMI, <see cref="WarmupPartition.Consensus"/>).</summary>
    Consensus,
    /// <summary>
    /// The one whose clusters part the fewest nearest neighbours in the encoder's feature space (its principal
    /// components, 10 neighbours; <see cref="WarmupPartition.NeighbourAgreement"/>).
    /// </summary>
    Neighbours,
    /// <summary>
    /// The one whose cluster sizes are the most even (<see cref="WarmupPartition.SizeEvenness"/>): a wrong cut of the
    /// map typically puts two classes in one cluster and splits a third. Assumes classes of similar size, as
    /// --omega fixed does.
    /// </summary>
    Even,
}

/// <summary>Where omega starts before the first M step.</summary>
public enum OmegaInit
{
    /// <summary>omega_k = 1/K.</summary>
    Uniform,
    /// <summary>
    /// From the data at hand: the class shares of the labelled images (a stratified subset has the classes' proportions);
    /// uniform without labels (k-means's cluster shares were tried and lost on the development data, docs/model.md).
    /// </summary>
    Data,
}

/// <summary>Which memberships the omega M step counts.</summary>
public enum OmegaStatistics
{
    /// <summary>The posterior of eq 3 under the current omega (what EM counts), even when the E step's memberships are balanced.</summary>
    Posterior,
    /// <summary>The E step's memberships as the likelihood term uses them (balanced ones when the E step is balanced).</summary>
    EStep,
}

/// <summary>The discriminator's loss.</summary>
public enum GanLoss
{
    /// <summary>-log D(x) - log(1 - D(G(y))): bounded, standard.</summary>
    Bce,
    /// <summary>Literal eq 7: -log D(x) + log D(G(y)); unbounded below for D.</summary>
    Literal,
    /// <summary>
    /// Hinge loss (Lim and Ye 2017; Miyato et al. 2018): D minimises mean relu(1 - s(x)) + mean relu(1 + s(G(y))) on its
    /// logits s; the generator maximises mean s(G(y)).
    /// </summary>
    Hinge,
}

/// <summary>Augmentation consistency (beyond the paper, as in FixMatch / UDA).</summary>
public enum AugmentMode
{
    /// <summary>The images as they are.</summary>
    None,
    /// <summary>
    /// The E step's memberships come from a weakly augmented view of each unlabelled image and the likelihood term
    /// trains the encoder on a strongly augmented view of it; labelled images are seen in a weak view.
    /// </summary>
    Consistency,
}

/// <summary>Horizontal flips in the augmented views.</summary>
public enum FlipMode
{
    /// <summary>For colour images (natural scenes, faces), not for grey ones (digits are not mirror-symmetric).</summary>
    Auto,
    On,
    Off,
}

/// <summary>Which generated samples the consistency term (eq 5-6) teaches the encoder.</summary>
public enum ConsistencyEncoder
{
    /// <summary>All (the paper): generator and encoder both learn from every sample.</summary>
    All,
    /// <summary>
    /// The generator learns from every sample (the encoder teaches it); the encoder only from the samples that it
    /// already assigns to their source component with posterior at least --consistency-confidence (pseudo-label filtering).
    /// </summary>
    Confident,
    /// <summary>The generator only: the encoder learns nothing from generated samples through this term.</summary>
    None,
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
/// Every hyper-parameter of DNN-MM with MinMax+EM learning: default, command-line flag, help and valid range declared
/// once per option. Why the defaults are what they are (with the measurements) is in docs/model.md.
/// </summary>
public sealed record DnnmmOptions : IMethodOptions
{
    [Option("epochs", "training epochs (passes over the unlabelled images)", Shared = true, Min = 1)]
    public int Epochs { get; init; } = 20;
    [Option("batch-size", "unlabelled minibatch size", Min = 2)]
    public int BatchSize { get; init; } = 64;
    [Option("labelled-batch-size", "labelled minibatch size (a labelled minibatch every step)", Min = 1)]
    public int LabelledBatchSize { get; init; } = 32;
    [Option("fake-batch-size", "latent samples y (and generated images) per step for the consistency, adversarial and complement terms (0 = --batch-size)", Min = 0)]
    public int FakeBatchSize { get; init; } = 0;
    [Option("gan-every", "the discriminator and the generator take a step (and the consistency, adversarial and complement terms are computed) every N-th minibatch; the encoder's likelihood terms every minibatch (1 = every step)", Min = 1)]
    public int GanEvery { get; init; } = 1;
    [Option("lr", "Adam learning rate", Min = 0, Max = 1, MinExclusive = true, MaxExclusive = true)]
    public double LearningRate { get; init; } = 2e-3;
    [Option("lr-decay-from", "from the epoch after this one the learning rate falls along a half cosine to a small fraction at the last epoch (0 = constant)", Min = 0)]
    public int LrDecayFrom { get; init; } = 0;
    /// <summary>
    /// The largest L2 norm of the encoder's gradient in a step, and separately of the generator's and the
    /// discriminator's (rescaled when above; 0 = no clipping). Separate, so that the generator's adversarial gradient
    /// never rescales the encoder's step. Default 20, chosen on development data (docs/model.md, "Spikes of the
    /// likelihood term"): typical encoder norms are 7-21, the spikes that wrecked CIFAR runs were far above.
    /// </summary>
    [Option("max-grad-norm", "largest L2 norm of each network's gradient in a step (the encoder's, the generator's and the discriminator's, each on its own); larger ones are scaled down; 0 = no clipping", Min = 0)]
    public double MaxGradNorm { get; init; } = 20;
    [Option("beta1", "Adam beta1", Min = 0, Max = 1, MaxExclusive = true)]
    public double Beta1 { get; init; } = 0.5;
    [Option("beta2", "Adam beta2", Min = 0, Max = 1, MaxExclusive = true)]
    public double Beta2 { get; init; } = 0.999;
    [Option("latent-dim", "latent dimension d (0 = max(10, K))", Min = 0)]
    public int LatentDim { get; init; } = 0;
    [Option("width", "channels of the first convolution, doubled per stage (network width, not image width)", Min = 4, Max = 1024)]
    [JsonPropertyName("width")]
    public int NetworkWidth { get; init; } = 32;
    [Option("encoder-depth", "convolutions per stage of the encoder: the stride-2 4x4 one and depth - 1 stride-1 3x3 ones of the same width (1 = the DCGAN encoder of the paper; the discriminator keeps one)", Min = 1, Max = MaxEncoderDepth)]
    public int EncoderDepth { get; init; } = 1;
    /// <summary>The largest <see cref="EncoderDepth"/> accepted (also when a model.json is read).</summary>
    public const int MaxEncoderDepth = 8;
    [Option("means", "placement of the fixed means: one-hot or orthonormal")]
    public MeanPlacement Means { get; init; } = MeanPlacement.OneHot;
    [Option("mean-scale", "separation s of the fixed means (mu_k = s * unit vector)", Min = 0, MinExclusive = true)]
    public double MeanScale { get; init; } = 4.0;
    [Option("lambda1", "lambda1: weight of the consistency term (eq 5-6)", Min = 0)]
    public double Lambda1 { get; init; } = 0.3;
    [Option("lambda2", "lambda2: weight of the adversarial term (eq 7-8)", Min = 0)]
    public double Lambda2 { get; init; } = 1.0;
    [Option("unlabelled-weight", "weight of the unlabelled likelihood term (0: the encoder learns from labels only)", Min = 0)]
    public double UnlabelledWeight { get; init; } = 1.0;
    [Option("labelled-weight", "weight of the labelled likelihood term (crisp memberships, eq 13)", Min = 0)]
    public double LabelledWeight { get; init; } = 1.0;
    /// <summary>
    /// Epochs over which the unlabelled likelihood weight ramps linearly from 0 to its value (0 = none): the GAN and
    /// consistency terms first give each component its own mode, so that the EM term does not pull every encoding into
    /// one component.
    /// </summary>
    [Option("warmup-epochs", "warm-up epochs: the unlabelled likelihood weight ramps up from 0, or uses the --init memberships (0 = none)", Min = 0)]
    public int WarmupEpochs { get; init; } = 4;
    [Option("init", "memberships of the unlabelled images in the warm-up: none, kmeans (k-means on pixels), tsne (k-means on a 2-D t-SNE map of the pixels' principal components) or auto (kmeans when no image is labelled)")]
    public MembershipInit Init { get; init; } = MembershipInit.Auto;
    [Option("refine-epoch", "after this epoch the warm-up memberships are computed again, as --init tsne does but from the encoder's convolutional features, and the next --warmup-epochs epochs train on them before EM takes over (DeepCluster-style; 0 = never)", Min = 0)]
    public int RefineEpoch { get; init; } = 0;
    [Option("refine-maps", "with --refine-epoch: t-SNE maps (other seeds) of the encoder's features, each cut by k-means; the partition that agrees most with the others (mean NMI, no label) is kept (1 = one map)", Min = 1, Max = 16)]
    public int RefineMaps { get; init; } = 1;
    [Option("refine-choice", "with --refine-maps above 1: which partition is kept: consensus (agrees most with the others, mean NMI), neighbours (parts the fewest 10-nearest neighbours in the encoder's feature space) or even (the most even cluster sizes, for classes of similar size); none uses a label")]
    public RefineChoice RefineChoice { get; init; } = RefineChoice.Consensus;
    [Option("init-pca", "principal components that the t-SNE maps of --init tsne (pixels) and --refine-epoch (encoder features) start from", Min = 2)]
    public int InitPca { get; init; } = 50;
    [Option("e-step", "E step schedule: minibatch (incremental EM) or epoch (literal EM)")]
    public EStepSchedule EStep { get; init; } = EStepSchedule.Minibatch;
    /// <summary>
    /// Balanced E step: the memberships of the unlabelled images of each E step are rescaled (Sinkhorn-Knopp) so that
    /// they fill the components in proportion omega (<see cref="LatentMixture.BalancedPosterior"/>).
    /// </summary>
    [Option("balanced-e-step", "rescale each E step's memberships (Sinkhorn-Knopp) so that the images fill the components in proportion omega")]
    public bool BalancedEStep { get; init; } = true;
    [Option("omega", "the schedule of the omega M step (the weights themselves live in Omega)")]
    public OmegaUpdate Omega { get; init; } = OmegaUpdate.Epoch;
    [Option("omega-init", "where omega starts: uniform, or data (the labelled class shares; uniform without labels)")]
    public OmegaInit OmegaInit { get; init; } = OmegaInit.Data;
    [Option("omega-from", "memberships the omega M step counts: posterior (eq 3) or e-step (the balanced ones when the E step is balanced)")]
    public OmegaStatistics OmegaFrom { get; init; } = OmegaStatistics.EStep;
    [Option("omega-prior", "Dirichlet concentration a of a prior on omega (MAP M step adds a - 1 to every count; 1 = none)", Min = 1)]
    public double OmegaPrior { get; init; } = 1;
    [Option("omega-floor", "lower bound of every omega_k (then renormalised), against collapse; below 1/K", Min = 0)]
    public double OmegaFloor { get; init; } = 0.02;
    [Option("omega-momentum", "step size of the running omega update", Min = 0, Max = 1, MinExclusive = true)]
    public double OmegaMomentum { get; init; } = 0.01;
    [Option("gan-loss", "discriminator loss: bce, literal (eq 7) or hinge (the generator then maximises D's logit)")]
    public GanLoss GanLoss { get; init; } = GanLoss.Bce;
    [Option("spectral-norm", "spectral normalisation of the discriminator's layers (Miyato et al. 2018; one power iteration per pass)")]
    public bool SpectralNorm { get; init; }
    [Option("d-lr-ratio", "the discriminator's learning rate over the generator's and encoder's (two time-scale updates, Heusel et al. 2017; 1 = the same)", Min = 0, MinExclusive = true)]
    public double DLrRatio { get; init; } = 1;
    [Option("y-sampling", "latent samples: categorical (k ~ Cat(omega)) or per-component (weighted by omega)")]
    public YSampling YSampling { get; init; } = YSampling.Categorical;
    [Option("consistency-encoder", "which generated samples the consistency term teaches the encoder: all (the paper), confident (only those it assigns to their source component with posterior >= --consistency-confidence; the generator learns from all), none (the generator only)")]
    public ConsistencyEncoder ConsistencyEncoder { get; init; } = ConsistencyEncoder.None;
    [Option("consistency-confidence", "the posterior of the source component a generated sample needs to teach the encoder (--consistency-encoder confident)", Min = 0, Max = 1)]
    public double ConsistencyConfidence { get; init; } = 0.9;
    [Option("complement-weight", "weight of the complement term (K+1 discriminator, Salimans et al. 2016): the encoder gives real images high and generated ones low mixture likelihood; 0 = off", Min = 0)]
    public double ComplementWeight { get; init; } = 0;
    [Option("pseudo-threshold", "hard memberships (beyond the paper, as FixMatch): the unlabelled likelihood term uses the E step's most likely component, only for images whose largest membership is at least this (0 = the soft memberships of the E step)", Min = 0, Max = 1)]
    public double PseudoThreshold { get; init; } = 0;
    [Option("posterior-weight", "weight of the posterior term (beyond the paper): mean log p(k | E(x)) of the labelled images' classes and of the unlabelled images' memberships, the discriminative half of the likelihood (0 = off)", Min = 0)]
    public double PosteriorWeight { get; init; } = 0;
    [Option("teacher-ema", "the E step's memberships come from a teacher encoder whose weights are this exponential moving average of the encoder's, updated every step (beyond the paper, as Mean Teacher, Tarvainen and Valpola 2017; 0 = the encoder itself)", Min = 0, Max = 1, MaxExclusive = true)]
    public double TeacherEma { get; init; } = 0;
    [Option("augment", "augmentation consistency: none, or consistency (memberships from a weak view of each unlabelled image train the encoder on a strong view)")]
    public AugmentMode Augment { get; init; } = AugmentMode.Consistency;
    [Option("flip", "horizontal flips in the augmented views: auto (colour images only), on or off")]
    public FlipMode Flip { get; init; } = FlipMode.Auto;
    [Option("weak-shift", "weak view: largest shift as a fraction of the image side", Min = 0, Max = 0.5)]
    public double WeakShift { get; init; } = 0.125;
    [Option("strong-shift", "strong view: largest shift as a fraction of the image side", Min = 0, Max = 0.5)]
    public double StrongShift { get; init; } = 0.2;
    [Option("strong-rotation", "strong view: largest rotation in degrees", Min = 0, Max = 180)]
    public double StrongRotation { get; init; } = 20;
    [Option("cutout", "strong view: side of the cutout square as a fraction of the image side (0 = none)", Min = 0, Max = 1)]
    public double Cutout { get; init; } = 0.4;
    [Option("colour-jitter", "strong view: brightness and contrast jitter of colour images (0 = none)", Min = 0, Max = 1)]
    public double ColourJitter { get; init; } = 0.3;
    [Option("strong-noise", "strong view: standard deviation of added pixel noise", Min = 0, Max = 1)]
    public double StrongNoise { get; init; } = 0.1;
    [Option("device", "cpu, cuda or cuda:N", Shared = true)]
    public string Device { get; init; } = "cpu";
    [Option("threads", "CPU threads for libtorch (0 = all cores)", Shared = true, Min = 0)]
    public int Threads { get; init; } = 0;

    /// <summary>
    /// The factor on the learning rate in <paramref name="epoch"/> (1-based): 1 up to <see cref="LrDecayFrom"/>, then
    /// 0.5 (1 + cos(pi t / (T + 1))) in the t-th of the T epochs after it, so the last epoch still learns a little.
    /// </summary>
    public double LearningRateFactor(int epoch)
    {
        if (LrDecayFrom <= 0 || epoch <= LrDecayFrom || LrDecayFrom >= Epochs) return 1;
        int t = epoch - LrDecayFrom, total = Epochs - LrDecayFrom;
        return 0.5 * (1 + Math.Cos(Math.PI * t / (total + 1)));
    }

    public int ResolveLatentDim(int k) => LatentDim > 0 ? LatentDim : Math.Max(10, k);

    /// <summary>The weak and strong view policies of <see cref="AugmentMode.Consistency"/> for images with this many channels.</summary>
    public (ViewPolicy Weak, ViewPolicy Strong) ViewPolicies(int channels)
    {
        bool flip = Flip == FlipMode.On || (Flip == FlipMode.Auto && channels == 3);
        return (new ViewPolicy(Shift: WeakShift, Flip: flip),
                new ViewPolicy(StrongShift, StrongRotation, flip, Cutout, ColourJitter, StrongNoise));
    }

    /// <summary>The ablations of the paper's evaluation: labelled-only (encoder on labelled images only), no-gan (no adversarial or consistency term).</summary>
    public static readonly string[] Ablations = { "none", "labelled-only", "no-gan" };

    /// <summary>
    /// The variants: default (this record's defaults), paper (the paper as written, for reference), unsupervised (no
    /// labels, many clusters: the recipe of docs/model.md "Unsupervised, K = 10").
    /// </summary>
    public static readonly string[] Variants = { "default", "paper", "unsupervised" };

    /// <summary>
    /// The options of a variant. paper: the paper as written — the E step of eq 3 over the whole data set before each
    /// epoch's M steps (literal EM), omega in closed form (eq 11-13) from those memberships, starting uniform, no balancing,
    /// no floor or prior, no warm-up; the consistency term trains generator and encoder; no augmentation, no gradient clipping.
    /// </summary>
    public static DnnmmOptions ForVariant(string? variant) => variant switch
    {
        null or "" or "default" => new DnnmmOptions(),
        "paper" => new DnnmmOptions
        {
            EStep = EStepSchedule.Epoch, BalancedEStep = false, Omega = OmegaUpdate.Epoch, OmegaInit = OmegaInit.Uniform,
            OmegaFrom = OmegaStatistics.Posterior, OmegaPrior = 1, OmegaFloor = 0, Init = MembershipInit.None, WarmupEpochs = 0,
            ConsistencyEncoder = ConsistencyEncoder.All, Augment = AugmentMode.None, MaxGradNorm = 0,
        },
        // Warm-up on k-means of a t-SNE map of the pixels, uniform omega (balanced data), after epoch 12 the warm-up
        // memberships again from three t-SNE maps of the encoder's features, the one with the most even cluster sizes kept,
        // for epochs 13-16, then EM with a decaying learning rate.
        "unsupervised" => new DnnmmOptions
        {
            Init = MembershipInit.Tsne, Omega = OmegaUpdate.Fixed, RefineEpoch = 12, RefineMaps = 3, RefineChoice = RefineChoice.Even, LrDecayFrom = 16,
        },
        var v => throw new OptionException("variant", $"'{v}' is not one of: {string.Join(", ", Variants)}"),
    };

    /// <summary>These options with an ablation applied (<see cref="Ablations"/>).</summary>
    public DnnmmOptions WithAblation(string? ablation) => ablation switch
    {
        null or "" or "none" => this,
        "labelled-only" => this with { UnlabelledWeight = 0, Lambda1 = 0, Lambda2 = 0, ComplementWeight = 0 },
        "no-gan" => this with { Lambda1 = 0, Lambda2 = 0, ComplementWeight = 0 },
        var a => throw new OptionException("ablation", $"'{a}' is not one of: {string.Join(", ", Ablations)}"),
    };

    /// <summary>Checks the options and that the images suit the convolutional networks.</summary>
    public void Validate(FitInput input)
    {
        Validate(input.Clusters);
        new ImageShape(input.Images.Channels, input.Images.Height, input.Images.Width).ConvLayout();
    }

    /// <summary>Throws a one-line <see cref="OptionException"/> for an out-of-range option.</summary>
    public void Validate(int clusters)
    {
        OptionSchema.ValidateRanges(this);
        void Check(bool ok, string option, string detail) { if (!ok) throw new OptionException(option, detail) { Scope = GetType() }; }
        Check(ResolveLatentDim(clusters) >= clusters, "latentDim", $"{LatentDim} must be at least the number of clusters {clusters}");
        Check(OmegaFloor * clusters < 1, "omegaFloor", $"{OmegaFloor} must be below 1/K = {1.0 / clusters:G3}");
        Check(Init is not (MembershipInit.KMeans or MembershipInit.Tsne) || WarmupEpochs > 0, "init", $"{Init.ToString().ToLowerInvariant()} needs at least one warm-up epoch (the epochs that use its memberships)");
        Check(RefineEpoch == 0 || WarmupEpochs > 0, "refineEpoch", "needs at least one warm-up epoch (the epochs that train on the refined memberships)");
        Check(RefineMaps == 1 || RefineEpoch > 0, "refineMaps", "needs --refine-epoch (the maps are of the refined memberships)");
        Check(RefineChoice == RefineChoice.Consensus || RefineMaps > 1, "refineChoice", "needs --refine-maps above 1 (a choice among several maps)");
        Check(TeacherEma == 0 || EStep == EStepSchedule.Minibatch, "teacherEma", "needs --e-step minibatch (the teacher encodes each minibatch's weak view)");
        MethodCommon.CheckDevice(Device);
    }
}
