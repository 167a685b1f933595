using Dnnmm.Infrastructure;
namespace Dnnmm.Data;

/// <summary>
/// Reads the CIFAR-10 binary version: each record is 1 label byte then 3072 pixel bytes
/// (the 32x32 red plane, then green, then blue, rows top to bottom). Train = data_batch_1.bin ..
/// data_batch_5.bin (all five: a folder with only some of them is an error naming the missing ones; a subset of
/// batches is read by giving the files to <see cref="Load"/>), test = test_batch.bin. Class names come from
/// batches.meta.txt (one per line) when present, else the standard ten.
/// </summary>
public static class Cifar10BinaryReader
{
    public const int Side = 32;
    public const int PixelBytes = 3 * Side * Side;
    public const int RecordSize = 1 + PixelBytes;

    public static IReadOnlyList<string> StandardClassNames { get; } = new[]
    {
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    };

    /// <summary>Label bytes and raw pixel bytes (N x 3 x 32 x 32) of one batch file.</summary>
    public sealed record CifarBatch(byte[] Labels, byte[] Pixels);

    public static CifarBatch ReadBatch(string path)
    {
        byte[] b = IdxReader.ReadFile("CIFAR-10 batch", path);
        if (b.Length == 0 || b.Length % RecordSize != 0)
            throw new DnnmmInputException(
                $"CIFAR-10 batch {path}: length {b.Length} bytes is not a positive multiple of the record size {RecordSize}");
        int n = b.Length / RecordSize;
        var labels = new byte[n];
        var px = new byte[(long)n * PixelBytes];
        for (int i = 0; i < n; i++)
        {
            int off = i * RecordSize;
            byte l = b[off];
            if (l > 9)
                throw new DnnmmInputException($"CIFAR-10 batch {path}: record {i} has label {l} (expected 0..9)");
            labels[i] = l;
            Buffer.BlockCopy(b, off + 1, px, i * PixelBytes, PixelBytes);
        }
        return new CifarBatch(labels, px);
    }

    /// <summary>Training batches of a CIFAR-10 folder: data_batch_1.bin .. data_batch_5.bin.</summary>
    public const int TrainBatches = 5;

    /// <summary>
    /// The batch files of a split: train = data_batch_1..5.bin (all five; a folder with only some of them is an error
    /// naming the missing ones, so that a partial download is not trained on as if it were the data set),
    /// test = test_batch.bin. A folder that only holds a cifar-10-batches-bin sub-folder (the unpacked archive) is
    /// looked into.
    /// </summary>
    public static IReadOnlyList<string> FindBatchFiles(string dir, string split)
    {
        dir = ResolveFolder(dir);
        var files = new List<string>();
        switch (split)
        {
            case "train":
                var found = new List<int>();
                var missing = new List<string>();
                for (int i = 1; i <= TrainBatches; i++)
                {
                    string p = Path.Combine(dir, $"data_batch_{i}.bin");
                    if (File.Exists(p)) { files.Add(p); found.Add(i); }
                    else missing.Add(Path.GetFileName(p));
                }
                if (files.Count == 0)
                    throw new DnnmmInputException($"CIFAR-10 folder {dir}: no data_batch_1.bin .. data_batch_5.bin");
                if (missing.Count > 0)
                    throw new DnnmmInputException(
                        $"CIFAR-10 folder {dir}: missing {string.Join(", ", missing)} (found {string.Join(", ", found)} of data_batch_1.bin .. data_batch_5.bin)");
                break;
            case "test":
                string t = Path.Combine(dir, "test_batch.bin");
                if (!File.Exists(t))
                    throw new DnnmmInputException($"CIFAR-10 folder {dir}: no test_batch.bin");
                files.Add(t);
                break;
            default:
                throw new DnnmmInputException($"CIFAR-10 folder {dir}: unknown split '{split}' (expected train or test)");
        }
        return files;
    }

    /// <summary>Class names from batches.meta.txt in the folder when present, else the standard ten.</summary>
    public static string[] ReadClassNames(string dir)
    {
        dir = ResolveFolder(dir);
        string meta = Path.Combine(dir, "batches.meta.txt");
        if (!File.Exists(meta)) return StandardClassNames.ToArray();
        var names = File.ReadAllLines(meta).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length < 10)
            throw new DnnmmInputException($"CIFAR-10 class names {meta}: {names.Length} names, expected 10");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new DnnmmInputException($"CIFAR-10 class names {meta}: a name is repeated");
        return names.Take(10).ToArray();
    }

    /// <summary>Loads a split from a folder of CIFAR-10 binary batches, images 3x32x32 in file order.</summary>
    public static ImageSet LoadDirectory(string dir, string split = "train")
    {
        var files = FindBatchFiles(dir, split);
        return Load(files, ReadClassNames(dir), ResolveFolder(dir));
    }

    /// <summary>Loads the given batch files in order.</summary>
    public static ImageSet Load(IReadOnlyList<string> batchFiles, IReadOnlyList<string>? classNames = null, string? source = null)
    {
        if (batchFiles.Count == 0) throw new ArgumentException("no batch files", nameof(batchFiles));
        MemoryBudget.CheckCifar(batchFiles);
        var batches = batchFiles.Select(ReadBatch).ToList();
        long n = batches.Sum(b => (long)b.Labels.Length);
        if (n * PixelBytes > Array.MaxLength)
            throw new DnnmmInputException($"CIFAR-10 batches {string.Join(", ", batchFiles)}: too many images ({n})");
        var px = new byte[n * PixelBytes];
        var lb = new int[n];
        int at = 0;
        foreach (var b in batches)
        {
            b.Pixels.CopyTo(px, (long)at * PixelBytes);
            for (int i = 0; i < b.Labels.Length; i++) lb[at + i] = b.Labels[i];
            at += b.Labels.Length;
        }
        var names = (classNames ?? StandardClassNames).ToArray();
        return ImageSet.FromBytes(px, lb, names, 3, Side, Side, source ?? batchFiles[0]);
    }

    private static string ResolveFolder(string dir)
    {
        if (!Directory.Exists(dir))
            throw new DnnmmInputException($"CIFAR-10 folder {dir}: not found");
        string inner = Path.Combine(dir, "cifar-10-batches-bin");
        bool hasBatches = File.Exists(Path.Combine(dir, "test_batch.bin"))
                          || Enumerable.Range(1, 5).Any(i => File.Exists(Path.Combine(dir, $"data_batch_{i}.bin")));
        return !hasBatches && Directory.Exists(inner) ? inner : dir;
    }
}
