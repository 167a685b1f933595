using System.Globalization;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Tsne;
using Dnnmm.Visualisation;

namespace Dnnmm.Cli.Commands;

/// <summary>dnnmm viz: pictures of a trained model and of a training run.</summary>
public static class VizCommand
{
    public static Command Build()
    {
        var cmd = new Command("viz", "pictures: t-SNE of the latent space, samples, interpolations, reconstructions, training curves");
        cmd.Add(Tsne());
        cmd.Add(Samples());
        cmd.Add(Interpolate());
        cmd.Add(Reconstruct());
        cmd.Add(Curves());
        cmd.Add(Progress());
        cmd.Add(TsneBench());
        return cmd;
    }

    private static Option<string> ModelOption() => new("--model") { Description = "run folder of a trained model", Required = true };
    private static Option<string> OutOption(string what) => OutputFileOption.Checked(new("--out") { Description = what, Required = true });
    private static Option<string> DeviceOption() => new("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
    private static string Inv(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);

    private static Command Tsne()
    {
        var cmd = new Command("tsne", "t-SNE of the encoder outputs E(x): two scatter PNGs (<out>-classes.png by true class, "
            + "<out>-clusters.png by predicted cluster) and <out>.csv (index,x,y,class,cluster); prints the trustworthiness (k = 10)");
        var data = new DataOptionsBinder();
        var model = ModelOption();
        var outFile = OutOption("output name: <out>-classes.png, <out>-clusters.png and <out>.csv are written (a .png ending is dropped)");
        var perplexity = new Option<double>("--perplexity") { Description = "t-SNE perplexity (below the number of points)", DefaultValueFactory = _ => 30 };
        var iterations = new Option<int>("--iterations") { Description = "gradient steps, early exaggeration included", DefaultValueFactory = _ => 1000 };
        var lr = new Option<string>("--learning-rate") { Description = "step size, or auto = max(N / 48, 50)", DefaultValueFactory = _ => "auto" };
        var theta = new Option<double>("--theta") { Description = "Barnes-Hut accuracy (0 = exact forces)", DefaultValueFactory = _ => 0.5 };
        var method = new Option<string>("--method") { Description = "auto (exact up to 2,000 points), exact or barnes-hut", DefaultValueFactory = _ => "auto" };
        var tsneSeed = new Option<int>("--tsne-seed") { Description = "seed of the t-SNE initialisation and of the --max-points subset", DefaultValueFactory = _ => 1 };
        var maxPoints = new Option<int>("--max-points") { Description = "embed at most this many images (a random subset)", DefaultValueFactory = _ => 5000 };
        var device = DeviceOption();
        data.AddTo(cmd);
        cmd.Add(model); cmd.Add(outFile); cmd.Add(perplexity); cmd.Add(iterations); cmd.Add(lr); cmd.Add(theta);
        cmd.Add(method); cmd.Add(tsneSeed); cmd.Add(maxPoints); cmd.Add(device);
        cmd.SetAction(p =>
        {
            var output = p.InvocationConfiguration.Output;
            string lrText = p.GetValue(lr)!.Trim();
            double? learningRate = null;
            if (!lrText.Equals("auto", StringComparison.OrdinalIgnoreCase))
            {
                if (!double.TryParse(lrText, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    throw new DnnmmInputException($"--learning-rate '{lrText}': must be a positive number or auto");
                learningRate = v;
            }
            var tsneOptions = new TsneOptions
            {
                Perplexity = p.GetValue(perplexity), Iterations = p.GetValue(iterations), LearningRate = learningRate,
                Theta = p.GetValue(theta), Seed = p.GetValue(tsneSeed),
                Method = ParseMethod(p.GetValue(method)!),
            };
            var d = data.Read(p);
            var o = new TsneScatterOptions { Tsne = tsneOptions, MaxPoints = p.GetValue(maxPoints), Alpha = d.Alpha };
            // Options that do not depend on the data are checked before anything is loaded.
            o.Validate(int.MaxValue);
            string stem = Stem(p.GetValue(outFile)!);
            string dir = p.GetValue(model)!;
            using var m = TrainRun.LoadMethod(dir, p.GetValue(device)!);
            if (m is not ILatentEncoder encoder)
                throw new DnnmmInputException($"--model {dir}: a '{m.Name}' model has no latent codes (dnnmm, clustergan and dynae have)");
            var prepared = DataPipeline.Prepare(d);
            o = o with { Dataset = DatasetTitle(d, prepared) };
            var r = LatentPlots.TsneScatter(m, prepared.Images, o);
            string classes = stem + "-classes.png", clusters = stem + "-clusters.png", csv = stem + ".csv";
            AtomicFile.WriteAllBytes(classes, r.ByClassPng);
            AtomicFile.WriteAllBytes(clusters, r.ByClusterPng);
            AtomicFile.WriteAllText(csv, r.ToCsv());
            int n = r.Indices.Length;
            output.WriteLine($"t-SNE of {n} latent codes (d = {encoder.LatentDim}{(n < prepared.Images.Count ? $", a random {n} of {prepared.Images.Count} images" : "")}): "
                + $"{(r.Tsne.Method == TsneMethod.Exact ? "exact" : "barnes-hut")}, {tsneOptions.Iterations} iterations, perplexity {Inv(tsneOptions.Perplexity, "G")}, "
                + $"learning rate {Inv(r.Tsne.LearningRate, "G4")}, KL {Inv(r.Tsne.KlDivergence, "F4")}, {Inv(r.TsneSeconds, "F1")} s");
            output.WriteLine($"ACC {Inv(r.Acc, "F4")} over {prepared.Images.Count} images (argmax posterior against the true classes)");
            output.WriteLine($"trustworthiness (k = {r.TrustworthinessK}): {Inv(r.Trustworthiness, "F4")}");
            output.WriteLine($"wrote {classes}, {clusters}, {csv}");
            return 0;
        });
        return cmd;
    }

    /// <summary>auto, exact or barnes-hut (a one-line error otherwise; System.CommandLine's own list check spans lines).</summary>
    internal static TsneMethod ParseMethod(string s) => s.Trim().ToLowerInvariant() switch
    {
        "auto" => TsneMethod.Auto,
        "exact" => TsneMethod.Exact,
        "barnes-hut" or "barneshut" or "bh" => TsneMethod.BarnesHut,
        _ => throw new DnnmmInputException($"--method '{s}': must be auto, exact or barnes-hut"),
    };

    /// <summary>The output name without a trailing .png (case-insensitive).</summary>
    internal static string Stem(string outFile)
    {
        if (string.IsNullOrWhiteSpace(outFile)) throw new DnnmmInputException("--out: a file name is required");
        return outFile.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? outFile[..^4] : outFile;
    }

    /// <summary>"mnist, 5 classes" / "cifar10:cifar-10-batches-bin (test), 10 classes".</summary>
    private static string DatasetTitle(DataOptions d, PreparedData prepared)
    {
        string spec = d.Data.Trim();
        int colon = spec.IndexOf(':');
        if (colon > 0)
        {
            string path = spec[(colon + 1)..].TrimEnd('/', '\\');
            spec = spec[..colon] + ":" + Path.GetFileName(path);
        }
        if (d.Split != DataOptions.DefaultSplit) spec += $" ({d.Split})";
        return $"{spec}, {prepared.ClassCount} classes";
    }

    private static Command Samples()
    {
        var cmd = new Command("samples", "generated images (DNN-MM: G(mu_k + eps); ClusterGAN: G([z_n, one-hot k])): one labelled row per cluster, as a PNG");
        var model = ModelOption();
        var outFile = OutOption("PNG file to write");
        var perCluster = new Option<int>("--per-cluster") { Description = "images per cluster (row)", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "seed of the latent noise (cluster k uses seed + k)", DefaultValueFactory = _ => 1 };
        var device = DeviceOption();
        cmd.Add(model); cmd.Add(outFile); cmd.Add(perCluster); cmd.Add(seed); cmd.Add(device);
        cmd.SetAction(p =>
        {
            int per = p.GetValue(perCluster);
            if (per < 1) throw new DnnmmInputException($"--per-cluster {per}: must be at least 1");
            string dir = p.GetValue(model)!;
            var i = TrainRun.ReadModelInfo(dir);
            using var m = TrainRun.LoadMethod(dir, p.GetValue(device)!);
            if (!m.CanSample)
                throw new DnnmmInputException($"--model {dir}: a '{m.Name}' model cannot generate images (dnnmm and clustergan can)");
            var png = GenerativePictures.SamplesGrid(m, i.Channels, i.Height, i.Width, i.ClassNames, per, p.GetValue(seed));
            AtomicFile.WriteAllBytes(p.GetValue(outFile)!, png);
            string weights = m is IMixtureModel mm ? $" (rows labelled with omega: {string.Join(", ", mm.Omega.Select(GenerativePictures.OmegaText))})" : "";
            p.InvocationConfiguration.Output.WriteLine($"{i.Clusters} clusters x {per} samples -> {p.GetValue(outFile)}{weights}");
            return 0;
        });
        return cmd;
    }

    private static Command Interpolate()
    {
        var cmd = new Command("interpolate", "G along the segment from mu_i to mu_j in latent space (no noise), as a PNG strip");
        var model = ModelOption();
        var outFile = OutOption("PNG file to write");
        var from = new Option<int?>("--from") { Description = "start cluster i" };
        var to = new Option<int?>("--to") { Description = "end cluster j" };
        var steps = new Option<int>("--steps") { Description = "images along the segment, ends included", DefaultValueFactory = _ => 10 };
        var allPairs = new Option<bool>("--all-pairs") { Description = "one strip per consecutive pair of clusters (0-1, 1-2, ...) instead of --from/--to" };
        var device = DeviceOption();
        cmd.Add(model); cmd.Add(outFile); cmd.Add(from); cmd.Add(to); cmd.Add(steps); cmd.Add(allPairs); cmd.Add(device);
        cmd.SetAction(p =>
        {
            int s = p.GetValue(steps);
            if (s < 2) throw new DnnmmInputException($"--steps {s}: must be at least 2");
            bool all = p.GetValue(allPairs);
            int? i = p.GetValue(from), j = p.GetValue(to);
            if (all && (i.HasValue || j.HasValue)) throw new DnnmmInputException("--all-pairs: give either --all-pairs or --from and --to, not both");
            if (!all && (!i.HasValue || !j.HasValue)) throw new DnnmmInputException($"{(i.HasValue ? "--to" : "--from")}: required (or use --all-pairs)");
            using var m = LoadDnnmm(p.GetValue(model)!, p.GetValue(device)!, "interpolate");
            var png = all ? GenerativePictures.AllPairsPng(m.Model, s) : GenerativePictures.InterpolationPng(m.Model, i!.Value, j!.Value, s);
            AtomicFile.WriteAllBytes(p.GetValue(outFile)!, png);
            p.InvocationConfiguration.Output.WriteLine(all
                ? $"{m.Clusters - 1} strips of {s} images (consecutive clusters) -> {p.GetValue(outFile)}"
                : $"{s} images from mu_{i} to mu_{j} -> {p.GetValue(outFile)}");
            return 0;
        });
        return cmd;
    }

    private static Command Reconstruct()
    {
        var cmd = new Command("reconstruct", "images x next to their reconstructions G(E(x)), as a PNG");
        var data = new DataOptionsBinder();
        var model = ModelOption();
        var outFile = OutOption("PNG file to write");
        var n = new Option<int>("--n") { Description = "number of images (spread evenly over the data)", DefaultValueFactory = _ => 16 };
        var device = DeviceOption();
        data.AddTo(cmd);
        cmd.Add(model); cmd.Add(outFile); cmd.Add(n); cmd.Add(device);
        cmd.SetAction(p =>
        {
            int count = p.GetValue(n);
            if (count < 1) throw new DnnmmInputException($"--n {count}: must be at least 1");
            using var m = LoadDnnmm(p.GetValue(model)!, p.GetValue(device)!, "reconstruct");
            var prepared = DataPipeline.Prepare(data.Read(p));
            var png = GenerativePictures.ReconstructionPng(m.Model, prepared.Images, count);
            AtomicFile.WriteAllBytes(p.GetValue(outFile)!, png);
            p.InvocationConfiguration.Output.WriteLine($"{Math.Min(count, prepared.Images.Count)} images and reconstructions (pairs x, G(E(x))) -> {p.GetValue(outFile)}");
            return 0;
        });
        return cmd;
    }

    /// <summary>The DNN-MM model of a run folder; a one-line error for another method (interpolate and reconstruct need G, E and the mixture means).</summary>
    private static DnnmmMethod LoadDnnmm(string dir, string device, string command)
    {
        var m = TrainRun.LoadMethod(dir, device);
        if (m is DnnmmMethod d) return d;
        string name = m.Name;
        m.Dispose();
        throw new DnnmmInputException($"--model {dir}: viz {command} needs a dnnmm model (its G, E and mixture means), not a '{name}' model");
    }

    private static Command Curves()
    {
        var cmd = new Command("curves", "training curves from a run's metrics.json: loss terms, ACC/ARI/NMI, log-likelihood and omega per epoch, as a PNG");
        var run = new Option<string>("--run") { Description = "run folder (with metrics.json)", Required = true };
        var outFile = OutOption("PNG file to write (all panels)");
        var separate = new Option<bool>("--separate") { Description = "also write <out>-losses.png and <out>-metrics.png" };
        var titleOption = new Option<string?>("--title") { Description = "figure title (default: the run folder, method, data and alpha)" };
        cmd.Add(run); cmd.Add(outFile); cmd.Add(separate); cmd.Add(titleOption);
        cmd.SetAction(p =>
        {
            string dir = p.GetValue(run)!;
            var rows = ReadRows(dir);
            string title = p.GetValue(titleOption) ?? RunTitle(dir);
            string outPath = p.GetValue(outFile)!;
            AtomicFile.WriteAllBytes(outPath, TrainingCurves.ToPng(rows, title));
            var written = new List<string> { outPath };
            if (p.GetValue(separate))
            {
                string stem = Stem(outPath);
                if (TrainingCurves.LossPanels.Any(q => TrainingCurves.HasData(rows, q)))
                {
                    AtomicFile.WriteAllBytes(stem + "-losses.png", TrainingCurves.LossesPng(rows, title));
                    written.Add(stem + "-losses.png");
                }
                if (TrainingCurves.MetricPanels.Any(q => TrainingCurves.HasData(rows, q)))
                {
                    AtomicFile.WriteAllBytes(stem + "-metrics.png", TrainingCurves.MetricsPng(rows, title));
                    written.Add(stem + "-metrics.png");
                }
            }
            p.InvocationConfiguration.Output.WriteLine($"{rows.Count} epochs -> {string.Join(", ", written)}");
            return 0;
        });
        return cmd;
    }

    private static string FolderName(string dir) => Path.GetFileName(Path.GetFullPath(dir).TrimEnd('/', '\\'));

    /// <summary>The epochs of a run folder's metrics.json; a one-line error when the folder, the file or any epoch is missing.</summary>
    private static List<EpochRow> ReadRows(string dir)
    {
        var folder = new RunFolder(dir);
        var rows = folder.RequireMetrics();
        if (rows.Count == 0) throw new DnnmmInputException($"{folder.MetricsJson}: no epochs");
        return rows;
    }

    private static Command Progress()
    {
        var cmd = new Command("progress", "one metric of several runs against cumulative training time, with a time budget and "
            + "target lines, as a PNG; prints what each run reached within the budget");
        var runs = new Option<string[]>("--run") { Description = "run folder with metrics.json (repeat for several runs)", Required = true };
        var labels = new Option<string[]>("--label") { Description = "legend label of each --run, in order (default: the folder names)" };
        var metric = new Option<string>("--metric") { Description = "the value to plot (acc, ari, nmi, or any key of metrics.json)", DefaultValueFactory = _ => "acc" };
        var budget = new Option<double?>("--budget-minutes") { Description = "time budget: a vertical line, and the value each run reached by then is printed" };
        var targets = new Option<double[]>("--target") { Description = "target value: a horizontal line (repeat for several)" };
        var title = new Option<string?>("--title") { Description = "figure title" };
        var outFile = OutOption("PNG file to write");
        cmd.Add(runs); cmd.Add(labels); cmd.Add(metric); cmd.Add(budget); cmd.Add(targets); cmd.Add(title); cmd.Add(outFile);
        cmd.SetAction(p =>
        {
            var dirs = p.GetValue(runs)!;
            var names = p.GetValue(labels) ?? Array.Empty<string>();
            if (names.Length > 0 && names.Length != dirs.Length)
                throw new DnnmmInputException($"--label given {names.Length} times for {dirs.Length} --run folders; give one per run or none");
            string key = p.GetValue(metric)!.Trim();
            if (key.Length == 0) throw new DnnmmInputException("--metric: a name is required");
            double? minutes = p.GetValue(budget);
            if (minutes is double mb && !(mb > 0 && double.IsFinite(mb))) throw new DnnmmInputException($"--budget-minutes {Inv(mb, "g")}: must be positive");
            var list = new List<ProgressRun>();
            for (int i = 0; i < dirs.Length; i++)
            {
                string dir = dirs[i];
                string label = names.Length > 0 ? names[i] : FolderName(dir);
                list.Add(new ProgressRun(label, ReadRows(dir)));
            }
            double? seconds = minutes * 60;
            string outPath = p.GetValue(outFile)!;
            AtomicFile.WriteAllBytes(outPath, ProgressCurves.ToPng(list, key, seconds, p.GetValue(targets) ?? Array.Empty<double>(), p.GetValue(title)));
            var o = p.InvocationConfiguration.Output;
            foreach (var r in list)
            {
                var (x, y) = ProgressCurves.Series(r.Rows, key);
                string line = $"{r.Label}: {key} {Inv(y[^1], "F4")} at the end ({Inv(x[^1], "F1")} min)";
                if (seconds is double s)
                    line += ProgressCurves.WithinBudget(r.Rows, key, s) is var (e, t, v)
                        ? $"; within {Inv(s / 60, "0.#")} min: {Inv(v, "F4")} (epoch {e}, {Inv(t / 60, "F1")} min)"
                        : $"; no epoch ends within {Inv(s / 60, "0.#")} min";
                o.WriteLine(line);
            }
            o.WriteLine($"wrote {outPath}");
            return 0;
        });
        return cmd;
    }

    /// <summary>"run def: dnnmm on mnist (0,1,2,3,4), alpha 0.1" from options.json, or just the folder name.</summary>
    private static string RunTitle(string dir)
    {
        string name = FolderName(dir);
        var folder = new RunFolder(dir);
        if (!folder.HasOptions) return $"run {name}";
        try
        {
            var o = folder.ReadOptions<TrainRunOptions>();
            string classes = o.Data.Classes is { Count: > 0 } c ? $" ({string.Join(",", c)})" : "";
            return $"run {name}: {o.Method} on {o.Data.Data}{classes}, alpha {o.Data.Alpha.ToString(CultureInfo.InvariantCulture)}";
        }
        catch (DnnmmInputException)
        {
            return $"run {name}";
        }
    }

    private static Command TsneBench()
    {
        var cmd = new Command("tsne-bench", "time t-SNE on synthetic Gaussian blobs (50 dimensions, 10 blobs, default options)") { Hidden = true };
        var n = new Option<int>("--n") { Description = "number of points", DefaultValueFactory = _ => 5000 };
        var method = new Option<string>("--method") { Description = "barnes-hut, exact or auto", DefaultValueFactory = _ => "barnes-hut" };
        var seed = new Option<int>("--seed") { Description = "seed of the blobs and of the initialisation", DefaultValueFactory = _ => 1 };
        cmd.Add(n); cmd.Add(method); cmd.Add(seed);
        cmd.SetAction(p =>
        {
            int count = p.GetValue(n);
            if (count < 100) throw new DnnmmInputException($"--n {count}: must be at least 100");
            var m = ParseMethod(p.GetValue(method)!);
            var r = TsneBenchmark.Run(count, m, p.GetValue(seed));
            var o = p.InvocationConfiguration.Output;
            o.WriteLine($"t-SNE of {r.N} points ({r.Features} dimensions, {r.Clusters} blobs), {(r.Method == TsneMethod.Exact ? "exact" : "barnes-hut")}, "
                + $"1000 iterations, {Environment.ProcessorCount} cores");
            o.WriteLine($"seconds: {Inv(r.Seconds, "F1")}");
            o.WriteLine($"KL divergence: {Inv(r.KlDivergence, "F4")}");
            o.WriteLine($"1-NN blob agreement: {Inv(r.NearestNeighbourAgreement, "F4")}");
            o.WriteLine($"trustworthiness (k = 10, {r.TrustworthinessPoints} points): {Inv(r.Trustworthiness, "F4")} ({Inv(r.TrustworthinessSeconds, "F1")} s)");
            return 0;
        });
        return cmd;
    }
}
