using static Dnnmm.Tests.Cli.CliRunner;

namespace Dnnmm.Tests.Cli;

/// <summary>The protocol options on the command line: class sizes, imbalance, offset, the held-out test set.</summary>
public class ProtocolCliTests
{
    /// <summary>Bad input for each new option: one line naming the flag, exit 2, and no run folder.</summary>
    [Theory]
    [InlineData("error: --class-sizes lists 3 sizes for 2 classes", "--class-sizes", "10,5,2")]
    [InlineData("error: --class-sizes 1001 is too many: class '1' has only 1000 images", "--class-sizes", "10,1001")]
    [InlineData("error: --class-sizes 0 must be at least 1", "--class-sizes", "10,0")]
    [InlineData("error: --class-sizes '10,x': 'x' is not a whole number", "--class-sizes", "10,x")]
    [InlineData("error: --imbalance 0.5 must be a finite ratio >= 1", "--imbalance", "0.5", "--per-class", "10")]
    [InlineData("error: --imbalance needs --per-class", "--imbalance", "4")]
    [InlineData("error: --imbalance cannot be combined with --class-sizes", "--imbalance", "4", "--class-sizes", "5,5")]
    [InlineData("error: --offset 1000 is past the end of class '0'", "--offset", "1000")]
    [InlineData("error: --per-class 10 is too many: class '0' has only 5 images in mnist (shipped) (train) after the first 995", "--offset", "995", "--per-class", "10")]
    [InlineData("error: --test-split 'train' is the split the run trains on", "--test-split", "train")]
    [InlineData("error: --test-split 'dev' must be train or test", "--test-split", "dev")]
    [InlineData("error: --test-split cannot be combined with --test-data", "--test-split", "test", "--test-data", "mnist")]
    [InlineData("error: --test-data 'idx:/no/such/folder': IDX folder /no/such/folder: not found", "--test-data", "idx:/no/such/folder")]
    [InlineData("error: --test-data 'mnist' is the training data", "--test-data", "mnist")]
    public void BadProtocolInputIsOneLineAndWritesNothing(string expected, params string[] options)
    {
        using var dir = new TempDir();
        string run = dir.File("run");
        AssertBadInput(Run(new[] { "train", "--classes", "0,1", "--method", "kmeans", "--out", run }.Concat(options).ToArray()), expected);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void TestSplitOnAFolderSourceIsOneLineAndWritesNothing()
    {
        using var dir = new TempDir();
        foreach (var c in new[] { "a", "b" })
            Data.TestFiles.WriteGrayPng(Path.Combine(dir.Sub("images", c), "0.png"), 4, 4, (x, y) => 9);
        string run = dir.File("run");
        AssertBadInput(Run("train", "--data", $"folder:{dir.File("images")}", "--method", "kmeans", "--test-split", "test", "--out", run),
            "error: --test-split 'test': folder:");
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void TrainPrintsTheTestScoresAndDataInfoTheSelection()
    {
        using var dir = new TempDir();
        string run = dir.File("run");
        var t = Run("train", "--classes", "0,1", "--class-sizes", "12,6", "--offset", "100", "--method", "kmeans", "--test-split", "test", "--out", run);
        Assert.True(t.Code == 0, t.Err);
        Assert.Contains("test set:  2115 images (mnist (shipped), split test)", t.Out);
        Assert.Matches(@"test ACC \d\.\d{4}  ARI -?\d\.\d{4}  NMI \d\.\d{4}  \(2115 held-out images\)", t.Out);
        Assert.Contains("\"testSplit\": \"test\"", File.ReadAllText(Path.Combine(run, "options.json")));

        var i = Run("data", "info", "--classes", "0,1,2", "--per-class", "100", "--imbalance", "4", "--offset", "10", "--alpha", "0.1");
        Assert.True(i.Code == 0, i.Err);
        Assert.Contains("the first 100/50/25 images of the classes (--per-class 100 --imbalance 4) after the first 10 of each class", i.Out);
        Assert.Contains("total             3000       175        18", i.Out);
    }
}
