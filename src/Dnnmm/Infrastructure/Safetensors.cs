using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Dnnmm.Infrastructure;

/// <summary>One tensor of a safetensors file: its dtype name, shape and byte range in the data section.</summary>
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End);

/// <summary>A safetensors file read and checked against the format: header, metadata and the data section.</summary>
public sealed class SafetensorsFile
{
    internal SafetensorsFile(long headerLength, IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata, byte[] data)
    {
        HeaderLength = headerLength; Entries = entries; Metadata = metadata; Data = data;
    }

    /// <summary>The length of the JSON header in bytes (the first 8 bytes of the file, little-endian).</summary>
    public long HeaderLength { get; }

    /// <summary>The tensors in the order of their byte ranges.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The header's __metadata__ (string to string).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The data section (everything after the header).</summary>
    public byte[] Data { get; }

    public SafetensorsEntry this[string name] => Entries.FirstOrDefault(e => e.Name == name)
        ?? throw new DnnmmInputException($"safetensors: no tensor '{name}'");

    /// <summary>A tensor as a new CPU tensor of its dtype.</summary>
    public Tensor ToTensor(string name) => ToTensor(this[name]);

    public Tensor ToTensor(SafetensorsEntry e)
    {
        var bytes = Data.AsSpan((int)e.Begin, (int)(e.End - e.Begin));
        return e.DType switch
        {
            "F32" => tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), e.Shape),
            "F64" => tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), e.Shape),
            "I64" => tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), e.Shape),
            "I32" => tensor(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), e.Shape),
            _ => throw new DnnmmInputException($"safetensors: tensor '{e.Name}' has dtype {e.DType}, which dnnmm does not read"),
        };
    }

    /// <summary>Every tensor by name, as new CPU tensors (the caller disposes them).</summary>
    public Dictionary<string, Tensor> ToTensors() => Entries.ToDictionary(e => e.Name, ToTensor);
}

/// <summary>
/// The safetensors format (Hugging Face; what PyTorch users load with <c>safetensors.torch.load_file</c>): an unsigned
/// 64-bit little-endian header length N, N bytes of UTF-8 JSON (an object mapping each tensor name to
/// {"dtype", "shape", "data_offsets": [begin, end]}, plus an optional "__metadata__" object of strings; padded with
/// spaces to a multiple of 8 bytes), then the tensors' bytes, little-endian, C order, contiguous, with no holes.
/// Written by hand: it is that small. Tensors are written in ordinal name order.
/// </summary>
public static class Safetensors
{
    /// <summary>The dtype names this writer and reader know, with their element sizes.</summary>
    public static readonly IReadOnlyDictionary<string, int> DTypeSizes = new Dictionary<string, int>
    {
        ["F32"] = 4, ["F64"] = 8, ["I64"] = 8, ["I32"] = 4,
    };

    private const long MaxHeader = 100_000_000; // the reference implementation's limit

    /// <summary>The file's bytes for the given tensors (any device; copied to the CPU) and metadata.</summary>
    public static byte[] Serialize(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors: writing needs a little-endian machine");
        var blobs = new List<(string Name, string DType, long[] Shape, byte[] Bytes)>();
        foreach (var (name, t) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (name == "__metadata__") throw new ArgumentException("safetensors: '__metadata__' is not a tensor name");
            using var c = t.detach().cpu().contiguous();
            (string dtype, byte[] bytes) = c.dtype switch
            {
                ScalarType.Float32 => ("F32", MemoryMarshal.AsBytes(c.data<float>().ToArray().AsSpan()).ToArray()),
                ScalarType.Float64 => ("F64", MemoryMarshal.AsBytes(c.data<double>().ToArray().AsSpan()).ToArray()),
                ScalarType.Int64 => ("I64", MemoryMarshal.AsBytes(c.data<long>().ToArray().AsSpan()).ToArray()),
                ScalarType.Int32 => ("I32", MemoryMarshal.AsBytes(c.data<int>().ToArray().AsSpan()).ToArray()),
                _ => throw new ArgumentException($"safetensors: tensor '{name}' has type {c.dtype}, which dnnmm does not write"),
            };
            blobs.Add((name, dtype, c.shape, bytes));
        }

        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var b in blobs)
            {
                w.WriteStartObject(b.Name);
                w.WriteString("dtype", b.DType);
                w.WriteStartArray("shape");
                foreach (long s in b.Shape) w.WriteNumberValue(s);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + b.Bytes.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += b.Bytes.Length;
            }
            w.WriteEndObject();
        }
        int pad = (int)((8 - json.Length % 8) % 8);
        for (int i = 0; i < pad; i++) json.WriteByte((byte)' ');

        using var file = new MemoryStream();
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)json.Length);
        file.Write(len);
        json.Position = 0;
        json.CopyTo(file);
        foreach (var b in blobs) file.Write(b.Bytes);
        return file.ToArray();
    }

    /// <summary>Writes the file atomically (<see cref="AtomicFile"/>).</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.WriteAllBytes(path, Serialize(tensors, metadata));

    /// <summary>Reads a file and checks it against the format; anything malformed is a one-line <see cref="DnnmmInputException"/>.</summary>
    public static SafetensorsFile Read(string path)
    {
        if (!File.Exists(path)) throw new DnnmmInputException($"{path}: file not found");
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (DnnmmInputException e)
        {
            throw new DnnmmInputException($"{path}: {e.Message}");
        }
    }

    /// <summary>Parses and checks the bytes of a safetensors file.</summary>
    public static SafetensorsFile Parse(byte[] bytes)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors: reading needs a little-endian machine");
        if (bytes.Length < 8) throw new DnnmmInputException("not a safetensors file (shorter than its 8-byte header length)");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > MaxHeader || n > (ulong)(bytes.Length - 8))
            throw new DnnmmInputException($"not a safetensors file (header length {n} does not fit a file of {bytes.Length} bytes)");
        int headerLength = (int)n;
        if (headerLength < 2 || bytes[8] != (byte)'{') throw new DnnmmInputException("not a safetensors file (the header is not a JSON object)");
        var data = bytes.AsSpan(8 + headerLength).ToArray();
        var entries = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using var doc = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new DnnmmInputException("safetensors: the header is not a JSON object");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind != JsonValueKind.Object) throw new DnnmmInputException("safetensors: __metadata__ is not an object");
                    foreach (var m in p.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()!
                            : throw new DnnmmInputException($"safetensors: __metadata__.{m.Name} is not a string");
                    continue;
                }
                string dtype = p.Value.GetProperty("dtype").GetString() ?? "";
                if (!DTypeSizes.TryGetValue(dtype, out int size))
                    throw new DnnmmInputException($"safetensors: tensor '{p.Name}' has dtype '{dtype}', not one of {string.Join(", ", DTypeSizes.Keys)}");
                long[] shape = p.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                long[] off = p.Value.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                if (off.Length != 2 || off[0] < 0 || off[1] < off[0] || off[1] > data.Length)
                    throw new DnnmmInputException($"safetensors: tensor '{p.Name}' has data offsets [{string.Join(", ", off)}] outside the {data.Length}-byte data section");
                long count = shape.Aggregate(1L, (a, s) => s < 0 ? throw new DnnmmInputException($"safetensors: tensor '{p.Name}' has a negative dimension") : a * s);
                if (count * size != off[1] - off[0])
                    throw new DnnmmInputException($"safetensors: tensor '{p.Name}' ({dtype}, shape [{string.Join(", ", shape)}]) needs {count * size} bytes, its offsets give {off[1] - off[0]}");
                entries.Add(new SafetensorsEntry(p.Name, dtype, shape, off[0], off[1]));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DnnmmInputException($"safetensors: unreadable header ({e.Message.Split('\n')[0]})");
        }
        if (entries.GroupBy(e => e.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new DnnmmInputException($"safetensors: tensor '{twice.Key}' appears twice in the header");
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long at = 0;
        foreach (var e in entries)
        {
            if (e.Begin != at)
                throw new DnnmmInputException($"safetensors: tensor '{e.Name}' starts at byte {e.Begin}, not {at} (the data must be contiguous, without holes or overlaps)");
            at = e.End;
        }
        if (at != data.Length) throw new DnnmmInputException($"safetensors: the tensors cover {at} of the {data.Length} data bytes");
        return new SafetensorsFile(headerLength, entries, metadata, data);
    }
}
