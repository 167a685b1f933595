using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using Dnnmm.Infrastructure;

namespace Dnnmm.Data;

/// <summary>
/// Whether a data set fits in memory, checked by the readers once the number of images and their shape are known
/// (an IDX header, the CIFAR-10 file sizes, the image files to decode and their target size) and before any pixel is
/// decoded: a set larger than the memory available is a one-line input error instead of an out-of-memory kill.
/// The estimate is images x C x H x W x <see cref="BytesPerStoredPixel"/> plus <see cref="PerImageOverheadBytes"/> an
/// image; the memory available is the smallest of MemAvailable (/proc/meminfo) and the headroom under the memory limit
/// of this process's cgroup (v2 memory.max or v1 memory.limit_in_bytes, of its cgroup and every parent), where present;
/// elsewhere the runtime's total available memory (<see cref="GC.GetGCMemoryInfo()"/>) less this process's working set.
/// The environment variable <see cref="LimitVariable"/> (bytes) replaces all of it: for tests, and for a machine shared
/// with other jobs.
/// </summary>
public static class MemoryBudget
{
    /// <summary>
    /// Bytes one stored pixel takes: 1, images are held as bytes (<see cref="ImageBytes"/>) and converted to floats per
    /// minibatch.
    /// </summary>
    public const int BytesPerStoredPixel = 1;

    /// <summary>
    /// Bytes an image takes besides its pixels: its label and labelled flag, its place in the selection's index lists
    /// and the arrays' slack (a file path, for images read from files, is about as much again).
    /// </summary>
    public const int PerImageOverheadBytes = 64;

    /// <summary>The environment variable that sets the memory available, in bytes.</summary>
    public const string LimitVariable = "DNNMM_MEMORY_LIMIT";

    /// <summary>The hint of a source that is read whole before the classes are selected (IDX, CIFAR-10).</summary>
    public const string WholeFileHint = "every image of the file is held, whatever --per-class selects; free memory or use a larger machine";

    /// <summary>The hint of a source whose selected images alone are decoded (image folders, CelebA).</summary>
    public const string ImagesHint = "use --per-class or a smaller --image-size";

    /// <summary>Memory available and where the figure comes from (MemAvailable, a cgroup file, the variable).</summary>
    public sealed record Available(long Bytes, string From);

    private static readonly AsyncLocal<long?> LimitOverride = new();

    /// <summary>
    /// The memory available is <paramref name="bytes"/> for the calling code (its async flow, so tests running side by
    /// side do not see it) until the result is disposed; it comes before <see cref="LimitVariable"/>.
    /// </summary>
    public static IDisposable Limit(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        long? before = LimitOverride.Value;
        LimitOverride.Value = bytes;
        return new Restore(() => LimitOverride.Value = before);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    /// <summary>Bytes that <paramref name="images"/> images of C x H x W take in memory.</summary>
    public static long EstimateBytes(long images, int channels, int height, int width) =>
        images * ((long)channels * height * width * BytesPerStoredPixel + PerImageOverheadBytes);

    /// <summary>
    /// Throws an input error naming <paramref name="what"/> when <paramref name="images"/> images of C x H x W need more
    /// memory than is available: "&lt;what&gt;: 60000 images of 1x28x28 need about 51 MB in memory, but only 12 MB are
    /// available (MemAvailable); &lt;hint&gt;".
    /// </summary>
    public static void Check(string what, long images, int channels, int height, int width, string hint)
    {
        long need = EstimateBytes(images, channels, height, width);
        var available = AvailableMemory();
        if (need <= available.Bytes) return;
        string needText = Size(need), haveText = Size(available.Bytes);
        if (needText == haveText) (needText, haveText) = ($"{need} bytes", $"{available.Bytes} bytes");
        throw new DnnmmInputException(
            $"{what}: {images} images of {channels}x{height}x{width} need about {needText} in memory, but only {haveText} are available ({available.From}); {hint}");
    }

    /// <summary>
    /// <see cref="Check"/> for an IDX images file from its header (16 bytes, through gzip when compressed). A file
    /// whose header is damaged or claims more than the file could hold is left to the reader, which names the damage.
    /// </summary>
    public static void CheckIdx(string path)
    {
        byte[] head = new byte[16];
        long fileLength;
        bool gzip;
        try
        {
            using var file = File.OpenRead(path);
            fileLength = file.Length;
            gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            using Stream s = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            int got = 0, n;
            while (got < head.Length && (n = s.Read(head, got, head.Length - got)) > 0) got += n;
            if (got < head.Length) return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException) { return; }
        if (BinaryPrimitives.ReadInt32BigEndian(head) != IdxReader.ImagesMagic) return;
        int count = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(8));
        int cols = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(12));
        if (count <= 0 || rows <= 0 || cols <= 0) return;
        long pixels = (long)count * rows * cols;
        // Deflate expands at most about 1032:1.
        if (pixels > (gzip ? 1100L * fileLength : fileLength - 16)) return;
        Check($"IDX file {path}", count, 1, rows, cols, WholeFileHint);
    }

    /// <summary><see cref="Check"/> for CIFAR-10 batch files from their sizes (whole records; missing files are left to the reader).</summary>
    public static void CheckCifar(IReadOnlyList<string> batchFiles)
    {
        if (batchFiles.Count == 0) return;
        long records = batchFiles.Where(File.Exists).Sum(f => new FileInfo(f).Length / Cifar10BinaryReader.RecordSize);
        Check($"CIFAR-10 folder {Path.GetDirectoryName(Path.GetFullPath(batchFiles[0]))}", records, 3,
            Cifar10BinaryReader.Side, Cifar10BinaryReader.Side, WholeFileHint);
    }

    /// <summary>
    /// <see cref="Check"/> for image files to be decoded to C x H x W (their target size, or the first image's size),
    /// named by the folder that holds them all.
    /// </summary>
    public static void CheckImages(IReadOnlyList<string> paths, int channels, int height, int width)
    {
        if (paths.Count == 0) return;
        string folder = Path.GetDirectoryName(Path.GetFullPath(paths[0])) ?? "";
        foreach (var p in paths)
        {
            string full = Path.GetFullPath(p);
            while (folder.Length > 0 && !full.StartsWith(folder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                folder = Path.GetDirectoryName(folder) ?? "";
        }
        Check($"image folder {folder}", paths.Count, channels, height, width, ImagesHint);
    }

    /// <summary>The memory available now: the limit set by <see cref="Limit"/>, else <see cref="LimitVariable"/>, else what the system says.</summary>
    public static Available AvailableMemory()
    {
        if (LimitOverride.Value is long limit) return new Available(limit, LimitVariable);
        string? text = Environment.GetEnvironmentVariable(LimitVariable);
        if (!string.IsNullOrWhiteSpace(text)) return new Available(ParseLimit(text), LimitVariable);
        if (Probe(ReadSystemFile) is Available a) return a;
        var gc = GC.GetGCMemoryInfo();
        return new Available(Math.Max(0, gc.TotalAvailableMemoryBytes - Environment.WorkingSet),
            "the runtime's total available memory less this process's working set");
    }

    /// <summary>The value of <see cref="LimitVariable"/>: a whole number of bytes; anything else is an input error naming it.</summary>
    public static long ParseLimit(string text)
    {
        if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long bytes)) return bytes;
        throw new DnnmmInputException($"{LimitVariable}='{IdxReader.OneLine(text)}': not a number of bytes (a whole number such as 4000000000)");
    }

    /// <summary>
    /// The smallest of MemAvailable and the headroom under every cgroup memory limit on this process's path, from files
    /// read through <paramref name="read"/> (null: no such file); null when none of them is there. The headroom under a
    /// limit is limit - (usage - inactive_file): file pages not recently used are reclaimed before the limit kills.
    /// </summary>
    internal static Available? Probe(Func<string, string?> read)
    {
        Available? best = null;
        void Take(long bytes, string from)
        {
            bytes = Math.Max(0, bytes);
            if (best is null || bytes < best.Bytes) best = new Available(bytes, from);
        }
        if (read("/proc/meminfo") is string meminfo && ParseMemAvailable(meminfo) is long memAvailable)
            Take(memAvailable, "MemAvailable");
        foreach (var line in (read("/proc/self/cgroup") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            bool v2 = parts[0] == "0" && parts[1].Length == 0;
            if (!v2 && !parts[1].Split(',').Contains("memory")) continue;
            string root = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
            var (limitFile, usageFile, inactive) = v2
                ? ("memory.max", "memory.current", "inactive_file")
                : ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file");
            var segments = parts[2].Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (int depth = segments.Length; depth >= 0; depth--)
            {
                string dir = depth == 0 ? root : root + "/" + string.Join('/', segments.Take(depth));
                if (ParseBytes(read(dir + "/" + limitFile)) is not long max || max >= 1L << 60) continue; // "max" or v1's "no limit"
                if (ParseBytes(read(dir + "/" + usageFile)) is not long usage) continue;
                long reclaimable = StatValue(read(dir + "/memory.stat"), inactive) ?? 0;
                Take(max - (usage - reclaimable), $"cgroup {limitFile}");
            }
        }
        return best;
    }

    /// <summary>MemAvailable of /proc/meminfo in bytes, or null when it has none.</summary>
    internal static long? ParseMemAvailable(string meminfo)
    {
        foreach (var line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
            var tok = line["MemAvailable:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (tok.Length >= 1 && long.TryParse(tok[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                return kb * (tok.Length > 1 && tok[1] == "kB" ? 1024 : 1);
        }
        return null;
    }

    private static long? ParseBytes(string? text) =>
        text is not null && long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;

    private static long? StatValue(string? stat, string key)
    {
        foreach (var line in (stat ?? "").Split('\n'))
        {
            var tok = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (tok.Length == 2 && tok[0] == key) return ParseBytes(tok[1]);
        }
        return null;
    }

    private static string? ReadSystemFile(string path)
    {
        try { return File.Exists(path) ? File.ReadAllText(path) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>A size in decimal units: "850 bytes", "8.5 MB", "51 MB", "9.8 GB".</summary>
    public static string Size(long bytes)
    {
        (double unit, string name) = bytes >= 1_000_000_000 ? (1e9, "GB") : bytes >= 1_000_000 ? (1e6, "MB") : bytes >= 1_000 ? (1e3, "KB") : (1, "bytes");
        double v = bytes / unit;
        return unit == 1 ? $"{bytes} bytes" : (v < 10 ? v.ToString("0.0", CultureInfo.InvariantCulture) : v.ToString("0", CultureInfo.InvariantCulture)) + " " + name;
    }
}
