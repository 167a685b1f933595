using System.Globalization;
using System.Text;
using Dnnmm.Infrastructure;

namespace Dnnmm.Methods;

/// <summary>One row of metrics.csv / metrics.json: the figures a method reported for one epoch.</summary>
public sealed record EpochRow(int Epoch, double Seconds, IReadOnlyDictionary<string, double> Values, float[] Omega);

/// <summary>
/// A run folder on disk and every file in it: the one place that knows their names and formats. Every file is
/// written atomically (<see cref="AtomicFile"/>), so a kill never leaves one half written.
/// <list type="bullet">
/// <item>options.json: everything that defines the run (written by the runs layer, read back to repeat or resume it);</item>
/// <item>metrics.json and metrics.csv: one <see cref="EpochRow"/> per finished epoch;</item>
/// <item>model.json: what a saved model knows of its images (<see cref="SavedModelInfo"/>, or DNN-MM's richer record);</item>
/// <item>checkpoint.bin: DNN-MM's networks, optimisers and omega after the last finished epoch;</item>
/// <item>model.bin: a fitted baseline (<see cref="ModelFile"/>);</item>
/// <item>samples.png: generated images, one row per cluster; summary.json: the final figures of a finished run.</item>
/// </list>
/// </summary>
public sealed class RunFolder
{
    public const string OptionsFile = "options.json";
    public const string MetricsCsvFile = "metrics.csv";
    public const string MetricsJsonFile = "metrics.json";
    public const string ModelInfoFile = "model.json";
    public const string CheckpointFile = "checkpoint.bin";
    public const string WeightsFile = "model.bin";
    public const string SamplesFile = "samples.png";
    public const string SummaryFile = "summary.json";

    /// <summary>Every file a run writes, in the order a run writes them.</summary>
    public static readonly string[] Files =
        { OptionsFile, ModelInfoFile, CheckpointFile, MetricsJsonFile, MetricsCsvFile, WeightsFile, SamplesFile, SummaryFile };

    public RunFolder(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new DnnmmInputException("a run folder is required");
        Path = path;
    }

    /// <summary>The folder as given.</summary>
    public string Path { get; }

    public string Options => File(OptionsFile);
    public string MetricsJson => File(MetricsJsonFile);
    public string MetricsCsv => File(MetricsCsvFile);
    public string ModelInfo => File(ModelInfoFile);
    public string Checkpoint => File(CheckpointFile);
    public string Weights => File(WeightsFile);
    public string Samples => File(SamplesFile);
    public string Summary => File(SummaryFile);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public bool Exists => Directory.Exists(Path);
    public bool HasOptions => System.IO.File.Exists(Options);
    public bool HasSummary => System.IO.File.Exists(Summary);
    public bool HasCheckpoint => System.IO.File.Exists(Checkpoint);

    /// <summary>A one-line input error when the folder does not exist.</summary>
    public RunFolder RequireExists()
    {
        if (System.IO.File.Exists(Path)) throw new DnnmmInputException($"{Path}: is a file, not a run folder");
        if (!Exists) throw new DnnmmInputException($"{Path}: run folder not found");
        return this;
    }

    /// <summary>
    /// Makes the folder ready for a new run: creates it, or with <paramref name="force"/> deletes the files of an
    /// earlier run in it (other files stay). A non-empty folder without <paramref name="force"/> is an input error.
    /// </summary>
    public void PrepareNew(bool force)
    {
        if (System.IO.File.Exists(Path)) throw new DnnmmInputException($"{Path}: is a file, not a folder");
        if (Exists && Directory.EnumerateFileSystemEntries(Path).Any(e => !FolderLock.IsLockFile(e)))
        {
            if (!force)
                throw new DnnmmInputException($"{Path}: folder is not empty (another run?); use --force to overwrite or --resume to continue it");
            foreach (var f in Files) System.IO.File.Delete(File(f));
        }
        Directory.CreateDirectory(Path);
    }

    // ---- options.json ----

    public T ReadOptions<T>() => Json.Read<T>(Options);
    public string ReadOptionsText() => System.IO.File.ReadAllText(Options);
    public void WriteOptions(string json) => AtomicFile.WriteAllText(Options, json);

    // ---- model.json ----

    public T ReadModelInfo<T>() => Json.Read<T>(ModelInfo);
    public void WriteModelInfo<T>(T info) => AtomicFile.WriteAllText(ModelInfo, Json.Serialize(info));

    // ---- metrics ----

    /// <summary>The rows of metrics.json; none when no epoch has finished.</summary>
    public List<EpochRow> ReadMetrics() =>
        System.IO.File.Exists(MetricsJson) ? Json.Read<List<EpochRow>>(MetricsJson) : new List<EpochRow>();

    /// <summary>The rows of metrics.json; an input error when there are none to read.</summary>
    public List<EpochRow> RequireMetrics()
    {
        RequireExists();
        if (!System.IO.File.Exists(MetricsJson))
            throw new DnnmmInputException($"{Path}: no {MetricsJsonFile} (not a run folder, or no epoch has finished)");
        return ReadMetrics();
    }

    /// <summary>Writes metrics.json and metrics.csv (epoch, seconds, every value key, omega_0..omega_K-1).</summary>
    public void WriteMetrics(IReadOnlyList<EpochRow> rows)
    {
        AtomicFile.WriteAllText(MetricsJson, Json.Serialize(rows));
        var keys = rows.SelectMany(r => r.Values.Keys).Distinct().ToList();
        int k = rows.Count > 0 ? rows.Max(r => r.Omega.Length) : 0;
        var sb = new StringBuilder();
        sb.Append("epoch,seconds");
        foreach (var key in keys) sb.Append(',').Append(key);
        for (int i = 0; i < k; i++) sb.Append(",omega_").Append(i);
        sb.Append('\n');
        foreach (var r in rows)
        {
            sb.Append(r.Epoch).Append(',').Append(r.Seconds.ToString("F3", CultureInfo.InvariantCulture));
            foreach (var key in keys)
                sb.Append(',').Append(r.Values.TryGetValue(key, out var v) ? v.ToString("G6", CultureInfo.InvariantCulture) : "");
            for (int i = 0; i < k; i++)
                sb.Append(',').Append(i < r.Omega.Length ? r.Omega[i].ToString("G6", CultureInfo.InvariantCulture) : "");
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(MetricsCsv, sb.ToString());
    }

    // ---- summary.json, samples.png, checkpoint.bin ----

    public T ReadSummary<T>() => Json.Read<T>(Summary);
    public void WriteSummary<T>(T summary) => AtomicFile.WriteAllText(Summary, Json.Serialize(summary));
    public void WriteSamples(byte[] png) => AtomicFile.WriteAllBytes(Samples, png);
    public void WriteCheckpoint(byte[] bytes) => AtomicFile.WriteAllBytes(Checkpoint, bytes);

    public override string ToString() => Path;
}
