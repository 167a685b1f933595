using System.Globalization;
using Dnnmm.Scoring;

namespace Dnnmm.Cli.Commands;

/// <summary>
/// dnnmm reference: train a fixed reference classifier for a dataset, and score a run's generated samples with it
/// (sample purity, FID-like Fréchet distance in the classifier's feature space).
/// </summary>
public static class ReferenceCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Build()
    {
        var cmd = new Command("reference", "a fixed reference classifier per dataset, to score the samples of generative runs (sample purity and an FID-like Fréchet distance in its feature space)");
        cmd.Add(BuildTrain());
        cmd.Add(BuildScore());
        return cmd;
    }

    private static Command BuildTrain()
    {
        var cmd = new Command("train", "train a reference classifier on every label of the training images a data spec selects (same data options as train; --alpha plays no part) and save it in a folder (reference.json, reference.bin)");
        var data = new DataOptionsBinder();
        var options = new OptionRecordBinder<ReferenceOptions>();
        var outDir = new Option<string?>("--out") { Description = "folder for the classifier (reference.json with the data spec, classes and accuracies; reference.bin)" };
        var force = new Option<bool>("--force") { Description = "replace the reference classifier in --out" };
        data.AddTo(cmd, testSet: true); options.AddTo(cmd);
        cmd.Add(outDir); cmd.Add(force);
        cmd.SetAction(p =>
        {
            var output = p.InvocationConfiguration.Output;
            string dir = p.GetValue(outDir) ?? throw new DnnmmInputException("--out: a folder for the reference classifier is required");
            var info = ReferenceTrainer.Train(data.Read(p), options.Read(p), dir, p.GetValue(force), output.WriteLine);
            output.WriteLine(string.Create(Inv, $"training accuracy {info.TrainAccuracy:F4} ({info.TrainImages} images, {info.Seconds:F0} s)"));
            if (info.TestAccuracy is double t)
                output.WriteLine(string.Create(Inv, $"test accuracy {t:F4} ({info.TestImages} held-out images: {info.TestSource})"));
            if (info.TestFrechetDistance is double fd)
                output.WriteLine(string.Create(Inv, $"Fréchet distance between the training and the test images {fd:F4} (two sets of real images: a floor for generated samples)"));
            output.WriteLine($"reference classifier: {Path.GetFullPath(dir)}");
            return 0;
        });
        return cmd;
    }

    private static Command BuildScore()
    {
        var cmd = new Command("score", "score the generated samples of a run with a reference classifier: sample purity (overall and per cluster) and the FID-like Fréchet distance");
        var model = new Option<string>("--model") { Description = "run folder of a trained generative model (dnnmm with a GAN term, clustergan)", Required = true };
        var reference = new Option<string>("--reference") { Description = "reference classifier folder (from 'dnnmm reference train')", Required = true };
        var n = new Option<int>("--n") { Description = "generated images per cluster", DefaultValueFactory = _ => ReferenceScoringOptions.DefaultSamples };
        var seed = new Option<int?>("--seed") { Description = "seed of the latent noise (default: the run's seed)" };
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
        cmd.Add(model); cmd.Add(reference); cmd.Add(n); cmd.Add(seed); cmd.Add(device);
        cmd.SetAction(p =>
        {
            var output = p.InvocationConfiguration.Output;
            int count = p.GetValue(n);
            if (count < 2) throw new DnnmmInputException($"--n {count}: at least 2 samples per cluster are needed");
            string refDir = p.GetValue(reference)!;
            var g = TrainRun.ScoreRun(p.GetValue(model)!, refDir, count, p.GetValue(seed), p.GetValue(device)!, output.WriteLine);
            var info = ReferenceModel.ReadInfo(refDir);
            output.WriteLine(string.Create(Inv, $"sample purity {g.SamplePurity:F4}  ({g.SamplesPerCluster} samples per cluster)"));
            for (int k = 0; k < g.PurityPerCluster.Length; k++)
            {
                string cls = g.ClusterToClass[k] >= 0 ? info.ClassNames[g.ClusterToClass[k]] : "no class";
                output.WriteLine(string.Create(Inv, $"  cluster {k} ({cls}): {g.PurityPerCluster[k]:F4}"));
            }
            output.WriteLine(string.Create(Inv, $"Fréchet distance {g.FrechetDistance:F4}  (FID-like, in the reference classifier's feature space, not comparable to Inception FID; {g.RealImages} real images)"));
            return 0;
        });
        return cmd;
    }
}
