using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Dnnmm.Data;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;

namespace Dnnmm.Visualisation;

/// <summary>
/// A training's TensorBoard log: one event file (<see cref="EventFileWriter"/>) with the per-epoch figures
/// (<see cref="EpochReport"/>) as scalars — loss/&lt;term&gt; for the loss terms, metrics/&lt;name&gt; for everything else a
/// method reports (acc, ari, nmi, log_likelihood, ...), omega/&lt;k&gt; for the mixture weights and time/epoch_seconds — and
/// the generated samples of every epoch as an image (tag "samples", PNG: one labelled row per cluster); the step is the
/// epoch. After training, the latent codes go to the embedding projector (<see cref="WriteEmbedding"/>):
/// projector_config.pbtxt in the log folder and latent/tensors.tsv, latent/metadata.tsv (class and cluster of each
/// image) and latent/sprite.png. The folder and its event file are created at the first write, so a training that
/// fails on bad input leaves nothing behind.
/// </summary>
public sealed class TensorBoardLog : IDisposable
{
    /// <summary>Keys written under loss/ (the terms of the MinMax+EM objective).</summary>
    public static readonly IReadOnlySet<string> LossKeys =
        new HashSet<string> { "likelihood", "labelled_likelihood", "consistency", "adversarial_g", "loss_d" };

    /// <summary>The tag of the per-epoch sample grids.</summary>
    public const string SamplesTag = "samples";
    /// <summary>The projector's configuration, in the log folder.</summary>
    public const string ProjectorConfigFile = "projector_config.pbtxt";
    /// <summary>The folder of the latent codes' files, within the log folder, and the tensor's name in the projector.</summary>
    public const string EmbeddingName = "latent";
    /// <summary>The largest sprite side the projector takes (pixels).</summary>
    public const int MaxSpriteSide = 8192;

    private readonly string dir;
    private EventFileWriter? writer;

    /// <summary>Checks that <paramref name="logDir"/> can be a folder (it is not a file); creates nothing yet.</summary>
    public TensorBoardLog(string logDir)
    {
        if (string.IsNullOrWhiteSpace(logDir)) throw new DnnmmInputException("--tensorboard: a folder is required");
        if (File.Exists(logDir)) throw new DnnmmInputException($"--tensorboard {logDir}: is a file, not a folder");
        dir = logDir;
    }

    /// <summary>The log folder.</summary>
    public string Directory => dir;

    /// <summary>The event file written to (null before the first write).</summary>
    public string? EventFile => writer?.Path;

    /// <summary>The tag a value of a report is written under.</summary>
    public static string Tag(string key) => (LossKeys.Contains(key) ? "loss/" : "metrics/") + key;

    private EventFileWriter Writer => writer ??= new EventFileWriter(dir);

    /// <summary>Appends one epoch's scalars (non-finite values are skipped).</summary>
    public void Write(EpochReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var values = new List<(string Tag, float Value)>();
        foreach (var (key, value) in report.Values)
            if (double.IsFinite(value)) values.Add((Tag(key), (float)value));
        if (report.Omega is not null)
            for (int k = 0; k < report.Omega.Length; k++)
                values.Add(($"omega/{k}", report.Omega[k]));
        values.Add(("time/epoch_seconds", (float)report.Seconds));
        double wall = EventFileWriter.WallTime();
        foreach (var (tag, value) in values)
            Writer.Write(Event(report.Epoch, wall, new Tensorboard.Summary.Types.Value { Tag = tag, SimpleValue = value }));
    }

    /// <summary>
    /// Appends an image summary: the PNG bytes as they are, with the width, height and colour space read from its header
    /// (1 grey, 2 grey and alpha, 3 RGB, 4 RGBA).
    /// </summary>
    /// <exception cref="ArgumentException">bytes that are not a PNG.</exception>
    public void WriteImage(string tag, int step, byte[] png)
    {
        ArgumentNullException.ThrowIfNull(png);
        var (width, height, colourspace) = PngHeader(png);
        var image = new Tensorboard.Summary.Types.Image
        {
            Height = height, Width = width, Colorspace = colourspace, EncodedImageString = ByteString.CopyFrom(png),
        };
        Writer.Write(Event(step, EventFileWriter.WallTime(), new Tensorboard.Summary.Types.Value { Tag = tag, Image = image }));
    }

    /// <summary>
    /// Appends the method's generated samples as image <see cref="SamplesTag"/> at <paramref name="step"/>: one row of
    /// <paramref name="perCluster"/> images per cluster, from the same seeds every epoch (so the rows can be compared
    /// across epochs), labelled with the class names and omega (<see cref="GenerativePictures.SamplesGrid"/>). Sampling
    /// draws from its own random generator, so a training that logs samples trains exactly as one that does not.
    /// Returns false (and writes nothing) for a method that cannot generate images.
    /// </summary>
    public bool WriteSamples(int step, IClusteringMethod method, ImageSet like, int perCluster = 8, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(like);
        if (!method.CanSample) return false;
        WriteImage(SamplesTag, step, GenerativePictures.SamplesGrid(method, like.Channels, like.Height, like.Width, like.ClassNames, perCluster, seed, scale: 1));
        return true;
    }

    /// <summary>
    /// Writes the latent codes E(x) of the images for TensorBoard's embedding projector: latent/tensors.tsv (one row of d
    /// values per image), latent/metadata.tsv (a header line, then per image its index, file where the images have files,
    /// class — empty where it is unknown — and predicted cluster), latent/sprite.png (the images in a grid, when it fits in
    /// <see cref="MaxSpriteSide"/> pixels) and projector_config.pbtxt naming them, each written atomically. At most
    /// <paramref name="maxPoints"/> images, evenly spaced, are written. Returns the number written, 0 for a method without
    /// latent codes (<see cref="ILatentEncoder"/>).
    /// </summary>
    public int WriteEmbedding(IClusteringMethod method, ImageSet images, int maxPoints = 10000)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(images);
        if (method is not ILatentEncoder encoder || images.Count == 0 || maxPoints < 1) return 0;
        int n = Math.Min(images.Count, maxPoints);
        var subset = n == images.Count ? images
            : images.Subset(Enumerable.Range(0, n).Select(i => (int)((long)i * images.Count / n)).ToArray());
        var codes = encoder.Encode(subset);
        int d = encoder.LatentDim;
        var clusters = method.Predict(subset);
        var inv = CultureInfo.InvariantCulture;

        var tensors = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                if (j > 0) tensors.Append('\t');
                tensors.Append(codes[(long)i * d + j].ToString(inv)); // shortest text that reads back exactly
            }
            tensors.Append('\n');
        }
        var meta = new StringBuilder(subset.Files is null ? "index\tclass\tcluster\n" : "index\tfile\tclass\tcluster\n");
        for (int i = 0; i < n; i++)
        {
            meta.Append(i.ToString(inv));
            if (subset.Files is not null) meta.Append('\t').Append(TsvField(subset.Files[i]));
            int y = subset.Labels[i];
            meta.Append('\t').Append(y >= 0 ? TsvField(subset.ClassNames[y]) : "").Append('\t').Append(clusters[i].ToString(inv)).Append('\n');
        }
        string folder = Path.Combine(dir, EmbeddingName);
        AtomicFile.WriteAllText(Path.Combine(folder, "tensors.tsv"), tensors.ToString());
        AtomicFile.WriteAllText(Path.Combine(folder, "metadata.tsv"), meta.ToString());

        var config = new StringBuilder()
            .Append("embeddings {\n")
            .Append($"  tensor_name: \"{EmbeddingName}\"\n")
            .Append($"  tensor_path: \"{EmbeddingName}/tensors.tsv\"\n")
            .Append($"  metadata_path: \"{EmbeddingName}/metadata.tsv\"\n");
        int columns = (int)Math.Ceiling(Math.Sqrt(n));
        if (columns * Math.Max(subset.Height, subset.Width) <= MaxSpriteSide)
        {
            AtomicFile.WriteAllBytes(Path.Combine(folder, "sprite.png"),
                ImageGrid.ToPng(subset.Pixels, n, subset.Channels, subset.Height, subset.Width, columns, scale: 1, gap: 0));
            config.Append("  sprite {\n")
                .Append($"    image_path: \"{EmbeddingName}/sprite.png\"\n")
                .Append($"    single_image_dim: {subset.Width}\n")
                .Append($"    single_image_dim: {subset.Height}\n")
                .Append("  }\n");
        }
        config.Append("}\n");
        AtomicFile.WriteAllText(Path.Combine(dir, ProjectorConfigFile), config.ToString());
        return n;
    }

    /// <summary>Width, height and TensorBoard colour space (1 grey, 2 grey + alpha, 3 RGB, 4 RGBA) from a PNG's IHDR chunk.</summary>
    public static (int Width, int Height, int Colourspace) PngHeader(ReadOnlySpan<byte> png)
    {
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 26 || !png[..8].SequenceEqual(signature) || !png.Slice(12, 4).SequenceEqual("IHDR"u8))
            throw new ArgumentException("not a PNG image (no PNG signature and IHDR chunk)");
        int width = BinaryPrimitives.ReadInt32BigEndian(png[16..]), height = BinaryPrimitives.ReadInt32BigEndian(png[20..]);
        int colourspace = png[25] switch { 0 => 1, 4 => 2, 2 => 3, 6 => 4, 3 => 3, var t => throw new ArgumentException($"PNG colour type {t}") };
        return (width, height, colourspace);
    }

    private static string TsvField(string s) => s.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    private static Tensorboard.Event Event(int step, double wall, Tensorboard.Summary.Types.Value value)
    {
        var summary = new Tensorboard.Summary();
        summary.Value.Add(value);
        return new Tensorboard.Event { Step = step, WallTime = wall, Summary = summary };
    }

    /// <summary>Closes the event file.</summary>
    public void Dispose() => writer?.Dispose();
}
