using Dnnmm.Data;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Data;

public class CelebAReaderTests
{
    /// <summary>20x24 JPEG: top and bottom 2 rows black, left half red, right half blue.</summary>
    private static void Face(string path) =>
        WriteJpeg(path, 20, 24, (x, y) => y < 2 || y >= 22 ? ((byte)0, (byte)0, (byte)0) : x < 10 ? ((byte)255, (byte)0, (byte)0) : ((byte)0, (byte)0, (byte)255));

    /// <summary>
    /// A tiny CelebA folder. Rows: 1 Black, 2 Blond, 3 Black+Blond (skipped), 4 none (skipped),
    /// 5 Black without an image file (skipped), 6 Bald, 7 Black, 8 Brown, 9 Gray.
    /// </summary>
    private static TempDir MakeCelebA(bool corruptSeventh = false)
    {
        var t = new TempDir();
        string img = t.Sub("img_align_celeba");
        var rows = new[]
        {
            CelebARow("000001.jpg", "Black_Hair", "Male", "Young"),
            CelebARow("000002.jpg", "Blond_Hair", "Smiling"),
            CelebARow("000003.jpg", "Black_Hair", "Blond_Hair"),
            CelebARow("000004.jpg", "Wavy_Hair"),
            CelebARow("000005.jpg", "Black_Hair"),
            CelebARow("000006.jpg", "Bald", "Male"),
            CelebARow("000007.jpg", "Black_Hair"),
            CelebARow("000008.jpg", "Brown_Hair"),
            CelebARow("000009.jpg", "Gray_Hair"),
        };
        WriteCelebAAttributes(t.Path, rows);
        foreach (int i in new[] { 1, 2, 3, 4, 6, 7, 8, 9 })
            Face(Path.Combine(img, $"{i:D6}.jpg"));
        if (corruptSeventh) File.WriteAllText(Path.Combine(img, "000007.jpg"), "broken");
        return t;
    }

    [Fact]
    public void ParsesTheOriginalAttributeFormat()
    {
        using var t = MakeCelebA();
        var a = CelebAReader.ReadAttributes(t.Path);
        Assert.Equal(40, a.AttributeNames.Count);
        Assert.Equal(9, a.RowCount);
        Assert.Equal("000006.jpg", a.ImageNames[5]);
        Assert.True(a.IsPositive(5, a.IndexOf("Bald")));
        Assert.False(a.IsPositive(5, a.IndexOf("Young")));
        Assert.Equal(a.IndexOf("Gray_Hair"), a.IndexOf("gray_hair"));
    }

    [Fact]
    public void ClassesAreMutuallyExclusiveAndRowsWithoutImagesAreSkipped()
    {
        using var t = MakeCelebA();
        var index = CelebAReader.IndexClasses(t.Path);
        Assert.Equal(CelebAReader.DefaultClasses, index.ClassNames);
        Assert.Equal(new[] { "000001.jpg", "000002.jpg", "000006.jpg", "000007.jpg", "000008.jpg", "000009.jpg" }, index.ImageNames);
        Assert.Equal(new[] { 0, 1, 4, 0, 2, 3 }, index.Labels);
        Assert.Equal(new[] { 2, 1, 1, 1, 1 }, index.Counts);

        var two = CelebAReader.IndexClasses(t.Path, new[] { "Blond_Hair", "Black_Hair" });
        // with only these two listed: row 3 (both) is still skipped, row 5 has no file, rows 1 and 7 are Black
        Assert.Equal(new[] { 1, 0, 1 }, two.Labels);
    }

    [Fact]
    public void CentreCropsAndResizes()
    {
        using var t = MakeCelebA();
        var set = CelebAReader.Load(t.Path, imageSize: 10);
        Assert.Equal((3, 10, 10), (set.Channels, set.Height, set.Width));
        Assert.Equal(6, set.Count);
        Assert.Equal(new[] { 0, 1, 4, 0, 2, 3 }, set.Labels);
        int plane = 100;
        // The black rows (0-1, 22-23) are cropped away: 178x218-style centre square is rows 2..21.
        // Red plane: left half ~1, right half ~0; blue the other way round; green ~0.
        double redLeft = 0, blueRight = 0, green = 0;
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 10; x++)
            {
                if (x < 4) redLeft += set.Pixels[y * 10 + x];
                if (x >= 6) blueRight += set.Pixels[2 * plane + y * 10 + x];
                green += set.Pixels[plane + y * 10 + x];
            }
        Assert.True(redLeft / 40 > 0.9, $"red mean {redLeft / 40}");
        Assert.True(blueRight / 40 > 0.9, $"blue mean {blueRight / 40}");
        Assert.True(green / 100 < 0.1, $"green mean {green / 100}");
        // top and bottom rows are not black (they would be without the crop)
        for (int x = 0; x < 4; x++)
        {
            Assert.True(set.Pixels[x] > 0.8f, $"top row red {set.Pixels[x]}");
            Assert.True(set.Pixels[90 + x] > 0.8f, $"bottom row red {set.Pixels[90 + x]}");
        }
    }

    [Fact]
    public void OnlyTheSelectedImagesAreDecoded()
    {
        using var t = MakeCelebA(corruptSeventh: true);
        var set = CelebAReader.Load(t.Path, perClass: 1, imageSize: 8);
        Assert.Equal(5, set.Count);
        Assert.Equal(new[] { 0, 1, 4, 2, 3 }, set.Labels);
        AssertInputError(() => CelebAReader.Load(t.Path, imageSize: 8), "000007.jpg", "cannot decode");
    }

    [Fact]
    public void PartitionFileSelectsTheSplit()
    {
        using var t = MakeCelebA();
        File.WriteAllText(t.File("list_eval_partition.txt"),
            string.Join("\r\n", Enumerable.Range(1, 9).Select(i => $"{i:D6}.jpg {(i <= 6 ? 0 : 2)}")) + "\r\n");
        Assert.Equal(new[] { 0, 1, 4 }, CelebAReader.IndexClasses(t.Path, split: "train").Labels);
        Assert.Equal(new[] { 0, 2, 3 }, CelebAReader.IndexClasses(t.Path, split: "test").Labels);
        Assert.Equal(6, CelebAReader.IndexClasses(t.Path).Labels.Count);
    }

    [Fact]
    public void UnknownAttributeIsNamed()
    {
        using var t = MakeCelebA();
        AssertInputError(() => CelebAReader.IndexClasses(t.Path, new[] { "Black_Hair", "Red_Hair" }),
            "'Red_Hair'", "list_attr_celeba.txt", "Blond_Hair");
        AssertInputError(() => CelebAReader.IndexClasses(t.Path, new[] { "Black_Hair", "black_hair" }),
            "list_attr_celeba.txt", "attribute 'Black_Hair' is listed twice");
    }

    [Fact]
    public void MissingFilesAreNamed()
    {
        using var t = new TempDir();
        AssertInputError(() => CelebAReader.ReadAttributes(t.File("nope")), t.File("nope"), "not found");
        AssertInputError(() => CelebAReader.ReadAttributes(t.Path), t.Path, "list_attr_celeba.txt");
        WriteCelebAAttributes(t.Path, new[] { CelebARow("000001.jpg", "Bald") });
        AssertInputError(() => CelebAReader.IndexClasses(t.Path), t.Path, "img_align_celeba");
    }

    [Fact]
    public void MalformedRowsNameTheLine()
    {
        using var t = MakeCelebA();
        string file = t.File("list_attr_celeba.txt");
        var lines = File.ReadAllLines(file);
        lines[4] = lines[4][..^3]; // line 5: one value short
        File.WriteAllLines(file, lines);
        AssertInputError(() => CelebAReader.ReadAttributes(t.Path), file, "line 5", "41 fields");
        lines = File.ReadAllLines(file);
        lines[4] = CelebARow("000003.jpg").Replace(" -1", "  0");
        File.WriteAllLines(file, lines);
        AssertInputError(() => CelebAReader.ReadAttributes(t.Path), file, "line 5", "not 1 or -1");
        lines[0] = "lots";
        File.WriteAllLines(file, lines);
        AssertInputError(() => CelebAReader.ReadAttributes(t.Path), file, "line 1");
    }
}
