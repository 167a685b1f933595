using System.Text.Json;
using Dnnmm.Data;
using Dnnmm.Infrastructure;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Data;

/// <summary>Class sizes, imbalance, offset and the held-out test set of the data protocol.</summary>
public class ProtocolTests
{
    /// <summary>
    /// An IDX folder whose train split has labels cycling 0..k-1 (n per class) and pixel = file index, and, with
    /// <paramref name="testPerClass"/>, a t10k split of the same kind whose pixels are 200 + file index.
    /// </summary>
    private static TempDir MakeIdx(int k, int n, int testPerClass = 0)
    {
        var t = new TempDir();
        WriteIdxPair(t.Path, "train", Cycle(k, n), 4, 4, (i, p) => (byte)i, gzip: true);
        if (testPerClass > 0)
            WriteIdxPair(t.Path, "t10k", Cycle(k, testPerClass), 4, 4, (i, p) => (byte)(200 + i), gzip: false);
        return t;
    }

    private static byte[] Cycle(int k, int n) => Enumerable.Range(0, k * n).Select(i => (byte)(i % k)).ToArray();

    private static int[] FileIndices(ImageSet s) =>
        Enumerable.Range(0, s.Count).Select(i => (int)Math.Round(s.Pixels[i * s.ImageSize] * 255)).ToArray();

    /// <summary>The file indices of the images of class (label) j, in order.</summary>
    private static int[] OfClass(ImageSet s, int j) =>
        FileIndices(s).Where((_, i) => s.Labels[i] == j).ToArray();

    [Fact]
    public void ClassSizesTakeTheFirstNkOfEachClassInTheOrderOfClasses()
    {
        using var t = MakeIdx(3, 10);
        var d = DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.Path}", Classes = new[] { "2", "0" }, ClassSizes = new[] { 3, 1 } });
        Assert.Equal(new[] { 3, 1 }, d.ClassCounts);
        Assert.Equal(new[] { 2, 5, 8 }, OfClass(d.Images, 0)); // class "2": file indices 2, 5, 8
        Assert.Equal(new[] { 0 }, OfClass(d.Images, 1));
        Assert.Contains("the first 3/1 images of the classes (--class-sizes)", d.Describe());
    }

    [Fact]
    public void ImbalanceGivesGeometricSizesFromPerClassDownToPerClassOverR()
    {
        var o = new DataOptions { PerClass = 1000, Imbalance = 16 };
        Assert.Equal(new[] { 1000, 500, 250, 125, 62 }, o.Sizes(5)); // 62.5 rounds half to even
        Assert.Equal(new[] { 1000 }, o.Sizes(1));
        Assert.Equal(new[] { 7, 7, 7 }, (o with { PerClass = 7, Imbalance = 1 }).Sizes(3));
        Assert.Equal(new[] { 3, 1, 1 }, (o with { PerClass = 3, Imbalance = 100 }).Sizes(3)); // at least 1
        Assert.Null(new DataOptions().Sizes(4));
        Assert.Equal(new[] { 5, 5 }, new DataOptions { PerClass = 5 }.Sizes(2));

        using var t = MakeIdx(3, 10);
        var d = DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.Path}", PerClass = 8, Imbalance = 4 });
        Assert.Equal(new[] { 8, 4, 2 }, d.ClassCounts);
        Assert.Equal(new[] { 1, 4, 7, 10 }, OfClass(d.Images, 1));
        Assert.Contains("the first 8/4/2 images of the classes (--per-class 8 --imbalance 4)", d.Describe());
    }

    [Fact]
    public void OffsetSkipsTheFirstImagesOfEachClass()
    {
        using var t = MakeIdx(2, 10);
        var d = DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.Path}", Offset = 7, PerClass = 2 });
        Assert.Equal(new[] { 14, 16 }, OfClass(d.Images, 0));
        Assert.Equal(new[] { 15, 17 }, OfClass(d.Images, 1));
        var rest = DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.Path}", Offset = 8 });
        Assert.Equal(new[] { 2, 2 }, rest.ClassCounts); // all that is left
        var sized = DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.Path}", Offset = 1, ClassSizes = new[] { 1, 3 } });
        Assert.Equal(new[] { 2 }, OfClass(sized.Images, 0));
        Assert.Equal(new[] { 3, 5, 7 }, OfClass(sized.Images, 1));
        Assert.Contains("after the first 1 of each class (--offset)", sized.Describe());
    }

    [Fact]
    public void OffsetAndSizesDecodeOnlyTheChosenFilesOfAFolder()
    {
        using var t = new TempDir();
        foreach (var c in new[] { "a", "b" })
            for (int i = 0; i < 4; i++)
                WriteGrayPng(Path.Combine(t.Sub(c), $"{i}.png"), 2, 2, (x, y) => (byte)(c == "a" ? 10 * i : 100 + 10 * i));
        var d = DataPipeline.Prepare(new DataOptions { Data = $"folder:{t.Path}", Channels = 1, Offset = 1, ClassSizes = new[] { 2, 1 } });
        Assert.Equal(new[] { 0, 0, 1 }, d.Images.Labels);
        Assert.Equal(new[] { 10, 20, 110 }, Enumerable.Range(0, 3).Select(i => (int)Math.Round(d.Images.Pixels[i * 4] * 255)));
    }

    [Theory]
    [InlineData(0.1, new[] { 40, 20, 5 }, new[] { 4, 2, 1 })]
    [InlineData(0.01, new[] { 40, 20, 5 }, new[] { 1, 1, 1 })]
    [InlineData(0.5, new[] { 40, 20, 5 }, new[] { 20, 10, 3 })]
    [InlineData(0.0, new[] { 40, 20, 5 }, new[] { 0, 0, 0 })]
    public void LabelledSubsetsStayStratifiedWithUnequalSizes(double alpha, int[] sizes, int[] labelled)
    {
        using var t = MakeIdx(3, 50);
        var d = DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.Path}", ClassSizes = sizes, Alpha = alpha, Seed = 4 });
        Assert.Equal(sizes, d.ClassCounts);
        Assert.Equal(labelled, d.LabelledCounts);
        for (int k = 0; k < 3; k++)
            Assert.Equal(labelled[k], Enumerable.Range(0, d.Images.Count).Count(i => d.Labelled[i] && d.Images.Labels[i] == k));
    }

    [Fact]
    public void TestSplitIsEveryImageOfTheTrainingClassesAndNeverATrainingImage()
    {
        using var t = MakeIdx(3, 10, testPerClass: 4);
        var o = new DataOptions { Data = $"idx:{t.Path}", Classes = new[] { "2", "0" }, PerClass = 5, Offset = 2, Alpha = 0.2, TestSplit = "test" };
        var train = DataPipeline.Prepare(o);
        var test = DataPipeline.PrepareTest(o, train.Images)!;
        Assert.All(FileIndices(train.Images), i => Assert.InRange(i, 0, 29));
        Assert.Equal(new[] { "2", "0" }, test.ClassNames);
        Assert.Equal(8, test.Count); // all four of each class: the selection options do not apply
        Assert.Equal(new[] { 202, 205, 208, 211 }, OfClass(test, 0));
        Assert.Equal(new[] { 200, 203, 206, 209 }, OfClass(test, 1));
        Assert.Equal(train.Images.ShapeText, test.ShapeText);
        Assert.Null(DataPipeline.PrepareTest(o with { TestSplit = null }));
        // without the training images the classes are those of the options
        Assert.Equal(8, DataPipeline.PrepareTest(o)!.Count);
    }

    [Fact]
    public void TestDataMatchesTheClassesByNameAndTestNoiseComesFromItsOwnStream()
    {
        using var a = MakeIdx(3, 10);
        using var b = MakeIdx(3, 6);
        var o = new DataOptions { Data = $"idx:{a.Path}", Classes = new[] { "1", "2" }, PerClass = 3, TestData = $"idx:{b.Path}" };
        var train = DataPipeline.Prepare(o);
        var test = DataPipeline.PrepareTest(o, train.Images)!;
        Assert.Equal(12, test.Count);
        Assert.Equal(new[] { 1, 4, 7, 10, 13, 16 }, OfClass(test, 0));

        var noisy = o with { NoiseStd = 0.2, Seed = 3 };
        var n1 = DataPipeline.PrepareTest(noisy, train.Images)!;
        var n2 = DataPipeline.PrepareTest(noisy, train.Images)!;
        Assert.Equal(n1.Pixels, n2.Pixels);
        Assert.NotEqual(test.Pixels, n1.Pixels);
        Assert.All(n1.Pixels, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void CifarTestSplitByClassName()
    {
        using var t = new TempDir();
        WriteCifarTrain(t.Path, new byte[] { 3, 0, 3, 9, 0 }, (i, c, p) => (byte)i);
        File.WriteAllBytes(t.File("test_batch.bin"), CifarRecords(new byte[] { 0, 5, 3, 3 }, (i, c, p) => (byte)(200 + i)));
        var o = new DataOptions { Data = $"cifar10:{t.Path}", Classes = new[] { "cat", "airplane" }, ClassSizes = new[] { 1, 2 }, TestSplit = "test" };
        var test = DataPipeline.PrepareTest(o, DataPipeline.Prepare(o).Images)!;
        Assert.Equal(new[] { 1, 0, 0 }, test.Labels); // airplane, cat, cat in file order
        Assert.Equal(new[] { 200, 202, 203 }, FileIndices(test));
    }

    [Fact]
    public void ShippedMnistHasTheWholeTestSet()
    {
        var o = new DataOptions { Classes = new[] { "0", "4" }, PerClass = 5, TestSplit = "test" };
        var test = DataPipeline.PrepareTest(o, DataPipeline.Prepare(o).Images)!;
        Assert.Equal(980 + 982, test.Count);
        Assert.Equal("1x28x28", test.ShapeText);
        var all = DataPipeline.PrepareTest(new DataOptions { TestSplit = "test" })!;
        Assert.Equal(10000, all.Count);
    }

    [Fact]
    public void NewOptionErrorsNameTheOption()
    {
        using var t = MakeIdx(3, 10);
        string data = $"idx:{t.Path}";
        PreparedData P(DataOptions o) => DataPipeline.Prepare(o);
        var o = new DataOptions { Data = data };
        AssertOptionError(() => P(o with { ClassSizes = new[] { 1, 2 } }), "classSizes", "lists 2 sizes for 3 classes");
        AssertOptionError(() => P(o with { Classes = new[] { "0", "1" }, ClassSizes = new[] { 1, 2, 3 } }), "classSizes", "lists 3 sizes for 2 classes");
        AssertOptionError(() => P(o with { ClassSizes = new[] { 1, 0, 2 } }), "classSizes", "0 must be at least 1");
        AssertOptionError(() => P(o with { ClassSizes = Array.Empty<int>() }), "classSizes", "empty");
        AssertOptionError(() => P(o with { ClassSizes = new[] { 1, 11, 2 } }), "classSizes", "11 is too many: class '1' has only 10 images");
        AssertOptionError(() => P(o with { ClassSizes = new[] { 1, 1, 1 }, PerClass = 1 }), "classSizes", "--per-class");
        AssertOptionError(() => P(o with { Imbalance = 0.5, PerClass = 2 }), "imbalance", "0.5 must be a finite ratio >= 1");
        AssertOptionError(() => P(o with { Imbalance = double.NaN, PerClass = 2 }), "imbalance", "NaN");
        AssertOptionError(() => P(o with { Imbalance = 2 }), "imbalance", "needs --per-class");
        AssertOptionError(() => P(o with { Imbalance = 2, ClassSizes = new[] { 1, 1, 1 } }), "imbalance", "--class-sizes");
        AssertOptionError(() => P(o with { PerClass = 11, Imbalance = 2 }), "perClass", "11 is too many: class '0' has only 10");
        AssertOptionError(() => P(o with { Offset = -1 }), "offset", "-1 must be >= 0");
        AssertOptionError(() => P(o with { Offset = 10 }), "offset", "10 is past the end of class '0': it has only 10 images");
        AssertOptionError(() => P(o with { Offset = 8, PerClass = 3 }), "perClass", "has only 2 images", "after the first 8 (--offset)");
        AssertOptionError(() => P(o with { TestSplit = "val" }), "testSplit", "'val' must be train or test");
        AssertOptionError(() => P(o with { TestSplit = "train" }), "testSplit", "is the split the run trains on");
        AssertOptionError(() => P(o with { TestSplit = "test", TestData = data }), "testSplit", "--test-data");
        AssertOptionError(() => P(o with { TestData = " " }), "testData", "is empty");
        AssertOptionError(() => P(o with { LabelledPerClass = 0 }), "labelledPerClass", "0 must be at least 1");
        AssertOptionError(() => P(o with { LabelledPerClass = 2, Alpha = 0.1 }), "labelledPerClass", "--alpha 0.1");
        AssertOptionError(() => P(o with { LabelledPerClass = 4, ClassSizes = new[] { 5, 3, 5 } }), "labelledPerClass", "4 is more than the 3 images of class '1'");
    }

    [Fact]
    public void LabelledPerClassLabelsExactlyThatManyOfEachClassFromTheSeed()
    {
        using var t = MakeIdx(3, 10);
        var o = new DataOptions { Data = $"idx:{t.Path}", ClassSizes = new[] { 10, 7, 4 }, LabelledPerClass = 3, Seed = 2 };
        var d = DataPipeline.Prepare(o);
        Assert.Equal(new[] { 3, 3, 3 }, d.LabelledCounts);
        Assert.Contains("labelled: 3 per class (--labelled-per-class)", d.Describe());
        Assert.Equal(d.Labelled, DataPipeline.Prepare(o).Labelled);
        Assert.NotEqual(d.Labelled, DataPipeline.Prepare(o with { Seed = 3 }).Labelled);
        // the same draws as alpha where the counts agree: alpha 0.3 of 10 images per class labels 3 of each
        var even = new DataOptions { Data = $"idx:{t.Path}", PerClass = 10, Seed = 2 };
        Assert.Equal(DataPipeline.Prepare(even with { Alpha = 0.3 }).Labelled, DataPipeline.Prepare(even with { LabelledPerClass = 3 }).Labelled);
    }

    [Fact]
    public void TestSetErrorsNameTheTestOption()
    {
        using var t = MakeIdx(3, 10);
        using var other = MakeIdx(2, 3);
        var o = new DataOptions { Data = $"idx:{t.Path}" };
        ImageSet? T(DataOptions x) => DataPipeline.PrepareTest(x, DataPipeline.Prepare(x).Images);
        AssertOptionError(() => T(o with { TestSplit = "test" }), "testSplit", "'test'", "no t10k-images-idx3-ubyte");
        AssertOptionError(() => T(o with { TestData = $"idx:{other.Path}" }), "testData", "classes lists 3 classes", "has only 2");
        AssertOptionError(() => T(o with { Classes = new[] { "0", "2" }, TestData = $"idx:{other.Path}" }), "testData", "classes '2' is not a class of");
        AssertOptionError(() => T(o with { TestData = o.Data }), "testData", "is the training data");
        AssertOptionError(() => T(o with { TestData = "nope:/x" }), "testData", "'nope:/x'", "not a known data source");

        using var f = new TempDir();
        foreach (var c in new[] { "0", "1", "2" })
            WriteGrayPng(Path.Combine(f.Sub(c), "0.png"), 5, 5, (x, y) => 9);
        var folder = new DataOptions { Data = $"folder:{f.Path}" };
        AssertOptionError(() => T(folder with { TestSplit = "test" }), "testSplit", "has no splits");
        // a folder test set takes the training images' size and channels unless they are given
        var fromFolder = T(o with { TestData = $"folder:{f.Path}" })!;
        Assert.Equal(3, fromFolder.Count);
        Assert.Equal("1x4x4", fromFolder.ShapeText);
        AssertOptionError(() => T(folder with { ImageSize = 5, TestData = o.Data }), "testData", "test images are 1x4x4 but the training images 3x5x5");

        using var c2 = new TempDir();
        c2.Sub("img_align_celeba");
        WriteCelebAAttributes(c2.Path, new[] { CelebARow("000001.jpg", "Smiling") });
        WriteJpeg(Path.Combine(c2.Path, "img_align_celeba", "000001.jpg"), 8, 8, (x, y) => (9, 9, 9));
        AssertOptionError(() => T(new DataOptions { Data = $"celeba:{c2.Path}", Classes = new[] { "Smiling" }, TestSplit = "test" }),
            "testSplit", "has no splits", "no list_eval_partition.txt");
    }

    [Fact]
    public void OlderOptionsStillReadAndUnsetNewOptionsAreNotWritten()
    {
        const string older = """{"data":"mnist","split":"train","classes":["0","1"],"perClass":5,"noiseStd":0,"alpha":0.1,"seed":1,"imageSize":null,"channels":null}""";
        var o = JsonSerializer.Deserialize<DataOptions>(older, Json.Options)!;
        Assert.Equal(new DataOptions { Classes = new[] { "0", "1" }, PerClass = 5, Alpha = 0.1 } with { Classes = o.Classes }, o);
        Assert.Null(o.ClassSizes); Assert.Null(o.Imbalance); Assert.Equal(0, o.Offset); Assert.Null(o.TestSplit); Assert.Null(o.TestData);
        Assert.Equal(older, Json.Serialize(o).Replace(" ", "").Replace("\n", "").ReplaceLineEndings(""));

        var all = new DataOptions { PerClass = 4, Imbalance = 2, Offset = 3, TestSplit = "test" };
        var back = JsonSerializer.Deserialize<DataOptions>(Json.Serialize(all), Json.Options)!;
        Assert.Equal(all, back);
        var sized = new DataOptions { ClassSizes = new[] { 3, 2 }, TestData = "idx:/x" };
        Assert.Equal(new[] { 3, 2 }, JsonSerializer.Deserialize<DataOptions>(Json.Serialize(sized), Json.Options)!.ClassSizes);
    }
}
