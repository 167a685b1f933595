using System.Buffers.Binary;
using System.IO.Compression;
using Dnnmm.Infrastructure;

namespace Dnnmm.Data;

/// <summary>
/// Reads IDX files in the MNIST / Fashion-MNIST layout, raw or gzip-compressed (gzip is detected by
/// its magic bytes 1f 8b, not by the file name). Images: magic 0x00000803 (unsigned bytes, 3 dims:
/// count, rows, columns); labels: magic 0x00000801 (unsigned bytes, 1 dim: count). All integers in
/// the header are big-endian.
/// </summary>
public static class IdxReader
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    /// <summary>Raw image bytes of an IDX images file, layout count x rows x columns.</summary>
    public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Columns);

    /// <summary>
    /// The whole content of a file, decompressed when it starts with the gzip magic bytes 1f 8b.
    /// </summary>
    public static byte[] ReadAllBytes(string path)
    {
        byte[] raw = ReadFile("IDX file", path);
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return raw;

        // Gzip: the last 4 bytes hold the uncompressed size mod 2^32, a good capacity hint.
        int hint = raw.Length >= 18 ? BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(raw.Length - 4)) : 0;
        // The hint comes from the file: trusted only as far as deflate can expand (about 1032:1), so a damaged trailer
        // cannot make us allocate more than the file could hold.
        if (hint <= 0 || hint > 1 << 30 || hint > 1100L * raw.Length) hint = raw.Length * 4;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw, writable: false), CompressionMode.Decompress);
            using var ms = new MemoryStream(hint);
            gz.CopyTo(ms);
            return ms.Length == ms.Capacity ? ms.GetBuffer() : ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DnnmmInputException($"IDX file {path}: corrupt gzip data ({OneLine(e.Message)})", e);
        }
    }

    /// <summary>Reads an images file (magic 0x00000803).</summary>
    public static IdxImages ReadImages(string path)
    {
        var (b, count, rows, cols) = ReadImagesRaw(path);
        return new IdxImages(b.AsSpan(16, count * rows * cols).ToArray(), count, rows, cols);
    }

    /// <summary>The whole decompressed file (pixels start at byte 16) and the checked dimensions.</summary>
    private static (byte[] File, int Count, int Rows, int Columns) ReadImagesRaw(string path)
    {
        byte[] b = ReadAllBytes(path);
        CheckMagic(path, b, ImagesMagic);
        if (b.Length < 16)
            throw new DnnmmInputException($"IDX file {path}: truncated header ({b.Length} bytes, an images header has 16)");
        int count = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(8));
        int cols = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(12));
        if (count < 0 || rows <= 0 || cols <= 0)
            throw new DnnmmInputException($"IDX file {path}: bad dimensions {count}x{rows}x{cols} in the header");
        long expected = (long)count * rows * cols;
        long have = b.Length - 16L;
        if (have < expected)
            throw new DnnmmInputException(
                $"IDX file {path}: truncated data: header says {count}x{rows}x{cols} ({expected} bytes) but only {have} bytes follow");
        if (have > expected)
            throw new DnnmmInputException(
                $"IDX file {path}: {have - expected} unexpected bytes after the {count}x{rows}x{cols} image data");
        if (expected > Array.MaxLength)
            throw new DnnmmInputException($"IDX file {path}: too large ({expected} bytes of pixels)");
        return (b, count, rows, cols);
    }

    /// <summary>Reads a labels file (magic 0x00000801).</summary>
    public static byte[] ReadLabels(string path)
    {
        byte[] b = ReadAllBytes(path);
        CheckMagic(path, b, LabelsMagic);
        if (b.Length < 8)
            throw new DnnmmInputException($"IDX file {path}: truncated header ({b.Length} bytes, a labels header has 8)");
        int count = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(4));
        if (count < 0)
            throw new DnnmmInputException($"IDX file {path}: bad label count {count} in the header");
        long have = b.Length - 8L;
        if (have < count)
            throw new DnnmmInputException(
                $"IDX file {path}: truncated data: header says {count} labels but only {have} bytes follow");
        if (have > count)
            throw new DnnmmInputException($"IDX file {path}: {have - count} unexpected bytes after the {count} labels");
        return b.AsSpan(8, count).ToArray();
    }

    /// <summary>
    /// Reads an images file and its labels file. Class names are the distinct label values as
    /// text, in increasing order ("0".."9" for MNIST); labels index them.
    /// </summary>
    public static ImageSet Load(string imagesPath, string labelsPath, string? source = null)
    {
        MemoryBudget.CheckIdx(imagesPath);
        var (file, count, rows, cols) = ReadImagesRaw(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (count != labels.Length)
            throw new DnnmmInputException(
                $"IDX files {imagesPath} and {labelsPath}: {count} images but {labels.Length} labels");

        var present = new bool[256];
        foreach (byte l in labels) present[l] = true;
        var toIndex = new int[256];
        var names = new List<string>();
        for (int v = 0; v < 256; v++)
            if (present[v]) { toIndex[v] = names.Count; names.Add(v.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        var lb = new int[labels.Length];
        for (int i = 0; i < lb.Length; i++) lb[i] = toIndex[labels[i]];

        var px = file.AsSpan(16, checked(count * rows * cols)).ToArray();
        return ImageSet.FromBytes(px, lb, names.ToArray(), 1, rows, cols, source ?? imagesPath);
    }

    /// <summary>
    /// Finds the images and labels files of a split in a folder: train -> train-images-idx3-ubyte[.gz]
    /// and train-labels-idx1-ubyte[.gz]; test -> t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]
    /// (the variants with a dot, such as train-images.idx3-ubyte, are also accepted).
    /// </summary>
    public static (string Images, string Labels) FindFiles(string dir, string split)
    {
        if (!Directory.Exists(dir))
            throw new DnnmmInputException($"IDX folder {dir}: not found");
        string prefix = split switch
        {
            "train" => "train",
            "test" => "t10k",
            _ => throw new DnnmmInputException($"IDX folder {dir}: unknown split '{split}' (expected train or test)"),
        };
        return (Find(dir, prefix, "images", "idx3"), Find(dir, prefix, "labels", "idx1"));
    }

    /// <summary>Loads a split (train or test) from a folder holding the standard IDX file names.</summary>
    public static ImageSet LoadDirectory(string dir, string split = "train")
    {
        var (img, lab) = FindFiles(dir, split);
        return Load(img, lab, dir);
    }

    private static string Find(string dir, string prefix, string kind, string idx)
    {
        string main = $"{prefix}-{kind}-{idx}-ubyte";
        string[] candidates = { main, main + ".gz", $"{prefix}-{kind}.{idx}-ubyte", $"{prefix}-{kind}.{idx}-ubyte.gz" };
        foreach (var c in candidates)
        {
            string p = Path.Combine(dir, c);
            if (File.Exists(p)) return p;
        }
        throw new DnnmmInputException($"IDX folder {dir}: no {main} or {main}.gz");
    }

    private static void CheckMagic(string path, byte[] b, int expected)
    {
        if (b.Length < 4)
            throw new DnnmmInputException($"IDX file {path}: truncated header ({b.Length} bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(b);
        if (magic != expected)
            throw new DnnmmInputException($"IDX file {path}: wrong magic 0x{magic:X8} (expected 0x{expected:X8})");
    }

    internal static string OneLine(string s) => s.Replace('\r', ' ').Replace('\n', ' ');

    /// <summary>
    /// The bytes of a data file; a missing or unreadable file is a one-line error "&lt;what&gt; &lt;path&gt;: ...".
    /// </summary>
    internal static byte[] ReadFile(string what, string path)
    {
        if (!File.Exists(path))
            throw new DnnmmInputException($"{what} {path}: not found");
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DnnmmInputException($"{what} {path}: cannot read ({OneLine(e.Message)})", e);
        }
    }
}

internal static class PixelConvert
{
    private static readonly float[] Table = BuildTable();

    private static float[] BuildTable()
    {
        var t = new float[256];
        for (int i = 0; i < 256; i++) t[i] = i / 255f;
        return t;
    }

    public static float ByteToFloat(byte b) => Table[b];

    public static float[] ToFloats(byte[] bytes)
    {
        var f = new float[bytes.Length];
        var t = Table;
        for (int i = 0; i < bytes.Length; i++) f[i] = t[bytes[i]];
        return f;
    }

    public static void ToFloats(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var t = Table;
        for (int i = 0; i < src.Length; i++) dst[i] = t[src[i]];
    }
}
