using System.Globalization;
using Dnnmm.Infrastructure;

namespace Dnnmm.Data;

/// <summary>
/// What data to use and how to prepare it (the paper's protocol). Every default lives here.
/// </summary>
public sealed record DataOptions
{
    public const string DefaultData = "mnist";
    public const string DefaultSplit = "train";
    public const int DefaultSeed = 1;
    public const int DefaultChannels = 3;
    public const int DefaultCelebAImageSize = CelebAReader.DefaultImageSize;
    public const int MaxImageSize = 4096;


    /// <summary>Data source spec: mnist (shipped), idx:&lt;dir&gt;, cifar10:&lt;dir&gt;, folder:&lt;dir&gt;, celeba:&lt;dir&gt;.</summary>
    public string Data { get; init; } = DefaultData;

    /// <summary>"train" or "test" (idx, cifar10; celeba when list_eval_partition.txt exists; ignored for folder).</summary>
    public string Split { get; init; } = DefaultSplit;

    /// <summary>
    /// The classes to use, in the order that defines labels 0..K-1; null = all classes (for celeba: the five
    /// hair classes). Entries are class names; for idx/cifar10/mnist also class indices as text; for celeba
    /// attribute names.
    /// </summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Images per class: the first ones of each class in file order; null = all available.</summary>
    public int? PerClass { get; init; }

    /// <summary>Standard deviation of the Gaussian pixel noise added (pixels are then clamped to [0, 1]).</summary>
    public double NoiseStd { get; init; }

    /// <summary>Fraction of each class that is labelled (stratified), in [0, 1].</summary>
    public double Alpha { get; init; }

    /// <summary>Seed for the noise and the labelled subset (the image selection itself is deterministic).</summary>
    public int Seed { get; init; } = DefaultSeed;

    /// <summary>Square image size: celeba resize (default 64), optional resize for folder.</summary>
    public int? ImageSize { get; init; }

    /// <summary>1 (luminance) or 3 (RGB) for folder and celeba (default 3).</summary>
    public int? Channels { get; init; }

    /// <summary>Checks what can be checked without reading the data; throws <see cref="OptionException"/>.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data))
            throw Invalid("data", $"is empty; valid forms: {DatasetSpec.ValidForms}");
        if (Split != "train" && Split != "test")
            throw Invalid("split", $"'{Split}' must be train or test");
        if (Classes != null)
        {
            if (Classes.Count == 0)
                throw Invalid("classes", "is an empty list");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var c in Classes)
            {
                if (string.IsNullOrWhiteSpace(c))
                    throw Invalid("classes", "has an empty class name");
                if (!seen.Add(c))
                    throw Invalid("classes", $"'{c}' is given twice");
            }
        }
        if (PerClass is int pc && pc <= 0)
            throw Invalid("perClass", $"{pc} must be at least 1");
        if (double.IsNaN(NoiseStd) || double.IsInfinity(NoiseStd) || NoiseStd < 0)
            throw Invalid("noiseStd", $"{Num(NoiseStd)} must be a finite number >= 0");
        if (double.IsNaN(Alpha) || Alpha < 0 || Alpha > 1)
            throw Invalid("alpha", $"{Num(Alpha)} is outside [0, 1]");
        if (ImageSize is int s && (s < 1 || s > MaxImageSize))
            throw Invalid("imageSize", $"{s} must be in [1, {MaxImageSize}]");
        if (Channels is int ch && ch != 1 && ch != 3)
            throw Invalid("channels", $"{ch} must be 1 or 3");
    }

    /// <summary>
    /// An error about the value of the option with JSON name <paramref name="option"/> (e.g. "perClass"); the detail
    /// starts with the value or with what is wrong. Scoped to <see cref="DataOptions"/>, so a method option with the
    /// same JSON name (clustergan's noiseStd) is not mistaken for it.
    /// </summary>
    internal static OptionException Invalid(string option, string detail) => new(option, detail) { Scope = typeof(DataOptions) };

    /// <summary>The decoding parameters the image readers take from these options (channels, image size, per class).</summary>
    internal static void CheckDecoding(int channels, int? imageSize, int? perClass)
    {
        if (channels != 1 && channels != 3)
            throw Invalid("channels", $"{channels} must be 1 or 3");
        if (imageSize is <= 0)
            throw Invalid("imageSize", $"{imageSize} must be positive");
        if (perClass is <= 0)
            throw Invalid("perClass", $"{perClass} must be positive");
    }

    internal static string Num(double v) => v.ToString(CultureInfo.InvariantCulture);
}
