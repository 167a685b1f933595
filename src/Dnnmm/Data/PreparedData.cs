using System.Globalization;
using System.Text;

namespace Dnnmm.Data;

/// <summary>
/// The data ready for training: the selected images (labels 0..K-1 in the order the classes were
/// given), which of them are labelled, and the counts, with a readable report.
/// </summary>
public sealed class PreparedData
{
    /// <param name="images">The selected images; labels index its ClassNames.</param>
    /// <param name="labelled">One flag per image.</param>
    /// <param name="options">The options that produced it.</param>
    /// <param name="availableCounts">Images available per class before the per-class limit (null = the used counts).</param>
    /// <param name="spec">The parsed data source (null for data made in memory).</param>
    /// <param name="sourceDetail">A line on the files read, for reports.</param>
    /// <param name="splitText">What the split meant for this source, for reports (null = the split name).</param>
    public PreparedData(ImageSet images, bool[] labelled, DataOptions options, int[]? availableCounts = null,
        DatasetSpec? spec = null, string? sourceDetail = null, string? splitText = null)
    {
        if (labelled.Length != images.Count)
            throw new ArgumentException($"labelled has {labelled.Length} flags for {images.Count} images");
        int k = images.ClassNames.Length;
        var counts = new int[k];
        var lab = new int[k];
        for (int i = 0; i < images.Count; i++)
        {
            int y = images.Labels[i];
            if (y < 0)
            {
                if (labelled[i]) throw new ArgumentException($"image {i} is labelled but has no class");
                continue;
            }
            counts[y]++;
            if (labelled[i]) lab[y]++;
        }
        if (availableCounts != null && availableCounts.Length != k)
            throw new ArgumentException($"availableCounts has {availableCounts.Length} entries for {k} classes");
        Images = images; Labelled = labelled; Options = options;
        ClassCounts = counts; LabelledCounts = lab;
        AvailableCounts = availableCounts ?? (int[])counts.Clone();
        Spec = spec; SourceDetail = sourceDetail; SplitText = splitText ?? options.Split;
    }

    public ImageSet Images { get; }
    /// <summary>Stratified labelled mask, one flag per image of <see cref="Images"/>.</summary>
    public bool[] Labelled { get; }
    /// <summary>Images used per class (index = label); images of unknown class (a flat folder's unlabelled ones) are in none.</summary>
    public int[] ClassCounts { get; }
    /// <summary>Labelled images per class.</summary>
    public int[] LabelledCounts { get; }
    /// <summary>Images the source has per class before the per-class limit.</summary>
    public int[] AvailableCounts { get; }
    public DataOptions Options { get; }
    public DatasetSpec? Spec { get; }
    public string? SourceDetail { get; }
    /// <summary>The split as used: the split name, or a note where the source has no splits.</summary>
    public string SplitText { get; }

    public int ClassCount => Images.ClassNames.Length;
    public int LabelledCount => LabelledCounts.Sum();
    /// <summary>Images whose class is unknown (a flat folder's unlabelled images); 0 for data with classes.</summary>
    public int UnknownCount => Images.Count - ClassCounts.Sum();

    /// <summary>A multi-line report: source, split, shape, K, per-class table, noise, alpha, seed.</summary>
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine($"data:      {Spec?.Display ?? Images.Source}");
        if (Spec != null) sb.AppendLine($"path:      {Spec.Path}");
        if (!string.IsNullOrEmpty(SourceDetail)) sb.AppendLine($"read:      {SourceDetail}");
        sb.AppendLine($"split:     {SplitText}");
        bool flat = Options.Clusters != null;
        sb.AppendLine(flat
            ? $"images:    {Images.Count}, shape {Images.ShapeText} (C x H x W), K = {ClassCount} clusters (--clusters)"
            : $"images:    {Images.Count}, shape {Images.ShapeText} (C x H x W), K = {ClassCount} classes");
        sb.AppendLine($"selection: {SelectionText()}");
        if (Options.HasTestSet)
            sb.AppendLine(Options.TestSplit != null
                ? $"test:      every image of these classes in split {Options.TestSplit} of the same source (scored after training)"
                : $"test:      every image of these classes in {Options.TestData} (split {Options.Split}; scored after training)");

        int nameW = Math.Max(UnknownCount > 0 ? 12 : 5, Images.ClassNames.Max(n => n.Length));
        int numW = Math.Max(10, Images.Count.ToString(inv).Length + 1);
        string Row(string a, string b, string c, string d, string e) =>
            "  " + a.PadRight(nameW) + b.PadLeft(7) + c.PadLeft(numW) + d.PadLeft(numW) + e.PadLeft(numW);
        sb.AppendLine(Row("class", "label", "available", "used", "labelled"));
        for (int k = 0; k < ClassCount; k++)
            sb.AppendLine(Row(Images.ClassNames[k], k.ToString(inv), AvailableCounts[k].ToString(inv),
                ClassCounts[k].ToString(inv), LabelledCounts[k].ToString(inv)));
        if (UnknownCount > 0)
            sb.AppendLine(Row("(unlabelled)", "-1", UnknownCount.ToString(inv), UnknownCount.ToString(inv), "0"));
        sb.AppendLine(Row("total", "", (AvailableCounts.Sum() + UnknownCount).ToString(inv), Images.Count.ToString(inv),
            LabelledCount.ToString(inv)));
        sb.Append(flat
            ? $"noise std: {DataOptions.Num(Options.NoiseStd)}   seed: {Options.Seed.ToString(inv)}"
            : Options.LabelledPerClass is int lpc
                ? $"noise std: {DataOptions.Num(Options.NoiseStd)}   labelled: {lpc.ToString(inv)} per class (--labelled-per-class)   seed: {Options.Seed.ToString(inv)}"
                : $"noise std: {DataOptions.Num(Options.NoiseStd)}   alpha: {DataOptions.Num(Options.Alpha)}   seed: {Options.Seed.ToString(inv)}");
        return sb.ToString();
    }

    public override string ToString() => Describe();

    /// <summary>How the images of each class were chosen, in words.</summary>
    public string SelectionText()
    {
        var o = Options;
        if (o.Clusters != null)
            return "every image of the folder, in file order" + (o.Labels is null ? "; none labelled" : $"; labelled: the images {o.Labels} names");
        string sizes = string.Join("/", ClassCounts);
        string what = o.ClassSizes != null ? $"the first {sizes} images of the classes (--class-sizes)"
            : o.PerClass is int pc && o.Imbalance is double r
                ? $"the first {sizes} images of the classes (--per-class {pc} --imbalance {DataOptions.Num(r)})"
            : o.PerClass is int n ? $"the first {n} images of each class"
            : "all available images of each class";
        string skip = o.Offset > 0 ? $" after the first {o.Offset} of each class (--offset)" : "";
        return $"{what}{skip}, in file order";
    }
}
