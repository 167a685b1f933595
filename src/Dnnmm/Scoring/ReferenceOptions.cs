using Dnnmm.Infrastructure;

namespace Dnnmm.Scoring;

/// <summary>
/// How a reference classifier is trained (<c>dnnmm reference train</c>); every default here. The seed is the data
/// options' seed (as for a run), so one data spec and these options always give the same classifier.
/// </summary>
public sealed record ReferenceOptions
{
    [Option("epochs", "training epochs over every image of the training split", Min = 1, Max = 10000)]
    public int Epochs { get; init; } = 20;

    [Option("batch-size", "images per step", Min = 1, Max = 65536)]
    public int BatchSize { get; init; } = 64;

    [Option("lr", "Adam learning rate, decayed to 0 over the epochs on a cosine", Min = 0, MinExclusive = true, Max = 1)]
    public double LearningRate { get; init; } = 2e-3;

    [Option("weight-decay", "L2 weight decay of Adam", Min = 0, Max = 1)]
    public double WeightDecay { get; init; } = 5e-4;

    [Option("width", "channels of the first convolution (the second and third have 2x and 4x)", Min = 1, Max = 512)]
    public int Width { get; init; } = 32;

    [Option("convs-per-block", "3x3 convolutions in each of the three blocks (2: a deeper network, for natural images)", Min = 1, Max = 3)]
    public int ConvsPerBlock { get; init; } = 1;

    [Option("feature-dim", "width of the feature layer, whose activations the Fréchet distance compares", Min = 2, Max = 4096)]
    public int FeatureDim { get; init; } = 128;

    [Option("shift", "training augmentation: random shifts of up to this fraction of the side (0: none)", Min = 0, Max = 0.5)]
    public double Shift { get; init; } = 0.1;

    [Option("flip", "training augmentation: random horizontal flips (natural images; not for digits)")]
    public bool Flip { get; init; }

    [Option("threads", "CPU threads (0: all cores)", Min = 0, Max = 1024)]
    public int Threads { get; init; }

    [Option("device", "cpu, cuda or cuda:N")]
    public string Device { get; init; } = "cpu";

    /// <summary>Range checks, and the device name; an <see cref="OptionException"/> names the option.</summary>
    public void Validate()
    {
        OptionSchema.ValidateRanges(this);
        if (!Compute.IsDeviceName(Device))
            throw new OptionException("device", $"'{Device}' must be cpu, cuda or cuda:N") { Scope = typeof(ReferenceOptions) };
    }
}

/// <summary>
/// Scoring a generative run with a reference classifier (<see cref="GenerativeScoring"/>): sample purity and the
/// Fréchet distance at the end of the run, and every <see cref="ReferenceEvery"/> epochs in the metrics. Without
/// <see cref="Reference"/> nothing is scored.
/// </summary>
public sealed record ReferenceScoringOptions
{
    public const int DefaultSamples = 500;

    [Option("reference", "reference classifier folder (from 'dnnmm reference train'): score the generated samples at the end of the run (sample purity, Fréchet distance in its feature space)")]
    public string? Reference { get; init; }

    [Option("reference-every", "also score the samples every N epochs into the metrics (0: at the end only; needs --reference)", Min = 0, Max = 100000)]
    public int ReferenceEvery { get; init; }

    [Option("reference-samples", "generated images per cluster for the scores", Min = 2, Max = 100000)]
    public int ReferenceSamples { get; init; } = DefaultSamples;

    /// <summary>Whether a reference is named.</summary>
    public bool Enabled => Reference is not null;

    public void Validate()
    {
        OptionSchema.ValidateRanges(this);
        if (Reference is not null && string.IsNullOrWhiteSpace(Reference))
            throw new OptionException("reference", "is empty; give a folder made by 'dnnmm reference train'") { Scope = typeof(ReferenceScoringOptions) };
        if (Reference is null && ReferenceEvery > 0)
            throw new OptionException("referenceEvery", $"{ReferenceEvery} needs --reference <folder> (a reference classifier to score with)") { Scope = typeof(ReferenceScoringOptions) };
    }
}
