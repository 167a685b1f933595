using System.Buffers.Binary;
using System.IO.Hashing;
using Google.Protobuf;

namespace Dnnmm.Visualisation;

/// <summary>
/// A TensorBoard event file: TFRecord records, each a little-endian u64 length, the masked CRC-32C of those 8 bytes, the
/// serialised <see cref="Tensorboard.Event"/> protocol buffer, and the masked CRC-32C of it (CRC-32C from
/// System.IO.Hashing; the mask is TensorFlow's: rotate right by 15 bits, add 0xa282ead8). The first event carries the
/// file version "brain.Event:2". Every record is flushed when written, so TensorBoard sees it at once and a killed
/// training loses nothing already written.
/// </summary>
public sealed class EventFileWriter : IDisposable
{
    /// <summary>The file version of the first event, as TensorFlow writes it.</summary>
    public const string FileVersion = "brain.Event:2";

    private static int counter;
    private readonly FileStream stream;

    /// <summary>Creates the folder if needed and a new file events.out.tfevents.&lt;unix seconds&gt;.&lt;host&gt;.&lt;pid&gt;.&lt;n&gt; in it.</summary>
    public EventFileWriter(string directory)
    {
        Directory.CreateDirectory(directory);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Path = System.IO.Path.Combine(directory,
            $"events.out.tfevents.{now}.{Environment.MachineName}.{Environment.ProcessId}.{Interlocked.Increment(ref counter)}");
        stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        Write(new Tensorboard.Event { WallTime = WallTime(), FileVersion = FileVersion });
    }

    /// <summary>The event file.</summary>
    public string Path { get; }

    /// <summary>Seconds since the Unix epoch, with milliseconds (what TensorBoard expects as wall time).</summary>
    public static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Appends one event as a record and flushes it.</summary>
    public void Write(Tensorboard.Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        stream.Write(Record(e.ToByteArray()));
        stream.Flush();
    }

    /// <summary>One TFRecord: length (u64 LE), its masked CRC-32C (u32 LE), the data, the data's masked CRC-32C (u32 LE).</summary>
    public static byte[] Record(ReadOnlySpan<byte> data)
    {
        var r = new byte[8 + 4 + data.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(r, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(8), MaskedCrc32C(r.AsSpan(0, 8)));
        data.CopyTo(r.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(12 + data.Length), MaskedCrc32C(data));
        return r;
    }

    /// <summary>CRC-32C (Castagnoli) of the bytes.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = new Crc32(Crc32ParameterSet.Crc32C);
        crc.Append(data);
        return crc.GetCurrentHashAsUInt32();
    }

    /// <summary>TFRecord's masked CRC-32C: ((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8, modulo 2^32.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }

    public void Dispose() => stream.Dispose();
}
