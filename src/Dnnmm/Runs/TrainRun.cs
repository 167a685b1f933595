using Dnnmm.Data;
using Dnnmm.Evaluation;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Scoring;

namespace Dnnmm.Runs;

/// <summary>
/// The final figures of a run (summary.json): ACC/ARI/NMI on every training image, on the unlabelled ones only (null when
/// none or all are labelled), and on the held-out test images when the run has them (null otherwise); the mean latent
/// log-likelihood (DNN-MM); the learned omega next to the true class proportions of the training images.
/// </summary>
public sealed record TrainSummary(string Method, int Epochs, double Seconds, double? Acc, double? Ari, double? Nmi,
    double? LogLikelihood, float[] Omega, string OutDir)
{
    public double? AccUnlabelled { get; init; }
    public double? AriUnlabelled { get; init; }
    public double? NmiUnlabelled { get; init; }
    public double? AccTest { get; init; }
    public double? AriTest { get; init; }
    public double? NmiTest { get; init; }
    /// <summary>Test images scored (0 without a test split).</summary>
    public int TestImages { get; init; }
    /// <summary>The share of each class among the training images (what a learned omega should approach).</summary>
    public float[] ClassProportions { get; init; } = Array.Empty<float>();
    /// <summary>Sample purity of the generated images under a reference classifier (<see cref="GenerativeScoring"/>); null: not scored.</summary>
    public double? SamplePurity { get; init; }
    /// <summary>Sample purity of each cluster; null: not scored.</summary>
    public double[]? SamplePurityPerCluster { get; init; }
    /// <summary>FID-like Fréchet distance in the reference classifier's feature space (not comparable to Inception FID); null: not scored.</summary>
    public double? FrechetDistance { get; init; }
    /// <summary>The reference classifier's folder the samples were scored with; null: not scored.</summary>
    public string? Reference { get; init; }
    /// <summary>Generated images per cluster that were scored; null: not scored.</summary>
    public int? ReferenceSamples { get; init; }

    /// <summary>This summary with the sample scores <paramref name="g"/>.</summary>
    public TrainSummary WithScores(GenerativeScores g) => this with
    {
        SamplePurity = g.SamplePurity, SamplePurityPerCluster = g.PurityPerCluster, FrechetDistance = g.FrechetDistance,
        Reference = g.Reference, ReferenceSamples = g.SamplesPerCluster,
    };
}

/// <summary>
/// Training, loading and inspecting runs in run folders (<see cref="RunFolder"/>), for any registered method
/// (<see cref="MethodRegistry"/>). A run checks its options and data before touching the folder, then writes
/// options.json, the method's model files, metrics.csv and metrics.json every epoch, samples.png and summary.json. When
/// the data options name a test set, it is read with the training data (before the folder is touched), never shown to
/// the method's Fit, and scored after it: acc_test, ari_test and nmi_test join the last row of the metrics and the summary.
/// With a reference classifier (<see cref="TrainRunOptions.Scoring"/>) a generative method's samples are scored
/// (<see cref="GenerativeScoring"/>) after the fit (sample_purity and frechet in the last row of the metrics, samplePurity
/// and frechetDistance in the summary) and, when asked, every few epochs during it.
/// </summary>
public static class TrainRun
{
    /// <summary>A new, unfitted method as the options say (their method, its options, the data seed).</summary>
    public static IClusteringMethod CreateMethod(TrainRunOptions o) => o.Entry().Create(o.MethodOptions(), o.Data.Seed);

    /// <summary>Reads the options of an existing run (for --resume).</summary>
    public static TrainRunOptions ReadOptions(string outDir) =>
        new RunFolder(outDir).RequireExists().ReadOptions<TrainRunOptions>();

    /// <summary>
    /// The fitted method of a run folder, any method: reads options.json (a folder without one is taken for a DNN-MM
    /// model folder with default options) and restores the saved model on <paramref name="device"/>, so that Predict,
    /// PredictProbabilities, Sample and Encode give what the fitted object gave. A folder without a saved model (a run
    /// that was killed) is a one-line <see cref="DnnmmInputException"/> naming it.
    /// </summary>
    public static IClusteringMethod LoadMethod(string runDir, string device = "cpu")
    {
        var folder = new RunFolder(runDir).RequireExists();
        var o = folder.HasOptions ? folder.ReadOptions<TrainRunOptions>() : new TrainRunOptions();
        MethodEntry entry;
        try { entry = o.Entry(); }
        catch (OptionException) { throw new DnnmmInputException($"{runDir}: options.json names method '{o.Method}', not one of: {string.Join(", ", MethodRegistry.Names)}"); }
        return entry.Load(folder, entry.OnDevice(o.MethodOptions(), device), device, o.Data.Seed);
    }

    /// <summary>The method, image shape, cluster count and class names of a run folder's saved model.</summary>
    public static SavedModelInfo ReadModelInfo(string runDir)
    {
        var folder = new RunFolder(runDir).RequireExists();
        string method = folder.HasOptions ? folder.ReadOptions<TrainRunOptions>().Method : "dnnmm";
        if (!File.Exists(folder.ModelInfo))
            throw new DnnmmInputException($"{runDir}: no saved model ({RunFolder.ModelInfoFile}); the '{method}' run did not finish");
        return folder.ReadModelInfo<SavedModelInfo>().Check(folder.ModelInfo) with { Method = method };
    }

    /// <summary>
    /// Trains the method of <paramref name="o"/> into <paramref name="outDir"/> (new, or with <paramref name="force"/> over an
    /// earlier run), holding the folder's <see cref="FolderLock"/> until it is done. With <paramref name="resume"/> it continues
    /// the run in the folder: <paramref name="o"/> must then be the run's options (<see cref="ReadOptions"/>), changed at most
    /// in what <see cref="ResumeOptions"/> allows (more epochs, threads, device, monitorEvery); anything else is an input error.
    /// </summary>
    public static TrainSummary Run(TrainRunOptions o, string outDir, bool force, bool resume,
        Action<string>? log = null, Action<EpochReport>? onEpoch = null, Action<int, int, IReadOnlyDictionary<string, double>>? onStep = null,
        CancellationToken cancel = default, Action<IClusteringMethod, PreparedData>? afterFit = null,
        Action<IClusteringMethod, PreparedData, EpochReport>? afterEpoch = null)
    {
        if (string.IsNullOrWhiteSpace(outDir)) throw new DnnmmInputException("a run folder is required");
        var folder = new RunFolder(outDir);
        if (resume)
        {
            // The run's own options, where only ResumeOptions.Changeable ones (more epochs, threads, device) may differ.
            var saved = ReadOptions(outDir);
            var conflicts = ResumeOptions.Conflicts(saved, o);
            if (conflicts.Count > 0)
                throw new DnnmmInputException($"{outDir}: resuming with other options than the run's options.json ({string.Join(", ", conflicts)}); a resumed run keeps its options except {string.Join(", ", ResumeOptions.ChangeableMethodOptions.Concat(ResumeOptions.ChangeableRunOptions))}");
            int done = folder.ReadMetrics().LastOrDefault()?.Epoch ?? 0;
            if (o.Entry().CanResume && done > o.MethodOptions().Epochs)
                throw new OptionException("epochs", $"{o.MethodOptions().Epochs} is below the {done} epochs the run has already done (resume with at least {done})") { Scope = o.Entry().OptionsType };
        }
        // Check everything before the run folder is touched, so bad input never costs an earlier result.
        o.Validate();
        Compute.ResolveThreads(0); // a malformed DNNMM_THREADS is an input error here, not after the folder is written
        var entry = o.Entry();
        if (resume && !entry.CanResume)
            throw new DnnmmInputException($"{outDir}: method '{o.Method}' keeps no checkpoints to resume from; train it again with --force");
        var data = DataPipeline.Prepare(o.Data);
        DataPipeline.CheckClusterCount(data);
        var test = DataPipeline.PrepareTest(o.Data, data.Images);
        var input = new FitInput(data.Images, data.Labelled);
        if (input.Clusters < 2)
            throw new OptionException("classes", $"{string.Join(",", data.Images.ClassNames)}: clustering needs at least 2 clusters, the data has {input.Clusters} class (give two or more classes)") { Scope = typeof(DataOptions) };
        o.MethodOptions().Validate(input);
        if (o.Scoring.Reference is string refDir)
        {
            if (!entry.Generative)
                throw new OptionException("reference", $"{refDir}: method '{o.Method}' cannot generate images, so there are no samples to score") { Scope = typeof(ReferenceScoringOptions) };
            var refInfo = ReferenceModel.ReadInfo(refDir);
            ReferenceModel.CheckCompatible(refInfo, refDir, data.Images.ClassNames, MethodCommon.ShapeOf(data.Images), "the run's data");
            if (DataDiffers(refInfo.Data, o.Data) is string diff) log?.Invoke($"note: the reference was trained on other data than the run ({diff})");
            o = o with { Scoring = o.Scoring with { Reference = Path.GetFullPath(refDir) } };
        }
        using var reference = o.Scoring.Reference is string r0 ? ReferenceModel.Load(r0) : null;

        // One process at a time in a run folder, whatever --force says; released when the run ends.
        using var folderLock = FolderLock.Acquire(outDir, "run folder");
        if (folderLock.TakenOverFrom is string stale) log?.Invoke($"took over the lock of {stale}, which no longer runs");
        if (!resume) folder.PrepareNew(force);
        // A resume writes its options (more epochs, threads) only once it has loaded its checkpoint and finished an
        // epoch, so a resume that fails (a damaged checkpoint) leaves the folder as it was.
        bool optionsWritten = false;
        void WriteOptions()
        {
            if (optionsWritten) return;
            optionsWritten = true;
            string json = Json.Serialize(o);
            if (!resume || !folder.HasOptions || folder.ReadOptionsText() != json) folder.WriteOptions(json);
        }
        if (!resume) WriteOptions();
        log?.Invoke(data.Describe());
        if (test != null) log?.Invoke($"test set:  {test.Count} images ({test.Source}), scored after training");

        var rows = resume ? folder.ReadMetrics() : new List<EpochRow>();
        bool scoringFailed = false;
        using var method = entry.Create(o.MethodOptions(), o.Data.Seed);
        var ctx = new FitContext
        {
            // A flat folder's images have no classes (some have labels): nothing to score ACC/ARI/NMI against.
            MonitorLabels = data.Images.AllLabelled ? data.Images.Labels : null,
            MonitorEvery = o.MonitorEvery,
            Folder = folder,
            Resume = resume,
            Log = log,
            OnStep = onStep,
            Cancellation = cancel,
            OnEpoch = r =>
            {
                WriteOptions();
                if (reference is not null && o.Scoring.ReferenceEvery > 0 && r.Epoch % o.Scoring.ReferenceEvery == 0 && r.Epoch < r.Epochs
                    && !scoringFailed && method.CanSample)
                {
                    try
                    {
                        var g = GenerativeScoring.Score(method, data.Images, reference, o.Scoring.ReferenceSamples, o.Data.Seed);
                        r = r with { Values = r.Values.Concat(GenerativeScoring.Values(g)).ToDictionary() };
                    }
                    catch (InvalidOperationException e)
                    {
                        // A method whose predictions need the end of its fit (ClusterGAN's k-means readout) is scored at the end only.
                        scoringFailed = true;
                        log?.Invoke($"no per-epoch sample scores: {e.Message}");
                    }
                }
                rows.RemoveAll(x => x.Epoch >= r.Epoch);
                rows.Add(new EpochRow(r.Epoch, r.Seconds, r.Values, r.Omega ?? Array.Empty<float>()));
                folder.WriteMetrics(rows);
                onEpoch?.Invoke(r);
                afterEpoch?.Invoke(method, data, r);
            },
        };
        method.Fit(input, ctx);
        WriteOptions();
        if (method is ISavableMethod savable) savable.Save(folder.Path);
        afterFit?.Invoke(method, data);

        var testScores = test is null ? null : ScoreTest(method, test);
        if (testScores != null && rows.Count > 0)
        {
            rows[^1] = rows[^1] with { Values = rows[^1].Values.Concat(testScores).ToDictionary() };
            folder.WriteMetrics(rows);
        }
        GenerativeScores? gen = null;
        if (reference is not null)
        {
            if (method.CanSample)
            {
                gen = GenerativeScoring.Score(method, data.Images, reference, o.Scoring.ReferenceSamples, o.Data.Seed);
                if (rows.Count > 0)
                {
                    rows[^1] = rows[^1] with { Values = rows[^1].Values.Concat(GenerativeScoring.Values(gen)).ToDictionary() };
                    folder.WriteMetrics(rows);
                }
            }
            else log?.Invoke($"--reference: the '{o.Method}' model cannot generate images (no adversarial or consistency term); its samples are not scored");
        }
        if (method.CanSample) folder.WriteSamples(SampleGridPng(method, data.Images, o.Data.Seed));
        var last = rows.LastOrDefault();
        double? Get(string k) => last is not null && last.Values.TryGetValue(k, out var v) ? v : null;
        var summary = new TrainSummary(o.Method, last?.Epoch ?? 0, rows.Sum(r => r.Seconds), Get("acc"), Get("ari"), Get("nmi"),
            Get("log_likelihood"), last?.Omega ?? Array.Empty<float>(), Path.GetFullPath(outDir))
        {
            AccUnlabelled = Get("acc_unlabelled"), AriUnlabelled = Get("ari_unlabelled"), NmiUnlabelled = Get("nmi_unlabelled"),
            AccTest = testScores?["acc_test"], AriTest = testScores?["ari_test"], NmiTest = testScores?["nmi_test"], TestImages = test?.Count ?? 0,
            ClassProportions = ClassProportions(data.Images),
        };
        if (gen is not null) summary = summary.WithScores(gen);
        folder.WriteSummary(summary);
        return summary;
    }

    /// <summary>
    /// Scores the samples of a finished run (<see cref="GenerativeScoring"/>) with the reference classifier in
    /// <paramref name="referenceDir"/>: the run's model, its training images (its options' data, read again), N samples
    /// per cluster with noise from <paramref name="seed"/> (default: the run's data seed). A run whose model cannot
    /// generate images, or whose classes or image shape differ from the reference's, is a one-line input error; a
    /// reference trained on other data options (another source, noise, image size) is noted through <paramref name="log"/>.
    /// </summary>
    public static GenerativeScores ScoreRun(string runDir, string referenceDir, int samplesPerCluster = ReferenceScoringOptions.DefaultSamples,
        int? seed = null, string device = "cpu", Action<string>? log = null) =>
        ScoreRun(runDir, referenceDir, samplesPerCluster, seed, device, log, required: true)!;

    /// <summary>As <see cref="ScoreRun(string, string, int, int?, string, Action{string}?)"/>, but null for a run whose method or model cannot generate images.</summary>
    public static GenerativeScores? TryScoreRun(string runDir, string referenceDir, int samplesPerCluster = ReferenceScoringOptions.DefaultSamples,
        int? seed = null, string device = "cpu", Action<string>? log = null) =>
        ScoreRun(runDir, referenceDir, samplesPerCluster, seed, device, log, required: false);

    private static GenerativeScores? ScoreRun(string runDir, string referenceDir, int samplesPerCluster, int? seed, string device,
        Action<string>? log, bool required)
    {
        var folder = new RunFolder(runDir).RequireExists();
        var o = folder.HasOptions ? folder.ReadOptions<TrainRunOptions>() : new TrainRunOptions();
        var info = ReferenceModel.ReadInfo(referenceDir);
        if (!o.Entry().Generative)
            return required ? throw new DnnmmInputException($"{runDir}: method '{o.Method}' cannot generate images, so there are no samples to score") : null;
        if (samplesPerCluster < 2) throw new OptionException("n", $"{samplesPerCluster} must be at least 2");
        using var method = LoadMethod(runDir, device);
        if (!method.CanSample)
            return required
                ? throw new DnnmmInputException($"{runDir}: the '{o.Method}' model cannot generate images (no adversarial or consistency term), so there are no samples to score")
                : null;
        var data = DataPipeline.Prepare(o.Data);
        ReferenceModel.CheckCompatible(info, referenceDir, data.Images.ClassNames, MethodCommon.ShapeOf(data.Images), $"run {runDir}");
        if (DataDiffers(info.Data, o.Data) is string diff) log?.Invoke($"note: the reference was trained on other data than the run ({diff})");
        using var reference = ReferenceModel.Load(referenceDir, device);
        return GenerativeScoring.Score(method, data.Images, reference, samplesPerCluster, seed ?? o.Data.Seed);
    }

    /// <summary>Where a reference's data options and a run's select different images (source, classes, sizes, noise, image size), in words; null when they do not.</summary>
    public static string? DataDiffers(DataOptions reference, DataOptions run)
    {
        var diffs = new List<string>();
        if (DatasetSpecText(reference.Data) != DatasetSpecText(run.Data)) diffs.Add($"data {reference.Data} vs {run.Data}");
        if (reference.Split != run.Split) diffs.Add($"split {reference.Split} vs {run.Split}");
        if (reference.NoiseStd != run.NoiseStd) diffs.Add($"noise std {DataOptions.Num(reference.NoiseStd)} vs {DataOptions.Num(run.NoiseStd)}");
        if (reference.PerClass != run.PerClass || reference.Offset != run.Offset || reference.Imbalance != run.Imbalance
            || !(reference.ClassSizes ?? Array.Empty<int>()).SequenceEqual(run.ClassSizes ?? Array.Empty<int>()))
            diffs.Add("images per class");
        if (reference.ImageSize != run.ImageSize || reference.Channels != run.Channels) diffs.Add("image size or channels");
        return diffs.Count == 0 ? null : string.Join("; ", diffs);
    }

    private static string DatasetSpecText(string spec)
    {
        try { return DatasetSpec.Parse(spec).Display; }
        catch (DnnmmInputException) { return spec; }
    }

    /// <summary>
    /// acc_test, ari_test and nmi_test: the fitted method's clusters of the held-out test images
    /// (<see cref="DataPipeline.PrepareTest"/>) scored against their classes.
    /// </summary>
    public static IReadOnlyDictionary<string, double> ScoreTest(IClusteringMethod method, ImageSet test)
    {
        var s = ClusteringMetrics.Score(test.Labels, method.Predict(test));
        return new Dictionary<string, double> { ["acc_test"] = s.Acc, ["ari_test"] = s.Ari, ["nmi_test"] = s.Nmi };
    }

    /// <summary>The share of each class among the images; empty when some images have no class (a flat folder).</summary>
    public static float[] ClassProportions(ImageSet images)
    {
        if (!images.AllLabelled) return Array.Empty<float>();
        var p = new float[images.ClassNames.Length];
        foreach (int y in images.Labels) p[y]++;
        for (int k = 0; k < p.Length; k++) p[k] /= Math.Max(1, images.Count);
        return p;
    }

    /// <summary>A PNG with one row of <paramref name="perCluster"/> generated samples per cluster.</summary>
    public static byte[] SampleGridPng(IClusteringMethod method, ImageSet like, int seed, int perCluster = 10)
    {
        var all = new List<float>();
        for (int k = 0; k < method.Clusters; k++) all.AddRange(method.Sample(k, perCluster, seed + k));
        return ImageGrid.ToPng(all.ToArray(), method.Clusters * perCluster, like.Channels, like.Height, like.Width, perCluster);
    }
}
