using System.Text;
using System.Text.Json.Serialization;
using Dnnmm.Data;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;

namespace Dnnmm.Scoring;

/// <summary>
/// reference.json: what a reference classifier was trained on and how well it classifies. The data options are those
/// of the training images (every label used: alpha plays no part); the accuracies are on those images without
/// augmentation and, where the data options named a test set, on it.
/// </summary>
public sealed record ReferenceInfo
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    public DataOptions Data { get; init; } = new();
    public string[] ClassNames { get; init; } = Array.Empty<string>();
    public int Channels { get; init; }
    public int Height { get; init; }
    public int Width { get; init; }
    public ReferenceOptions Options { get; init; } = new();
    public int TrainImages { get; init; }
    public double TrainAccuracy { get; init; }
    /// <summary>Held-out images scored (0: none named).</summary>
    public int TestImages { get; init; }
    public double? TestAccuracy { get; init; }
    /// <summary>
    /// The Fréchet distance between the features of the training and the test images (null without a test set): what
    /// two samples of real images of these classes score, a floor for generated samples (which are compared with the
    /// training images).
    /// </summary>
    public double? TestFrechetDistance { get; init; }
    public string? TestSource { get; init; }
    public double Seconds { get; init; }
    public string Note { get; init; } =
        "A fixed classifier for scoring generated images, never used in training. Its Fréchet distance is FID-like, in this classifier's feature space, not comparable to Inception FID.";

    [JsonIgnore]
    public ImageShape Shape => new(Channels, Height, Width);
}

/// <summary>
/// A trained reference classifier in its folder: reference.json (<see cref="ReferenceInfo"/>) and reference.bin (the
/// network's state dict, written first, so a reference.json next to it means the folder is complete). It labels images
/// and gives their feature-layer activations, in evaluation mode, without gradients.
/// </summary>
public sealed class ReferenceModel : IDisposable
{
    public const string InfoFile = "reference.json";
    public const string WeightsFile = "reference.bin";
    private const string Magic = "DNNMMREF1";

    private ReferenceModel(string folder, ReferenceInfo info, ReferenceClassifier net, Device device)
    {
        Folder = folder; Info = info; Net = net; Device = device;
    }

    /// <summary>The folder, as a full path.</summary>
    public string Folder { get; }
    public ReferenceInfo Info { get; }
    public ReferenceClassifier Net { get; }
    public Device Device { get; }

    /// <summary>Whether <paramref name="dir"/> holds a reference classifier (its reference.json).</summary>
    public static bool IsReferenceFolder(string dir) => File.Exists(Path.Combine(dir, InfoFile));

    /// <summary>The reference.json of a folder; a missing folder or file is a one-line input error naming it.</summary>
    public static ReferenceInfo ReadInfo(string dir)
    {
        if (string.IsNullOrWhiteSpace(dir)) throw new DnnmmInputException("a reference classifier folder is required");
        if (File.Exists(dir)) throw new DnnmmInputException($"{dir}: is a file, not a reference classifier folder");
        if (!Directory.Exists(dir)) throw new DnnmmInputException($"{dir}: reference classifier folder not found");
        if (!IsReferenceFolder(dir))
            throw new DnnmmInputException($"{dir}: no {InfoFile} (not a reference classifier folder; make one with 'dnnmm reference train')");
        var info = Json.Read<ReferenceInfo>(Path.Combine(dir, InfoFile));
        if (info.Format != ReferenceInfo.CurrentFormat)
            throw new DnnmmInputException($"{dir}: {InfoFile} has format {info.Format}, this dnnmm reads format {ReferenceInfo.CurrentFormat}");
        if (info.ClassNames.Length < 2 || info.Channels < 1 || info.Height < 1 || info.Width < 1)
            throw new DnnmmInputException($"{dir}: {InfoFile} names {info.ClassNames.Length} classes of {info.Shape} images (damaged?)");
        return info;
    }

    /// <summary>The classifier saved in <paramref name="dir"/>, on <paramref name="device"/>.</summary>
    public static ReferenceModel Load(string dir, string device = "cpu")
    {
        var info = ReadInfo(dir);
        string bin = Path.Combine(dir, WeightsFile);
        if (!File.Exists(bin)) throw new DnnmmInputException($"{dir}: no {WeightsFile} next to {InfoFile} (an incomplete reference folder)");
        var net = new ReferenceClassifier(info.Shape, info.ClassNames.Length, info.Options.Width, info.Options.FeatureDim, info.Options.ConvsPerBlock);
        try
        {
            using var r = new BinaryReader(new MemoryStream(File.ReadAllBytes(bin)), Encoding.UTF8);
            if (r.ReadString() != Magic) throw new InvalidDataException("not a reference classifier");
            TorchState.LoadModule(net, r);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidDataException)
        {
            net.Dispose();
            throw new DnnmmInputException($"{bin}: unreadable reference classifier ({e.Message.Split('\n')[0]})");
        }
        var d = Compute.ResolveDevice(device);
        net.to(d);
        net.eval();
        return new ReferenceModel(Path.GetFullPath(dir), info, net, d);
    }

    /// <summary>Writes reference.bin, then reference.json (each atomically).</summary>
    public static void Save(string dir, ReferenceInfo info, ReferenceClassifier net)
    {
        Directory.CreateDirectory(dir);
        AtomicFile.Write(Path.Combine(dir, WeightsFile), s =>
        {
            using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            net.save(w);
        });
        AtomicFile.WriteAllText(Path.Combine(dir, InfoFile), Json.Serialize(info));
    }

    /// <summary>
    /// A one-line input error unless <paramref name="images"/> have this classifier's classes (the same names in the
    /// same order) and shape; <paramref name="what"/> names them in the message.
    /// </summary>
    public void CheckCompatible(IReadOnlyList<string> classNames, ImageShape shape, string what) =>
        CheckCompatible(Info, Folder, classNames, shape, what);

    /// <inheritdoc cref="CheckCompatible(IReadOnlyList{string}, ImageShape, string)"/>
    public static void CheckCompatible(ReferenceInfo info, string folder, IReadOnlyList<string> classNames, ImageShape shape, string what)
    {
        if (!info.ClassNames.SequenceEqual(classNames))
            throw new DnnmmInputException(
                $"reference {folder}: trained on classes {string.Join(",", info.ClassNames)}, but {what} has classes {string.Join(",", classNames)} (the same classes in the same order are needed)");
        if (info.Shape != shape)
            throw new DnnmmInputException($"reference {folder}: trained on {info.Shape} images, but {what} has {shape} images");
    }

    /// <summary>
    /// The reference class and the feature-layer activations of <paramref name="n"/> images (<paramref name="pixels"/>:
    /// n x C x H x W floats in [0, 1]), in batches of <paramref name="batch"/>.
    /// </summary>
    public (int[] Classes, double[,] Features) Classify(float[] pixels, int n, int batch = 500) =>
        Classify(Net, Device, Info.Shape, pixels, n, batch);

    /// <summary>The class and feature-layer activations of n images through <paramref name="net"/> (evaluation mode, no gradients).</summary>
    public static (int[] Classes, double[,] Features) Classify(ReferenceClassifier net, Device device, ImageShape shape, float[] pixels, int n, int batch = 500)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != (long)n * shape.Size) throw new ArgumentException($"{pixels.Length} values for {n} images of {shape}");
        var classes = new int[n];
        var features = new double[n, net.FeatureDim];
        using var _ = no_grad();
        bool training = net.training;
        net.eval();
        for (int s = 0; s < n; s += batch)
        {
            using var scope = NewDisposeScope();
            int len = Math.Min(n, s + batch) - s;
            var x = tensor(pixels.AsSpan(s * shape.Size, len * shape.Size).ToArray(), new long[] { len, shape.Channels, shape.Height, shape.Width }).to(device);
            var f = net.Features(x);
            var c = net.Logits(f).argmax(1).cpu().data<long>().ToArray();
            var fv = f.cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
            int d = net.FeatureDim;
            for (int i = 0; i < len; i++)
            {
                classes[s + i] = (int)c[i];
                for (int j = 0; j < d; j++) features[s + i, j] = fv[i * d + j];
            }
        }
        if (training) net.train();
        return (classes, features);
    }

    /// <summary>The reference classes and features of an image set (checked against this classifier's shape).</summary>
    public (int[] Classes, double[,] Features) Classify(ImageSet images)
    {
        var shape = new ImageShape(images.Channels, images.Height, images.Width);
        if (shape != Info.Shape) throw new DnnmmInputException($"reference {Folder}: trained on {Info.Shape} images, given {shape} images");
        return Classify(images.Pixels, images.Count);
    }

    public void Dispose() => Net.Dispose();
}
