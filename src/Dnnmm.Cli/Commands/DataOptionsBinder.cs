
namespace Dnnmm.Cli.Commands;

/// <summary>The options that choose a dataset and the paper's protocol, shared by every command that reads data.</summary>
public sealed class DataOptionsBinder
{
    private static readonly DataOptions Defaults = new();

    public readonly Option<string> Data = new("--data") { Description = "dataset: mnist (shipped), idx:<dir>, cifar10:<dir>, folder:<dir>, celeba:<dir>", DefaultValueFactory = _ => Defaults.Data };
    public readonly Option<string> Split = new("--split") { Description = "train or test (idx and cifar10 specs)", DefaultValueFactory = _ => Defaults.Split };
    public readonly Option<string?> Classes = new("--classes") { Description = "comma-separated class names (or indices); celeba: attribute names; default: all" };
    public readonly Option<int?> PerClass = new("--per-class") { Description = "images per class (the first N of each class); default: all" };
    public readonly Option<string?> ClassSizes = new("--class-sizes") { Description = "images of each class, one per class in --classes order (e.g. 1000,500,250,125,62): the first n_k of class k; not with --per-class" };
    public readonly Option<double?> Imbalance = new("--imbalance") { Description = "ratio R >= 1: geometric class sizes from --per-class down to per-class/R (n_k = round(per-class * R^(-k/(K-1))), half to even)" };
    public readonly Option<int> Offset = new("--offset") { Description = "skip the first N images of each class before the selection (development data, e.g. images 1000-1999)", DefaultValueFactory = _ => Defaults.Offset };
    public readonly Option<string?> TestSplit = new("--test-split") { Description = "also score the run on this split of the same source (test: idx, cifar10, mnist, celeba with a partition file), every image of the classes" };
    public readonly Option<string?> TestData = new("--test-data") { Description = "also score the run on this dataset spec (same classes by name, read with --split); not with --test-split" };
    private bool testSet;
    public readonly Option<double> Alpha = new("--alpha") { Description = "supervision level: fraction of labelled images per class, in [0, 1]", DefaultValueFactory = _ => Defaults.Alpha };
    public readonly Option<int?> LabelledPerClass = new("--labelled-per-class") { Description = "labelled images per class, drawn from --seed (the benchmarks' 'N labels': MNIST 100 labels = 10 per class); not with --alpha" };
    public readonly Option<double> Noise = new("--noise-std") { Description = "std of additive Gaussian pixel noise (pixels in [0, 1], clamped)", DefaultValueFactory = _ => Defaults.NoiseStd };
    public readonly Option<int> Seed = new("--seed") { Description = "seed for noise, labelled subset and training", DefaultValueFactory = _ => Defaults.Seed };
    public readonly Option<int?> Channels = new("--channels") { Description = "1 (grey) or 3 (RGB) for folder and celeba specs (default 3)" };
    public readonly Option<int?> ImageSize = new("--image-size") { Description = "resize side (celeba: default 64; folder: optional, needed when the images differ in size)" };
    public readonly Option<int?> Clusters = new("--clusters") { Description = "number of clusters K of a flat folder (folder:<dir> with the images directly inside, no class sub-folders); required there" };
    public readonly Option<string?> Labels = new("--labels") { Description = "CSV file 'file,class' labelling some images of a flat folder (file relative to the folder; class a name or a cluster index 0..K-1)" };

    /// <summary>Adds the data options to a command; with <paramref name="testSet"/> also --test-split and --test-data.</summary>
    public void AddTo(Command c, bool testSet = false)
    {
        c.Add(Data); c.Add(Split); c.Add(Classes); c.Add(PerClass); c.Add(ClassSizes); c.Add(Imbalance); c.Add(Offset);
        c.Add(Alpha); c.Add(LabelledPerClass); c.Add(Noise); c.Add(Seed); c.Add(ImageSize); c.Add(Channels); c.Add(Clusters); c.Add(Labels);
        this.testSet = testSet;
        if (testSet) { c.Add(TestSplit); c.Add(TestData); }
    }

    /// <summary>The data options given on the command line: their flags and their paths in options.json ("data/perClass").</summary>
    public IEnumerable<(string Flag, string Path)> Given(ParseResult p)
    {
        var all = new (Option Option, string Json)[]
        {
            (Data, "data"), (Split, "split"), (Classes, "classes"), (PerClass, "perClass"), (ClassSizes, "classSizes"),
            (Imbalance, "imbalance"), (Offset, "offset"), (Alpha, "alpha"), (LabelledPerClass, "labelledPerClass"), (Noise, "noiseStd"), (Seed, "seed"),
            (ImageSize, "imageSize"), (Channels, "channels"), (TestSplit, "testSplit"), (TestData, "testData"),
            (Clusters, "clusters"), (Labels, "labels"),
        };
        foreach (var (option, json) in all)
            if (MethodOptionsBinder.Given(p, option)) yield return (option.Name, "data/" + json);
    }

    /// <summary>
    /// The data options of the command line, with <paramref name="defaults"/> (e.g. a model's own data options; null: the
    /// defaults of <see cref="DataOptions"/>) in place of every data option it does not give.
    /// </summary>
    public DataOptions Read(ParseResult p, DataOptions? defaults = null)
    {
        var d = defaults ?? Defaults;
        bool Given(Option o) => p.GetResult(o) is { Implicit: false };
        T Pick<T>(Option<T> o, T fallback) => Given(o) ? p.GetValue(o)! : fallback;
        return d with
        {
            Data = Pick(Data, d.Data),
            Split = Pick(Split, d.Split),
            Classes = Given(Classes) ? ParseClasses(p.GetValue(Classes)) : d.Classes,
            PerClass = Pick(PerClass, d.PerClass),
            ClassSizes = Given(ClassSizes) && p.GetValue(ClassSizes) is string sizes ? ParseSizes(sizes) : d.ClassSizes,
            Imbalance = Pick(Imbalance, d.Imbalance),
            Offset = Pick(Offset, d.Offset),
            TestSplit = testSet ? Pick(TestSplit, d.TestSplit) : null,
            TestData = testSet ? Pick(TestData, d.TestData) : null,
            Alpha = Pick(Alpha, d.Alpha),
            LabelledPerClass = Pick(LabelledPerClass, d.LabelledPerClass),
            NoiseStd = Pick(Noise, d.NoiseStd),
            Seed = Pick(Seed, d.Seed),
            ImageSize = Pick(ImageSize, d.ImageSize),
            Channels = Pick(Channels, d.Channels),
            Clusters = Pick(Clusters, d.Clusters),
            Labels = Pick(Labels, d.Labels),
        };
    }

    private static string[]? ParseClasses(string? classes) =>
        string.IsNullOrWhiteSpace(classes) ? null : classes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether the command line gives --data.</summary>
    public bool GivesData(ParseResult p) => p.GetResult(Data) is { Implicit: false };

    /// <summary>"1000,500,250": whole numbers separated by commas; anything else is an error naming --class-sizes.</summary>
    private static int[] ParseSizes(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out sizes[i]))
                throw new OptionException("classSizes", $"'{text}': '{parts[i]}' is not a whole number (give one size per class, e.g. 1000,500,250)") { Scope = typeof(DataOptions) };
        return sizes;
    }
}
