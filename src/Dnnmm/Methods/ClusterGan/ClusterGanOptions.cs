namespace Dnnmm.Methods.ClusterGan;

/// <summary>How ClusterGAN turns encoder outputs into clusters.</summary>
public enum ClusterGanReadout
{
    /// <summary>k-means on the encoder output [E_n(x), softmax(E_c(x))] (the official test-time procedure).</summary>
    Kmeans,
    /// <summary>argmax of E_c(x): the latent category the encoder infers.</summary>
    Argmax,
}

/// <summary>
/// Every hyper-parameter of ClusterGAN (Mukherjee et al., AAAI 2019) and its semi-supervised version,
/// defaults in one place: the official MNIST settings (docs/baselines.md).
/// </summary>
public sealed record ClusterGanOptions : IMethodOptions
{
    /// <summary>Passes of the real images through the critic (one critic step per batch, a generator step every CriticSteps).</summary>
    public int Epochs { get; init; } = 100;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 1e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.9;
    /// <summary>dim(z_n).</summary>
    public int NoiseDim { get; init; } = 30;
    /// <summary>z_n = NoiseStd * N(0, I).</summary>
    public double NoiseStd { get; init; } = 0.1;
    /// <summary>beta_n: weight of the mean squared error between z_n and E_n(G(z)).</summary>
    public double BetaN { get; init; } = 10;
    /// <summary>beta_c: weight of the cross-entropy between E_c(G(z)) and the category of z_c.</summary>
    public double BetaC { get; init; } = 10;
    /// <summary>Critic steps per generator step.</summary>
    public int CriticSteps { get; init; } = 5;
    /// <summary>Weight of the WGAN-GP gradient penalty.</summary>
    public double GradientPenalty { get; init; } = 10;
    /// <summary>Channels of the first convolution (64 in the official code; doubled per stage).</summary>
    public int Width { get; init; } = 64;
    /// <summary>Width of the fully connected hidden layer of G, D and E (1024 in the official code).</summary>
    public int Hidden { get; init; } = 1024;
    /// <summary>ClusterGANss: weight of the cross-entropy between E_c(x) and the label of labelled images (0 = ignore labels).</summary>
    public double LabelledWeight { get; init; } = 10;
    /// <summary>Labelled images per generator step (ClusterGANss).</summary>
    public int LabelledBatchSize { get; init; } = 32;
    public ClusterGanReadout Readout { get; init; } = ClusterGanReadout.Kmeans;
    /// <summary>k-means++ starts of the k-means readout.</summary>
    public int KMeansRestarts { get; init; } = 10;
    public string Device { get; init; } = "cpu";
    public int Threads { get; init; } = 0;

    public int LatentDim(int clusters) => NoiseDim + clusters;

    public void Validate(FitInput input)
    {
        void Check(bool ok, string m) => MethodCommon.Check(ok, m);
        Check(Epochs >= 1, $"--epochs {Epochs} must be at least 1");
        Check(BatchSize >= 2, $"--cg-batch-size {BatchSize} must be at least 2");
        Check(LearningRate > 0 && LearningRate < 1, $"--cg-lr {LearningRate} must be in (0, 1)");
        Check(Beta1 >= 0 && Beta1 < 1 && Beta2 >= 0 && Beta2 < 1, "ClusterGAN Adam betas must be in [0, 1)");
        Check(NoiseDim >= 1, $"--cg-noise-dim {NoiseDim} must be at least 1");
        Check(NoiseStd > 0, $"--cg-noise-std {NoiseStd} must be positive");
        Check(BetaN >= 0, $"--cg-beta-n {BetaN} must be >= 0");
        Check(BetaC >= 0, $"--cg-beta-c {BetaC} must be >= 0");
        Check(CriticSteps >= 1, $"--cg-critic-steps {CriticSteps} must be at least 1");
        Check(GradientPenalty >= 0, $"--cg-gp {GradientPenalty} must be >= 0");
        Check(Width >= 4 && Width <= 1024, $"--cg-width {Width} must be in [4, 1024]");
        Check(Hidden >= 1, $"--cg-hidden {Hidden} must be at least 1");
        Check(LabelledWeight >= 0, $"--cg-labelled-weight {LabelledWeight} must be >= 0");
        Check(LabelledBatchSize >= 1, $"--cg-labelled-batch-size {LabelledBatchSize} must be at least 1");
        Check(KMeansRestarts >= 1, $"--cg-kmeans-restarts {KMeansRestarts} must be at least 1");
        Check(input.Clusters >= 2, $"ClusterGAN needs at least 2 clusters, got {input.Clusters}");
        Check(input.Images.Count >= input.Clusters, $"ClusterGAN needs at least as many images ({input.Images.Count}) as clusters ({input.Clusters})");
        MethodCommon.CheckDeviceAndThreads(Device, Threads);
        MethodCommon.ShapeOf(input.Images).ConvLayout();
    }
}
