using System.Globalization;
using Spectre.Console;
using Dnnmm.Visualisation;
using Dnnmm.Scoring;

namespace Dnnmm.Cli.Commands;

public static class TrainCommand
{
    public static Command Build()
    {
        var cmd = new Command("train", "train a clustering method (DNN-MM with MinMax+EM by default) and write a run folder");
        var data = new DataOptionsBinder();
        var methods = new MethodOptionsBinder();
        var scoring = new OptionRecordBinder<ReferenceScoringOptions>();
        var method = new Option<string>("--method")
        {
            Description = $"method: {string.Join(", ", MethodRegistry.Names)} (" + string.Join("; ", MethodRegistry.All.Select(e => $"{e.Name}: {e.Summary}")) + ")",
            DefaultValueFactory = _ => "dnnmm",
        };
        var outDir = new Option<string?>("--out") { Description = "run folder (options.json, metrics.csv/json, checkpoint.bin, samples.png, summary.json)" };
        var force = new Option<bool>("--force") { Description = "overwrite the run in --out (not one that another dnnmm process is running: its lock stays)" };
        var resume = new Option<string?>("--resume") { Description = "continue the run in this folder from its last completed epoch with its saved options; of the options given with it only --epochs (to extend the run), --threads, --device and --monitor-every may differ" };
        var tensorboard = new Option<string?>("--tensorboard")
        {
            Description = "also write a TensorBoard log in this folder: the per-epoch scalars and generated samples, and after training the latent codes "
                + "with their class and cluster for the embedding projector",
        };
        var monitorEvery = new Option<int>("--monitor-every")
        {
            Description = "score ACC/ARI/NMI against the true labels every N epochs (and in the last); the scoring of DynAE's pretraining "
                + "and of ClusterGAN runs k-means on every image, as costly as an epoch on 10,000 images",
            DefaultValueFactory = _ => new TrainRunOptions().MonitorEvery,
        };
        data.AddTo(cmd, testSet: true); methods.AddTo(cmd); scoring.AddTo(cmd);
        cmd.Add(method); cmd.Add(outDir); cmd.Add(force); cmd.Add(resume); cmd.Add(tensorboard); cmd.Add(monitorEvery);
        cmd.SetAction(p =>
        {
            var o = new TrainRunOptions
            {
                Data = data.Read(p), Method = p.GetValue(method)!, MethodOptionsByName = methods.Read(p),
                MonitorEvery = p.GetValue(monitorEvery), Scoring = scoring.Read(p),
            };
            string? resumeDir = p.GetValue(resume);
            string dir = resumeDir ?? p.GetValue(outDir) ?? throw new DnnmmInputException("--out: a run folder is required (or --resume <run-dir>)");
            if (resumeDir is not null)
            {
                if (p.GetValue(outDir) is string other && Path.GetFullPath(other).TrimEnd('/') != Path.GetFullPath(resumeDir).TrimEnd('/'))
                    throw new DnnmmInputException($"--out {other} and --resume {resumeDir}: a resumed run stays in its folder (give only --resume)");
                o = ResumeWith(TrainRun.ReadOptions(resumeDir), o, resumeDir,
                    data.Given(p).Concat(methods.Given(p))
                        .Concat(MethodOptionsBinder.Given(p, method) ? new[] { (method.Name, "method") } : [])
                        .Concat(MethodOptionsBinder.Given(p, monitorEvery) ? new[] { (monitorEvery.Name, "monitorEvery") } : []));
            }
            var output = p.InvocationConfiguration.Output;
            using var tb = p.GetValue(tensorboard) is string tbDir ? new TensorBoardLog(tbDir) : null;
            var summary = RunWithProgress(o, dir, p.GetValue(force), resumeDir is not null, output, tb);
            if (summary.Acc is null && o.Data.Clusters is not null)
                output.WriteLine($"final log-likelihood {Fmt(summary.LogLikelihood)}  (no ACC/ARI/NMI: the images of a flat folder have no classes; {summary.Epochs} epochs, {summary.Seconds:F0} s)");
            else
                output.WriteLine($"final ACC {Fmt(summary.Acc)}  ARI {Fmt(summary.Ari)}  NMI {Fmt(summary.Nmi)}  log-likelihood {Fmt(summary.LogLikelihood)}  ({summary.Epochs} epochs, {summary.Seconds:F0} s)");
            if (summary.TestImages > 0)
                output.WriteLine($"test ACC {Fmt(summary.AccTest)}  ARI {Fmt(summary.AriTest)}  NMI {Fmt(summary.NmiTest)}  ({summary.TestImages} held-out images)");
            if (summary.SamplePurity is double purity)
                output.WriteLine($"samples: purity {Fmt(purity)}  Fréchet distance {Fmt(summary.FrechetDistance)} (FID-like, reference {summary.Reference})");
            output.WriteLine($"run folder: {summary.OutDir}");
            if (tb?.EventFile is string events) output.WriteLine($"tensorboard: {events}");
            if (tb is not null && File.Exists(Path.Combine(tb.Directory, TensorBoardLog.ProjectorConfigFile)))
                output.WriteLine($"tensorboard projector: {Path.Combine(tb.Directory, TensorBoardLog.ProjectorConfigFile)}");
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// The options of the run in <paramref name="dir"/> with the given ones that a resume may change (<see cref="ResumeOptions"/>:
    /// --epochs, --threads, --device, --monitor-every); a given option that would change the run is a one-line error naming it.
    /// </summary>
    private static TrainRunOptions ResumeWith(TrainRunOptions saved, TrainRunOptions requested, string dir, IEnumerable<(string Flag, string Path)> given)
    {
        var list = given.ToList();
        var (merged, conflicts) = ResumeOptions.Merge(saved, requested, list.Select(g => g.Path));
        if (conflicts.Count == 0) return merged;
        string Flag(string path) => list.First(g => g.Path == path).Flag;
        var what = conflicts.Select(c => c.Contains('/')
            ? $"{Flag(c)} {ResumeOptions.ValueText(requested, c)} (the run has {ResumeOptions.ValueText(saved, c)})"
            : c is "method" or "monitorEvery" ? $"{Flag(c)} {ResumeOptions.ValueText(requested, c)} (the run has {ResumeOptions.ValueText(saved, c)})"
            : $"{Flag(c)} (it changes the run's {c} options)").Distinct();
        throw new DnnmmInputException(
            $"--resume {dir}: {string.Join(", ", what)} would change the run; a resumed run keeps its options except --epochs (to extend it), --threads, --device and --monitor-every (train a new run with --out to change others)");
    }

    private static string Fmt(double? v) => v.HasValue ? v.Value.ToString("F4", CultureInfo.InvariantCulture) : "n/a";

    public static string EpochLine(EpochReport r)
    {
        var v = r.Values;
        string Get(string k, string label, string f = "F4") => v.TryGetValue(k, out var x) ? $"{label} {x.ToString(f, CultureInfo.InvariantCulture)}  " : "";
        string omega = r.Omega is null ? "" : "omega [" + string.Join(" ", r.Omega.Select(w => w.ToString("F2", CultureInfo.InvariantCulture))) + "]";
        return $"epoch {r.Epoch}/{r.Epochs}  " + Get("acc", "ACC") + Get("ari", "ARI") + Get("nmi", "NMI") + Get("log_likelihood", "loglik", "F2")
               + Get("likelihood", "L", "F2") + Get("consistency", "C", "F3") + Get("adversarial_g", "G", "F3") + Get("loss_d", "D", "F3")
               + Get("acc_kmeans", "ACC(kmeans)") + Get("acc_argmax", "ACC(argmax)") + Get("noise_reconstruction", "Zn", "F4") + Get("category_ce", "Zc", "F3")
               + Get("labelled_ce", "CE(lab)", "F3") + Get("cross_entropy", "CE", "F3") + Get("reconstruction", "rec", "F4") + Get("loss_critic", "critic", "F4")
               + Get("loss", "loss", "F4") + Get("conflicted_fraction", "conflicted", "F3") + Get("inertia", "inertia", "F1")
               + Get("sample_purity", "purity") + Get("frechet", "FD", "F2")
               + omega + $"  {r.Seconds:F1}s";
    }

    private static TrainSummary RunWithProgress(TrainRunOptions o, string dir, bool force, bool resume, TextWriter output,
        TensorBoardLog? tb = null)
    {
        Action<EpochReport>? onEpoch = tb is null ? null : tb.Write;
        // The TensorBoard log's pictures: the samples of every epoch, the latent codes after training.
        Action<IClusteringMethod, PreparedData, EpochReport>? afterEpoch = tb is null ? null : (m, d, r) => tb.WriteSamples(r.Epoch, m, d.Images);
        Action<IClusteringMethod, PreparedData>? afterFit = tb is null ? null : (m, d) => tb.WriteEmbedding(m, d.Images);
        bool interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive)
            return TrainRun.Run(o, dir, force, resume, log: output.WriteLine, onEpoch: r => { output.WriteLine(EpochLine(r)); onEpoch?.Invoke(r); },
                afterFit: afterFit, afterEpoch: afterEpoch);

        TrainSummary? summary = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                string lastEpoch = "";
                summary = TrainRun.Run(o, dir, force, resume,
                    log: m => AnsiConsole.MarkupLine(Markup.Escape(m)),
                    onEpoch: r =>
                    {
                        lastEpoch = $"ACC {(r.Values.TryGetValue("acc", out var a) ? a.ToString("F3", CultureInfo.InvariantCulture) : "-")}";
                        AnsiConsole.MarkupLine(Markup.Escape(EpochLine(r)));
                        onEpoch?.Invoke(r);
                    },
                    onStep: (step, steps, v) =>
                    {
                        task ??= ctx.AddTask("training", maxValue: (double)o.MethodOptions().Epochs * steps);
                        task.Increment(1);
                        string Term(string k, string l) => v.TryGetValue(k, out var x) ? $"{l} {x.ToString("F2", CultureInfo.InvariantCulture)} " : "";
                        task.Description = Markup.Escape($"step {step}/{steps} " + Term("likelihood", "L") + Term("consistency", "C") + Term("adversarial_g", "G") + Term("loss_d", "D") + lastEpoch);
                    },
                    afterFit: afterFit, afterEpoch: afterEpoch);
                if (task is not null) task.Value = task.MaxValue;
            });
        return summary!;
    }
}
