using Dnnmm.Data;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Data;

public class IdxReaderTests
{
    private static byte Pix(int i, int p) => (byte)(i * 16 + p);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadsImagesAndLabels(bool gzip)
    {
        using var t = new TempDir();
        var labels = new byte[] { 2, 0, 2, 1, 0 };
        WriteIdxPair(t.Path, "train", labels, 3, 4, Pix, gzip);
        var set = IdxReader.LoadDirectory(t.Path, "train");
        Assert.Equal(5, set.Count);
        Assert.Equal((1, 3, 4), (set.Channels, set.Height, set.Width));
        Assert.Equal(new[] { "0", "1", "2" }, set.ClassNames);
        Assert.Equal(new[] { 2, 0, 2, 1, 0 }, set.Labels);
        for (int i = 0; i < 5; i++)
            for (int p = 0; p < 12; p++)
                Assert.Equal(Pix(i, p) / 255f, set.Pixels[i * 12 + p]);
    }

    [Fact]
    public void GzipIsDetectedByMagicBytesNotByName()
    {
        using var t = new TempDir();
        var img = IdxImages(2, 2, 2, Pix);
        // gzip content without .gz, and raw content with .gz
        File.WriteAllBytes(t.File("images"), Gzip(img));
        File.WriteAllBytes(t.File("labels.gz"), IdxLabels(new byte[] { 1, 0 }));
        var set = IdxReader.Load(t.File("images"), t.File("labels.gz"));
        Assert.Equal(2, set.Count);
        Assert.Equal(Pix(1, 3) / 255f, set.Pixels[7]);
        Assert.Equal(img.Length, IdxReader.ReadAllBytes(t.File("images")).Length);
    }

    [Fact]
    public void ReadImagesAndLabelsSeparately()
    {
        using var t = new TempDir();
        File.WriteAllBytes(t.File("i"), IdxImages(3, 2, 5, Pix));
        File.WriteAllBytes(t.File("l"), IdxLabels(new byte[] { 9, 8, 7 }));
        var im = IdxReader.ReadImages(t.File("i"));
        Assert.Equal((3, 2, 5), (im.Count, im.Rows, im.Columns));
        Assert.Equal(30, im.Pixels.Length);
        Assert.Equal(Pix(2, 9), im.Pixels[29]);
        Assert.Equal(new byte[] { 9, 8, 7 }, IdxReader.ReadLabels(t.File("l")));
    }

    [Fact]
    public void ClassNamesAreTheDistinctLabelValuesInOrder()
    {
        using var t = new TempDir();
        WriteIdxPair(t.Path, "train", new byte[] { 7, 3, 7, 12 }, 2, 2, Pix, gzip: false);
        var set = IdxReader.LoadDirectory(t.Path);
        Assert.Equal(new[] { "3", "7", "12" }, set.ClassNames);
        Assert.Equal(new[] { 1, 0, 1, 2 }, set.Labels);
    }

    [Fact]
    public void DirectoryLoaderUsesTheSplitFileNames()
    {
        using var t = new TempDir();
        WriteIdxPair(t.Path, "train", new byte[] { 0, 1, 2 }, 2, 2, Pix, gzip: true);
        WriteIdxPair(t.Path, "t10k", new byte[] { 1, 1 }, 2, 2, Pix, gzip: false);
        Assert.Equal(3, IdxReader.LoadDirectory(t.Path, "train").Count);
        var test = IdxReader.LoadDirectory(t.Path, "test");
        Assert.Equal(2, test.Count);
        Assert.EndsWith("t10k-images-idx3-ubyte", IdxReader.FindFiles(t.Path, "test").Images);
        Assert.EndsWith("train-labels-idx1-ubyte.gz", IdxReader.FindFiles(t.Path, "train").Labels);
    }

    [Fact]
    public void MissingFileAndFolderAreNamed()
    {
        using var t = new TempDir();
        string missing = t.File("train-images-idx3-ubyte.gz");
        AssertInputError(() => IdxReader.ReadImages(missing), missing, "not found");
        AssertInputError(() => IdxReader.LoadDirectory(t.File("nope")), t.File("nope"), "not found");
        AssertInputError(() => IdxReader.LoadDirectory(t.Path, "test"), t.Path, "t10k-images-idx3-ubyte");
    }

    [Fact]
    public void WrongMagicIsReported()
    {
        using var t = new TempDir();
        string p = t.File("train-images-idx3-ubyte.gz");
        File.WriteAllBytes(p, Gzip(IdxImages(1, 2, 2, Pix, magic: 0)));
        AssertInputError(() => IdxReader.ReadImages(p), $"IDX file {p}: wrong magic 0x00000000 (expected 0x00000803)");
        // a labels file given as images
        string l = t.File("labels");
        File.WriteAllBytes(l, IdxLabels(new byte[] { 1 }));
        AssertInputError(() => IdxReader.ReadImages(l), l, "wrong magic 0x00000801");
        string i = t.File("images");
        File.WriteAllBytes(i, IdxImages(1, 2, 2, Pix));
        AssertInputError(() => IdxReader.ReadLabels(i), i, "wrong magic 0x00000803 (expected 0x00000801)");
    }

    [Fact]
    public void TruncatedDataIsReported()
    {
        using var t = new TempDir();
        var img = IdxImages(4, 3, 3, Pix);
        string raw = t.File("raw");
        File.WriteAllBytes(raw, img[..^5]);
        AssertInputError(() => IdxReader.ReadImages(raw), raw, "truncated", "4x3x3");
        string gz = t.File("gz");
        File.WriteAllBytes(gz, Gzip(img[..^1]));
        AssertInputError(() => IdxReader.ReadImages(gz), gz, "truncated");
        string lab = t.File("lab");
        File.WriteAllBytes(lab, IdxLabels(new byte[] { 1, 2, 3 })[..^2]);
        AssertInputError(() => IdxReader.ReadLabels(lab), lab, "truncated");
        string header = t.File("header");
        File.WriteAllBytes(header, img[..10]);
        AssertInputError(() => IdxReader.ReadImages(header), header, "truncated header");
        // a gzip stream cut short
        string cut = t.File("cut.gz");
        var z = Gzip(img);
        File.WriteAllBytes(cut, z[..(z.Length / 2)]);
        AssertInputError(() => IdxReader.ReadImages(cut), cut);
    }

    [Fact]
    public void ImageLabelCountMismatchIsReported()
    {
        using var t = new TempDir();
        File.WriteAllBytes(t.File("train-images-idx3-ubyte"), IdxImages(3, 2, 2, Pix));
        File.WriteAllBytes(t.File("train-labels-idx1-ubyte"), IdxLabels(new byte[] { 1, 2 }));
        AssertInputError(() => IdxReader.LoadDirectory(t.Path), t.File("train-images-idx3-ubyte"),
            t.File("train-labels-idx1-ubyte"), "3 images but 2 labels");
    }
}
