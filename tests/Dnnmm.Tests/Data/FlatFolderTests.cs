using Dnnmm.Data;
using Dnnmm.Infrastructure;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Data;

/// <summary>A folder of images without class sub-folders: an unlabelled set with K from --clusters and labels from a CSV.</summary>
public class FlatFolderTests
{
    /// <summary>
    /// A flat folder of n images, mixing grey PNG, colour PNG and colour JPEG and three sizes: image i is bright in its
    /// top half when i is even, in its bottom half when odd. Returns the file names in the folder's (ordinal) order.
    /// </summary>
    internal static string[] WriteMixedFolder(string dir, int n = 12)
    {
        Directory.CreateDirectory(dir);
        var names = new List<string>();
        for (int i = 0; i < n; i++)
        {
            bool top = i % 2 == 0;
            int w = (i % 3) switch { 0 => 16, 1 => 20, _ => 24 }, h = (i % 3) == 2 ? 12 : w;
            byte V(int y) => (byte)((y < h / 2) == top ? 230 : 20);
            string name = $"img{i:D2}" + (i % 3) switch { 0 => ".png", 1 => ".PNG", _ => ".jpg" };
            string path = Path.Combine(dir, name);
            if (i % 3 == 0) WriteGrayPng(path, w, h, (x, y) => V(y));
            else if (i % 3 == 1) WritePng(path, w, h, (x, y) => (V(y), V(y), (byte)(V(y) / 2)));
            else WriteJpeg(path, w, h, (x, y) => (V(y), V(y), V(y)));
            names.Add(name);
        }
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not an image");
        return names.OrderBy(s => s, StringComparer.Ordinal).ToArray();
    }

    private static DataOptions Flat(string dir, int? clusters = 2, string? labels = null, int? imageSize = 16) =>
        new() { Data = "folder:" + dir, Clusters = clusters, Labels = labels, ImageSize = imageSize, Channels = 1 };

    [Fact]
    public void AFolderWithoutSubFoldersIsAnUnlabelledSetOfEveryImageInFileOrder()
    {
        using var t = new TempDir();
        string dir = t.Sub("photos");
        var names = WriteMixedFolder(dir);
        Assert.True(ImageFolderReader.IsFlat(dir));
        var data = DataPipeline.Prepare(Flat(dir, clusters: 3));
        var set = data.Images;
        Assert.Equal(12, set.Count);
        Assert.Equal((1, 16, 16), (set.Channels, set.Height, set.Width)); // mixed sizes resized by --image-size
        Assert.Equal(names, set.Files);                                   // relative to the folder, ordinal order
        Assert.All(set.Labels, y => Assert.Equal(-1, y));
        Assert.False(set.AllLabelled);
        Assert.Equal(new[] { "0", "1", "2" }, set.ClassNames);            // K = 3 clusters, named by index
        Assert.DoesNotContain(true, data.Labelled);
        Assert.Equal(12, data.UnknownCount);
        // grey PNG, colour PNG and JPEG alike: image 0 (even) is bright on top, image 1 (odd) at the bottom
        int size = 16 * 16;
        Assert.True(set.Pixels[0] > 0.8f && set.Pixels[size - 1] < 0.2f);
        int one = Array.IndexOf(names, "img01.PNG");
        Assert.True(set.Pixels[one * size] < 0.2f && set.Pixels[one * size + size - 1] > 0.7f);
        string text = data.Describe();
        Assert.Contains("K = 3 clusters (--clusters)", text);
        Assert.Contains("(unlabelled)", text);
    }

    [Fact]
    public void MixedSizesWithoutAnImageSizeAreAOneLineError()
    {
        using var t = new TempDir();
        string dir = t.Sub("photos");
        WriteMixedFolder(dir);
        AssertInputError(() => DataPipeline.Prepare(Flat(dir, imageSize: null)), "--image-size");
    }

    [Fact]
    public void ALabelsFileLabelsSomeImagesByNameInOrdinalOrder()
    {
        using var t = new TempDir();
        string dir = t.Sub("photos");
        WriteMixedFolder(dir);
        string csv = t.File("labels.csv");
        File.WriteAllText(csv, "file,class\r\nimg00.png,top\n\n\"img01.PNG\",bottom\n./img03.png , bottom\n");
        var data = DataPipeline.Prepare(Flat(dir, clusters: 3, labels: csv));
        var set = data.Images;
        Assert.Equal(new[] { "bottom", "top", "2" }, set.ClassNames); // names sorted ordinal; the third cluster unnamed
        Assert.Equal(1, set.Labels[Array.IndexOf(set.Files!, "img00.png")]);
        Assert.Equal(0, set.Labels[Array.IndexOf(set.Files!, "img01.PNG")]);
        Assert.Equal(0, set.Labels[Array.IndexOf(set.Files!, "img03.png")]);
        Assert.Equal(3, data.Labelled.Count(l => l));
        Assert.Equal(9, set.Labels.Count(y => y < 0));
        Assert.Equal(new[] { 2, 1, 0 }, data.LabelledCounts);
        Assert.True(data.Labelled.Zip(set.Labels).All(p => p.First == p.Second >= 0));
    }

    [Fact]
    public void ClassIndicesWithoutHeaderAreClusterIndices()
    {
        using var t = new TempDir();
        string dir = t.Sub("photos");
        var names = WriteMixedFolder(dir, 6);
        var files = names.Select(n => Path.Combine(dir, n)).ToList();
        string csv = t.File("labels.csv");
        File.WriteAllText(csv, $"{names[4]},2\n{names[0]},0\n");
        var r = LabelsCsv.Read(csv, dir, files, 3);
        Assert.Equal(new[] { 0, -1, -1, -1, 2, -1 }, r.Labels);
        Assert.Equal(new[] { "0", "1", "2" }, r.ClassNames);
    }

    [Theory]
    [InlineData("file,class\nnope.png,a\n", "line 2", "'nope.png' is not one of the 6 images")]
    [InlineData("img00.png,5\n", "line 1", "class 5 is beyond the 3 clusters", "0..2")]
    [InlineData("img00.png,99999999999\n", "class 99999999999 is beyond the 3 clusters")]
    [InlineData("img00.png,a\nimg01.PNG,b\nimg02.jpg,c\nimg03.png,d\n", "names 4 classes", "beyond the 3 clusters")]
    [InlineData("img00.png,a\nimg01.PNG,1\n", "line 2", "class 1 is a cluster index but other lines name classes")]
    [InlineData("img00.png,a,extra\n", "line 1", "expected two fields 'file,class', found 3")]
    [InlineData("img00.png\n", "line 1", "found 1")]
    [InlineData("img00.png,\n", "line 1", "empty class")]
    [InlineData("\"img00.png,a\n", "line 1", "bad quoting")]
    [InlineData("img00.png,a\n./img00.png,b\n", "line 2", "labelled twice (also on line 1)")]
    [InlineData("file,class\n", "no labels")]
    [InlineData("", "no labels")]
    [InlineData("../photos/../outside.png,a\n", "is not one of the 6 images")]
    public void BadLabelsFilesAreOneLineErrorsNamingTheLine(string text, params string[] mustContain)
    {
        using var t = new TempDir();
        string dir = t.Sub("photos");
        var names = WriteMixedFolder(dir, 6);
        string csv = t.File("labels.csv");
        File.WriteAllText(csv, text);
        var e = AssertInputError(() => LabelsCsv.Read(csv, dir, names.Select(n => Path.Combine(dir, n)).ToList(), 3), mustContain);
        Assert.Contains(csv, e.Message);
        // the pipeline reports the same error before decoding any image
        AssertInputError(() => DataPipeline.Prepare(Flat(dir, clusters: 3, labels: csv)), mustContain);
    }

    [Fact]
    public void AMissingLabelsFileIsAOneLineError()
    {
        using var t = new TempDir();
        string dir = t.Sub("photos");
        WriteMixedFolder(dir, 4);
        AssertInputError(() => DataPipeline.Prepare(Flat(dir, labels: t.File("none.csv"))), "none.csv", "not found");
    }

    [Fact]
    public void FlatFolderOptionErrorsNameTheOption()
    {
        using var t = new TempDir();
        string dir = t.Sub("photos");
        WriteMixedFolder(dir, 4);
        AssertOptionError(() => DataPipeline.Prepare(Flat(dir, clusters: null)), "clusters", "is required for a flat folder", "4 images");
        AssertOptionError(() => DataPipeline.Prepare(Flat(dir, clusters: 1)), "clusters", "1 must be at least 2");
        AssertOptionError(() => DataPipeline.Prepare(Flat(dir) with { Alpha = 0.1 }), "alpha", "needs class sub-folders");
        AssertOptionError(() => DataPipeline.Prepare(Flat(dir) with { PerClass = 2 }), "perClass", "needs class sub-folders");
        AssertOptionError(() => DataPipeline.Prepare(Flat(dir) with { Classes = new[] { "a" } }), "classes", "needs class sub-folders");
        AssertOptionError(() => DataPipeline.Prepare(Flat(dir) with { Offset = 1 }), "offset", "needs class sub-folders");
        AssertOptionError(() => DataPipeline.PrepareTest(Flat(dir) with { TestData = "mnist" }), "testData", "flat folder");
        // K above the image count: training refuses, prediction (a trained model on a few images) does not
        var many = DataPipeline.Prepare(Flat(dir, clusters: 5));
        AssertOptionError(() => DataPipeline.CheckClusterCount(many), "clusters", "5 is more than the 4 images");
        DataPipeline.CheckClusterCount(DataPipeline.Prepare(Flat(dir, clusters: 4)));
        // an empty folder
        string empty = t.Sub("empty");
        AssertInputError(() => DataPipeline.Prepare(Flat(empty)), "no .png/.jpg/.jpeg images and no class sub-folders");
    }

    [Fact]
    public void ClustersAndLabelsAreOnlyForAFlatFolder()
    {
        using var t = new TempDir();
        string dir = t.Sub("classes");
        WritePng(Path.Combine(t.Sub("classes", "a"), "x.png"), 4, 4, (x, y) => (1, 2, 3));
        WritePng(Path.Combine(t.Sub("classes", "b"), "y.png"), 4, 4, (x, y) => (1, 2, 3));
        Assert.False(ImageFolderReader.IsFlat(dir));
        // class sub-folders work as before, and their images carry their files
        var data = DataPipeline.Prepare(new DataOptions { Data = "folder:" + dir });
        Assert.Equal(new[] { "a", "b" }, data.Images.ClassNames);
        Assert.Equal(new[] { Path.Combine("a", "x.png"), Path.Combine("b", "y.png") }, data.Images.Files);
        AssertOptionError(() => DataPipeline.Prepare(new DataOptions { Data = "folder:" + dir, Clusters = 2 }), "clusters", "only for a flat folder");
        AssertOptionError(() => DataPipeline.Prepare(new DataOptions { Data = "mnist", Labels = "x.csv" }), "labels", "only for a flat folder");
        // a test set that is a flat folder has no classes to score against
        string flat = t.Sub("flat");
        WriteMixedFolder(flat, 2);
        AssertOptionError(() => DataPipeline.PrepareTest(new DataOptions { Data = "folder:" + dir, TestData = "folder:" + flat, ImageSize = 4 }),
            "testData", "flat folder");
    }

    [Fact]
    public void ImageSetLabelsMustIndexTheClassesOrBeMinusOne()
    {
        Assert.Throws<ArgumentException>(() => new ImageSet(new float[2], new[] { 0, 2 }, new[] { "a", "b" }, 1, 1, 1, "x"));
        Assert.Throws<ArgumentException>(() => new ImageSet(new float[2], new[] { 0, -2 }, new[] { "a", "b" }, 1, 1, 1, "x"));
        Assert.Throws<ArgumentException>(() => new ImageSet(new float[2], new[] { 0, 1 }, new[] { "a", "b" }, 1, 1, 1, "x", new[] { "f" }));
        var s = new ImageSet(new float[] { 1, 2, 3 }, new[] { 0, -1, 1 }, new[] { "a", "b" }, 1, 1, 1, "x", new[] { "f0", "f1", "f2" });
        var sub = s.Subset(new[] { 2, 0 });
        Assert.Equal(new[] { "f2", "f0" }, sub.Files);
        Assert.Equal(new[] { 1, 0 }, sub.Labels);
    }
}
