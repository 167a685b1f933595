using Dnnmm.Data;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Data;

public class DataPipelineTests
{
    /// <summary>
    /// An IDX train split where image i has label labels[i] and every pixel = i % 256 (so the
    /// position in the file can be read back), or = grey when given.
    /// </summary>
    private static TempDir MakeIdx(byte[] labels, int side = 4, byte? grey = null)
    {
        var t = new TempDir();
        WriteIdxPair(t.Path, "train", labels, side, side, (i, p) => grey ?? (byte)(i % 256), gzip: true);
        return t;
    }

    /// <summary>labels cycling 0,1,2,...,k-1, n per class.</summary>
    private static byte[] Cycle(int k, int n) => Enumerable.Range(0, k * n).Select(i => (byte)(i % k)).ToArray();

    private static int FileIndex(PreparedData d, int i) => (int)Math.Round(d.Images.Pixels[i * d.Images.ImageSize] * 255);

    [Fact]
    public void ClassesAreRemappedInTheOrderGivenAndTheFirstNOfEachAreTaken()
    {
        using var t = MakeIdx(Cycle(10, 5));
        var d = DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.Path}", Classes = new[] { "7", "3" }, PerClass = 2 });
        Assert.Equal(new[] { "7", "3" }, d.Images.ClassNames);
        // file order: 3, 7, 13, 17 (labels 3, 7, 3, 7)
        Assert.Equal(new[] { 3, 7, 13, 17 }, Enumerable.Range(0, 4).Select(i => FileIndex(d, i)));
        Assert.Equal(new[] { 1, 0, 1, 0 }, d.Images.Labels);
        Assert.Equal(new[] { 2, 2 }, d.ClassCounts);
        Assert.Equal(new[] { 5, 5 }, d.AvailableCounts);
        Assert.Equal(new[] { 0, 0 }, d.LabelledCounts);
        Assert.All(d.Labelled, l => Assert.False(l));
        Assert.Equal($"idx:{t.Path}", d.Images.Source);
    }

    [Fact]
    public void AllClassesAndAllImagesByDefault()
    {
        using var t = MakeIdx(Cycle(3, 4));
        var d = DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.Path}" });
        Assert.Equal(12, d.Images.Count);
        Assert.Equal(new[] { "0", "1", "2" }, d.Images.ClassNames);
        Assert.Equal(Enumerable.Range(0, 12), Enumerable.Range(0, 12).Select(i => FileIndex(d, i)));
    }

    [Fact]
    public void CifarClassesByNameOrIndex()
    {
        using var t = new TempDir();
        WriteCifarTrain(t.Path, new byte[] { 3, 0, 3, 9, 0 }, (i, c, p) => (byte)i);
        var d = DataPipeline.Prepare(new DataOptions { Data = $"cifar10:{t.Path}", Classes = new[] { "cat", "0" } });
        Assert.Equal(new[] { "cat", "airplane" }, d.Images.ClassNames);
        Assert.Equal(new[] { 0, 1, 0, 1 }, d.Images.Labels);
        Assert.Equal(new[] { 2, 2 }, d.ClassCounts);
        // all ten are classes of the source, but only those with images are used by default
        var all = DataPipeline.Prepare(new DataOptions { Data = $"cifar10:{t.Path}" });
        Assert.Equal(new[] { "airplane", "cat", "truck" }, all.Images.ClassNames);
    }

    [Fact]
    public void FolderAndCelebAThroughThePipeline()
    {
        using var t = new TempDir();
        foreach (var c in new[] { "cat", "dog" })
            for (int i = 0; i < 3; i++)
                WritePng(Path.Combine(t.Sub(c), $"{i}.png"), 6, 4, (x, y) => ((byte)(i * 50), 0, 0));
        var d = DataPipeline.Prepare(new DataOptions
        {
            Data = $"folder:{t.Path}", Classes = new[] { "dog", "cat" }, PerClass = 2, ImageSize = 3, Channels = 1,
        });
        Assert.Equal(new[] { "dog", "cat" }, d.Images.ClassNames);
        Assert.Equal(new[] { 1, 1, 0, 0 }, d.Images.Labels);
        Assert.Equal("1x3x3", d.Images.ShapeText);
        Assert.Contains("split:     not used", d.Describe());

        using var c2 = new TempDir();
        string img = c2.Sub("img_align_celeba");
        WriteCelebAAttributes(c2.Path, new[]
        {
            CelebARow("000001.jpg", "Smiling"), CelebARow("000002.jpg", "Male"), CelebARow("000003.jpg"),
        });
        for (int i = 1; i <= 3; i++) WriteJpeg(Path.Combine(img, $"00000{i}.jpg"), 20, 24, (x, y) => (90, 90, 90));
        var e = DataPipeline.Prepare(new DataOptions { Data = $"celeba:{c2.Path}", Classes = new[] { "male", "Smiling" } });
        Assert.Equal(new[] { "Male", "Smiling" }, e.Images.ClassNames);
        Assert.Equal(new[] { 1, 0 }, e.Images.Labels);
        Assert.Equal("3x64x64", e.Images.ShapeText);
        Assert.Contains("no list_eval_partition.txt", e.Describe());
        AssertOptionError(() => DataPipeline.Prepare(new DataOptions { Data = $"celeba:{c2.Path}", Classes = new[] { "Red_Hair" } }),
            "classes", "'Red_Hair' is not an attribute", "Wavy_Hair");
        AssertOptionError(() => DataPipeline.Prepare(new DataOptions { Data = $"celeba:{c2.Path}", Classes = new[] { "Male", "male" } }),
            "classes", "'Male' is given twice");
        AssertOptionError(() => DataPipeline.Prepare(new DataOptions { Data = $"celeba:{c2.Path}" }),
            "classes", "'Black_Hair' has no images");
    }

    [Theory]
    [InlineData(0.1, 5)]
    [InlineData(0.01, 1)]
    [InlineData(0.0, 0)]
    [InlineData(1.0, 50)]
    [InlineData(0.5, 25)]
    public void LabelledSubsetIsStratified(double alpha, int perClass)
    {
        using var t = MakeIdx(Cycle(3, 50));
        var d = DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.Path}", Alpha = alpha });
        Assert.Equal(new[] { perClass, perClass, perClass }, d.LabelledCounts);
        for (int k = 0; k < 3; k++)
            Assert.Equal(perClass, Enumerable.Range(0, d.Images.Count).Count(i => d.Labelled[i] && d.Images.Labels[i] == k));
    }

    [Fact]
    public void LabelledCountRule()
    {
        Assert.Equal(0, DataPipeline.LabelledCount(50, 0));
        Assert.Equal(1, DataPipeline.LabelledCount(50, 0.001));
        Assert.Equal(5, DataPipeline.LabelledCount(45, 0.1)); // 4.5 rounds away from zero
        Assert.Equal(7, DataPipeline.LabelledCount(7, 1));
        Assert.Equal(0, DataPipeline.LabelledCount(0, 0.5));
    }

    [Fact]
    public void SameSeedSameResultOtherSeedDifferentResult()
    {
        using var t = MakeIdx(Cycle(3, 40), side: 6, grey: 128);
        DataOptions o(int seed) => new() { Data = $"idx:{t.Path}", Alpha = 0.2, NoiseStd = 0.1, Seed = seed, PerClass = 30 };
        var a = DataPipeline.Prepare(o(5));
        var b = DataPipeline.Prepare(o(5));
        var c = DataPipeline.Prepare(o(6));
        Assert.Equal(a.Images.Pixels, b.Images.Pixels);
        Assert.Equal(a.Labelled, b.Labelled);
        Assert.Equal(a.Images.Labels, b.Images.Labels);
        Assert.NotEqual(a.Images.Pixels, c.Images.Pixels);
        Assert.NotEqual(a.Labelled, c.Labelled);
        Assert.Equal(a.Images.Labels, c.Images.Labels); // the selection does not depend on the seed
        Assert.Equal(a.LabelledCounts, c.LabelledCounts);
    }

    [Fact]
    public void NoiseHasTheRequestedStdAndIsClamped()
    {
        using var t = MakeIdx(Cycle(3, 50), side: 28, grey: 128);
        var d = DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.Path}", NoiseStd = 0.1, Seed = 3 });
        var px = d.Images.Pixels;
        double mean = px.Average(v => (double)v);
        double std = Math.Sqrt(px.Average(v => (v - mean) * (v - mean)));
        Assert.Equal(128 / 255.0, mean, 0.002);
        Assert.Equal(0.1, std, 0.003);

        var big = DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.Path}", NoiseStd = 1.0, Seed = 3 });
        Assert.All(big.Images.Pixels, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(0f, big.Images.Pixels);
        Assert.Contains(1f, big.Images.Pixels);

        var none = DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.Path}" });
        Assert.All(none.Images.Pixels, v => Assert.Equal(128 / 255f, v));
    }

    [Fact]
    public void OptionErrorsNameTheOption()
    {
        using var t = MakeIdx(Cycle(10, 3));
        string data = $"idx:{t.Path}";
        PreparedData P(DataOptions o) => DataPipeline.Prepare(o);
        Assert.Equal("alpha 1.5 is outside [0, 1]", AssertOptionError(() => P(new DataOptions { Data = data, Alpha = 1.5 }), "alpha").Message);
        AssertOptionError(() => P(new DataOptions { Data = data, Alpha = -0.1 }), "alpha", "-0.1 is outside [0, 1]");
        AssertOptionError(() => P(new DataOptions { Data = data, NoiseStd = -1 }), "noiseStd", "-1 must be");
        Assert.Equal("0 must be at least 1", AssertOptionError(() => P(new DataOptions { Data = data, PerClass = 0 }), "perClass").Detail);
        AssertOptionError(() => P(new DataOptions { Data = data, PerClass = 4 }), "perClass", $"4 is too many: class '0' has only 3 images in {data}");
        AssertOptionError(() => P(new DataOptions { Data = data, Classes = new[] { "horse" } }),
            "classes", $"'horse' is not a class of {data} (classes: 0, 1, 2");
        AssertOptionError(() => P(new DataOptions { Data = data, Classes = Enumerable.Range(0, 11).Select(i => $"{i}").ToArray() }),
            "classes", "lists 11 classes", "only 10");
        AssertOptionError(() => P(new DataOptions { Data = data, Classes = new[] { "1", "2", "1" } }), "classes", "'1' is given twice");
        AssertOptionError(() => P(new DataOptions { Data = data, Classes = new[] { "1", "01" } }), "classes", "'1' is given twice");
        AssertOptionError(() => P(new DataOptions { Data = data, Split = "val" }), "split", "'val' must be train or test");
        AssertOptionError(() => P(new DataOptions { Data = data, ImageSize = 32 }), "imageSize", "32 is only used with folder:");
        AssertOptionError(() => P(new DataOptions { Data = data, Seed = 3, Channels = 1 }), "channels", "1 is only used with folder:");
        AssertOptionError(() => P(new DataOptions { Data = "nope:/x" }), "data", "'nope:/x'", DatasetSpec.ValidForms);
        AssertOptionError(() => P(new DataOptions { Data = " " }), "data", "is empty");
        AssertInputError(() => P(new DataOptions { Data = data, Split = "test" }), "t10k-images-idx3-ubyte");
    }

    [Fact]
    public void FolderOptionErrorsNameTheOption()
    {
        using var t = new TempDir();
        foreach (var c in new[] { "airplane", "automobile" })
            WritePng(Path.Combine(t.Sub(c), "0.png"), 2, 2, (x, y) => (1, 1, 1));
        string data = $"folder:{t.Path}";
        AssertOptionError(() => DataPipeline.Prepare(new DataOptions { Data = data, Classes = new[] { "horse" } }),
            "classes", $"'horse' is not a class of {data} (classes: airplane, automobile)");
        AssertOptionError(() => DataPipeline.Prepare(new DataOptions { Data = data, Classes = new[] { "a", "b", "c" } }),
            "classes", "lists 3 classes", "only 2");
        AssertOptionError(() => DataPipeline.Prepare(new DataOptions { Data = data, Channels = 2 }), "channels", "2 must be 1 or 3");
        AssertOptionError(() => DataPipeline.Prepare(new DataOptions { Data = data, PerClass = 2000 }),
            "perClass", $"2000 is too many: class 'airplane' has only 1 images in {data}");
    }

    [Fact]
    public void DescribeReportsTheProtocol()
    {
        using var t = MakeIdx(Cycle(3, 50));
        var d = DataPipeline.Prepare(new DataOptions
        {
            Data = $"idx:{t.Path}", Classes = new[] { "2", "0" }, PerClass = 40, Alpha = 0.1, NoiseStd = 0.05, Seed = 9,
        });
        string s = d.Describe();
        foreach (var piece in new[] { $"idx:{t.Path}", "train", "1x4x4", "K = 2", "first 40", "total", "noise std: 0.05", "alpha: 0.1", "seed: 9" })
            Assert.Contains(piece, s);
        var rows = s.Split('\n');
        Assert.Contains(rows, r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["2", "0", "50", "40", "4"]);
        Assert.Contains(rows, r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["0", "1", "50", "40", "4"]);
        Assert.Contains(rows, r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["total", "100", "80", "8"]);
    }

    [Fact]
    public void ShippedMnistLoadsTenThousandImages()
    {
        var d = DataPipeline.Prepare(new DataOptions());
        Assert.Equal(DatasetKind.Mnist, d.Spec!.Kind);
        Assert.Equal(10000, d.Images.Count);
        Assert.Equal("1x28x28", d.Images.ShapeText);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{i}"), d.Images.ClassNames);
        Assert.All(d.ClassCounts, c => Assert.Equal(1000, c));
        Assert.Equal("mnist (shipped)", d.Images.Source);
        Assert.InRange(d.Images.Pixels.Average(), 0.1f, 0.16f);
    }
}
