using System.Text.Json.Serialization;
using Dnnmm.Infrastructure;

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
    [Option("pretrain-epochs", "phase 1: epochs of autoencoder pretraining with adversarially constrained interpolation; --epochs sets the clustering epochs", Min = 0)]
    public int PretrainEpochs { get; init; } = 50;
    [Option("epochs", "phase 2: epochs of dynamic clustering at most (it stops earlier when fewer than the stop fraction of images are conflicted)", Shared = true, Min = 1)]
    public int ClusterEpochs { get; init; } = 50;
    [Option("batch-size", "batch size", Min = 2)]
    public int BatchSize { get; init; } = 256;
    [Option("pretrain-lr", "phase 1 Adam learning rate (the official 1e-4; Adam's other settings TensorFlow's defaults)", Min = 0, Max = 1, MinExclusive = true, MaxExclusive = true)]
    public double PretrainLearningRate { get; init; } = 1e-4;
    [Option("lr", "phase 2 SGD learning rate (the official SGD(0.001, momentum 0.9))", Min = 0, Max = 1, MinExclusive = true, MaxExclusive = true)]
    public double LearningRate { get; init; } = 1e-3;
    [Option("momentum", "SGD momentum of the clustering phase", Min = 0, Max = 1, MaxExclusive = true)]
    public double Momentum { get; init; } = 0.9;
    [Option("hidden", "hidden layer widths of the MLP encoder, comma-separated (the decoder mirrors them)")]
    public int[] HiddenDims { get; init; } = { 500, 500, 2000 };
    [Option("embedding-dim", "embedding dimension", Min = 1)]
    public int EmbeddingDim { get; init; } = 10;
    [Option("acai-weight", "lambda: weight of the critic term in the autoencoder's phase-1 loss (the official 0.5)", Min = 0)]
    public double AcaiWeight { get; init; } = 0.5;
    /// <summary>
    /// The interpolation coefficient alpha of phase 1, per image: true (default) alpha = 0.5 - |u - 0.5| in [0, 0.5]
    /// as the ACAI paper (Berthelot et al. 2019), which DynAE's phase 1 adopts; false alpha = u ~ U(0, 1) as the
    /// official DynAE code. With U(0, 1) the critic cannot tell alpha from 1 - alpha (the decoded image is the same
    /// kind of blend), so it predicts about 0.5 for every interpolation and the lambda term keeps the autoencoder near
    /// the mean image (docs/baselines.md).
    /// </summary>
    [Option("acai-fold", "interpolation coefficient alpha in [0, 0.5] as the ACAI paper (true) or U(0, 1) as the official DynAE code (false)")]
    public bool AcaiFoldAlpha { get; init; } = true;
    /// <summary>
    /// Random shifts and rotations of every training batch in both phases, as the official code (aug_train = True,
    /// Keras ImageDataGenerator with width/height_shift_range 0.1 and rotation_range 10). Phase 2 computes the
    /// targets from the unaugmented images and trains on the augmented ones, as the official code.
    /// </summary>
    [Option("augment", "random shifts and rotations of the training batches in both phases, as the official code")]
    public bool Augment { get; init; } = true;
    [Option("augment-shift", "largest shift as a fraction of the width and height (official 0.1)", Min = 0, Max = 0.5, MaxExclusive = true)]
    public double AugmentShift { get; init; } = 0.1;
    [Option("augment-rotation", "largest rotation in degrees (official 10)", Min = 0, Max = 180)]
    public double AugmentRotation { get; init; } = 10;
    [Option("gamma", "gamma: weight of the reconstruction term in the phase-2 loss (the official 100)", Min = 0)]
    public double Gamma { get; init; } = 100;
    [Option("kappa", "kappa: beta1 = kappa / K, beta2 = beta1 / 2", Min = 0, MinExclusive = true)]
    public double Kappa { get; init; } = 3;
    [Option("stop-fraction", "phase 2 stops when fewer than this fraction of the images are conflicted (the official tol 0.01)", Min = 0, Max = 1, MaxExclusive = true)]
    public double StopFraction { get; init; } = 0.01;
    [Option("check-interval", "phase-2 iterations between checks of the conflicted count (the official validate_interval 140)", Min = 1)]
    public int CheckInterval { get; init; } = 140;
    [Option("kmeans-restarts", "k-means++ starts when the centroids are (re)computed (the official n_init 10)", Min = 1)]
    public int KMeansRestarts { get; init; } = 10;
    [Option("labelled-weight", "DynAEss: weight of the cross-entropy between labelled images' soft assignments q and their labels (0 = ignore labels)", Min = 0)]
    public double LabelledWeight { get; init; } = 1;
    [Option("labelled-batch-size", "labelled images per phase-2 step (DynAEss)", Min = 1)]
    public int LabelledBatchSize { get; init; } = 64;
    [Option("arch", "autoencoder: mlp (official) or conv (for colour images)")]
    public DynAeArchitecture Architecture { get; init; } = DynAeArchitecture.Mlp;
    [Option("width", "channels of the first convolution of the convolutional variant", Min = 4, Max = 1024)]
    [JsonPropertyName("width")]
    public int NetworkWidth { get; init; } = 32;
    [Option("device", "cpu, cuda or cuda:N", Shared = true)]
    public string Device { get; init; } = "cpu";
    [Option("threads", "CPU threads for libtorch (0 = all cores)", Shared = true, Min = 0)]
    public int Threads { get; init; } = 0;

    /// <summary>Both phases: epochs are numbered on from pretraining into clustering.</summary>
    public int Epochs => PretrainEpochs + ClusterEpochs;

    public void Validate(FitInput input)
    {
        OptionSchema.ValidateRanges(this);
        MethodCommon.CheckDevice(Device);
        void Check(bool ok, string m) => MethodCommon.Check(ok, m);
        Check(HiddenDims.Length >= 1 && HiddenDims.All(h => h >= 1), "hiddenDims must list at least one positive width");
        Check(input.Clusters >= 2, $"DynAE needs at least 2 clusters, got {input.Clusters}");
        Check(input.Images.Count >= input.Clusters, $"DynAE needs at least as many images ({input.Images.Count}) as clusters ({input.Clusters})");
        if (Architecture == DynAeArchitecture.Conv) MethodCommon.ShapeOf(input.Images).ConvLayout();
    }
}
