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
        var force = new Option<bool>("--force") { Description = "overwrite the run in --out" };
        var resume = new Option<string?>("--resume") { Description = "continue the run in this folder from its last completed epoch (its saved options are used)" };
        var tensorboard = new Option<string?>("--tensorboard") { Description = "also write the per-epoch scalars as TensorBoard event files in this folder" };
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
            var output = p.InvocationConfiguration.Output;
            var tb = p.GetValue(tensorboard) is string tbDir ? new TensorBoardLog(tbDir) : null;
            var summary = RunWithProgress(o, dir, p.GetValue(force), resumeDir is not null, output, tb is null ? null : tb.Write);
            output.WriteLine($"final ACC {Fmt(summary.Acc)}  ARI {Fmt(summary.Ari)}  NMI {Fmt(summary.Nmi)}  log-likelihood {Fmt(summary.LogLikelihood)}  ({summary.Epochs} epochs, {summary.Seconds:F0} s)");
            if (summary.TestImages > 0)
                output.WriteLine($"test ACC {Fmt(summary.AccTest)}  ARI {Fmt(summary.AriTest)}  NMI {Fmt(summary.NmiTest)}  ({summary.TestImages} held-out images)");
            if (summary.SamplePurity is double purity)
                output.WriteLine($"samples: purity {Fmt(purity)}  Fréchet distance {Fmt(summary.FrechetDistance)} (FID-like, reference {summary.Reference})");
            output.WriteLine($"run folder: {summary.OutDir}");
            if (tb?.EventFile is string events) output.WriteLine($"tensorboard: {events}");
            return 0;
        });
        return cmd;
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
        Action<EpochReport>? onEpoch = null)
    {
        bool interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive)
            return TrainRun.Run(o, dir, force, resume, log: output.WriteLine, onEpoch: r => { output.WriteLine(EpochLine(r)); onEpoch?.Invoke(r); });

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
                    });
                if (task is not null) task.Value = task.MaxValue;
            });
        return summary!;
    }
}
