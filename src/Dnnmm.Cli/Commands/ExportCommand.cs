namespace Dnnmm.Cli.Commands;

public static class ExportCommand
{
    public static Command Build()
    {
        var cmd = new Command("export", "write a trained dnnmm model's networks as safetensors with PyTorch parameter names, and a JSON description beside it (architecture, K, latent dimension, means, omega, image shape, options); tools/load_dnnmm.py loads them in PyTorch");
        var model = new Option<string>("--model") { Description = "run folder of a trained dnnmm model", Required = true };
        var outFile = new Option<string>("--out") { Description = "file to write, ending in .safetensors (the description goes beside it as <name>.dnnmm.json)", Required = true };
        cmd.Add(model); cmd.Add(outFile);
        cmd.SetAction(p =>
        {
            var r = WeightsExport.Export(p.GetValue(model)!, p.GetValue(outFile)!);
            p.InvocationConfiguration.Output.WriteLine($"{r.Tensors} tensors ({r.Bytes:N0} bytes) -> {r.Weights}; description -> {r.Sidecar}");
            return 0;
        });
        return cmd;
    }
}
