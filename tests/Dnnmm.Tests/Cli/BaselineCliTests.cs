using Dnnmm.Cli;

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
    public void KMeansRunWritesAFolderAndRefusesResumeAndPredict()
    {
        string dir = Directory.CreateTempSubdirectory("dnnmm-km").FullName;
        try
        {
            var t = Run("train", "--method", "kmeans", "--classes", "0,1", "--per-class", "20", "--kmeans-restarts", "2", "--out", dir, "--force");
            Assert.True(t.Code == 0, t.Err);
            Assert.Contains("final ACC", t.Out);
            foreach (var f in new[] { "options.json", "metrics.csv", "metrics.json", "summary.json" })
                Assert.True(File.Exists(Path.Combine(dir, f)), f);
            Assert.False(File.Exists(Path.Combine(dir, "samples.png"))); // k-means cannot generate
            AssertBadInput(Run("train", "--resume", dir), "keeps no checkpoints");
            AssertBadInput(Run("predict", "--model", dir, "--out", Path.Combine(dir, "p.csv")), "'kmeans' run");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ClusterGanRunOnTheShippedMnist()
    {
        string dir = Directory.CreateTempSubdirectory("dnnmm-cg").FullName;
        try
        {
            var t = Run("train", "--method", "clustergan", "--classes", "0,1", "--per-class", "16", "--alpha", "0.25", "--epochs", "1",
                "--cg-width", "8", "--cg-hidden", "32", "--cg-batch-size", "16", "--cg-critic-steps", "1", "--cg-readout", "argmax",
                "--threads", "1", "--out", dir, "--force");
            Assert.True(t.Code == 0, t.Err);
            Assert.Contains("ACC(argmax)", t.Out);
            Assert.True(File.Exists(Path.Combine(dir, "samples.png")));
            var options = File.ReadAllText(Path.Combine(dir, "options.json"));
            Assert.Contains("\"readout\": \"argmax\"", options);
            Assert.Contains("\"epochs\": 1", options);
        }
        finally { Directory.Delete(dir, true); }
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
