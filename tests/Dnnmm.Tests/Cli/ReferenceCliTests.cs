using System.Globalization;
using System.Text.Json;
using Dnnmm.Methods;
using Dnnmm.Runs;
using Dnnmm.Scoring;
using Dnnmm.Tests.Scoring;
using static Dnnmm.Tests.Cli.CliRunner;

namespace Dnnmm.Tests.Cli;

/// <summary>dnnmm reference train / score and train --reference, end to end on tiny synthetic images.</summary>
public class ReferenceCliTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string data;

    public ReferenceCliTests() => data = "folder:" + ScoringData.WriteFolder(dir.Sub("data"));

    public void Dispose() => dir.Dispose();

    private string[] Data(params string[] more) => new[] { "--data", data, "--channels", "1" }.Concat(more).ToArray();

    private (int Code, string Out, string Err) TrainReference(string outDir, params string[] more) =>
        Run(new[] { "reference", "train" }.Concat(Data("--epochs", "2", "--batch-size", "16", "--width", "4", "--feature-dim", "8", "--threads", "1", "--out", outDir)).Concat(more).ToArray());

    private (int Code, string Out, string Err) TrainDnnmm(string outDir, params string[] more) =>
        Run(new[] { "train" }.Concat(Data("--alpha", "0.25", "--epochs", "2", "--width", "4", "--batch-size", "16", "--labelled-batch-size", "4",
            "--threads", "1", "--out", outDir)).Concat(more).ToArray());

    private static double Number(string text, string after)
    {
        int i = text.IndexOf(after, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{after}' not in: {text}");
        string rest = text[(i + after.Length)..].TrimStart();
        return double.Parse(rest[..rest.IndexOfAny(new[] { ' ', '\n' })], CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Reference_train_then_train_with_it_then_score_agree()
    {
        string refDir = dir.File("ref");
        var t = TrainReference(refDir);
        Assert.True(t.Code == 0, t.Err);
        Assert.Contains("training accuracy", t.Out);
        var info = ReferenceModel.ReadInfo(refDir);
        Assert.Equal(new[] { "c0", "c1", "c2" }, info.ClassNames);
        Assert.Equal((2, 4, 8), (info.Options.Epochs, info.Options.Width, info.Options.FeatureDim));
        Assert.True(File.Exists(Path.Combine(refDir, ReferenceModel.WeightsFile)));

        string run = dir.File("run");
        var r = TrainDnnmm(run, "--reference", refDir, "--reference-every", "1", "--reference-samples", "6");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("samples: purity", r.Out);
        Assert.Contains("purity", r.Out.Split('\n').First(l => l.StartsWith("epoch 1/2")));
        var summary = new RunFolder(run).ReadSummary<TrainSummary>();
        Assert.InRange(summary.SamplePurity!.Value, 0.0, 1.0);
        Assert.Equal(3, summary.SamplePurityPerCluster!.Length);
        Assert.True(summary.FrechetDistance >= 0);
        Assert.Equal((Path.GetFullPath(refDir), 6), (summary.Reference, summary.ReferenceSamples));
        // Both epochs have the scores in the metrics: epoch 1 from --reference-every, epoch 2 the final ones.
        var rows = new RunFolder(run).ReadMetrics();
        Assert.All(rows, row => Assert.Contains("sample_purity", row.Values.Keys));
        Assert.All(rows, row => Assert.Contains("frechet", row.Values.Keys));
        Assert.Equal(summary.SamplePurity, rows[^1].Values["sample_purity"]);
        Assert.Contains("sample_purity_2", File.ReadAllText(new RunFolder(run).MetricsCsv));
        // options.json keeps the reference, so the run can be repeated.
        var options = TrainRun.ReadOptions(run);
        Assert.Equal(new ReferenceScoringOptions { Reference = Path.GetFullPath(refDir), ReferenceEvery = 1, ReferenceSamples = 6 }, options.Scoring);

        // The standalone score, with the run's seed and the same N, gives the summary's figures.
        var s = Run("reference", "score", "--model", run, "--reference", refDir, "--n", "6");
        Assert.True(s.Code == 0, s.Err);
        Assert.Equal(Math.Round(summary.SamplePurity.Value, 4), Number(s.Out, "sample purity"));
        Assert.Equal(Math.Round(summary.FrechetDistance!.Value, 4), Number(s.Out, "Fréchet distance"));
        Assert.Contains("cluster 2 (", s.Out);
        Assert.Contains("not comparable to Inception FID", s.Out);
    }

    [Fact]
    public void Scoring_during_training_does_not_change_the_training()
    {
        string refDir = dir.File("ref");
        Assert.Equal(0, TrainReference(refDir).Code);
        Assert.Equal(0, TrainDnnmm(dir.File("plain")).Code);
        Assert.Equal(0, TrainDnnmm(dir.File("scored"), "--reference", refDir, "--reference-every", "1", "--reference-samples", "4").Code);
        var plain = new RunFolder(dir.File("plain")).ReadMetrics();
        var scored = new RunFolder(dir.File("scored")).ReadMetrics();
        Assert.Equal(plain.Count, scored.Count);
        for (int i = 0; i < plain.Count; i++)
        {
            foreach (var key in new[] { "acc", "log_likelihood", "likelihood", "consistency", "loss_d" })
                Assert.Equal(plain[i].Values[key], scored[i].Values[key]);
            Assert.Equal(plain[i].Omega, scored[i].Omega);
        }
        Assert.Null(new RunFolder(dir.File("plain")).ReadSummary<TrainSummary>().SamplePurity);
        // Without a reference, options.json is as before: no reference keys.
        Assert.DoesNotContain("reference", File.ReadAllText(new RunFolder(dir.File("plain")).Options));
    }

    [Fact]
    public void Bad_references_and_methods_without_samples_are_one_line_errors_and_touch_nothing()
    {
        string refDir = dir.File("ref");
        Assert.Equal(0, TrainReference(refDir).Code);
        string before = File.ReadAllText(Path.Combine(refDir, ReferenceModel.InfoFile));
        AssertBadInput(TrainReference(refDir), "--force");
        Assert.Equal(before, File.ReadAllText(Path.Combine(refDir, ReferenceModel.InfoFile)));
        AssertBadInput(TrainReference(dir.File("r2"), "--epochs", "0"), "--epochs");
        AssertBadInput(TrainReference(dir.File("r2"), "--lr", "2"), "--lr");
        Assert.False(Directory.Exists(dir.File("r2")));

        // A reference of other classes, a missing one, a method that cannot generate images: no run folder is made.
        string other = dir.File("other-ref");
        Assert.Equal(0, Run("reference", "train", "--classes", "0,1", "--per-class", "8", "--epochs", "1", "--width", "4", "--feature-dim", "8", "--threads", "1", "--out", other).Code);
        AssertBadInput(TrainDnnmm(dir.File("run"), "--reference", other), "trained on classes 0,1");
        AssertBadInput(TrainDnnmm(dir.File("run"), "--reference", dir.File("nope")), "not found");
        AssertBadInput(TrainDnnmm(dir.File("run"), "--reference-every", "1"), "--reference-every 1 needs --reference");
        AssertBadInput(TrainDnnmm(dir.File("run"), "--reference", refDir, "--reference-samples", "1"), "--reference-samples");
        AssertBadInput(TrainDnnmm(dir.File("run"), "--method", "kmeans", "--reference", refDir), "cannot generate images");
        Assert.False(Directory.Exists(dir.File("run")));

        // reference score: a run without samples (the no-GAN ablation), a missing reference, a bad N.
        Assert.Equal(0, TrainDnnmm(dir.File("no-gan"), "--ablation", "no-gan").Code);
        AssertBadInput(Run("reference", "score", "--model", dir.File("no-gan"), "--reference", refDir), "cannot generate images");
        AssertBadInput(Run("reference", "score", "--model", dir.File("no-gan"), "--reference", dir.File("nope")), "not found");
        AssertBadInput(Run("reference", "score", "--model", dir.File("no-gan"), "--reference", refDir, "--n", "1"), "--n 1");
    }

    [Fact]
    public void The_experiment_takes_a_reference_classifier_per_dataset()
    {
        var r = Run("experiment", "--preset", "quick", "--reference-classifier", "mnist3=refs/mnist3", "--print-config");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("\"referenceClassifier\": \"refs/mnist3\"", r.Out);
        // One dataset: the folder alone names it.
        Assert.Contains("\"referenceClassifier\": \"refs/x\"", Run("experiment", "--preset", "quick", "--reference-classifier", "refs/x", "--print-config").Out);
        Assert.DoesNotContain("referenceClassifier", Run("experiment", "--preset", "quick", "--print-config").Out);
        AssertBadInput(Run("experiment", "--preset", "quick", "--reference-classifier", "mnist3=", "--print-config"), "no folder given");
    }
}
