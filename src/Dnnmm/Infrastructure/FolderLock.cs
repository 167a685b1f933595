using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Dnnmm.Infrastructure;

/// <summary>
/// One process at a time in a run or experiment folder: a lock file <c>.lock</c> in the folder holding the owner's
/// process id, host and process start time. It is created with <see cref="FileMode.CreateNew"/>, so of two processes
/// only one gets it; the other gets a one-line <see cref="DnnmmInputException"/> naming the owner's pid (no option,
/// not even --force, overrides it). A lock left by a process that is gone (killed, crashed) is taken over: the taker
/// holds an exclusive handle on the file while it checks the owner and writes itself in, so two takers cannot both win.
/// The owner deletes the file when it is done (<see cref="Dispose"/>).
/// </summary>
public sealed class FolderLock : IDisposable
{
    public const string FileName = ".lock";

    private readonly string content;
    private bool released;

    private FolderLock(string path, string content, string? takenFrom)
    {
        Path = path; this.content = content; TakenOverFrom = takenFrom;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The stale owner ("pid 123 on host") whose lock was taken over; null when the folder was free.</summary>
    public string? TakenOverFrom { get; }

    /// <summary>Whether a file name (in a folder listing) is a lock file, which a folder's "is it empty" checks skip.</summary>
    public static bool IsLockFile(string path) => System.IO.Path.GetFileName(path) == FileName;

    /// <summary>
    /// Locks <paramref name="folder"/> (created when missing) for this process; <paramref name="what"/> names it in the
    /// error ("run folder", "experiment folder").
    /// </summary>
    public static FolderLock Acquire(string folder, string what = "folder")
    {
        if (File.Exists(folder)) throw new DnnmmInputException($"{folder}: is a file, not a {what}");
        Directory.CreateDirectory(folder);
        string path = System.IO.Path.Combine(folder, FileName);
        string me = Describe(Owner.Current);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                Write(fs, me);
                return new FolderLock(path, me, null);
            }
            catch (IOException) when (File.Exists(path)) { }

            // The file exists: find out whether its owner is alive, with the file held exclusively while we look.
            FileStream held;
            try { held = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None); }
            catch (FileNotFoundException) { continue; }                  // released meanwhile: try again
            catch (IOException) when (attempt < 100) { Thread.Sleep(20); continue; } // another process is looking or writing
            using (held)
            {
                var owner = Owner.Parse(ReadAll(held));
                if (owner is not null && owner.Alive())
                    throw new DnnmmInputException(
                        $"{folder}: this {what} is in use by another dnnmm process ({owner.Text}, lock file {path}); wait for it to finish or stop it (--force does not override the lock)");
                held.SetLength(0);
                Write(held, me);
                return new FolderLock(path, me, owner?.Text ?? "an unreadable lock file");
            }
        }
    }

    /// <summary>Deletes the lock file if it is still this process's.</summary>
    public void Dispose()
    {
        if (released) return;
        released = true;
        for (int attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                if (!File.Exists(Path)) return;
                if (File.ReadAllText(Path) == content) File.Delete(Path);
                return;
            }
            catch (IOException) { Thread.Sleep(20); }   // another process is looking at it
            catch (UnauthorizedAccessException) { return; }
        }
    }

    private static void Write(FileStream fs, string text)
    {
        fs.Write(Encoding.UTF8.GetBytes(text));
        fs.Flush(flushToDisk: true);
    }

    private static string ReadAll(FileStream fs)
    {
        if (fs.Length > 4096) return "";   // not a lock file this class wrote
        var buffer = new byte[fs.Length];
        fs.ReadExactly(buffer);
        return Encoding.UTF8.GetString(buffer);
    }

    private static string Describe(Owner o) =>
        string.Create(CultureInfo.InvariantCulture, $"pid={o.Pid}\nhost={o.Host}\nstart={o.Start}\n");

    /// <summary>The process that holds a lock: pid, host, and its start time (to tell a reused pid from the owner).</summary>
    private sealed record Owner(int Pid, string Host, long Start)
    {
        public static Owner Current { get; } = new(Environment.ProcessId, Environment.MachineName, StartOf(Environment.ProcessId) ?? 0);

        public string Text => Host == Environment.MachineName ? $"pid {Pid}" : $"pid {Pid} on host {Host}";

        public static Owner? Parse(string text)
        {
            int? pid = null; string? host = null; long start = 0;
            foreach (var line in text.Split('\n'))
            {
                var kv = line.Split('=', 2);
                if (kv.Length != 2) continue;
                switch (kv[0])
                {
                    case "pid" when int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p > 0: pid = p; break;
                    case "host": host = kv[1]; break;
                    case "start" when long.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out long s): start = s; break;
                }
            }
            return pid is int id && host is not null ? new Owner(id, host, start) : null;
        }

        /// <summary>
        /// Whether the owner still runs: a process with its pid and (where known) its start time exists. The owner of a
        /// lock made on another host cannot be checked from here, so it counts as alive.
        /// </summary>
        public bool Alive()
        {
            if (Host != Environment.MachineName) return true;
            if (Pid == Environment.ProcessId) return Start == 0 || Start == Current.Start;
            if (OperatingSystem.IsLinux())
            {
                long? start = StartOf(Pid);
                return start is long s && (Start == 0 || s == Start);
            }
            try
            {
                using var p = Process.GetProcessById(Pid);
                return !p.HasExited;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return false; }
        }

        /// <summary>
        /// Linux: the start time of process <paramref name="pid"/> in clock ticks since boot (field 22 of /proc/pid/stat),
        /// or null when there is no such process or it is a zombie. Elsewhere 0 for a running process.
        /// </summary>
        public static long? StartOf(int pid)
        {
            if (!OperatingSystem.IsLinux())
            {
                try { using var p = Process.GetProcessById(pid); return p.HasExited ? null : 0; }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return null; }
            }
            string stat;
            try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
            int close = stat.LastIndexOf(')');
            if (close < 0) return null;
            var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // fields[0] is the state (field 3), fields[19] the start time (field 22).
            if (fields.Length < 20 || fields[0] == "Z" || fields[0] == "X") return null;
            return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out long t) ? t : 0;
        }
    }
}
