using Dnnmm.Infrastructure;
using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Cli.Commands;

public static class BenchCommand
{
    public static Command Build()
    {
        var cmd = new Command("bench", "measure time per training step and epoch (one epoch as after the warm-up, every term on), E step encoding throughput and GFLOP/s against a dense matmul (defaults: the main job)");
        var data = new DataOptionsBinder();
        var model = new MethodOptionsBinder(new[] { MethodRegistry.Get("dnnmm") });
        data.AddTo(cmd); model.AddTo(cmd);
        var synthetic = new Option<string>("--synthetic")
        {
            Description = "instead of training: the data path at scale, N x C x H x W synthetic images made in memory (e.g. 200000x3x64x64, CelebA-sized), "
                          + "stored as bytes with noise --noise-std (default 0.1), read once as floats in minibatches; prints stored bytes and peak memory",
        };
        cmd.Options.Add(synthetic);
        var gcStress = new Option<double?>("--gc-stress")
        {
            Description = "instead of training: run small libtorch operations for this many seconds while another thread allocates, "
                          + "to check that garbage collections stay out of libtorch's calls (exit 1 on a libtorch error; DNNMM_GC_FENCE=off shows the race)",
        };
        cmd.Options.Add(gcStress);
        var gcChurn = new Option<double?>("--gc-churn")
        {
            Description = $"with --gc-stress: MB a second the other thread allocates (0 = without pause; default {Benchmark.DefaultChurnMBps})",
        };
        cmd.Options.Add(gcChurn);
        cmd.SetAction(p =>
        {
            if (p.GetValue(gcStress) is double seconds)
            {
                if (!(seconds > 0) || seconds > 3600) throw new OptionException("gc-stress", $"{seconds} must be a number of seconds in (0, 3600]");
                double churn = p.GetValue(gcChurn) ?? Benchmark.DefaultChurnMBps;
                if (!(churn >= 0) || churn > 100_000) throw new OptionException("gc-churn", $"{churn} must be MB a second in [0, 100000]");
                var (iterations, error) = Benchmark.GcStress(seconds, churn);
                var o = p.InvocationConfiguration.Output;
                o.WriteLine($"gc stress: fence {(GcFence.Enabled ? "on" : "off")}, churn {(churn > 0 ? $"{churn} MB/s" : "without pause")}, {iterations} iterations, {GC.CollectionCount(0)} collections, {GcFence.Regions} no-GC regions");
                if (error is null) { o.WriteLine("no libtorch error"); return 0; }
                p.InvocationConfiguration.Error.WriteLine($"error: libtorch failed after {iterations} iterations: {error}");
                return 1;
            }
            if (p.GetValue(synthetic) is string shape)
            {
                var (n, c, h, w) = ParseShape(shape);
                double noise = p.GetResult(data.Noise) is null ? 0.1 : p.GetValue(data.Noise);
                var load = Benchmark.Load(n, c, h, w, noise, log: p.InvocationConfiguration.Output.WriteLine);
                p.InvocationConfiguration.Output.WriteLine(load.ToMarkdown());
                return 0;
            }
            var d = data.Read(p);
            if (p.GetResult(data.Classes) is null) d = d with { Classes = new[] { "0", "1", "2", "3", "4" }, PerClass = d.PerClass ?? (d.ClassSizes is null ? 1000 : null), Alpha = p.GetResult(data.Alpha) is null ? 0.1 : d.Alpha };
            var r = Benchmark.Run(d, model.Read<DnnmmOptions>(p), p.InvocationConfiguration.Output.WriteLine);
            p.InvocationConfiguration.Output.WriteLine(r.ToMarkdown());
            return 0;
        });
        return cmd;
    }

    /// <summary>"200000x3x64x64" as (N, C, H, W); a one-line error naming --synthetic otherwise.</summary>
    internal static (int N, int C, int H, int W) ParseShape(string text)
    {
        var parts = text.Split('x');
        var v = new int[4];
        if (parts.Length != 4 || !parts.Select((t, i) => int.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out v[i]) && v[i] > 0).All(ok => ok))
            throw new OptionException("synthetic", $"'{text}' is not N x C x H x W with positive whole numbers, e.g. 200000x3x64x64");
        return (v[0], v[1], v[2], v[3]);
    }
}
