using System.Globalization;
using System.Text;
using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Methods.ClusterGan;
using Dnnmm.Methods.DynAe;
using Dnnmm.Methods.KMeans;
using Dnnmm.Methods.LabelledOnly;

namespace Dnnmm.Runs;

/// <summary>Everything that defines a training run; saved as options.json so that a run can be repeated exactly.</summary>
public sealed record TrainRunOptions
{
    public DataOptions Data { get; init; } = new();
    public string Method { get; init; } = "dnnmm";
    public DnnmmOptions Dnnmm { get; init; } = new();
    public ClusterGanOptions ClusterGan { get; init; } = new();
    public DynAeOptions DynAe { get; init; } = new();
    public KMeansOptions KMeans { get; init; } = new();
    public LabelledOnlyOptions LabelledOnly { get; init; } = new();
    /// <summary>Score ACC/ARI/NMI against the true labels every this many epochs (and in the last one); see <see cref="FitContext.MonitorEvery"/>.</summary>
    public int MonitorEvery { get; init; } = 1;

    /// <summary>The options of the chosen method.</summary>
    public IMethodOptions MethodOptions() => Method switch
    {
        "dnnmm" => Dnnmm,
        "clustergan" => ClusterGan,
        "dynae" => DynAe,
        "kmeans" => KMeans,
        "labelled-only" => LabelledOnly,
        _ => throw new DnnmmInputException($"--method '{Method}' is not one of: {string.Join(", ", TrainRun.Methods)}"),
    };
}

/// <summary>One row of metrics.csv / metrics.json.</summary>
public sealed record EpochRow(int Epoch, double Seconds, IReadOnlyDictionary<string, double> Values, float[] Omega);

/// <summary>The final figures of a run.</summary>
public sealed record TrainSummary(string Method, int Epochs, double Seconds, double? Acc, double? Ari, double? Nmi,
    double? LogLikelihood, float[] Omega, string OutDir);

/// <summary>
/// A training run in a run folder: checks the options and data before touching the folder, then
/// writes options.json, model.json, checkpoint.bin (every epoch), metrics.csv and metrics.json
/// (every epoch), samples.png (one row per cluster) and summary.json, each atomically. DNN-MM writes
/// model.json and checkpoint.bin while it trains; a baseline (<see cref="ISavableMethod"/>) writes
/// model.bin and model.json once fitted. <see cref="LoadMethod"/> reads either back.
/// </summary>
public static class TrainRun
{
    public const string OptionsFile = "options.json";
    public const string MetricsCsv = "metrics.csv";
    public const string MetricsJson = "metrics.json";
    public const string SamplesPng = "samples.png";
    public const string SummaryFile = "summary.json";

    /// <summary>Every method a run can train: DNN-MM, the paper's baselines and two references.</summary>
    public static readonly string[] Methods = { "dnnmm", "clustergan", "dynae", "kmeans", "labelled-only" };

    public static IClusteringMethod CreateMethod(TrainRunOptions o) => o.Method switch
    {
        "dnnmm" => new DnnmmMethod(o.Dnnmm, o.Data.Seed),
        "clustergan" => new ClusterGanMethod(o.ClusterGan, o.Data.Seed),
        "dynae" => new DynAeMethod(o.DynAe, o.Data.Seed),
        "kmeans" => new KMeansMethod(o.KMeans, o.Data.Seed),
        "labelled-only" => new LabelledOnlyMethod(o.LabelledOnly, o.Data.Seed),
        _ => throw new DnnmmInputException($"--method '{o.Method}' is not one of: {string.Join(", ", Methods)}"),
    };

    /// <summary>Options as saved in options.json.</summary>
    public static string OptionsJson(TrainRunOptions o) => Json.Serialize(o);

    /// <summary>Whether a method writes per-epoch checkpoints that --resume can continue from.</summary>
    public static bool CanResume(string method) => method == "dnnmm";

    /// <summary>Reads the options of an existing run (for --resume).</summary>
    public static TrainRunOptions ReadOptions(string outDir)
    {
        if (!Directory.Exists(outDir)) throw new DnnmmInputException($"--resume {outDir}: folder not found");
        return Json.Read<TrainRunOptions>(Path.Combine(outDir, OptionsFile));
    }

    /// <summary>
    /// The fitted method of a run folder, any method: reads options.json (a folder without one is taken
    /// for a DNN-MM model folder) and restores the saved model on <paramref name="device"/>, so that
    /// Predict, PredictProbabilities, Sample and Encode give what the fitted object gave. A folder without
    /// a saved model (a run that was killed) is a one-line <see cref="DnnmmInputException"/> naming it.
    /// </summary>
    public static IClusteringMethod LoadMethod(string runDir, string device = "cpu")
    {
        if (!Directory.Exists(runDir)) throw new DnnmmInputException($"--model {runDir}: folder not found");
        string optionsPath = Path.Combine(runDir, OptionsFile);
        if (!File.Exists(optionsPath)) return DnnmmMethod.Load(runDir, device);
        var o = Json.Read<TrainRunOptions>(optionsPath);
        int seed = o.Data.Seed;
        return o.Method switch
        {
            "dnnmm" => LoadDnnmm(runDir, device),
            "clustergan" => ClusterGanMethod.Load(runDir, o.ClusterGan with { Device = device }, seed),
            "dynae" => DynAeMethod.Load(runDir, o.DynAe with { Device = device }, seed),
            "kmeans" => KMeansMethod.Load(runDir, o.KMeans, seed),
            "labelled-only" => LabelledOnlyMethod.Load(runDir, o.LabelledOnly with { Device = device }, seed),
            _ => throw new DnnmmInputException($"--model {runDir}: options.json names method '{o.Method}', not one of: {string.Join(", ", Methods)}"),
        };
    }

    private static DnnmmMethod LoadDnnmm(string runDir, string device)
    {
        if (!File.Exists(Path.Combine(runDir, DnnmmMethod.ModelInfoFile)) || !File.Exists(Path.Combine(runDir, DnnmmMethod.CheckpointFile)))
            throw new DnnmmInputException(
                $"--model {runDir}: no saved model ({DnnmmMethod.ModelInfoFile} and {DnnmmMethod.CheckpointFile}); the 'dnnmm' run did not finish an epoch");
        return DnnmmMethod.Load(runDir, device);
    }

    /// <summary>The method, image shape, cluster count and class names of a run folder's saved model.</summary>
    public static SavedModelInfo ReadModelInfo(string runDir)
    {
        if (!Directory.Exists(runDir)) throw new DnnmmInputException($"--model {runDir}: folder not found");
        string optionsPath = Path.Combine(runDir, OptionsFile);
        string method = File.Exists(optionsPath) ? Json.Read<TrainRunOptions>(optionsPath).Method : "dnnmm";
        string info = Path.Combine(runDir, DnnmmMethod.ModelInfoFile);
        if (!File.Exists(info)) throw new DnnmmInputException($"--model {runDir}: no saved model ({DnnmmMethod.ModelInfoFile}); the '{method}' run did not finish");
        return Json.Read<SavedModelInfo>(info) with { Method = method };
    }

    public static TrainSummary Run(TrainRunOptions o, string outDir, bool force, bool resume,
        Action<string>? log = null, Action<EpochReport>? onEpoch = null, Action<int, int, IReadOnlyDictionary<string, double>>? onStep = null,
        CancellationToken cancel = default, Action<IClusteringMethod, PreparedData>? afterFit = null)
    {
        if (string.IsNullOrWhiteSpace(outDir)) throw new DnnmmInputException("--out: a run folder is required");
        if (resume) o = ReadOptions(outDir);
        // Check everything before the run folder is touched, so bad input never costs an earlier result.
        var methodOptions = o.MethodOptions();
        if (o.MonitorEvery < 1) throw new DnnmmInputException($"--monitor-every {o.MonitorEvery}: must be at least 1");
        if (resume && !CanResume(o.Method))
            throw new DnnmmInputException($"--resume {outDir}: method '{o.Method}' keeps no checkpoints; train it again with --force");
        var data = DataPipeline.Prepare(o.Data);
        methodOptions.Validate(new FitInput(data.Images, data.Labelled));

        if (!resume) PrepareFolder(outDir, force);
        AtomicFile.WriteAllText(Path.Combine(outDir, OptionsFile), OptionsJson(o));
        log?.Invoke(data.Describe());

        var rows = resume ? ReadRows(outDir) : new List<EpochRow>();
        using var method = CreateMethod(o);
        var ctx = new FitContext
        {
            MonitorLabels = data.Images.Labels,
            MonitorEvery = o.MonitorEvery,
            CheckpointDir = outDir,
            Resume = resume,
            Log = log,
            OnStep = onStep,
            Cancellation = cancel,
            OnEpoch = r =>
            {
                rows.RemoveAll(x => x.Epoch >= r.Epoch);
                rows.Add(new EpochRow(r.Epoch, r.Seconds, r.Values, r.Omega ?? Array.Empty<float>()));
                WriteRows(outDir, rows);
                onEpoch?.Invoke(r);
            },
        };
        method.Fit(new FitInput(data.Images, data.Labelled), ctx);
        if (method is ISavableMethod savable) savable.Save(outDir);
        afterFit?.Invoke(method, data);

        if (method.CanSample) WriteSampleGrid(method, data.Images, Path.Combine(outDir, SamplesPng), o.Data.Seed);
        var last = rows.LastOrDefault();
        double? Get(string k) => last is not null && last.Values.TryGetValue(k, out var v) ? v : null;
        var summary = new TrainSummary(o.Method, last?.Epoch ?? 0, rows.Sum(r => r.Seconds), Get("acc"), Get("ari"), Get("nmi"),
            Get("log_likelihood"), last?.Omega ?? Array.Empty<float>(), Path.GetFullPath(outDir));
        AtomicFile.WriteAllText(Path.Combine(outDir, SummaryFile), Json.Serialize(summary));
        return summary;
    }

    private static void PrepareFolder(string outDir, bool force)
    {
        if (File.Exists(outDir)) throw new DnnmmInputException($"--out {outDir}: is a file, not a folder");
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
        {
            if (!force)
                throw new DnnmmInputException($"--out {outDir}: folder is not empty (another run?); use --force to overwrite or --resume to continue it");
            foreach (var f in new[] { OptionsFile, MetricsCsv, MetricsJson, SamplesPng, SummaryFile, DnnmmMethod.CheckpointFile, DnnmmMethod.ModelInfoFile, ModelFile.WeightsFile })
                File.Delete(Path.Combine(outDir, f));
        }
        Directory.CreateDirectory(outDir);
    }

    public static List<EpochRow> ReadRows(string outDir)
    {
        string p = Path.Combine(outDir, MetricsJson);
        return File.Exists(p) ? Json.Read<List<EpochRow>>(p) : new List<EpochRow>();
    }

    private static void WriteRows(string outDir, List<EpochRow> rows)
    {
        AtomicFile.WriteAllText(Path.Combine(outDir, MetricsJson), Json.Serialize(rows));
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
        AtomicFile.WriteAllText(Path.Combine(outDir, MetricsCsv), sb.ToString());
    }

    /// <summary>A PNG with one row of generated samples per cluster.</summary>
    public static void WriteSampleGrid(IClusteringMethod method, ImageSet like, string path, int seed, int perCluster = 10)
    {
        var all = new List<float>();
        for (int k = 0; k < method.Clusters; k++) all.AddRange(method.Sample(k, perCluster, seed + k));
        var png = ImageGrid.ToPng(all.ToArray(), method.Clusters * perCluster, like.Channels, like.Height, like.Width, perCluster);
        AtomicFile.WriteAllBytes(path, png);
    }
}
