using System.Globalization;
using System.Text.Json.Serialization;
using Dnnmm.Infrastructure;

namespace Dnnmm.Data;

/// <summary>
/// What data to use and how to prepare it (the paper's protocol). Every default lives here. The options added later
/// (class sizes, imbalance, offset, test set) are left out of options.json while unset, so an older run's options read
/// and write the same text (and keep their experiment hash).
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

    /// <summary>Images per class: the first ones of each class in file order (after <see cref="Offset"/>); null = all available.</summary>
    public int? PerClass { get; init; }

    /// <summary>
    /// Images of each class, one entry per class in the order of <see cref="Classes"/>: the first n_k of class k (after
    /// <see cref="Offset"/>); null = <see cref="PerClass"/> for every class. Not with <see cref="PerClass"/> or <see cref="Imbalance"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? ClassSizes { get; init; }

    /// <summary>
    /// Imbalance ratio R &gt;= 1: geometric class sizes from <see cref="PerClass"/> (class 0) down to PerClass/R (the last
    /// class), n_k = round(PerClass * R^(-k/(K-1))) rounded half to even, at least 1; null = every class PerClass.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Imbalance { get; init; }

    /// <summary>Images of each class skipped (in file order) before the selection: a development protocol; 0 = none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Offset { get; init; }

    /// <summary>
    /// Score the run on this split of the same source ("test" or "train"; idx, cifar10, mnist, celeba with a partition
    /// file): all images of the same classes there. Null = no test set.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TestSplit { get; init; }

    /// <summary>Score the run on this data spec (read with <see cref="Split"/>), the same classes by name. Null = no test set.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TestData { get; init; }

    /// <summary>Whether a test set is named (<see cref="TestSplit"/> or <see cref="TestData"/>).</summary>
    [JsonIgnore]
    public bool HasTestSet => TestSplit != null || TestData != null;

    /// <summary>
    /// The number of clusters K of a flat folder (folder:&lt;dir&gt; with the images directly inside, no class sub-folders):
    /// required there, at least 2 and at most the number of images; null for data with classes (K = the classes).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Clusters { get; init; }

    /// <summary>
    /// A CSV file (file,class) labelling some images of a flat folder (<see cref="LabelsCsv"/>); the others are
    /// unlabelled. Null: no image is labelled.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Labels { get; init; }

    /// <summary>Standard deviation of the Gaussian pixel noise added (pixels are then clamped to [0, 1]).</summary>
    public double NoiseStd { get; init; }

    /// <summary>Fraction of each class that is labelled (stratified), in [0, 1].</summary>
    public double Alpha { get; init; }

    /// <summary>
    /// Labelled images per class, chosen at random from the seed as with <see cref="Alpha"/>: the standard benchmarks'
    /// "N labels" (MNIST with 100 labels = 10 per class). Null = <see cref="Alpha"/> decides; not with alpha &gt; 0.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? LabelledPerClass { get; init; }

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
        if (ClassSizes != null)
        {
            if (ClassSizes.Count == 0)
                throw Invalid("classSizes", "is an empty list");
            foreach (int n in ClassSizes)
                if (n < 1) throw Invalid("classSizes", $"{n} must be at least 1 (every class needs an image)");
            if (Classes != null && ClassSizes.Count != Classes.Count)
                throw Invalid("classSizes", $"lists {ClassSizes.Count} sizes for {Classes.Count} classes (--classes); give one per class");
            if (PerClass != null)
                throw Invalid("classSizes", "cannot be combined with --per-class (the sizes give the images of each class)");
        }
        if (Imbalance is double r)
        {
            if (double.IsNaN(r) || double.IsInfinity(r) || r < 1)
                throw Invalid("imbalance", $"{Num(r)} must be a finite ratio >= 1 (1 = balanced)");
            if (ClassSizes != null)
                throw Invalid("imbalance", "cannot be combined with --class-sizes (give the sizes, or --per-class and a ratio)");
            if (PerClass == null)
                throw Invalid("imbalance", "needs --per-class (the size of the first, largest class)");
        }
        if (Offset < 0)
            throw Invalid("offset", $"{Offset} must be >= 0");
        if (TestSplit != null)
        {
            if (TestSplit != "train" && TestSplit != "test")
                throw Invalid("testSplit", $"'{TestSplit}' must be train or test");
            if (TestData != null)
                throw Invalid("testSplit", "cannot be combined with --test-data (one test set)");
            if (TestSplit == Split)
                throw Invalid("testSplit", $"'{TestSplit}' is the split the run trains on (--split {Split})");
        }
        if (TestData != null && string.IsNullOrWhiteSpace(TestData))
            throw Invalid("testData", $"is empty; valid forms: {DatasetSpec.ValidForms}");
        if (double.IsNaN(NoiseStd) || double.IsInfinity(NoiseStd) || NoiseStd < 0)
            throw Invalid("noiseStd", $"{Num(NoiseStd)} must be a finite number >= 0");
        if (double.IsNaN(Alpha) || Alpha < 0 || Alpha > 1)
            throw Invalid("alpha", $"{Num(Alpha)} is outside [0, 1]");
        if (LabelledPerClass is int lpc)
        {
            if (lpc < 1) throw Invalid("labelledPerClass", $"{lpc} must be at least 1");
            if (Alpha > 0) throw Invalid("labelledPerClass", $"cannot be combined with --alpha {Num(Alpha)} (give a fraction or a number per class)");
            if (Clusters != null) throw Invalid("labelledPerClass", "needs class sub-folders: a flat folder's labelled images are those --labels names");
        }
        if (ImageSize is int s && (s < 1 || s > MaxImageSize))
            throw Invalid("imageSize", $"{s} must be in [1, {MaxImageSize}]");
        if (Channels is int ch && ch != 1 && ch != 3)
            throw Invalid("channels", $"{ch} must be 1 or 3");
        if (Clusters is int k && k < 2)
            throw Invalid("clusters", $"{k} must be at least 2");
        if (Labels != null && string.IsNullOrWhiteSpace(Labels))
            throw Invalid("labels", "is empty; give a CSV file with lines 'file,class'");
    }

    /// <summary>
    /// The images to take of each of <paramref name="classCount"/> classes (in class order), null = all available:
    /// <see cref="ClassSizes"/>, else the geometric sizes of <see cref="Imbalance"/>, else <see cref="PerClass"/> for each.
    /// </summary>
    public int[]? Sizes(int classCount)
    {
        if (ClassSizes != null)
        {
            if (ClassSizes.Count != classCount)
                throw Invalid("classSizes", $"lists {ClassSizes.Count} sizes for {classCount} classes; give one per class");
            return ClassSizes.ToArray();
        }
        if (PerClass is not int pc) return null;
        if (Imbalance is not double r || classCount == 1) return Enumerable.Repeat(pc, classCount).ToArray();
        return Enumerable.Range(0, classCount)
            .Select(k => Math.Max(1, (int)Math.Round(pc * Math.Pow(r, -(double)k / (classCount - 1)), MidpointRounding.ToEven)))
            .ToArray();
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
