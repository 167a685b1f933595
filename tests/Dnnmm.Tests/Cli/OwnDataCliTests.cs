using System.Text.Json;
using Dnnmm.Tests.Data;
using static Dnnmm.Tests.Cli.CliRunner;

namespace Dnnmm.Tests.Cli;

/// <summary>A user's own images: a flat folder with --clusters and --labels, and predict on the model's own data.</summary>
public class OwnDataCliTests
{
    private static readonly string[] Tiny = { "--epochs", "1", "--width", "8", "--batch-size", "8", "--threads", "1" };

    [Fact]
    public void AFlatFolderTrainsWithAFewLabelsAndPredictWritesTheFiles()
    {
        using var t = new TempDir();
        string photos = t.Sub("photos");
        var names = FlatFolderTests.WriteMixedFolder(photos);
        string csv = t.File("labels.csv");
        File.WriteAllText(csv, "file,class\nimg00.png,top\nimg01.PNG,bottom\n");
        string run = t.File("run");
        var r = Run(new[] { "train", "--data", "folder:" + photos, "--clusters", "2", "--labels", csv, "--image-size", "16", "--channels", "1", "--out", run }
            .Concat(Tiny).ToArray());
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("K = 2 clusters (--clusters)", r.Out);
        Assert.Contains("no ACC/ARI/NMI: the images of a flat folder have no classes", r.Out);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))))
        {
            Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("acc").ValueKind);
            Assert.True(double.IsFinite(summary.RootElement.GetProperty("logLikelihood").GetDouble()));
            Assert.Equal(0, summary.RootElement.GetProperty("classProportions").GetArrayLength());
        }
        Assert.DoesNotContain("acc", File.ReadAllLines(Path.Combine(run, "metrics.csv"))[0]);

        // predict without --data: the model's own data (the folder, resized, grey, labelled as in training)
        string pred = t.File("pred.csv");
        var p = Run("predict", "--model", run, "--out", pred);
        Assert.True(p.Code == 0, p.Err);
        Assert.Contains("12 images (the model's data: folder:" + photos + ")", p.Out);
        Assert.Contains("2 of the images have a class: no ACC/ARI/NMI", p.Out);
        var lines = File.ReadAllLines(pred);
        Assert.Equal("index,file,class,cluster,p_0,p_1,log_likelihood", lines[0]);
        Assert.Equal(names, lines.Skip(1).Select(l => l.Split(',')[1]));
        Assert.Equal("top", lines[1].Split(',')[2]);
        Assert.Equal("bottom", lines[2].Split(',')[2]);
        Assert.All(lines.Skip(3), l => Assert.Equal("", l.Split(',')[2]));

        // another flat folder: K, size and channels come from the model, so only --data is needed, even for fewer images than K
        string few = t.Sub("few");
        File.Copy(Path.Combine(photos, "img05.jpg"), Path.Combine(few, "one.jpg"));
        var q = Run("predict", "--model", run, "--data", "folder:" + few, "--out", pred);
        Assert.True(q.Code == 0, q.Err);
        Assert.Equal(new[] { "index,file,class,cluster,p_0,p_1,log_likelihood" }, File.ReadAllLines(pred).Take(1));
        Assert.StartsWith("0,one.jpg,,", File.ReadAllLines(pred)[1]);
    }

    [Fact]
    public void PredictWithoutDataUsesTheModelsOwnData()
    {
        using var t = new TempDir();
        string run = t.File("run");
        var r = Run(new[] { "train", "--classes", "3,7", "--per-class", "12", "--alpha", "0.25", "--out", run }.Concat(Tiny).ToArray());
        Assert.True(r.Code == 0, r.Err);
        string pred = t.File("pred.csv");
        var p = Run("predict", "--model", run, "--out", pred);
        Assert.True(p.Code == 0, p.Err);
        Assert.Contains("24 images (the model's data: mnist)", p.Out);
        Assert.Contains("against the dataset's classes: ACC", p.Out);
        var lines = File.ReadAllLines(pred);
        Assert.Equal("index,class,cluster,p_0,p_1,log_likelihood", lines[0]); // no file column for IDX data
        Assert.Equal(25, lines.Length);
        Assert.Equal(new[] { "3", "7" }, lines.Skip(1).Select(l => l.Split(',')[1]).Distinct().Order());
        // a data option given on the command line replaces the model's
        var q = Run("predict", "--model", run, "--per-class", "5", "--out", pred);
        Assert.True(q.Code == 0, q.Err);
        Assert.Equal(11, File.ReadAllLines(pred).Length);
        // other data with other classes: scored, with a note that the classes differ
        var o = Run("predict", "--model", run, "--data", "mnist", "--classes", "1,2", "--per-class", "5", "--out", pred);
        Assert.True(o.Code == 0, o.Err);
        Assert.Contains("note: the model's classes are 3,7, the data's 1,2", o.Out);
    }

    /// <summary>The bad input of a user's own folder: one line, exit 2, and no run folder written.</summary>
    [Theory]
    [InlineData("empty", "", "no .png/.jpg/.jpeg images and no class sub-folders", "--clusters", "2")]
    [InlineData("photos", "", "error: --clusters is required for a flat folder")]
    [InlineData("photos", "", "error: --clusters 1 must be at least 2", "--clusters", "1")]
    [InlineData("photos", "", "error: --clusters 13 is more than the 12 images", "--clusters", "13")]
    [InlineData("photos", "img00.png,a\nnope.png,b\n", "line 2: 'nope.png' is not one of the 12 images", "--clusters", "2")]
    [InlineData("photos", "img00.png,0\nimg01.PNG,2\n", "line 2: class 2 is beyond the 2 clusters", "--clusters", "2")]
    [InlineData("photos", "img00.png;0\n", "line 1: expected two fields 'file,class', found 1", "--clusters", "2")]
    [InlineData("photos", "", "error: --alpha 0.1 needs class sub-folders", "--clusters", "2", "--alpha", "0.1")]
    [InlineData("classes", "", "error: --clusters 2 is only for a flat folder", "--clusters", "2")]
    public void BadOwnDataIsOneLineExitTwoAndWritesNothing(string folder, string labels, string message, params string[] extra)
    {
        using var t = new TempDir();
        FlatFolderTests.WriteMixedFolder(t.Sub("photos"));
        t.Sub("empty");
        FlatFolderTests.WriteMixedFolder(t.Sub("classes", "a"), 2);
        var args = new List<string> { "train", "--data", "folder:" + t.File(folder), "--image-size", "16", "--out", t.File("run") };
        if (labels.Length > 0)
        {
            File.WriteAllText(t.File("labels.csv"), labels);
            args.AddRange(new[] { "--labels", t.File("labels.csv") });
        }
        args.AddRange(extra);
        AssertBadInput(Run(args.ToArray()), message);
        Assert.False(Directory.Exists(t.File("run")));
    }
}
