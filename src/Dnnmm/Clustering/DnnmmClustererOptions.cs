using Dnnmm.Data;
using Dnnmm.Infrastructure;
using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Clustering;

/// <summary>
/// What a <see cref="DnnmmClusterer"/> fits: the number of clusters K, how long it trains, its seed, how images read
/// from files are decoded, and every other DNN-MM option (<see cref="Model"/>, with the defaults of docs/model.md).
/// </summary>
public sealed record DnnmmClustererOptions
{
    /// <summary>The number of clusters K: at least 2, and at most the number of images fitted.</summary>
    public required int Clusters { get; init; }

    /// <summary>Training epochs (passes over the images); null: <see cref="Model"/>'s (20).</summary>
    public int? Epochs { get; init; }

    /// <summary>
    /// The seed of the networks' initial weights, the minibatch order and the generated samples: the same seed, options
    /// and images give the same model.
    /// </summary>
    public int Seed { get; init; } = DataOptions.DefaultSeed;

    /// <summary>Where to train and predict: cpu, cuda or cuda:N; null: <see cref="Model"/>'s (cpu).</summary>
    public string? Device { get; init; }

    /// <summary>Images read from files (<see cref="DnnmmClusterer.Fit(IReadOnlyList{string}, int[])"/>): 1 (grey, luminance) or 3 (RGB) channels.</summary>
    public int Channels { get; init; } = DataOptions.DefaultChannels;

    /// <summary>
    /// Images read from files are resized to ImageSize x ImageSize; null: kept as they are (they must then share one
    /// size). The networks take square images of side 28 or a power of two from 16 on.
    /// </summary>
    public int? ImageSize { get; init; }

    /// <summary>Every other DNN-MM option (learning rate, batch size, network width, omega, threads, ...).</summary>
    public DnnmmOptions Model { get; init; } = new();

    /// <summary><see cref="Model"/> with <see cref="Epochs"/> and <see cref="Device"/> applied: what the fit uses.</summary>
    public DnnmmOptions ModelOptions() => Model with { Epochs = Epochs ?? Model.Epochs, Device = Device ?? Model.Device };

    /// <summary>
    /// Throws a one-line <see cref="OptionException"/> naming the option (by its JSON name: clusters, channels, imageSize,
    /// or a DNN-MM option such as learningRate) when a value is out of range.
    /// </summary>
    public void Validate()
    {
        if (Clusters < 2) throw Invalid("clusters", $"{Clusters} must be at least 2");
        if (Channels != 1 && Channels != 3) throw Invalid("channels", $"{Channels} must be 1 or 3");
        if (ImageSize is int s && (s < 1 || s > DataOptions.MaxImageSize)) throw Invalid("imageSize", $"{s} must be in [1, {DataOptions.MaxImageSize}]");
        ModelOptions().Validate(Clusters);
    }

    internal static OptionException Invalid(string option, string detail) => new(option, detail) { Scope = typeof(DnnmmClustererOptions) };
}
