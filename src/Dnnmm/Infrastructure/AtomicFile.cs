using System.Text;

namespace Dnnmm.Infrastructure;

/// <summary>
/// Writes a file so that a reader (or a kill) never sees it half written: the bytes go to a
/// temporary file in the same folder, which is flushed and then renamed over the target. A write that
/// fails (disk full, read-only folder, no permission) deletes the temporary file, leaves the earlier
/// version of the target as it was, and throws a one-line <see cref="DnnmmWriteException"/>.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new DnnmmInputException($"{path}: is a folder, not a file (give a file name)");
        string dir = Path.GetDirectoryName(full)!;
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                Stream target = failWhen.Value is { } fail && fail(full) ? new FullDiskStream(fs) : fs;
                write(target);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DnnmmWriteException(path, e);
        }
        finally
        {
            try { if (File.Exists(tmp)) File.Delete(tmp); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));

    /// <summary>
    /// Checks a file name given for output before any work is done: not an existing folder, and its folder exists (it is
    /// not created: a mistyped path is an error, not a new folder tree). One-line <see cref="DnnmmInputException"/>s
    /// that start with <paramref name="what"/> (e.g. "--out x.csv").
    /// </summary>
    public static void CheckTarget(string path, string? what = null)
    {
        what ??= path;
        if (string.IsNullOrWhiteSpace(path)) throw new DnnmmInputException($"{what}: a file name is required");
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new DnnmmInputException($"{what}: is a folder, not a file (give a file name)");
        string dir = Path.GetDirectoryName(full)!;
        if (File.Exists(dir)) throw new DnnmmInputException($"{what}: {dir} is a file, not a folder");
        if (!Directory.Exists(dir)) throw new DnnmmInputException($"{what}: folder {dir} does not exist (create it first)");
    }

    // ---- a seam for tests: writes that fail like a full disk ----

    private static readonly AsyncLocal<Func<string, bool>?> failWhen = new();

    /// <summary>
    /// For tests: until the result is disposed, every write (on this thread and the tasks it starts) of a file whose full
    /// path <paramref name="which"/> accepts fails like a full disk: part of the bytes reach the temporary file, then an
    /// <see cref="IOException"/> "No space left on device" (which <see cref="Write"/> turns into a <see cref="DnnmmWriteException"/>).
    /// </summary>
    public static IDisposable SimulateFullDisk(Func<string, bool> which)
    {
        var previous = failWhen.Value;
        failWhen.Value = which;
        return new Restore(() => failWhen.Value = previous);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        private Action? undo = undo;
        public void Dispose() { undo?.Invoke(); undo = null; }
    }

    /// <summary>Accepts the first bytes, then fails as ENOSPC does.</summary>
    private sealed class FullDiskStream(Stream inner) : Stream
    {
        private const int Room = 64;
        private long written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => written;
        public override long Position { get => written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int room = (int)Math.Max(0, Room - written);
            inner.Write(buffer[..Math.Min(room, buffer.Length)]);
            written += Math.Min(room, buffer.Length);
            if (buffer.Length > room) throw new IOException("No space left on device");
        }
    }
}
