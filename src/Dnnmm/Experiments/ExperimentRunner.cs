using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Methods;
using Dnnmm.Runs;
using Dnnmm.Scoring;
using Dnnmm.Tsne;
using Dnnmm.Visualisation;

namespace Dnnmm.Experiments;

/// <summary>Where a sweep stands, for progress displays.</summary>
/// <param name="Done">Cells of this shard finished (including those finished by an earlier, interrupted sweep).</param>
/// <param name="Total">Cells of this shard.</param>
/// <param name="Current">The cell being trained; null between cells and at the end.</param>
/// <param name="Remaining">Estimated time left: per remaining cell the mean time of its method's finished runs; null while nothing is known.</param>
public sealed record ExperimentProgress(int Done, int Total, ExperimentCell? Current, EpochReport? Epoch, TimeSpan? Remaining);

/// <summary>Hooks of <see cref="ExperimentRunner.Run"/>.</summary>
public sealed class ExperimentHooks
{
    public Action<ExperimentProgress>? Progress { get; init; }
    public Action<string>? Log { get; init; }
    public CancellationToken Cancellation { get; init; }
}

/// <summary>What a sweep or a merge produced.</summary>
public sealed record ExperimentOutcome(string OutDir, IReadOnlyList<ResultRow> Rows, int Ran, int Skipped,
    IReadOnlyList<string> Failures, string ReportPath);

/// <summary>The saved state of an experiment folder (experiment.json).</summary>
public sealed record ExperimentFile(ExperimentConfig Config, string Command, string Machine);

/// <summary>
/// Runs a grid (or one shard of it) into an experiment folder: every cell is an ordinary run folder under
/// runs/&lt;dataset&gt;/&lt;method&gt;/a&lt;alpha&gt;-s&lt;seed&gt;/. A cell whose summary.json exists with the same options is
/// skipped; a DNN-MM cell killed mid-training resumes from its checkpoint; any other unfinished cell is trained
/// again. results.csv is rebuilt from the finished run folders after every cell (written atomically), so a killed
/// sweep loses at most the cell it was training and never duplicates a row. At the end the report is written.
/// </summary>
public static class ExperimentRunner
{
    public const string ConfigFile = "experiment.json";
    public const string ResultsFile = "results.csv";
    public const string FailuresFile = "failures.txt";
    public const string ReportFile = "report.html";
    public const string TsneClassPng = "tsne-class.png";
    public const string TsneClusterPng = "tsne-cluster.png";
    /// <summary>The picture cell's samples, one row per cluster labelled with its class and (DNN-MM) learned omega_k.</summary>
    public const string LabelledSamplesPng = "samples-labelled.png";

    public static ExperimentOutcome Run(ExperimentConfig config, string outDir, Shard shard, string command, bool force,
        ExperimentHooks? hooks = null)
    {
        hooks ??= new ExperimentHooks();
        config.Validate();
        if (string.IsNullOrWhiteSpace(outDir)) throw new DnnmmInputException("--out: an experiment folder is required");
        if (File.Exists(outDir)) throw new DnnmmInputException($"--out {outDir}: is a file, not a folder");
        var all = ExperimentGrid.Cells(config);
        var mine = all.Where(shard.Contains).ToList();
        // Every cell's options and every dataset are checked before anything is written.
        var options = all.ToDictionary(c => c.Index, c => ExperimentGrid.Options(config, c));
        foreach (var c in mine) options[c.Index].MethodOptions();
        foreach (var d in config.Datasets)
        {
            var first = mine.FirstOrDefault(c => c.Dataset == d);
            if (first is null) continue;
            var data = DataPipeline.Prepare(options[first.Index].Data);
            hooks.Log?.Invoke($"{d.Name}: {data.Images.Count} images {data.Images.Channels}x{data.Images.Height}x{data.Images.Width}, K = {data.Images.ClassNames.Length} ({string.Join(", ", data.Images.ClassNames)})");
            if (d.ReferenceClassifier is string refDir)
            {
                var info = ReferenceModel.ReadInfo(refDir);
                ReferenceModel.CheckCompatible(info, refDir, data.Images.ClassNames, MethodCommon.ShapeOf(data.Images), $"dataset '{d.Name}'");
                hooks.Log?.Invoke($"{d.Name}: samples scored with the reference classifier {Path.GetFullPath(refDir)}" +
                    (info.TestAccuracy is double ta ? $" (test accuracy {ta.ToString("F4", CultureInfo.InvariantCulture)})" : ""));
            }
        }
        // One process at a time in an experiment folder (shards of a grid go to folders of their own), whatever --force says.
        using var folderLock = FolderLock.Acquire(outDir, "experiment folder");
        if (folderLock.TakenOverFrom is string stale) hooks.Log?.Invoke($"took over the lock of {stale}, which no longer runs");
        CheckFolder(config, outDir, force);
        AtomicFile.WriteAllText(Path.Combine(outDir, ConfigFile), Json.Serialize(new ExperimentFile(config, command, Machine())));

        var pictureAlpha = PictureAlpha(config);
        var failures = new List<string>();
        var wall = new Dictionary<string, List<double>>();
        int ran = 0, skipped = 0;
        for (int i = 0; i < mine.Count; i++)
        {
            hooks.Cancellation.ThrowIfCancellationRequested();
            var cell = mine[i];
            var o = options[cell.Index];
            string dir = Path.Combine(outDir, cell.RelativeDir);
            string hash = ExperimentGrid.Hash(o);
            if (Finished(dir, hash)) { skipped++; ScoreSamples(cell, dir, o, hooks.Log); continue; }

            // Every earlier cell was skipped as finished, trained now, or failed.
            int done = skipped + ran;
            var eta = Estimate(mine.Skip(i), wall);
            hooks.Progress?.Invoke(new ExperimentProgress(done, mine.Count, cell, null, eta));
            bool resume = SameOptions(dir, hash) && o.Entry().CanResume && new RunFolder(dir).HasCheckpoint;
            hooks.Log?.Invoke($"{(resume ? "resuming" : "training")} {cell} -> {cell.RelativeDir}");
            var sw = Stopwatch.StartNew();
            try
            {
                bool pictures = pictureAlpha is double pa && cell.Dataset == config.Datasets[0] && cell.Alpha == pa && cell.Seed == config.Seeds[0];
                TrainRun.Run(o, dir, force: true, resume: resume, log: null,
                    onEpoch: r => hooks.Progress?.Invoke(new ExperimentProgress(done, mine.Count, cell, r, eta)),
                    cancel: hooks.Cancellation,
                    afterFit: pictures ? (m, data) => WritePictures(m, data, dir, cell, hooks.Log) : null);
                ran++;
                ScoreSamples(cell, dir, o, hooks.Log);
                wall.TryAdd(cell.Method.Name, new List<double>());
                wall[cell.Method.Name].Add(sw.Elapsed.TotalSeconds);
            }
            catch (Exception e) when (IsRunFailure(e))
            {
                string line = $"{cell}: {e.Message.Replace('\n', ' ')}";
                failures.Add(line);
                hooks.Log?.Invoke("failed: " + line);
            }
            WriteResults(config, outDir, options);
        }
        if (failures.Count > 0) AtomicFile.WriteAllText(Path.Combine(outDir, FailuresFile), string.Join("\n", failures) + "\n");
        hooks.Progress?.Invoke(new ExperimentProgress(mine.Count - failures.Count, mine.Count, null, null, TimeSpan.Zero));
        var rows = WriteResults(config, outDir, options);
        string report = WriteReport(config, outDir, rows, command, Pictures(config, outDir), failures);
        return new ExperimentOutcome(Path.GetFullPath(outDir), rows, ran, skipped, failures, report);
    }

    /// <summary>
    /// Whether an exception ends one cell (recorded in failures.txt, the sweep goes on, the cell is trained again by the
    /// next sweep) rather than the sweep: a training that diverged, or an error raised inside libtorch
    /// (<see cref="ExternalException"/>, e.g. a rare native failure in one run). Bad input, cancellation and I/O errors end the sweep.
    /// </summary>
    public static bool IsRunFailure(Exception e) => e is DnnmmTrainingException or ExternalException;

    /// <summary>
    /// Joins the results of several experiment folders into one report in <paramref name="outDir"/>: shards of one
    /// grid, or parts run with different --methods or --seeds. Their grids must agree wherever they overlap (a dataset
    /// or method of the same name has the same options); the joined grid is their union. A run present in several
    /// folders counts once. The pictures are copied to &lt;out&gt;/pictures/.
    /// </summary>
    public static ExperimentOutcome Merge(IReadOnlyList<string> dirs, string outDir, string command)
    {
        if (dirs.Count == 0) throw new DnnmmInputException("experiment merge: give at least one experiment folder");
        if (string.IsNullOrWhiteSpace(outDir)) throw new DnnmmInputException("--out: a folder for the merged report is required");
        if (File.Exists(outDir)) throw new DnnmmInputException($"--out {outDir}: is a file, not a folder");
        string fullOut = Path.GetFullPath(outDir).TrimEnd('/');
        var files = new List<(string Dir, ExperimentFile File)>();
        foreach (var dir in dirs)
        {
            if (!Directory.Exists(dir)) throw new DnnmmInputException($"experiment merge: {dir}: folder not found");
            if (Path.GetFullPath(dir).TrimEnd('/') == fullOut)
                throw new DnnmmInputException($"experiment merge: --out {outDir} is one of the folders to merge; give a new folder");
            files.Add((dir, Json.Read<ExperimentFile>(Path.Combine(dir, ConfigFile))));
        }
        var config = Union(files.Select(f => (f.Dir, f.File.Config)).ToList());
        var rows = new Dictionary<(string, string, double, int), ResultRow>();
        var pictures = new List<(ReportPicture Picture, string Name)>();
        foreach (var (dir, file) in files)
        {
            string results = Path.Combine(dir, ResultsFile);
            if (File.Exists(results))
                foreach (var r in ResultsCsv.Read(results))
                    rows.TryAdd((r.Dataset, r.Method, r.Alpha, r.Seed), r);
            pictures.AddRange(PictureSources(file.Config, dir));
        }
        using var folderLock = FolderLock.Acquire(outDir, "experiment folder");
        var copied = new List<ReportPicture>();
        foreach (var (p, name) in pictures.DistinctBy(p => p.Picture.Title))
        {
            string dest = Path.Combine(outDir, PicturesFolder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            AtomicFile.WriteAllBytes(dest, File.ReadAllBytes(p.Path));
            copied.Add(p with { Path = dest });
        }
        var order = ExperimentGrid.Cells(config).ToDictionary(c => (c.Dataset.Name, c.Method.Name, c.Alpha, c.Seed), c => c.Index);
        var list = rows.Values.OrderBy(r => order.TryGetValue((r.Dataset, r.Method, r.Alpha, r.Seed), out int i) ? i : int.MaxValue).ToList();
        AtomicFile.WriteAllText(Path.Combine(outDir, ConfigFile), Json.Serialize(new ExperimentFile(config, command, Machine())));
        string report = WriteReport(config, outDir, list, command, copied, Array.Empty<string>());
        return new ExperimentOutcome(Path.GetFullPath(outDir), list, 0, 0, Array.Empty<string>(), report);
    }

    /// <summary>The union of grids that agree wherever they overlap; throws naming the first disagreement.</summary>
    public static ExperimentConfig Union(IReadOnlyList<(string Dir, ExperimentConfig Config)> parts)
    {
        var first = parts[0].Config;
        var datasets = new List<ExperimentDataset>();
        var methods = new List<ExperimentMethod>();
        var alphas = new List<double>();
        var seeds = new List<int>();
        foreach (var (dir, c) in parts)
        {
            foreach (var d in c.Datasets)
            {
                var same = datasets.FirstOrDefault(x => x.Name == d.Name);
                if (same is null) datasets.Add(d);
                else if (Json.Serialize(same.Data) != Json.Serialize(d.Data))
                    throw new DnnmmInputException($"experiment merge: {dir}: dataset '{d.Name}' has other data options than in {parts[0].Dir} (a different grid)");
            }
            foreach (var m in c.Methods)
            {
                var same = methods.FirstOrDefault(x => x.Name == m.Name);
                if (same is null) methods.Add(m);
                else if (same.Options.ToJsonString() != m.Options.ToJsonString())
                    throw new DnnmmInputException($"experiment merge: {dir}: method '{m.Name}' has other options than in {parts[0].Dir} (a different grid)");
            }
            if (c.Threads != first.Threads)
                throw new DnnmmInputException($"experiment merge: {dir}: runs with --threads {c.Threads}, {parts[0].Dir} with {first.Threads} (a different grid)");
            alphas.AddRange(c.Alphas.Where(a => !alphas.Contains(a)));
            seeds.AddRange(c.Seeds.Where(s => !seeds.Contains(s)));
        }
        alphas.Sort();
        string reference = methods.Any(m => m.Name == first.Reference) ? first.Reference : methods[0].Name;
        return first with { Datasets = datasets, Methods = methods, Alphas = alphas, Seeds = seeds, Reference = reference };
    }

    /// <summary>The rows of every finished cell of the grid found in the folder, in grid order.</summary>
    public static List<ResultRow> CollectRows(ExperimentConfig config, string outDir, IReadOnlyDictionary<int, TrainRunOptions>? options = null)
    {
        var rows = new List<ResultRow>();
        foreach (var c in ExperimentGrid.Cells(config))
        {
            var o = options is not null ? options[c.Index] : ExperimentGrid.Options(config, c);
            string dir = Path.Combine(outDir, c.RelativeDir);
            string hash = ExperimentGrid.Hash(o);
            if (!Finished(dir, hash)) continue;
            var s = new RunFolder(dir).ReadSummary<TrainSummary>();
            string classes = o.Data.Classes is { } cl ? string.Join(";", cl) : "all";
            rows.Add(new ResultRow(c.Dataset.Name, classes, c.Method.Name, c.Alpha, c.Seed,
                s.Acc ?? double.NaN, s.Ari ?? double.NaN, s.Nmi ?? double.NaN, s.LogLikelihood, s.Seconds, hash)
            {
                Unlabelled = Scores.Of(s.AccUnlabelled, s.AriUnlabelled, s.NmiUnlabelled),
                Test = Scores.Of(s.AccTest, s.AriTest, s.NmiTest),
                // A summary.json written before these keys existed has none of them.
                Omega = s.Omega ?? Array.Empty<float>(), ClassProportions = s.ClassProportions ?? Array.Empty<float>(),
                SamplePurity = s.SamplePurity, Frechet = s.FrechetDistance,
            });
        }
        return rows;
    }

    /// <summary>
    /// Scores the samples of a finished cell with its dataset's reference classifier and adds the scores to its
    /// summary.json, unless the summary has scores from that reference already, the dataset has no reference, or the
    /// method's model cannot generate images.
    /// </summary>
    private static void ScoreSamples(ExperimentCell cell, string dir, TrainRunOptions o, Action<string>? log)
    {
        if (cell.Dataset.ReferenceClassifier is not string refDir || !o.Entry().Generative) return;
        var folder = new RunFolder(dir);
        if (!folder.HasSummary) return;
        var summary = folder.ReadSummary<TrainSummary>();
        if (summary.SamplePurity is not null && summary.Reference == Path.GetFullPath(refDir)) return;
        var g = TrainRun.TryScoreRun(dir, refDir);
        if (g is null) return;
        folder.WriteSummary(summary.WithScores(g));
        log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"samples of {cell}: purity {g.SamplePurity:F4}, Fréchet distance {g.FrechetDistance:F3}"));
    }

    private static List<ResultRow> WriteResults(ExperimentConfig config, string outDir, IReadOnlyDictionary<int, TrainRunOptions> options)
    {
        var rows = CollectRows(config, outDir, options);
        ResultsCsv.Write(Path.Combine(outDir, ResultsFile), rows);
        return rows;
    }

    private static string WriteReport(ExperimentConfig config, string outDir, IReadOnlyList<ResultRow> rows, string command,
        IReadOnlyList<ReportPicture> pictures, IReadOnlyList<string> failures)
    {
        string? notes = failures.Count == 0 ? null : "Failed runs (not in the tables):\n" + string.Join("\n", failures);
        ExperimentReport.Write(outDir, rows, new ReportInfo($"dnnmm experiment: {config.Name}", command, Machine(), pictures, notes, config.Reference));
        return Path.GetFullPath(Path.Combine(outDir, ReportFile));
    }

    /// <summary>The t-SNE and sample pictures of the picture cells (first dataset, picture alpha, first seed), one set per method.</summary>
    public static List<ReportPicture> Pictures(ExperimentConfig config, string outDir) =>
        PictureSources(config, outDir).Select(s => s.Picture).ToList();

    /// <summary>The folder of a merged report that holds its pictures, named &lt;dataset&gt;_&lt;method&gt;_a&lt;alpha&gt;-s&lt;seed&gt;_&lt;file&gt;.</summary>
    public const string PicturesFolder = "pictures";

    /// <summary>
    /// The report's pictures of an experiment folder, each with the flat name it gets in a merged folder's pictures/.
    /// A picture comes from its run folder or, where there is none (a folder made by merge), from the folder's own
    /// pictures/, so that a merged report merges again without losing its pictures. The picture cells are those of the
    /// first dataset; a merged folder's pictures/ may also hold other datasets' (from parts that ran on one dataset
    /// each), and those are kept too.
    /// </summary>
    private static List<(ReportPicture Picture, string Name)> PictureSources(ExperimentConfig config, string outDir)
    {
        var list = new List<(ReportPicture, string)>();
        if (PictureAlpha(config) is not double a) return list;
        foreach (var c in ExperimentGrid.Cells(config).Where(c => c.Alpha == a && c.Seed == config.Seeds[0]))
        {
            bool first = c.Dataset == config.Datasets[0];
            string dir = Path.Combine(outDir, c.RelativeDir);
            string prefix = string.Join('_', c.Dataset.Name, c.Method.Name, Path.GetFileName(c.RelativeDir)) + "_";
            // Other datasets' run folders hold only a run's own samples, not report pictures: for them, pictures/ alone.
            string? Find(string file) =>
                (first ? new[] { Path.Combine(dir, file), Path.Combine(outDir, PicturesFolder, prefix + file) }
                       : new[] { Path.Combine(outDir, PicturesFolder, prefix + file) }).FirstOrDefault(File.Exists);
            string where = $"{c.Dataset.Name}, alpha {a.ToString("0.####", CultureInfo.InvariantCulture)}, seed {c.Seed}";
            // The labelled samples where the cell has them (rows named, with omega_k for a mixture model), else the run's own.
            bool labelled = Find(LabelledSamplesPng) is not null;
            foreach (var (file, what) in new[] { (TsneClusterPng, "t-SNE of the latent space, coloured by cluster"),
                         (TsneClassPng, "t-SNE of the latent space, coloured by true class"),
                         labelled ? (LabelledSamplesPng, "generated samples, one row per cluster (with its learned omega_k where the method has one)")
                                  : (RunFolder.SamplesFile, "generated samples, one row per cluster") })
            {
                if (Find(file) is string p) list.Add((new ReportPicture($"{c.Method.Name}: {what} ({where})", p), prefix + file));
            }
        }
        return list;
    }

    private static double? PictureAlpha(ExperimentConfig config) =>
        config.PictureAlpha is double pa ? config.Alphas.OrderBy(a => Math.Abs(a - pa)).First() : null;

    private static void WritePictures(IClusteringMethod m, PreparedData data, string dir, ExperimentCell cell, Action<string>? log)
    {
        var img = data.Images;
        if (m.CanSample)
            AtomicFile.WriteAllBytes(Path.Combine(dir, LabelledSamplesPng),
                GenerativePictures.SamplesGrid(m, img.Channels, img.Height, img.Width, img.ClassNames, seed: cell.Seed,
                    classShares: data.Labelled.Any(l => l) ? TrainRun.ClassProportions(img) : null));
        if (m is not ILatentEncoder) return;
        try
        {
            var r = LatentPlots.TsneScatter(m, data.Images, new TsneScatterOptions
            {
                MaxPoints = 2000, Dataset = $"{cell.Dataset.Name} ({cell.Method.Name})", Alpha = cell.Alpha,
                Tsne = new TsneOptions { Seed = cell.Seed },
            });
            AtomicFile.WriteAllBytes(Path.Combine(dir, TsneClassPng), r.ByClassPng);
            AtomicFile.WriteAllBytes(Path.Combine(dir, TsneClusterPng), r.ByClusterPng);
        }
        catch (Exception e) when (e is DnnmmInputException or InvalidOperationException)
        {
            log?.Invoke($"no t-SNE picture for {cell}: {e.Message}");
        }
    }

    private static void CheckFolder(ExperimentConfig config, string outDir, bool force)
    {
        string path = Path.Combine(outDir, ConfigFile);
        if (File.Exists(path))
        {
            var old = Json.Read<ExperimentFile>(path);
            if (old.Config.ToJson() != config.ToJson() && !force)
                throw new DnnmmInputException($"--out {outDir}: holds another experiment ('{old.Config.Name}', a different grid); use a new folder, or --force to run this grid there (finished runs with the same options are kept)");
        }
        else if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any(e => !FolderLock.IsLockFile(e)) && !force)
            throw new DnnmmInputException($"--out {outDir}: folder is not empty and holds no experiment; use a new folder or --force");
    }

    /// <summary>
    /// Whether the run in <paramref name="dir"/> was made with the options whose hash is <paramref name="hash"/>: its
    /// options.json as written, or as this build reads and writes it again. An option added since the run was made is
    /// missing from its file and reads as its default, which by convention is the behaviour from before the option
    /// existed; so a newer build keeps an older sweep's finished runs instead of training them again. A value written
    /// in the file that differs from this build's (a changed default included) still makes the options differ.
    /// </summary>
    internal static bool SameOptions(string dir, string hash)
    {
        var folder = new RunFolder(dir);
        if (!folder.HasOptions) return false;
        string text = folder.ReadOptionsText();
        if (ExperimentGrid.Hash(text) == hash) return true;
        try
        {
            var read = JsonSerializer.Deserialize<TrainRunOptions>(text, Json.Options);
            return read is not null && ExperimentGrid.Hash(read) == hash;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NotSupportedException
                                       or ArgumentException or OverflowException or DnnmmInputException)
        {
            return false; // a damaged or foreign options.json: not the same options, the run is made again
        }
    }

    private static bool Finished(string dir, string hash) =>
        new RunFolder(dir).HasSummary && SameOptions(dir, hash);

    private static TimeSpan? Estimate(IEnumerable<ExperimentCell> remaining, Dictionary<string, List<double>> wall)
    {
        var known = new Dictionary<string, double>();
        foreach (var (m, list) in wall) known[m] = list.Average();
        double total = 0;
        bool any = known.Count > 0;
        double fallback = any ? known.Values.Average() : 0;
        foreach (var c in remaining)
        {
            if (known.TryGetValue(c.Method.Name, out double t)) total += t;
            else total += fallback;
        }
        return any ? TimeSpan.FromSeconds(total) : null;
    }

    /// <summary>A line describing this machine for the report.</summary>
    public static string Machine()
    {
        string cpu = "";
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "";
        }
        catch (IOException) { }
        double gib = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} cores{(cpu.Length > 0 ? $" ({cpu})" : "")}, {gib:F0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}{(OneDnnIsa.Effective is { } isa ? $", oneDNN ISA {isa}" : "")}";
    }
}
