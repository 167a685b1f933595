using System.Globalization;
using Spectre.Console;
using Dnnmm.Experiments;
using Dnnmm.Methods;

namespace Dnnmm.Cli.Commands;

/// <summary>dnnmm experiment: a grid of datasets x methods x alpha x seeds, resumable and shardable, with a report; and merge.</summary>
public static class ExperimentCommand
{
    public static Command Build()
    {
        var cmd = new Command("experiment", "run a grid of datasets x methods x alpha x seeds (a preset or a config file) and write results.csv, tables, significance tests, plots and report.html; resumable");
        var preset = new Option<string?>("--preset") { Description = $"a named grid: {string.Join(", ", ExperimentPresets.Names)}" };
        var config = new Option<string?>("--config") { Description = "a grid in a JSON file (the layout of experiment.json; see --print-config)" };
        var outDir = new Option<string?>("--out") { Description = "experiment folder (runs/, results.csv, summary.md/html, plots/, report.html); run again to resume" };
        var shard = new Option<string?>("--shard") { Description = "run only part i of n of the grid (i/n, e.g. 2/4); join the parts with 'experiment merge'" };
        var mnist = new Option<string?>("--mnist") { Description = "MNIST data spec for the presets (default: the shipped subset)" };
        var cifar = new Option<string?>("--cifar10") { Description = "CIFAR-10 data spec for paper-cifar10-noisy (cifar10:<dir> or folder:<dir>)" };
        var celeba = new Option<string?>("--celeba") { Description = "CelebA data spec for paper-celeba-noisy (celeba:<dir>)" };
        var perClass = new Option<string?>("--per-class") { Description = "images per class for every dataset of a preset or config, or 'all' for every image of each class (class sizes as in the data; default: the preset's, 1000 for the paper)" };
        var imageSize = new Option<int?>("--image-size") { Description = "resize side for every dataset of a preset or config (e.g. 32 for paper-celeba-noisy on a laptop; default: the dataset's)" };
        var seeds = new Option<string?>("--seeds") { Description = "replace the grid's seeds (comma-separated, e.g. 1,2,3)" };
        var alphas = new Option<string?>("--alphas") { Description = "replace the grid's labelled fractions (comma-separated, e.g. 0.01,0.1; 0 = unsupervised)" };
        var methods = new Option<string?>("--methods") { Description = "keep only these methods of the grid (comma-separated names)" };
        var datasets = new Option<string?>("--datasets") { Description = "keep only these datasets of the grid (comma-separated names)" };
        var threads = new Option<int>("--threads") { Description = "CPU threads per run (0: all cores; default: the config's, 0 for presets); use 1 when running shards side by side" };
        var force = new Option<bool>("--force") { Description = "run in a folder that holds a different grid (its finished runs with the same options are kept)" };
        var references = new Option<string[]>("--reference-classifier")
        {
            Description = "reference classifier folder (from 'dnnmm reference train') to score the generated samples of a dataset's runs: DATASET=DIR, or DIR when the grid has one dataset; repeat for several datasets (adds purity and frechet to results.csv; finished runs are scored without training again)",
            AllowMultipleArgumentsPerToken = false,
        };
        var print = new Option<bool>("--print-config") { Description = "print the grid as JSON (a starting point for --config) and exit" };
        foreach (var o in new Option[] { preset, config, outDir, shard, mnist, cifar, celeba, perClass, imageSize, seeds, alphas, methods, datasets, threads, references, force, print }) cmd.Add(o);
        cmd.SetAction(p =>
        {
            var output = p.InvocationConfiguration.Output;
            string? presetName = p.GetValue(preset), configPath = p.GetValue(config);
            if ((presetName is null) == (configPath is null))
                throw new DnnmmInputException("experiment: give exactly one of --preset <name> or --config <file>");
            var (pc, all) = ParsePerClass(p.GetValue(perClass));
            var c = presetName is not null
                ? ExperimentPresets.Get(presetName, new PresetData
                {
                    Mnist = p.GetValue(mnist) ?? Data.DataOptions.DefaultData, Cifar10 = p.GetValue(cifar), CelebA = p.GetValue(celeba), PerClass = pc, AllImages = all,
                })
                : ExperimentConfig.Load(configPath!);
            if (configPath is not null && (pc is not null || all))
                c = c with { Datasets = c.Datasets.Select(d => d with { Data = d.Data with { PerClass = pc } }).ToList() };
            if (p.GetValue(imageSize) is int side)
            {
                new ImageShape(1, side, side).ConvLayout(); // a side the networks take, or a clear error now
                foreach (var d in c.Datasets)
                    if (Data.DatasetSpec.Parse(d.Data.Data) is { Kind: not (Data.DatasetKind.Folder or Data.DatasetKind.CelebA) } spec)
                        throw new DnnmmInputException($"--image-size {side}: resizes folder: and celeba: images only; dataset '{d.Name}' is {spec.Display} (use --datasets to leave it out)");
                c = c with { Datasets = c.Datasets.Select(d => d with { Data = d.Data with { ImageSize = side } }).ToList() };
            }
            if (p.GetValue(seeds) is string s) c = c with { Seeds = ParseSeeds(s) };
            if (p.GetValue(alphas) is string al) c = c with { Alphas = ParseAlphas(al) };
            if (p.GetValue(methods) is string m)
            {
                var keep = Keep("--methods", "method", m, c.Methods.Select(x => x.Name));
                c = c with { Methods = c.Methods.Where(x => keep.Contains(x.Name)).ToList() };
                if (!keep.Contains(c.Reference)) c = c with { Reference = c.Methods[0].Name };
            }
            if (p.GetValue(datasets) is string ds)
            {
                var keep = Keep("--datasets", "dataset", ds, c.Datasets.Select(x => x.Name));
                c = c with { Datasets = c.Datasets.Where(x => keep.Contains(x.Name)).ToList() };
            }
            if (MethodOptionsBinder.Given(p, threads))
            {
                int t = p.GetValue(threads);
                if (t < 0) throw new DnnmmInputException($"--threads {t}: must be >= 0");
                c = c with { Threads = t };
            }
            if (p.GetValue(references) is { Length: > 0 } refs) c = WithReferences(c, refs);
            c.Validate();
            if (p.GetValue(print)) { output.WriteLine(c.ToJson()); return 0; }
            string dir = p.GetValue(outDir) ?? throw new DnnmmInputException("--out: an experiment folder is required");
            var sh = Shard.Parse(p.GetValue(shard));
            string command = "dnnmm " + string.Join(' ', p.Tokens.Select(x => x.Value));
            var outcome = RunWithProgress(c, dir, sh, command, p.GetValue(force), output);
            output.WriteLine($"{outcome.Ran} runs trained, {outcome.Skipped} already finished, {outcome.Failures.Count} failed; {outcome.Rows.Count} rows in {Path.Combine(outcome.OutDir, ExperimentRunner.ResultsFile)}");
            output.WriteLine($"report: {outcome.ReportPath}");
            return outcome.Failures.Count > 0 ? CliApp.Failed : 0;
        });

        var merge = new Command("merge", "join experiment folders (shards of one grid) into one report");
        var dirs = new Argument<string[]>("dirs") { Description = "experiment folders", Arity = ArgumentArity.OneOrMore };
        var mergeOut = new Option<string?>("--out") { Description = "folder for the merged results.csv, tables, plots and report.html" };
        merge.Add(dirs); merge.Add(mergeOut);
        merge.SetAction(p =>
        {
            var output = p.InvocationConfiguration.Output;
            string command = "dnnmm experiment merge " + string.Join(' ', p.Tokens.Skip(2).Select(x => x.Value));
            var outcome = ExperimentRunner.Merge(p.GetValue(dirs)!, p.GetValue(mergeOut) ?? throw new DnnmmInputException("--out: a folder for the merged report is required"), command);
            output.WriteLine($"{outcome.Rows.Count} rows in {Path.Combine(outcome.OutDir, ExperimentRunner.ResultsFile)}");
            output.WriteLine($"report: {outcome.ReportPath}");
            return 0;
        });
        cmd.Add(merge);
        return cmd;
    }

    /// <summary>The grid with the reference classifiers of --reference-classifier (DATASET=DIR, or DIR alone for a one-dataset grid).</summary>
    private static ExperimentConfig WithReferences(ExperimentConfig c, IEnumerable<string> items)
    {
        var datasets = c.Datasets.ToList();
        foreach (var item in items)
        {
            int eq = item.IndexOf('=');
            string name, dir;
            if (eq > 0 && datasets.Any(d => d.Name == item[..eq])) (name, dir) = (item[..eq], item[(eq + 1)..]);
            else if (datasets.Count == 1) (name, dir) = (datasets[0].Name, item);
            else
                throw new DnnmmInputException($"--reference-classifier '{item}': give DATASET=DIR with a dataset of this grid ({string.Join(", ", datasets.Select(d => d.Name))})");
            if (string.IsNullOrWhiteSpace(dir)) throw new DnnmmInputException($"--reference-classifier '{item}': no folder given");
            int i = datasets.FindIndex(d => d.Name == name);
            datasets[i] = datasets[i] with { ReferenceClassifier = dir };
        }
        return c with { Datasets = datasets };
    }

    /// <summary>The names a --methods / --datasets filter keeps; every name must be one of the grid's.</summary>
    private static HashSet<string> Keep(string option, string what, string list, IEnumerable<string> names)
    {
        var all = names.ToList();
        var keep = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        if (keep.Count == 0) throw new DnnmmInputException($"{option}: no names given");
        foreach (var k in keep)
            if (!all.Contains(k))
                throw new DnnmmInputException($"{option}: '{k}' is not a {what} of this grid ({string.Join(", ", all)})");
        return keep;
    }

    /// <summary>--per-class: a number of images per class (at least 1), or 'all' (every image of each class); neither given: (null, false).</summary>
    internal static (int? PerClass, bool All) ParsePerClass(string? s)
    {
        if (s is null) return (null, false);
        if (s.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return (null, true);
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n))
            throw new DnnmmInputException($"--per-class '{s}': give a number of images per class or 'all'");
        if (n <= 0) throw new DnnmmInputException($"--per-class {n}: must be at least 1");
        return (n, false);
    }

    private static int[] ParseSeeds(string s) => ParseList<int>(s, "--seeds", "an integer",
        x => int.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : (int?)null);

    private static double[] ParseAlphas(string s) => ParseList<double>(s, "--alphas", "a number",
        x => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : (double?)null);

    /// <summary>A comma-separated list for option <paramref name="name"/>; a one-line error names the bad item.</summary>
    private static T[] ParseList<T>(string s, string name, string kind, Func<string, T?> parse) where T : struct
    {
        var list = new List<T>();
        foreach (var part in s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            list.Add(parse(part) ?? throw new DnnmmInputException($"{name} '{s}': '{part}' is not {kind}"));
        if (list.Count == 0) throw new DnnmmInputException($"{name}: the list is empty");
        return list.ToArray();
    }

    public static string Eta(TimeSpan? t) => t is not TimeSpan x ? "ETA unknown"
        : x.TotalHours >= 1 ? $"ETA {(int)x.TotalHours}h{x.Minutes:00}m" : $"ETA {x.Minutes}m{x.Seconds:00}s";

    private static ExperimentOutcome RunWithProgress(ExperimentConfig c, string dir, Shard sh, string command, bool force, TextWriter output)
    {
        bool interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive)
        {
            ExperimentCell? last = null;
            return ExperimentRunner.Run(c, dir, sh, command, force, new ExperimentHooks
            {
                Log = output.WriteLine,
                Progress = pr =>
                {
                    if (pr.Current is null) return;
                    if (pr.Current != last) { output.WriteLine($"[{pr.Done + 1}/{pr.Total}] {pr.Current}  {Eta(pr.Remaining)}"); last = pr.Current; }
                    if (pr.Epoch is { } r) output.WriteLine("  " + TrainCommand.EpochLine(r));
                },
            });
        }
        ExperimentOutcome? outcome = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                outcome = ExperimentRunner.Run(c, dir, sh, command, force, new ExperimentHooks
                {
                    Log = m => AnsiConsole.MarkupLine(Markup.Escape(m)),
                    Progress = pr =>
                    {
                        task ??= ctx.AddTask("grid", maxValue: Math.Max(pr.Total, 1));
                        double frac = pr.Epoch is { } r && r.Epochs > 0 ? (double)r.Epoch / r.Epochs : 0;
                        task.Value = pr.Done + frac;
                        string acc = pr.Epoch is { } e && e.Values.TryGetValue("acc", out var a) ? $" ACC {a.ToString("F3", CultureInfo.InvariantCulture)}" : "";
                        string ep = pr.Epoch is { } e2 ? $" epoch {e2.Epoch}/{e2.Epochs}" : "";
                        task.Description = Markup.Escape(pr.Current is null ? "done" : $"[{pr.Done + 1}/{pr.Total}] {pr.Current}{ep}{acc}  {Eta(pr.Remaining)}");
                    },
                });
                if (task is not null) task.Value = task.MaxValue;
            });
        return outcome!;
    }
}
