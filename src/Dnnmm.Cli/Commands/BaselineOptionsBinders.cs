using System.CommandLine;
using Dnnmm.Methods.ClusterGan;
using Dnnmm.Methods.DynAe;
using Dnnmm.Methods.KMeans;
using Dnnmm.Methods.LabelledOnly;
using static Dnnmm.Cli.Commands.DnnmmOptionsBinder;

namespace Dnnmm.Cli.Commands;

/// <summary>
/// Command-line options of ClusterGAN (prefix --cg-); defaults come from <see cref="ClusterGanOptions"/>.
/// --epochs, --threads and --device are shared with every method and apply when given.
/// </summary>
public sealed class ClusterGanOptionsBinder
{
    private static readonly ClusterGanOptions D = new();

    public readonly Option<int> BatchSize = new("--cg-batch-size") { Description = "clustergan: batch size of critic and generator steps", DefaultValueFactory = _ => D.BatchSize };
    public readonly Option<double> Lr = new("--cg-lr") { Description = "clustergan: Adam learning rate (betas 0.5, 0.9)", DefaultValueFactory = _ => D.LearningRate };
    public readonly Option<int> NoiseDim = new("--cg-noise-dim") { Description = "clustergan: dim(z_n)", DefaultValueFactory = _ => D.NoiseDim };
    public readonly Option<double> NoiseStd = new("--cg-noise-std") { Description = "clustergan: z_n = std * N(0, I)", DefaultValueFactory = _ => D.NoiseStd };
    public readonly Option<double> BetaN = new("--cg-beta-n") { Description = "clustergan: weight of the z_n reconstruction (MSE)", DefaultValueFactory = _ => D.BetaN };
    public readonly Option<double> BetaC = new("--cg-beta-c") { Description = "clustergan: weight of the z_c cross-entropy", DefaultValueFactory = _ => D.BetaC };
    public readonly Option<int> CriticSteps = new("--cg-critic-steps") { Description = "clustergan: critic steps per generator step", DefaultValueFactory = _ => D.CriticSteps };
    public readonly Option<double> Gp = new("--cg-gp") { Description = "clustergan: WGAN-GP gradient penalty weight", DefaultValueFactory = _ => D.GradientPenalty };
    public readonly Option<int> Width = new("--cg-width") { Description = "clustergan: channels of the first convolution", DefaultValueFactory = _ => D.Width };
    public readonly Option<int> Hidden = new("--cg-hidden") { Description = "clustergan: width of the fully connected hidden layers", DefaultValueFactory = _ => D.Hidden };
    public readonly Option<double> LabelledWeight = new("--cg-labelled-weight") { Description = "clustergan(ss): weight of the labelled images' cross-entropy on E_c (0 = ignore labels)", DefaultValueFactory = _ => D.LabelledWeight };
    public readonly Option<int> LabelledBatchSize = new("--cg-labelled-batch-size") { Description = "clustergan(ss): labelled images per generator step", DefaultValueFactory = _ => D.LabelledBatchSize };
    public readonly Option<ClusterGanReadout> Readout = new("--cg-readout") { Description = "clustergan: clusters from kmeans (on the encoder output) or argmax (of E_c)", DefaultValueFactory = _ => D.Readout, CustomParser = r => ParseEnum<ClusterGanReadout>(r) };
    public readonly Option<int> KMeansRestarts = new("--cg-kmeans-restarts") { Description = "clustergan: k-means++ starts of the kmeans readout", DefaultValueFactory = _ => D.KMeansRestarts };

    public void AddTo(Command c)
    {
        foreach (Option o in new Option[] { BatchSize, Lr, NoiseDim, NoiseStd, BetaN, BetaC, CriticSteps, Gp, Width, Hidden, LabelledWeight, LabelledBatchSize, Readout, KMeansRestarts })
            c.Add(o);
    }

    public ClusterGanOptions Read(ParseResult p, DnnmmOptionsBinder shared) => D with
    {
        Epochs = Given(p, shared.Epochs) ? p.GetValue(shared.Epochs) : D.Epochs,
        Threads = p.GetValue(shared.Threads), Device = p.GetValue(shared.Device)!,
        BatchSize = p.GetValue(BatchSize), LearningRate = p.GetValue(Lr), NoiseDim = p.GetValue(NoiseDim), NoiseStd = p.GetValue(NoiseStd),
        BetaN = p.GetValue(BetaN), BetaC = p.GetValue(BetaC), CriticSteps = p.GetValue(CriticSteps), GradientPenalty = p.GetValue(Gp),
        Width = p.GetValue(Width), Hidden = p.GetValue(Hidden), LabelledWeight = p.GetValue(LabelledWeight),
        LabelledBatchSize = p.GetValue(LabelledBatchSize), Readout = p.GetValue(Readout), KMeansRestarts = p.GetValue(KMeansRestarts),
    };
}

/// <summary>
/// Command-line options of DynAE (prefix --dynae-); defaults come from <see cref="DynAeOptions"/>.
/// --epochs (the clustering phase), --threads and --device are shared and apply when given.
/// </summary>
public sealed class DynAeOptionsBinder
{
    private static readonly DynAeOptions D = new();

    public readonly Option<int> PretrainEpochs = new("--dynae-pretrain-epochs") { Description = "dynae: epochs of autoencoder pretraining (ACAI); --epochs sets the clustering epochs", DefaultValueFactory = _ => D.PretrainEpochs };
    public readonly Option<int> BatchSize = new("--dynae-batch-size") { Description = "dynae: batch size", DefaultValueFactory = _ => D.BatchSize };
    public readonly Option<double> PretrainLr = new("--dynae-pretrain-lr") { Description = "dynae: Adam learning rate of pretraining", DefaultValueFactory = _ => D.PretrainLearningRate };
    public readonly Option<double> Lr = new("--dynae-lr") { Description = "dynae: SGD learning rate of the clustering phase", DefaultValueFactory = _ => D.LearningRate };
    public readonly Option<double> Momentum = new("--dynae-momentum") { Description = "dynae: SGD momentum of the clustering phase", DefaultValueFactory = _ => D.Momentum };
    public readonly Option<int[]> Hidden = new("--dynae-hidden") { Description = "dynae: hidden widths of the MLP encoder, comma-separated", DefaultValueFactory = _ => D.HiddenDims, CustomParser = ParseIntList };
    public readonly Option<int> EmbeddingDim = new("--dynae-embedding-dim") { Description = "dynae: embedding dimension", DefaultValueFactory = _ => D.EmbeddingDim };
    public readonly Option<double> AcaiWeight = new("--dynae-acai-weight") { Description = "dynae: weight lambda of the critic term in pretraining", DefaultValueFactory = _ => D.AcaiWeight };
    public readonly Option<bool> AcaiFold = new("--dynae-acai-fold") { Description = "dynae: interpolation coefficient alpha in [0, 0.5] as the ACAI paper (true) or U(0, 1) as the official DynAE code (false)", DefaultValueFactory = _ => D.AcaiFoldAlpha };
    public readonly Option<bool> Augment = new("--dynae-augment") { Description = "dynae: random shifts and rotations of the training batches in both phases, as the official code", DefaultValueFactory = _ => D.Augment };
    public readonly Option<double> AugmentShift = new("--dynae-augment-shift") { Description = "dynae: largest shift, fraction of width and height", DefaultValueFactory = _ => D.AugmentShift };
    public readonly Option<double> AugmentRotation = new("--dynae-augment-rotation") { Description = "dynae: largest rotation in degrees", DefaultValueFactory = _ => D.AugmentRotation };
    public readonly Option<double> Gamma = new("--dynae-gamma") { Description = "dynae: weight gamma of the reconstruction term in clustering", DefaultValueFactory = _ => D.Gamma };
    public readonly Option<double> Kappa = new("--dynae-kappa") { Description = "dynae: kappa (beta1 = kappa / K, beta2 = beta1 / 2)", DefaultValueFactory = _ => D.Kappa };
    public readonly Option<double> StopFraction = new("--dynae-stop-fraction") { Description = "dynae: stop when fewer than this fraction of images are conflicted", DefaultValueFactory = _ => D.StopFraction };
    public readonly Option<int> CheckInterval = new("--dynae-check-interval") { Description = "dynae: clustering steps between checks of the conflicted count", DefaultValueFactory = _ => D.CheckInterval };
    public readonly Option<int> KMeansRestarts = new("--dynae-kmeans-restarts") { Description = "dynae: k-means++ starts when centres are computed", DefaultValueFactory = _ => D.KMeansRestarts };
    public readonly Option<double> LabelledWeight = new("--dynae-labelled-weight") { Description = "dynae(ss): weight of the labelled images' cross-entropy on q (0 = ignore labels)", DefaultValueFactory = _ => D.LabelledWeight };
    public readonly Option<int> LabelledBatchSize = new("--dynae-labelled-batch-size") { Description = "dynae(ss): labelled images per clustering step", DefaultValueFactory = _ => D.LabelledBatchSize };
    public readonly Option<DynAeArchitecture> Arch = new("--dynae-arch") { Description = "dynae: autoencoder, mlp (official) or conv (for colour images)", DefaultValueFactory = _ => D.Architecture, CustomParser = r => ParseEnum<DynAeArchitecture>(r) };
    public readonly Option<int> Width = new("--dynae-width") { Description = "dynae: channels of the first convolution (conv architecture)", DefaultValueFactory = _ => D.Width };

    public void AddTo(Command c)
    {
        foreach (Option o in new Option[] { PretrainEpochs, BatchSize, PretrainLr, Lr, Momentum, Hidden, EmbeddingDim, AcaiWeight, AcaiFold, Augment, AugmentShift, AugmentRotation, Gamma, Kappa,
                     StopFraction, CheckInterval, KMeansRestarts, LabelledWeight, LabelledBatchSize, Arch, Width })
            c.Add(o);
    }

    public DynAeOptions Read(ParseResult p, DnnmmOptionsBinder shared) => D with
    {
        ClusterEpochs = Given(p, shared.Epochs) ? p.GetValue(shared.Epochs) : D.ClusterEpochs,
        Threads = p.GetValue(shared.Threads), Device = p.GetValue(shared.Device)!,
        PretrainEpochs = p.GetValue(PretrainEpochs), BatchSize = p.GetValue(BatchSize), PretrainLearningRate = p.GetValue(PretrainLr),
        LearningRate = p.GetValue(Lr), Momentum = p.GetValue(Momentum), HiddenDims = p.GetValue(Hidden)!, EmbeddingDim = p.GetValue(EmbeddingDim),
        AcaiWeight = p.GetValue(AcaiWeight), AcaiFoldAlpha = p.GetValue(AcaiFold), Augment = p.GetValue(Augment), AugmentShift = p.GetValue(AugmentShift), AugmentRotation = p.GetValue(AugmentRotation), Gamma = p.GetValue(Gamma), Kappa = p.GetValue(Kappa), StopFraction = p.GetValue(StopFraction),
        CheckInterval = p.GetValue(CheckInterval), KMeansRestarts = p.GetValue(KMeansRestarts), LabelledWeight = p.GetValue(LabelledWeight),
        LabelledBatchSize = p.GetValue(LabelledBatchSize), Architecture = p.GetValue(Arch), Width = p.GetValue(Width),
    };
}

/// <summary>Command-line options of the k-means reference (prefix --kmeans-); defaults come from <see cref="KMeansOptions"/>.</summary>
public sealed class KMeansOptionsBinder
{
    private static readonly KMeansOptions D = new();

    public readonly Option<int> Restarts = new("--kmeans-restarts") { Description = "kmeans: k-means++ starts (the lowest inertia wins)", DefaultValueFactory = _ => D.Restarts };
    public readonly Option<int> MaxIterations = new("--kmeans-max-iter") { Description = "kmeans: Lloyd iterations per start at most", DefaultValueFactory = _ => D.MaxIterations };

    public void AddTo(Command c)
    {
        c.Add(Restarts); c.Add(MaxIterations);
    }

    public KMeansOptions Read(ParseResult p) => D with { Restarts = p.GetValue(Restarts), MaxIterations = p.GetValue(MaxIterations) };
}

/// <summary>
/// The labelled-only reference reads DNN-MM's options of the same meaning (--epochs when given,
/// --width, --lr, --labelled-batch-size, --threads, --device); defaults come from <see cref="LabelledOnlyOptions"/>.
/// </summary>
public static class LabelledOnlyOptionsBinder
{
    private static readonly LabelledOnlyOptions D = new();

    public static LabelledOnlyOptions Read(ParseResult p, DnnmmOptionsBinder shared) => D with
    {
        Epochs = Given(p, shared.Epochs) ? p.GetValue(shared.Epochs) : D.Epochs,
        Width = p.GetValue(shared.Width), LearningRate = p.GetValue(shared.Lr), LabelledBatchSize = p.GetValue(shared.LabelledBatchSize),
        Threads = p.GetValue(shared.Threads), Device = p.GetValue(shared.Device)!,
    };
}
