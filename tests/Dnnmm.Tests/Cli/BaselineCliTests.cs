using static Dnnmm.Tests.Cli.CliRunner;


namespace Dnnmm.Tests.Cli;

public class BaselineCliTests
{


    [Fact]
    public void TrainHelpListsEveryMethodAndItsOptions()
    {
        var r = Run("train", "--help");
        Assert.Equal(0, r.Code);
        Assert.Contains("dnnmm, clustergan, dynae, kmeans, labelled-only", r.Out);
        foreach (var o in new[] { "--cg-beta-n", "--cg-readout", "--dynae-kappa", "--dynae-pretrain-epochs", "--dynae-arch", "--kmeans-restarts" })
            Assert.Contains(o, r.Out);
    }

    [Fact]
    public void KMeansRunSavesItsModelForPredictAndRefusesResumeAndSample()
    {
        using var dir = new TempDir();
        var t = Run("train", "--method", "kmeans", "--classes", "0,1", "--per-class", "20", "--kmeans-restarts", "2", "--out", dir.Path, "--force");
        Assert.True(t.Code == 0, t.Err);
        Assert.Contains("final ACC", t.Out);
        foreach (var f in new[] { "options.json", "metrics.csv", "metrics.json", "summary.json", "model.json", "model.bin" })
            Assert.True(File.Exists(dir.File(f)), f);
        Assert.False(File.Exists(dir.File("samples.png"))); // k-means cannot generate
        AssertBadInput(Run("train", "--resume", dir.Path), "keeps no checkpoints");

        string csv = dir.File("p.csv");
        var p = Run("predict", "--model", dir.Path, "--classes", "0,1", "--per-class", "20", "--out", csv);
        Assert.True(p.Code == 0, p.Err);
        Assert.Contains("40 images", p.Out);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("index,class,cluster,p_0,p_1", lines[0]);
        Assert.Equal(41, lines.Length);

        AssertBadInput(Run("sample", "--model", dir.Path, "--cluster", "0", "--out", dir.File("s.png")), "cannot generate");
        AssertBadInput(Run("viz", "samples", "--model", dir.Path, "--out", dir.File("s.png")), "cannot generate");
        AssertBadInput(Run("viz", "tsne", "--model", dir.Path, "--classes", "0,1", "--per-class", "20", "--out", dir.File("t")), "no latent codes");
        AssertBadInput(Run("viz", "interpolate", "--model", dir.Path, "--all-pairs", "--out", dir.File("i.png")), "needs a dnnmm model");
        AssertBadInput(Run("viz", "reconstruct", "--model", dir.Path, "--classes", "0,1", "--per-class", "20", "--out", dir.File("r.png")),
            "needs a dnnmm model");

        // a killed run: options.json but no model
        File.Delete(dir.File("model.bin"));
        AssertBadInput(Run("predict", "--model", dir.Path, "--classes", "0,1", "--per-class", "20", "--out", csv), "no saved model");
    }

    [Fact]
    public void ClusterGanRunOnTheShippedMnist()
    {
        using var dir = new TempDir();
        var t = Run("train", "--method", "clustergan", "--classes", "0,1", "--per-class", "16", "--alpha", "0.25", "--epochs", "1",
            "--cg-width", "8", "--cg-hidden", "32", "--cg-batch-size", "16", "--cg-critic-steps", "1", "--cg-readout", "argmax",
            "--threads", "1", "--out", dir.Path, "--force");
        Assert.True(t.Code == 0, t.Err);
        Assert.Contains("ACC(argmax)", t.Out);
        Assert.True(File.Exists(dir.File("samples.png")));
        var s = Run("sample", "--model", dir.Path, "--cluster", "1", "--n", "4", "--out", dir.File("s.png"));
        Assert.True(s.Code == 0, s.Err);
        Assert.True(File.Exists(dir.File("s.png")));
        var v = Run("viz", "samples", "--model", dir.Path, "--per-cluster", "3", "--out", dir.File("v.png"));
        Assert.True(v.Code == 0, v.Err);
        var ts = Run("viz", "tsne", "--model", dir.Path, "--classes", "0,1", "--per-class", "16", "--max-points", "8", "--iterations", "50",
            "--perplexity", "3", "--out", dir.File("t"));
        Assert.True(ts.Code == 0, ts.Err);
        Assert.Contains("(d = 32", ts.Out); // [z_n (30), softmax z_c (2)]
        var options = File.ReadAllText(dir.File("options.json"));
        Assert.Contains("\"readout\": \"argmax\"", options);
        Assert.Contains("\"epochs\": 1", options);
    }

    [Fact]
    public void MonitorEveryLeavesTheUnscoredEpochsBlankAndIsSaved()
    {
        using var dir = new TempDir();
        var t = Run("train", "--method", "labelled-only", "--classes", "0,1", "--per-class", "16", "--alpha", "0.25", "--epochs", "3",
            "--width", "8", "--monitor-every", "2", "--threads", "1", "--out", dir.Path, "--force");
        Assert.True(t.Code == 0, t.Err);
        var lines = File.ReadAllLines(dir.File("metrics.csv"));
        int acc = Array.IndexOf(lines[0].Split(','), "acc");
        Assert.True(acc > 0, lines[0]);
        Assert.Equal(new[] { "", "x", "x" }, lines.Skip(1).Select(l => l.Split(',')[acc] == "" ? "" : "x"));
        Assert.Contains("final ACC 0.", t.Out);
        Assert.Contains("\"monitorEvery\": 2", File.ReadAllText(dir.File("options.json")));
        AssertBadInput(Run("train", "--monitor-every", "0", "--classes", "0,1", "--per-class", "10", "--out", dir.File("y")), "--monitor-every 0");
        Assert.False(Directory.Exists(dir.File("y")));
    }

    [Fact]
    public void LabelledOnlyWithoutLabelsAndBadBaselineOptionsAreOneLineErrors()
    {
        AssertBadInput(Run("train", "--method", "labelled-only", "--classes", "0,1", "--per-class", "10", "--out", "x"), "--alpha");
        AssertBadInput(Run("train", "--method", "dynae", "--dynae-kappa", "0", "--classes", "0,1", "--per-class", "10", "--out", "x"), "--dynae-kappa");
        AssertBadInput(Run("train", "--method", "dynae", "--dynae-hidden", "500,x", "--out", "x"), "500,x");
        AssertBadInput(Run("train", "--method", "clustergan", "--cg-readout", "mean", "--out", "x"), "mean");
        AssertBadInput(Run("train", "--method", "nope", "--out", "x"), "--method 'nope'");
    }
}
