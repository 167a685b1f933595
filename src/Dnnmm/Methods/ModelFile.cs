using System.Text;
using Dnnmm.Infrastructure;
using Dnnmm.Evaluation;

namespace Dnnmm.Methods;

/// <summary>
/// A fitted baseline in a run folder: model.bin (a magic string, the method name, then whatever the
/// method writes: state dicts, centroids) and model.json (a <see cref="SavedModelInfo"/>). model.bin is
/// written first, so a model.json next to it means the model is complete.
/// </summary>
public static class ModelFile
{
    public const string WeightsFile = RunFolder.WeightsFile;
    public const string InfoFile = RunFolder.ModelInfoFile;
    // DNNMMBL2: sealed with a SHA-256 (SealedBytes); DNNMMBL1 (no checksum) is what dnnmm wrote before, still read.
    private const string Magic = "DNNMMBL2";
    private const string LegacyMagic = "DNNMMBL1";

    public static void Save(string runDir, SavedModelInfo info, Action<BinaryWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(info.Method);
            write(w);
        }
        AtomicFile.WriteAllBytes(Path.Combine(runDir, WeightsFile), SealedBytes.Seal(ms.ToArray()));
        AtomicFile.WriteAllText(Path.Combine(runDir, InfoFile), Json.Serialize(info));
    }

    /// <summary>
    /// Reads model.json and hands model.bin, past its header, to <paramref name="read"/>; a missing,
    /// foreign or unreadable model is a one-line <see cref="DnnmmInputException"/> naming the folder.
    /// </summary>
    public static SavedModelInfo Load(string runDir, string method, Action<SavedModelInfo, BinaryReader> read)
    {
        string json = Path.Combine(runDir, InfoFile), bin = Path.Combine(runDir, WeightsFile);
        if (!File.Exists(json) || !File.Exists(bin))
            throw new DnnmmInputException(
                $"{runDir}: no saved model ({InfoFile} and {WeightsFile}); the '{method}' run did not finish or predates saved baselines, train it again");
        var info = Json.Read<SavedModelInfo>(json).Check(json);
        if (info.Method != method)
            throw new DnnmmInputException($"{runDir}: {InfoFile} is a '{info.Method}' model, options.json says '{method}'");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(bin); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DnnmmInputException($"{bin}: cannot read the model ({SealedBytes.Describe(e)})");
        }
        byte[] content = SealedBytes.HasMagic(bytes, LegacyMagic) ? bytes : SealedBytes.Open(bytes, Magic, bin, "model");
        try
        {
            using var r = new BinaryReader(new MemoryStream(content), Encoding.UTF8);
            string magic = r.ReadString();
            if ((magic != Magic && magic != LegacyMagic) || r.ReadString() != method)
                throw new InvalidDataException($"not a saved '{method}' model");
            read(info, r);
        }
        catch (Exception e) when (e is not DnnmmInputException and not OutOfMemoryException)
        {
            // TorchSharp's messages can quote names read from the file: only a printable digest is shown.
            throw new DnnmmInputException($"{bin}: damaged model ({SealedBytes.Describe(e)})");
        }
        return info;
    }

    /// <summary>
    /// Runs <paramref name="restore"/> on a new method object and returns it; if restoring fails, the object (and any
    /// networks it already holds) is disposed before the exception goes on.
    /// </summary>
    public static T Restore<T>(T method, Action<T> restore) where T : IDisposable
    {
        try
        {
            restore(method);
            return method;
        }
        catch
        {
            method.Dispose();
            throw;
        }
    }

    public static void WriteFloats(BinaryWriter w, float[] a)
    {
        w.Write(a.Length);
        foreach (var v in a) w.Write(v);
    }

    public static float[] ReadFloats(BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n < 0) throw new InvalidDataException("negative array length");
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.ReadSingle();
        return a;
    }

    public static void WriteKMeans(BinaryWriter w, KMeansResult km)
    {
        w.Write(km.K); w.Write(km.Dim); w.Write(km.Inertia); w.Write(km.Iterations);
        WriteFloats(w, km.Centroids);
        w.Write(km.Labels.Length);
        foreach (var l in km.Labels) w.Write(l);
    }

    public static KMeansResult ReadKMeans(BinaryReader r)
    {
        int k = r.ReadInt32(), dim = r.ReadInt32();
        double inertia = r.ReadDouble();
        int iterations = r.ReadInt32();
        var c = ReadFloats(r);
        if (k < 1 || dim < 1 || c.Length != k * dim) throw new InvalidDataException($"k-means centroids: {c.Length} values for K = {k}, d = {dim}");
        int n = r.ReadInt32();
        if (n < 0) throw new InvalidDataException("negative array length");
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = r.ReadInt32();
        return new KMeansResult(c, k, dim, labels, inertia, iterations);
    }

    /// <summary>What a model fitted on <paramref name="input"/> knows of its images.</summary>
    public static SavedModelInfo Info(string method, FitInput input) =>
        new(method, input.Images.Channels, input.Images.Height, input.Images.Width, input.Clusters, input.Images.ClassNames);
}
