using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dnnmm.Infrastructure;

/// <summary>
/// Reads TorchSharp's binary module and Adam states with their sizes checked first. TorchSharp's own readers allocate
/// what a header says before they compare it with the target (a tensor's rank becomes a <c>long[rank]</c>, an optional
/// Adam tensor an empty tensor of the stored shape), so a damaged file, even one whose checksum a buggy writer resealed,
/// could ask for gigabytes. Here the bytes are walked once with every count checked against the target and against
/// the bytes left; only then does TorchSharp read them. The formats are those of TorchSharp 0.107 (a test saves a
/// module and an optimiser and checks that the walk ends where the save did).
/// </summary>
public static class TorchState
{
    /// <summary>Loads <paramref name="module"/> (<c>Module.save</c> format) after checking the stream holds exactly its state.</summary>
    public static void LoadModule(nn.Module module, BinaryReader reader)
    {
        Checked(reader, () => WalkModule(module, reader));
        module.load(reader);
    }

    /// <summary>Loads an Adam optimiser's state (<c>save_state_dict</c> format) after checking its sizes.</summary>
    public static void LoadAdam(Adam optimizer, BinaryReader reader)
    {
        Checked(reader, () => WalkAdam(optimizer, reader));
        optimizer.load_state_dict(reader);
    }

    /// <summary>Walks a module's state from the reader's position to its end (the position is left after it).</summary>
    public static void WalkModule(nn.Module module, BinaryReader reader)
    {
        var state = module.state_dict();
        long count = Decode(reader);
        if (count != state.Count) throw new InvalidDataException($"{count} tensors where the module has {state.Count}");
        for (long i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            if (!state.TryGetValue(name, out var t)) throw new InvalidDataException("a tensor name the module does not have");
            WalkTensor(reader, t.dtype, t.shape);
        }
    }

    /// <summary>Walks an Adam optimiser's state (its type name, option groups and per-parameter states).</summary>
    public static void WalkAdam(Adam optimizer, BinaryReader reader)
    {
        if (reader.ReadString() != nameof(Adam)) throw new InvalidDataException("not an Adam optimiser state");
        var sd = optimizer.state_dict();
        long groups = Decode(reader), states = Decode(reader);
        if (groups != sd.Options.Count || states != sd.State.Count)
            throw new InvalidDataException($"{groups} parameter groups and {states} states where the optimiser has {sd.Options.Count} and {sd.State.Count}");
        // per group: initial and current learning rate, beta1, beta2, eps, weight decay (doubles); amsgrad, maximize (bools)
        Skip(reader, groups * (6 * sizeof(double) + 2));
        for (long i = 0; i < states; i++)
        {
            Skip(reader, sizeof(long)); // step
            WalkTensor(reader, null, null); // exp_avg
            WalkTensor(reader, null, null); // exp_avg_sq
            if (reader.ReadBoolean()) WalkTensor(reader, null, null); // max_exp_avg_sq (amsgrad)
        }
    }

    private static void Checked(BinaryReader reader, Action walk)
    {
        var s = reader.BaseStream;
        if (!s.CanSeek) throw new InvalidOperationException("a state is read from a seekable stream");
        long at = s.Position;
        walk();
        s.Position = at;
    }

    /// <summary>
    /// One tensor: dtype, rank, dims, then its bytes. With an expected dtype and shape they must match; without, the
    /// rank is at most 8 and the bytes must fit in what is left.
    /// </summary>
    private static void WalkTensor(BinaryReader reader, ScalarType? dtype, long[]? shape)
    {
        long type = Decode(reader);
        if (!Enum.IsDefined(typeof(ScalarType), (sbyte)type) || type != (sbyte)type) throw new InvalidDataException($"tensor type {type}");
        if (dtype is { } d && (sbyte)type != (sbyte)d) throw new InvalidDataException("a tensor of another type");
        long rank = Decode(reader);
        if (rank < 0 || rank > 8 || (shape is not null && rank != shape.Length)) throw new InvalidDataException($"a tensor of rank {rank}");
        long n = 1;
        for (int i = 0; i < rank; i++)
        {
            long dim = Decode(reader);
            if (dim < 0 || (shape is not null && dim != shape[i])) throw new InvalidDataException("a tensor of another shape");
            n = dim == 0 ? 0 : n > long.MaxValue / dim ? long.MaxValue : n * dim;
        }
        long size = ElementSize((ScalarType)(sbyte)type);
        Skip(reader, n > long.MaxValue / size ? long.MaxValue : n * size);
    }

    private static long ElementSize(ScalarType t) => t switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new InvalidDataException($"tensor type {t}"),
    };

    private static void Skip(BinaryReader reader, long bytes)
    {
        var s = reader.BaseStream;
        if (bytes < 0 || bytes > s.Length - s.Position) throw new EndOfStreamException($"{bytes} bytes where {s.Length - s.Position} are left");
        s.Position += bytes;
    }

    /// <summary>TorchSharp's unsigned LEB128 integer, limited to what fits a long.</summary>
    private static long Decode(BinaryReader reader)
    {
        long v = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (shift > 56) throw new InvalidDataException("an integer longer than 9 bytes");
            long b = reader.ReadByte();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
    }
}
