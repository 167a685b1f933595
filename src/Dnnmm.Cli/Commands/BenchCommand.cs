using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Cli.Commands;

public static class BenchCommand
{
    public static Command Build()
    {
        var cmd = new Command("bench", "measure time per training step and epoch, E step encoding throughput and GFLOP/s against a dense matmul (defaults: the main job)");
        var data = new DataOptionsBinder();
        var model = new MethodOptionsBinder(new[] { MethodRegistry.Get("dnnmm") });
        data.AddTo(cmd); model.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var d = data.Read(p);
            if (p.GetResult(data.Classes) is null) d = d with { Classes = new[] { "0", "1", "2", "3", "4" }, PerClass = d.PerClass ?? (d.ClassSizes is null ? 1000 : null), Alpha = p.GetResult(data.Alpha) is null ? 0.1 : d.Alpha };
            var r = Benchmark.Run(d, model.Read<DnnmmOptions>(p), p.InvocationConfiguration.Output.WriteLine);
            p.InvocationConfiguration.Output.WriteLine(r.ToMarkdown());
            return 0;
        });
        return cmd;
    }
}
