namespace Dnnmm.Data;

public enum DatasetKind
{
    /// <summary>The MNIST subset shipped with dnnmm (data/mnist, IDX gz).</summary>
    Mnist,
    /// <summary>A folder of IDX files (MNIST / Fashion-MNIST names).</summary>
    Idx,
    /// <summary>A folder of CIFAR-10 binary batches.</summary>
    Cifar10,
    /// <summary>A folder with one sub-folder of PNG/JPEG images per class.</summary>
    Folder,
    /// <summary>A CelebA folder (img_align_celeba/ + list_attr_celeba.txt).</summary>
    CelebA,
}

/// <summary>
/// A parsed data source: "mnist" (the shipped subset), "idx:&lt;dir&gt;", "cifar10:&lt;dir&gt;",
/// "folder:&lt;dir&gt;" or "celeba:&lt;dir&gt;". Paths become absolute; whether they exist is
/// checked by the readers.
/// </summary>
public sealed class DatasetSpec
{
    public const string ValidForms = "mnist, idx:<dir>, cifar10:<dir>, folder:<dir>, celeba:<dir>";
    public const string ShippedMnistImagesFile = "train-images-idx3-ubyte.gz";
    /// <summary>
    /// The data spec saved for images that were given in memory (a <c>DnnmmClusterer</c> fitted from C#): there is nothing
    /// to read them again from, so it is not a readable spec.
    /// </summary>
    public const string InMemory = "memory";

    private DatasetSpec(DatasetKind kind, string path, string text)
    {
        Kind = kind; Path = path; Text = text;
    }

    public DatasetKind Kind { get; }
    /// <summary>The absolute folder the data is read from.</summary>
    public string Path { get; }
    /// <summary>The spec as given.</summary>
    public string Text { get; }

    /// <summary>The scheme as written in specs: mnist, idx, cifar10, folder, celeba.</summary>
    public string Scheme => Kind switch
    {
        DatasetKind.Mnist => "mnist",
        DatasetKind.Idx => "idx",
        DatasetKind.Cifar10 => "cifar10",
        DatasetKind.Folder => "folder",
        _ => "celeba",
    };

    /// <summary>For reports: "mnist (shipped)" or "scheme:/absolute/path".</summary>
    public string Display => Kind == DatasetKind.Mnist ? "mnist (shipped)" : $"{Scheme}:{Path}";

    public override string ToString() => Display;

    /// <summary>Parses a spec. Errors: unknown scheme, empty path, shipped MNIST not found.</summary>
    public static DatasetSpec Parse(string spec)
    {
        string s = (spec ?? "").Trim();
        if (s.Equals("mnist", StringComparison.OrdinalIgnoreCase))
        {
            string dir = FindShippedMnist()
                ?? throw DataOptions.Invalid("data",
                    $"mnist: the shipped folder data/mnist (with {ShippedMnistImagesFile}) was not found next to the program ({AppContext.BaseDirectory}) or above the current directory ({Environment.CurrentDirectory})");
            return new DatasetSpec(DatasetKind.Mnist, dir, s);
        }
        if (s == InMemory)
            throw DataOptions.Invalid("data", $"'{InMemory}': the images were given in memory (a model fitted from C#), there is no data spec to read them again; give --data <spec> ({ValidForms})");
        int colon = s.IndexOf(':');
        DatasetKind? kind = colon <= 0 ? null : s[..colon].ToLowerInvariant() switch
        {
            "idx" => DatasetKind.Idx,
            "cifar10" => DatasetKind.Cifar10,
            "folder" => DatasetKind.Folder,
            "celeba" => DatasetKind.CelebA,
            _ => null,
        };
        if (kind == null)
            throw DataOptions.Invalid("data", $"'{Clip(s)}' is not a known data source; valid forms: {ValidForms}");
        string p = s[(colon + 1)..].Trim();
        if (p.Length == 0)
            throw DataOptions.Invalid("data", $"'{Clip(s)}' has no folder after '{s[..(colon + 1)]}'; valid forms: {ValidForms}");
        if (p == "~" || p.StartsWith("~/", StringComparison.Ordinal))
            p = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), p.Length > 2 ? p[2..] : "");
        string full;
        try { full = System.IO.Path.GetFullPath(p); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw DataOptions.Invalid("data", $"'{Clip(s)}' is not a valid path ({IdxReader.OneLine(e.Message)})");
        }
        return new DatasetSpec(kind.Value, System.IO.Path.TrimEndingDirectorySeparator(full), s);
    }

    /// <summary>
    /// The shipped MNIST folder: data/mnist next to the program (AppContext.BaseDirectory), else the
    /// first data/mnist holding train-images-idx3-ubyte.gz found walking up from the current directory,
    /// then from the program's folder. Null if none.
    /// </summary>
    public static string? FindShippedMnist()
    {
        string next = System.IO.Path.Combine(AppContext.BaseDirectory, "data", "mnist");
        if (File.Exists(System.IO.Path.Combine(next, ShippedMnistImagesFile)))
            return System.IO.Path.GetFullPath(next);
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                string cand = System.IO.Path.Combine(d.FullName, "data", "mnist");
                if (File.Exists(System.IO.Path.Combine(cand, ShippedMnistImagesFile)))
                    return cand;
            }
        }
        return null;
    }

    private static string Clip(string s)
    {
        s = IdxReader.OneLine(s);
        return s.Length <= 200 ? s : s[..200] + "...";
    }
}
