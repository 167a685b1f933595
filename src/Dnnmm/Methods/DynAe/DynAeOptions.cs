namespace Dnnmm.Methods.DynAe;

/// <summary>DynAE's autoencoder.</summary>
public enum DynAeArchitecture
{
    /// <summary>The official fully connected autoencoder on the flattened image (784-500-500-2000-10 on MNIST).</summary>
    Mlp,
    /// <summary>Stride-2 convolutions (Width, 2 Width, ...) and a linear embedding, mirrored by transposed convolutions; for colour images.</summary>
    Conv,
}

/// <summary>
/// Every hyper-parameter of DynAE (Mrabah, Khan, Ksantini; Neural Networks 2020) and its semi-supervised
/// version, defaults in one place: the official MNIST settings except the numbers of epochs and the
/// interpolation coefficient of phase 1 (AcaiFoldAlpha)
/// (docs/baselines.md).
/// </summary>
public sealed record DynAeOptions : IMethodOptions
{
    /// <summary>Phase 1: epochs of autoencoder pretraining with adversarially constrained interpolation.</summary>
    public int PretrainEpochs { get; init; } = 50;
    /// <summary>Phase 2: epochs of dynamic clustering at most (it stops earlier below StopFraction conflicted images).</summary>
    public int ClusterEpochs { get; init; } = 50;
    public int BatchSize { get; init; } = 256;
    /// <summary>Phase 1 Adam learning rate (the official 1e-4; Adam's other settings TensorFlow's defaults).</summary>
    public double PretrainLearningRate { get; init; } = 1e-4;
    /// <summary>Phase 2 SGD learning rate (the official SGD(0.001, momentum 0.9)).</summary>
    public double LearningRate { get; init; } = 1e-3;
    public double Momentum { get; init; } = 0.9;
    /// <summary>Hidden layer widths of the MLP encoder (the decoder mirrors them).</summary>
    public int[] HiddenDims { get; init; } = { 500, 500, 2000 };
    public int EmbeddingDim { get; init; } = 10;
    /// <summary>lambda: weight of the critic term in the autoencoder's phase-1 loss (the official 0.5).</summary>
    public double AcaiWeight { get; init; } = 0.5;
    /// <summary>
    /// The interpolation coefficient alpha of phase 1, per image: true (default) alpha = 0.5 - |u - 0.5| in [0, 0.5]
    /// as the ACAI paper (Berthelot et al. 2019), which DynAE's phase 1 adopts; false alpha = u ~ U(0, 1) as the
    /// official DynAE code. With U(0, 1) the critic cannot tell alpha from 1 - alpha (the decoded image is the same
    /// kind of blend), so it predicts about 0.5 for every interpolation and the lambda term keeps the autoencoder near
    /// the mean image (docs/baselines.md).
    /// </summary>
    public bool AcaiFoldAlpha { get; init; } = true;
    /// <summary>
    /// Random shifts and rotations of every training batch in both phases, as the official code (aug_train = True,
    /// Keras ImageDataGenerator with width/height_shift_range 0.1 and rotation_range 10). Phase 2 computes the
    /// targets from the unaugmented images and trains on the augmented ones, as the official code.
    /// </summary>
    public bool Augment { get; init; } = true;
    /// <summary>Largest shift as a fraction of the width and height (official 0.1).</summary>
    public double AugmentShift { get; init; } = 0.1;
    /// <summary>Largest rotation in degrees (official 10).</summary>
    public double AugmentRotation { get; init; } = 10;
    /// <summary>gamma: weight of the reconstruction term in the phase-2 loss (the official 100).</summary>
    public double Gamma { get; init; } = 100;
    /// <summary>kappa: beta1 = kappa / K, beta2 = beta1 / 2.</summary>
    public double Kappa { get; init; } = 3;
    /// <summary>Phase 2 stops when fewer than this fraction of the images are conflicted (the official tol 0.01).</summary>
    public double StopFraction { get; init; } = 0.01;
    /// <summary>Phase-2 iterations between checks of the conflicted count (the official validate_interval 140).</summary>
    public int CheckInterval { get; init; } = 140;
    /// <summary>k-means++ starts when the centroids are (re)computed (the official n_init 10).</summary>
    public int KMeansRestarts { get; init; } = 10;
    /// <summary>DynAEss: weight of the cross-entropy between labelled images' soft assignments q and their labels (0 = ignore labels).</summary>
    public double LabelledWeight { get; init; } = 1;
    /// <summary>Labelled images per phase-2 step (DynAEss).</summary>
    public int LabelledBatchSize { get; init; } = 64;
    public DynAeArchitecture Architecture { get; init; } = DynAeArchitecture.Mlp;
    /// <summary>Channels of the first convolution of the convolutional variant.</summary>
    public int Width { get; init; } = 32;
    public string Device { get; init; } = "cpu";
    public int Threads { get; init; } = 0;

    /// <summary>Both phases: epochs are numbered on from pretraining into clustering.</summary>
    public int Epochs => PretrainEpochs + ClusterEpochs;

    public void Validate(FitInput input)
    {
        void Check(bool ok, string m) => MethodCommon.Check(ok, m);
        Check(PretrainEpochs >= 0, $"--dynae-pretrain-epochs {PretrainEpochs} must be >= 0");
        Check(ClusterEpochs >= 1, $"--epochs {ClusterEpochs} (DynAE clustering epochs) must be at least 1");
        Check(BatchSize >= 2, $"--dynae-batch-size {BatchSize} must be at least 2");
        Check(PretrainLearningRate > 0 && PretrainLearningRate < 1, $"--dynae-pretrain-lr {PretrainLearningRate} must be in (0, 1)");
        Check(LearningRate > 0 && LearningRate < 1, $"--dynae-lr {LearningRate} must be in (0, 1)");
        Check(Momentum >= 0 && Momentum < 1, $"--dynae-momentum {Momentum} must be in [0, 1)");
        Check(HiddenDims.Length >= 1 && HiddenDims.All(h => h >= 1), "--dynae-hidden must list at least one positive width");
        Check(EmbeddingDim >= 1, $"--dynae-embedding-dim {EmbeddingDim} must be at least 1");
        Check(AcaiWeight >= 0, $"--dynae-acai-weight {AcaiWeight} must be >= 0");
        Check(AugmentShift >= 0 && AugmentShift < 0.5, $"--dynae-augment-shift {AugmentShift} must be in [0, 0.5)");
        Check(AugmentRotation >= 0 && AugmentRotation <= 180, $"--dynae-augment-rotation {AugmentRotation} must be in [0, 180]");
        Check(Gamma >= 0, $"--dynae-gamma {Gamma} must be >= 0");
        Check(Kappa > 0, $"--dynae-kappa {Kappa} must be positive");
        Check(StopFraction >= 0 && StopFraction < 1, $"--dynae-stop-fraction {StopFraction} must be in [0, 1)");
        Check(CheckInterval >= 1, $"--dynae-check-interval {CheckInterval} must be at least 1");
        Check(KMeansRestarts >= 1, $"--dynae-kmeans-restarts {KMeansRestarts} must be at least 1");
        Check(LabelledWeight >= 0, $"--dynae-labelled-weight {LabelledWeight} must be >= 0");
        Check(LabelledBatchSize >= 1, $"--dynae-labelled-batch-size {LabelledBatchSize} must be at least 1");
        Check(Width >= 4 && Width <= 1024, $"--dynae-width {Width} must be in [4, 1024]");
        Check(input.Clusters >= 2, $"DynAE needs at least 2 clusters, got {input.Clusters}");
        Check(input.Images.Count >= input.Clusters, $"DynAE needs at least as many images ({input.Images.Count}) as clusters ({input.Clusters})");
        MethodCommon.CheckDeviceAndThreads(Device, Threads);
        if (Architecture == DynAeArchitecture.Conv) MethodCommon.ShapeOf(input.Images).ConvLayout();
    }
}
