using Dnnmm.Visualisation;

namespace Dnnmm.Cli.Commands;

public static class SampleCommand
{
    public static Command Build()
    {
        var cmd = new Command("sample", "generate images of one cluster (DNN-MM: G(mu_k + eps); ClusterGAN: G([z_n, one-hot k])), as a PNG grid");
        var model = new Option<string>("--model") { Description = "run folder of a trained dnnmm or clustergan model", Required = true };
        var cluster = new Option<int>("--cluster") { Description = "cluster index k", Required = true };
        var n = new Option<int>("--n") { Description = "number of images", DefaultValueFactory = _ => 64 };
        var seed = new Option<int>("--seed") { Description = "seed of the latent noise", DefaultValueFactory = _ => 1 };
        var outFile = OutputFileOption.Checked(new Option<string>("--out") { Description = "PNG file to write", Required = true });
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
        cmd.Add(model); cmd.Add(cluster); cmd.Add(n); cmd.Add(seed); cmd.Add(outFile); cmd.Add(device);
        cmd.SetAction(p =>
        {
            string dir = p.GetValue(model)!;
            var info = TrainRun.ReadModelInfo(dir);
            using var method = TrainRun.LoadMethod(dir, p.GetValue(device)!);
            if (!method.CanSample)
                throw new DnnmmInputException($"--model {dir}: a '{method.Name}' model cannot generate images (dnnmm and clustergan can)");
            int count = p.GetValue(n);
            var px = method.Sample(p.GetValue(cluster), count, p.GetValue(seed));
            var png = ImageGrid.ToPng(px, count, info.Channels, info.Height, info.Width, (int)Math.Ceiling(Math.Sqrt(count)));
            AtomicFile.WriteAllBytes(p.GetValue(outFile)!, png);
            int k = p.GetValue(cluster);
            // The cluster's learned weight, where the method is a mixture model (DNN-MM).
            string weight = method is IMixtureModel mm ? ", " + GenerativePictures.OmegaText(mm.Omega[k]) : "";
            p.InvocationConfiguration.Output.WriteLine($"{count} samples of cluster {k} ({info.ClassNames[Math.Clamp(k, 0, info.Clusters - 1)]}{weight}) -> {p.GetValue(outFile)}");
            return 0;
        });
        return cmd;
    }
}
