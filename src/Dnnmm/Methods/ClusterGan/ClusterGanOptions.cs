using System.Text.Json.Serialization;
using Dnnmm.Infrastructure;

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
    [Option("epochs", "passes of the real images through the critic (one critic step per batch, a generator step every CriticSteps)", Shared = true, Min = 1)]
    public int Epochs { get; init; } = 100;
    [Option("batch-size", "batch size of critic and generator steps", Min = 2)]
    public int BatchSize { get; init; } = 64;
    [Option("lr", "Adam learning rate", Min = 0, Max = 1, MinExclusive = true, MaxExclusive = true)]
    public double LearningRate { get; init; } = 1e-4;
    [Option("beta1", "Adam beta1", Min = 0, Max = 1, MaxExclusive = true)]
    public double Beta1 { get; init; } = 0.5;
    [Option("beta2", "Adam beta2", Min = 0, Max = 1, MaxExclusive = true)]
    public double Beta2 { get; init; } = 0.9;
    [Option("noise-dim", "dim(z_n)", Min = 1)]
    public int NoiseDim { get; init; } = 30;
    [Option("noise-std", "z_n = std * N(0, I)", Min = 0, MinExclusive = true)]
    public double NoiseStd { get; init; } = 0.1;
    [Option("beta-n", "beta_n: weight of the mean squared error between z_n and E_n(G(z))", Min = 0)]
    public double BetaN { get; init; } = 10;
    [Option("beta-c", "beta_c: weight of the cross-entropy between E_c(G(z)) and the category of z_c", Min = 0)]
    public double BetaC { get; init; } = 10;
    [Option("critic-steps", "critic steps per generator step", Min = 1)]
    public int CriticSteps { get; init; } = 5;
    [Option("gp", "weight of the WGAN-GP gradient penalty", Min = 0)]
    public double GradientPenalty { get; init; } = 10;
    [Option("width", "channels of the first convolution (64 in the official code; doubled per stage)", Min = 4, Max = 1024)]
    [JsonPropertyName("width")]
    public int NetworkWidth { get; init; } = 64;
    [Option("hidden", "width of the fully connected hidden layer of G, D and E (1024 in the official code)", Min = 1)]
    public int Hidden { get; init; } = 1024;
    [Option("labelled-weight", "ClusterGANss: weight of the cross-entropy between E_c(x) and the label of labelled images (0 = ignore labels)", Min = 0)]
    public double LabelledWeight { get; init; } = 10;
    [Option("labelled-batch-size", "labelled images per generator step (ClusterGANss)", Min = 1)]
    public int LabelledBatchSize { get; init; } = 32;
    [Option("readout", "clusters from kmeans (on the encoder output) or argmax (of E_c)")]
    public ClusterGanReadout Readout { get; init; } = ClusterGanReadout.Kmeans;
    [Option("kmeans-restarts", "k-means++ starts of the k-means readout", Min = 1)]
    public int KMeansRestarts { get; init; } = 10;
    [Option("device", "cpu, cuda or cuda:N", Shared = true)]
    public string Device { get; init; } = "cpu";
    [Option("threads", "CPU threads for libtorch (0 = all cores)", Shared = true, Min = 0)]
    public int Threads { get; init; } = 0;

    public int LatentDim(int clusters) => NoiseDim + clusters;

    public void Validate(FitInput input)
    {
        OptionSchema.ValidateRanges(this);
        MethodCommon.CheckDevice(Device);
        void Check(bool ok, string m) => MethodCommon.Check(ok, m);
        Check(input.Clusters >= 2, $"ClusterGAN needs at least 2 clusters, got {input.Clusters}");
        Check(input.Images.Count >= input.Clusters, $"ClusterGAN needs at least as many images ({input.Images.Count}) as clusters ({input.Clusters})");
        MethodCommon.ShapeOf(input.Images).ConvLayout();
    }
}
