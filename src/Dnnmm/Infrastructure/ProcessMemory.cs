using System.Globalization;

namespace Dnnmm.Infrastructure;

/// <summary>
/// This process's memory as the kernel counts it: the resident set now (VmRSS) and its high-water mark (VmHWM, what
/// GNU <c>time -v</c> reports as "Maximum resident set size"), from /proc/self/status. Null where there is no /proc.
/// </summary>
public static class ProcessMemory
{
    /// <summary>The peak resident set size in bytes (VmHWM), or null where /proc/self/status is missing.</summary>
    public static long? PeakResidentBytes() => Read("VmHWM:");

    /// <summary>The resident set size now in bytes (VmRSS), or null where /proc/self/status is missing.</summary>
    public static long? ResidentBytes() => Read("VmRSS:");

    private static long? Read(string key)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
            if (line.StartsWith(key, StringComparison.Ordinal)) return ParseKb(line[key.Length..]);
        return null;
    }

    /// <summary>"  123456 kB" as bytes.</summary>
    public static long? ParseKb(string text)
    {
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || parts[1] != "kB" || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
            return null;
        return kb * 1024;
    }

    /// <summary>Bytes as GiB with two decimals ("1.23 GiB").</summary>
    public static string Gib(long bytes) => (bytes / (1024.0 * 1024 * 1024)).ToString("F2", CultureInfo.InvariantCulture) + " GiB";
}
