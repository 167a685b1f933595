using Dnnmm.Data;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Data;

public class ImageFolderReaderTests
{
    private static (byte, byte, byte) Color(int seed, int x, int y) =>
        ((byte)(seed * 40 + x * 10), (byte)(200 - y * 10), (byte)(seed * 7 + x + y));

    [Fact]
    public void ReadsPngFoldersSortedOrdinalWithExactPixels()
    {
        using var t = new TempDir();
        string b = t.Sub("b_cls"), a = t.Sub("a_cls"), upper = t.Sub("B_upper");
        WritePng(Path.Combine(a, "img2.png"), 4, 3, (x, y) => Color(1, x, y));
        WritePng(Path.Combine(a, "img10.PNG"), 4, 3, (x, y) => Color(2, x, y));
        File.WriteAllText(Path.Combine(a, "readme.txt"), "not an image");
        WritePng(Path.Combine(a, ".hidden.png"), 1, 1, (x, y) => (0, 0, 0));
        WritePng(Path.Combine(b, "z.png"), 4, 3, (x, y) => Color(3, x, y));
        WritePng(Path.Combine(upper, "q.png"), 4, 3, (x, y) => Color(4, x, y));

        var set = ImageFolderReader.Load(t.Path);
        Assert.Equal(new[] { "B_upper", "a_cls", "b_cls" }, set.ClassNames); // ordinal: 'B' < 'a'
        Assert.Equal(new[] { 0, 1, 1, 2 }, set.Labels);
        Assert.Equal((3, 3, 4), (set.Channels, set.Height, set.Width));
        // image order within a_cls is ordinal by name: "img10.PNG" < "img2.png"
        int[] seeds = { 4, 2, 1, 3 };
        for (int i = 0; i < 4; i++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 4; x++)
                {
                    var (r, g, bl) = Color(seeds[i], x, y);
                    int o = i * 36 + y * 4 + x;
                    Assert.Equal(r / 255f, set.Pixels[o]);
                    Assert.Equal(g / 255f, set.Pixels[o + 12]);
                    Assert.Equal(bl / 255f, set.Pixels[o + 24]);
                }
    }

    [Fact]
    public void ReadsJpegsWithinCompressionTolerance()
    {
        using var t = new TempDir();
        string c = t.Sub("cls");
        WriteJpeg(Path.Combine(c, "a.jpg"), 16, 16, (x, y) => (200, 100, 50));
        WriteJpeg(Path.Combine(c, "b.JPEG"), 16, 16, (x, y) => (10, 220, 130));
        var set = ImageFolderReader.Load(t.Path);
        Assert.Equal(2, set.Count);
        Assert.Equal(200 / 255f, set.Pixels[0], 0.03f);
        Assert.Equal(100 / 255f, set.Pixels[256], 0.03f);
        Assert.Equal(50 / 255f, set.Pixels[512], 0.03f);
        Assert.Equal(220 / 255f, set.Pixels[768 + 256 + 17], 0.03f);
    }

    [Fact]
    public void OneChannelIsLuminanceAndGrayPngsWork()
    {
        using var t = new TempDir();
        string c = t.Sub("cls");
        WritePng(Path.Combine(c, "a.png"), 2, 2, (x, y) => (255, 0, 0));
        WriteGrayPng(Path.Combine(c, "b.png"), 2, 2, (x, y) => (byte)(x * 100 + y * 50));
        var gray = ImageFolderReader.Load(t.Path, channels: 1);
        Assert.Equal(1, gray.Channels);
        // stored as bytes: the luminance 0.299 x 255 = 76.245 rounds to 76
        Assert.True(gray.StoredAsBytes);
        Assert.Equal(76 / 255f, gray.Pixels[0]);
        Assert.Equal(150 / 255f, gray.Pixels[4 + 3], 1e-4f);
        var rgb = ImageFolderReader.Load(t.Path, channels: 3);
        // a grey PNG gives R = G = B
        Assert.Equal(100 / 255f, rgb.Pixels[12 + 1]);
        Assert.Equal(100 / 255f, rgb.Pixels[12 + 4 + 1]);
        Assert.Equal(100 / 255f, rgb.Pixels[12 + 8 + 1]);
    }

    [Fact]
    public void DifferentSizesNeedAResizeSize()
    {
        using var t = new TempDir();
        string c = t.Sub("cls");
        WritePng(Path.Combine(c, "a.png"), 8, 8, (x, y) => (90, 90, 90));
        WritePng(Path.Combine(c, "b.png"), 12, 6, (x, y) => (90, 90, 90));
        AssertInputError(() => ImageFolderReader.Load(t.Path), Path.Combine(c, "b.png"), "12x6", "8x8");
        var set = ImageFolderReader.Load(t.Path, resize: 5);
        Assert.Equal((3, 5, 5), (set.Channels, set.Height, set.Width));
        Assert.All(set.Pixels, v => Assert.Equal(90 / 255f, v, 0.01f));
    }

    [Fact]
    public void PerClassLimitDecodesOnlyTheFirstFilesOfTheChosenClasses()
    {
        using var t = new TempDir();
        string a = t.Sub("a"), b = t.Sub("b");
        WritePng(Path.Combine(a, "1.png"), 2, 2, (x, y) => (1, 1, 1));
        File.WriteAllBytes(Path.Combine(a, "2.png"), new byte[] { 1, 2, 3, 4 }); // undecodable, never read
        WritePng(Path.Combine(b, "1.png"), 2, 2, (x, y) => (2, 2, 2));
        var index = ImageFolderReader.IndexClasses(t.Path);
        Assert.Equal(new[] { 2, 1 }, index.Counts);
        var set = ImageFolderReader.Load(index, new[] { "b", "a" }, perClass: 1);
        Assert.Equal(new[] { "a", "b" }, set.ClassNames);
        Assert.Equal(new[] { 0, 1 }, set.Labels);
        var onlyB = ImageFolderReader.Load(index, new[] { "b" });
        Assert.Equal(new[] { 1 }, onlyB.Labels);
    }

    [Fact]
    public void UndecodableImageIsNamed()
    {
        using var t = new TempDir();
        string c = t.Sub("cls");
        WritePng(Path.Combine(c, "a.png"), 2, 2, (x, y) => (1, 1, 1));
        string bad = Path.Combine(c, "b.jpg");
        File.WriteAllText(bad, "this is not a jpeg");
        AssertInputError(() => ImageFolderReader.Load(t.Path), bad, "cannot decode");
    }

    [Fact]
    public void FolderErrorsAreNamed()
    {
        using var t = new TempDir();
        AssertInputError(() => ImageFolderReader.Load(t.File("nope")), t.File("nope"), "not found");
        AssertInputError(() => ImageFolderReader.Load(t.Path), t.Path, "no class sub-folders");
        string a = t.Sub("a"), empty = t.Sub("empty");
        WritePng(Path.Combine(a, "1.png"), 2, 2, (x, y) => (1, 1, 1));
        File.WriteAllText(Path.Combine(empty, "notes.txt"), "x");
        AssertInputError(() => ImageFolderReader.Load(t.Path), empty, "no .png/.jpg/.jpeg images");
    }

    [Fact]
    public void UnknownClassIsNamed()
    {
        using var t = new TempDir();
        WritePng(Path.Combine(t.Sub("a"), "1.png"), 2, 2, (x, y) => (1, 1, 1));
        var index = ImageFolderReader.IndexClasses(t.Path);
        AssertInputError(() => ImageFolderReader.Load(index, new[] { "horse" }), "'horse'", "classes: a");
    }

    [Fact]
    public void BadDecodingParametersNameTheDataOption()
    {
        using var t = new TempDir();
        WritePng(Path.Combine(t.Sub("a"), "1.png"), 2, 2, (x, y) => (1, 1, 1));
        var index = ImageFolderReader.IndexClasses(t.Path);
        AssertOptionError(() => ImageFolderReader.Load(index, channels: 2), "channels", "2 must be 1 or 3");
        AssertOptionError(() => ImageFolderReader.Load(index, resize: 0), "imageSize", "0 must be positive");
        AssertOptionError(() => ImageFolderReader.Load(index, perClass: 0), "perClass", "0 must be positive");
    }
}
