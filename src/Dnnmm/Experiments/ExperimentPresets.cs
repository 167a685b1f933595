using System.Text.Json.Nodes;
using Dnnmm.Infrastructure;
using Dnnmm.Data;

namespace Dnnmm.Experiments;

/// <summary>Where the paper presets find their data (data specs as for --data).</summary>
public sealed record PresetData
{
    /// <summary>MNIST: the shipped subset holds the first 1000 training images of each digit, all the paper's protocol needs.</summary>
    public string Mnist { get; init; } = DataOptions.DefaultData;
    /// <summary>CIFAR-10 (cifar10:&lt;dir&gt; binary batches or folder:&lt;dir&gt; with one folder per class); null: not given.</summary>
    public string? Cifar10 { get; init; }
    /// <summary>CelebA (celeba:&lt;dir&gt;); null: not given.</summary>
    public string? CelebA { get; init; }
    /// <summary>Overrides the images per class of every dataset (e.g. for a CelebA subset with few bald people).</summary>
    public int? PerClass { get; init; }
    /// <summary>Every image of every class (the class sizes of the data, balanced or not) instead of a number per class.</summary>
    public bool AllImages { get; init; }
}

/// <summary>
/// The named grids of <c>dnnmm experiment --preset</c>: the paper's four comparisons and a quick one.
/// The paper presets use its alpha grid, 5 seeds, DNN-MM, its two ablations (encoder on the labelled images only;
/// no adversarial or consistency term), ClusterGANss (argmax E_c readout), DynAEss, and the two references (k-means on
/// pixels, a classifier with DNN-MM's encoder trunk trained on the labelled images only).
/// The baselines get budgets that fit a laptop CPU (far below their published training length, see
/// docs/baselines.md): the numbers say how they do at a DNN-MM-like cost, not at convergence.
/// </summary>
public static class ExperimentPresets
{
    public static readonly string[] Names = { "quick", "paper-mnist5", "paper-mnist7", "paper-cifar10-noisy", "paper-celeba-noisy" };

    public static readonly double[] PaperAlphas = { 0.01, 0.05, 0.1, 0.2, 0.5 };
    public static readonly int[] PaperSeeds = { 1, 2, 3, 4, 5 };
    public const double NoisyStd = 0.1;

    public static ExperimentConfig Get(string name, PresetData? data = null)
    {
        var d = data ?? new PresetData();
        return name switch
        {
            "quick" => Quick(d),
            "paper-mnist5" => Paper(name, "mnist5", Data(d, d.Mnist, Digits(5), 1000, 0), d),
            "paper-mnist7" => Paper(name, "mnist7", Data(d, d.Mnist, Digits(7), 1000, 0), d),
            "paper-cifar10-noisy" => Paper(name, "cifar10-5-noisy",
                Data(d, d.Cifar10 ?? throw Missing(name, "--cifar10"), new[] { "airplane", "automobile", "bird", "cat", "deer" }, 1000, NoisyStd), d),
            "paper-celeba-noisy" => Paper(name, "celeba-5-noisy",
                Data(d, d.CelebA ?? throw Missing(name, "--celeba"), null, 1000, NoisyStd), d),
            _ => throw new DnnmmInputException($"--preset '{name}' is not one of: {string.Join(", ", Names)}"),
        };
    }

    private static DnnmmInputException Missing(string preset, string option) =>
        new($"--preset {preset}: needs its data, give {option} <data spec> (e.g. {option} {(option == "--celeba" ? "celeba:<dir>" : "folder:<dir> or cifar10:<dir>")})");

    private static string[] Digits(int k) => Enumerable.Range(0, k).Select(i => i.ToString()).ToArray();

    private static DataOptions Data(PresetData d, string spec, string[]? classes, int perClass, double noise) =>
        new() { Data = spec, Classes = classes, PerClass = d.AllImages ? null : d.PerClass ?? perClass, NoiseStd = noise };

    private static JsonObject O(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>
    /// The methods of the paper presets, with their budgets. DynAEss trains without augmentation here: at 10 pretraining
    /// epochs the augmented pretraining of one seed in three stalls near the mean image (docs/baselines.md).
    /// </summary>
    public static IReadOnlyList<ExperimentMethod> PaperMethods() => new[]
    {
        new ExperimentMethod("dnnmm", O("""{"method": "dnnmm"}""")),
        new ExperimentMethod("dnnmm-no-gan", O("""{"method": "dnnmm", "dnnmm": {"lambda1": 0, "lambda2": 0}}""")),
        new ExperimentMethod("dnnmm-labelled-only", O("""{"method": "dnnmm", "dnnmm": {"unlabelledWeight": 0, "lambda1": 0, "lambda2": 0}}""")),
        new ExperimentMethod("clustergan-ss", O("""{"method": "clustergan", "clusterGan": {"epochs": 3, "readout": "argmax"}}""")),
        new ExperimentMethod("dynae-ss", O("""{"method": "dynae", "dynAe": {"pretrainEpochs": 10, "clusterEpochs": 10, "batchSize": 64, "pretrainLearningRate": 0.001, "augment": false}}""")),
        new ExperimentMethod("kmeans", O("""{"method": "kmeans"}""")),
        new ExperimentMethod("labelled-only", O("""{"method": "labelled-only"}""")),
    };

    private static ExperimentConfig Paper(string name, string dataset, DataOptions data, PresetData d) => new()
    {
        Name = name,
        Datasets = new[] { new ExperimentDataset(dataset, data) },
        Methods = PaperMethods(),
        Alphas = PaperAlphas,
        Seeds = PaperSeeds,
        PictureAlpha = 0.1,
    };

    /// <summary>A small grid on the shipped MNIST data that finishes in minutes on 2 cores: every method once per cell.</summary>
    private static ExperimentConfig Quick(PresetData d) => new()
    {
        Name = "quick",
        Datasets = new[] { new ExperimentDataset("mnist3", Data(d, d.Mnist, Digits(3), 300, 0)) },
        Methods = new[]
        {
            new ExperimentMethod("dnnmm", O("""{"method": "dnnmm", "dnnmm": {"epochs": 6}}""")),
            new ExperimentMethod("dnnmm-no-gan", O("""{"method": "dnnmm", "dnnmm": {"epochs": 6, "lambda1": 0, "lambda2": 0}}""")),
            new ExperimentMethod("clustergan-ss", O("""{"method": "clustergan", "clusterGan": {"epochs": 1, "readout": "argmax"}}""")),
            new ExperimentMethod("dynae-ss", O("""{"method": "dynae", "dynAe": {"pretrainEpochs": 3, "clusterEpochs": 3, "batchSize": 64, "pretrainLearningRate": 0.001, "augment": false}}""")),
            new ExperimentMethod("kmeans", O("""{"method": "kmeans"}""")),
        },
        Alphas = new[] { 0.05, 0.2 },
        Seeds = new[] { 1, 2, 3 },
        PictureAlpha = 0.2,
    };
}
