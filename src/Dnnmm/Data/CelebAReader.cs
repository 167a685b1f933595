using System.Globalization;
using Dnnmm.Infrastructure;

namespace Dnnmm.Data;

/// <summary>
/// Reads CelebA: a folder with <c>img_align_celeba/</c> and <c>list_attr_celeba.txt</c> (the original
/// format: a count line, a line with the attribute names, then one row per image "name v1 .. vA" with
/// values 1 / -1, whitespace-separated, CRLF allowed). Classes are a list of attributes treated as
/// mutually exclusive: an image is in class c when attribute c is +1 and every other listed attribute
/// is -1; images with none or several are skipped, and so are rows whose image file is missing.
/// When <c>list_eval_partition.txt</c> is present, a split selects its rows (train = 0, test = 2).
/// Images are centre-cropped to a square of side min(w, h), resized with SkiaSharp and stored RGB
/// (or luminance for 1 channel). Only the selected images are decoded.
/// </summary>
public static class CelebAReader
{
    public const string AttributeFileName = "list_attr_celeba.txt";
    public const string ImageFolderName = "img_align_celeba";
    public const string PartitionFileName = "list_eval_partition.txt";
    public const int DefaultImageSize = 64;

    /// <summary>The five hair classes: Black_Hair, Blond_Hair, Brown_Hair, Gray_Hair, Bald.</summary>
    public static IReadOnlyList<string> DefaultClasses { get; } =
        new[] { "Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair", "Bald" };

    /// <summary>The parsed attribute file.</summary>
    public sealed class CelebAAttributes
    {
        private readonly bool[] _positive;

        internal CelebAAttributes(string directory, string filePath, string[] attributeNames, string[] imageNames, bool[] positive)
        {
            Directory = directory; FilePath = filePath; AttributeNames = attributeNames; ImageNames = imageNames;
            _positive = positive;
        }

        /// <summary>The CelebA folder (holding img_align_celeba/).</summary>
        public string Directory { get; }
        public string FilePath { get; }
        public IReadOnlyList<string> AttributeNames { get; }
        /// <summary>Image file names of the rows, in file order.</summary>
        public IReadOnlyList<string> ImageNames { get; }
        public int RowCount => ImageNames.Count;

        /// <summary>Whether attribute <paramref name="attribute"/> is +1 in row <paramref name="row"/>.</summary>
        public bool IsPositive(int row, int attribute) => _positive[row * AttributeNames.Count + attribute];

        /// <summary>Index of an attribute name: exact match first, then case-insensitive; -1 if none.</summary>
        public int IndexOf(string name)
        {
            for (int i = 0; i < AttributeNames.Count; i++)
                if (string.Equals(AttributeNames[i], name, StringComparison.Ordinal)) return i;
            for (int i = 0; i < AttributeNames.Count; i++)
                if (string.Equals(AttributeNames[i], name, StringComparison.OrdinalIgnoreCase)) return i;
            return -1;
        }
    }

    /// <summary>The rows that fall in exactly one of the listed classes and whose image exists, in file order.</summary>
    public sealed class CelebAClassIndex
    {
        internal CelebAClassIndex(string directory, string[] classNames, string[] imageNames, int[] labels, string splitNote, bool splitUsed)
        {
            Directory = directory; ClassNames = classNames; ImageNames = imageNames; Labels = labels;
            SplitNote = splitNote; SplitUsed = splitUsed;
            Counts = new int[classNames.Length];
            foreach (int l in labels) Counts[l]++;
        }

        public string Directory { get; }
        public string ImageDirectory => Path.Combine(Directory, ImageFolderName);
        /// <summary>The attribute names of the classes, as spelled in the attribute file, in the order given.</summary>
        public IReadOnlyList<string> ClassNames { get; }
        public IReadOnlyList<string> ImageNames { get; }
        public IReadOnlyList<int> Labels { get; }
        /// <summary>Images available per class.</summary>
        public int[] Counts { get; }
        /// <summary>How the split was applied, for reports.</summary>
        public string SplitNote { get; }
        /// <summary>Whether rows were filtered by a split (a split was given and list_eval_partition.txt exists).</summary>
        public bool SplitUsed { get; }
    }

    /// <summary>Parses <c>dir/list_attr_celeba.txt</c>. Errors: missing folder or file, malformed lines (with the line number).</summary>
    public static CelebAAttributes ReadAttributes(string dir)
    {
        if (!System.IO.Directory.Exists(dir))
            throw new DnnmmInputException($"CelebA folder {dir}: not found");
        string file = Path.Combine(dir, AttributeFileName);
        if (!File.Exists(file))
            throw new DnnmmInputException($"CelebA folder {dir}: no {AttributeFileName}");

        string[]? attrs = null;
        var names = new List<string>();
        var positive = new List<bool>();
        int lineNo = 0;
        foreach (string line in File.ReadLines(file))
        {
            lineNo++;
            if (lineNo == 1)
            {
                if (!int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    throw new DnnmmInputException($"CelebA attribute file {file} line 1: expected the image count, found '{Clip(line)}'");
                continue;
            }
            var tok = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (lineNo == 2)
            {
                if (tok.Length == 0)
                    throw new DnnmmInputException($"CelebA attribute file {file} line 2: expected the attribute names, found an empty line");
                if (tok.Distinct(StringComparer.Ordinal).Count() != tok.Length)
                    throw new DnnmmInputException($"CelebA attribute file {file} line 2: an attribute name is repeated");
                attrs = tok;
                continue;
            }
            if (tok.Length == 0) continue;
            if (tok.Length != attrs!.Length + 1)
                throw new DnnmmInputException(
                    $"CelebA attribute file {file} line {lineNo}: expected {attrs.Length + 1} fields (image name and {attrs.Length} values), found {tok.Length}");
            names.Add(tok[0]);
            for (int a = 0; a < attrs.Length; a++)
            {
                string v = tok[a + 1];
                if (v == "1") positive.Add(true);
                else if (v == "-1") positive.Add(false);
                else
                    throw new DnnmmInputException(
                        $"CelebA attribute file {file} line {lineNo}: value '{Clip(v)}' for {attrs[a]} is not 1 or -1");
            }
        }
        if (attrs == null)
            throw new DnnmmInputException($"CelebA attribute file {file}: too short (expected a count line and an attribute-name line)");
        return new CelebAAttributes(Path.GetFullPath(dir), file, attrs, names.ToArray(), positive.ToArray());
    }

    /// <summary>Reads the attribute file and indexes the classes (null = <see cref="DefaultClasses"/>).</summary>
    public static CelebAClassIndex IndexClasses(string dir, IReadOnlyList<string>? classes = null, string? split = null) =>
        IndexClasses(ReadAttributes(dir), classes, split);

    /// <summary>
    /// The rows whose image file exists (and, with a split and a partition file, that are in the split)
    /// and that have exactly one of the listed attributes set. Errors: unknown or repeated attribute,
    /// missing image folder.
    /// </summary>
    public static CelebAClassIndex IndexClasses(CelebAAttributes attributes, IReadOnlyList<string>? classes = null, string? split = null)
    {
        classes ??= DefaultClasses;
        if (classes.Count == 0)
            throw new DnnmmInputException($"CelebA attribute file {attributes.FilePath}: no classes given");
        var attrIdx = NameLookup.DistinctIndices(classes, attributes.IndexOf,
            c => new DnnmmInputException(
                $"CelebA attribute file {attributes.FilePath}: no attribute '{c}' (attributes: {string.Join(", ", attributes.AttributeNames)})"),
            a => new DnnmmInputException($"CelebA attribute file {attributes.FilePath}: attribute '{attributes.AttributeNames[a]}' is listed twice"));

        string imgDir = Path.Combine(attributes.Directory, ImageFolderName);
        if (!System.IO.Directory.Exists(imgDir))
            throw new DnnmmInputException($"CelebA folder {attributes.Directory}: no {ImageFolderName}/ image folder");
        var existing = new HashSet<string>(
            System.IO.Directory.EnumerateFiles(imgDir).Select(p => Path.GetFileName(p)), StringComparer.Ordinal);

        var (partition, splitNote) = ReadPartition(attributes.Directory, split);

        var names = new List<string>();
        var labels = new List<int>();
        for (int r = 0; r < attributes.RowCount; r++)
        {
            string name = attributes.ImageNames[r];
            if (!existing.Contains(name)) continue;
            if (partition != null && (!partition.TryGetValue(name, out int p) || p != PartitionCode(split!))) continue;
            int cls = -1, hits = 0;
            for (int c = 0; c < attrIdx.Length; c++)
                if (attributes.IsPositive(r, attrIdx[c])) { cls = c; hits++; }
            if (hits != 1) continue;
            names.Add(name);
            labels.Add(cls);
        }
        var classNames = attrIdx.Select(a => attributes.AttributeNames[a]).ToArray();
        return new CelebAClassIndex(attributes.Directory, classNames, names.ToArray(), labels.ToArray(), splitNote, partition != null);
    }

    /// <summary>Loads the default hair classes (or the given ones).</summary>
    public static ImageSet Load(string dir, IReadOnlyList<string>? classes = null, int? perClass = null,
        int imageSize = DefaultImageSize, int channels = 3, string? split = null) =>
        Load(IndexClasses(dir, classes, split), perClass, imageSize, channels);

    /// <summary>
    /// Decodes the first <paramref name="perClass"/> images of each class (null = all) in file order,
    /// centre-crops them to a square, and resizes them to imageSize x imageSize. Labels index
    /// <see cref="CelebAClassIndex.ClassNames"/>.
    /// </summary>
    public static ImageSet Load(CelebAClassIndex index, int? perClass = null, int imageSize = DefaultImageSize, int channels = 3)
    {
        DataOptions.CheckDecoding(channels, imageSize, perClass);
        return Load(index, _ => new ClassSlice(0, perClass), imageSize, channels);
    }

    /// <summary>
    /// Decodes, of each class k (an index into <see cref="CelebAClassIndex.ClassNames"/>), the images in file order
    /// that <paramref name="slice"/>(k) names (null = none), centre-cropped to a square and resized to imageSize x imageSize.
    /// </summary>
    public static ImageSet Load(CelebAClassIndex index, Func<int, ClassSlice?> slice, int imageSize = DefaultImageSize, int channels = 3)
    {
        DataOptions.CheckDecoding(channels, imageSize, null);
        var slices = Enumerable.Range(0, index.ClassNames.Count).Select(slice).ToArray();
        var seen = new int[index.ClassNames.Count];
        var paths = new List<string>();
        var labels = new List<int>();
        for (int i = 0; i < index.ImageNames.Count; i++)
        {
            int l = index.Labels[i];
            if (slices[l] is not ClassSlice sl || !sl.Contains(seen[l]++)) continue;
            paths.Add(Path.Combine(index.ImageDirectory, index.ImageNames[i]));
            labels.Add(l);
        }
        if (paths.Count == 0)
            throw new DnnmmInputException(
                $"CelebA folder {index.Directory}: no image has exactly one of {string.Join(", ", index.ClassNames)}");
        var px = ImageFolderReader.DecodeAll(paths, channels, imageSize, imageSize, crop: true, out int h, out int w);
        return ImageSet.FromBytes(px, labels.ToArray(), index.ClassNames.ToArray(), channels, h, w, index.Directory,
            paths.Select(p => Path.GetRelativePath(index.ImageDirectory, p)).ToArray());
    }

    private static int PartitionCode(string split) => split == "test" ? 2 : split == "val" ? 1 : 0;

    private static (Dictionary<string, int>? Partition, string Note) ReadPartition(string dir, string? split)
    {
        if (split == null) return (null, "all rows");
        if (split != "train" && split != "test" && split != "val")
            throw new DnnmmInputException($"CelebA folder {dir}: unknown split '{split}' (expected train or test)");
        string file = Path.Combine(dir, PartitionFileName);
        if (!File.Exists(file)) return (null, $"no {PartitionFileName}: all rows are used");
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNo = 0;
        foreach (string line in File.ReadLines(file))
        {
            lineNo++;
            var tok = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tok.Length == 0) continue;
            if (tok.Length != 2 || !int.TryParse(tok[1], NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p > 2)
                throw new DnnmmInputException($"CelebA partition file {file} line {lineNo}: expected '<image> <0|1|2>', found '{Clip(line)}'");
            map[tok[0]] = p;
        }
        return (map, $"rows with partition {PartitionCode(split)} in {PartitionFileName}");
    }

    private static string Clip(string s)
    {
        s = IdxReader.OneLine(s);
        return s.Length <= 40 ? s : s[..40] + "...";
    }
}
