using Dnnmm.Data;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Data;

public class Cifar10BinaryReaderTests
{
    private static byte Pix(int i, int c, int p) => (byte)((i * 50 + c * 80 + p) % 256);

    [Fact]
    public void LoadsTheTrainBatchesPresentInOrderWithPlanarRgb()
    {
        using var t = new TempDir();
        File.WriteAllBytes(t.File("data_batch_1.bin"), CifarRecords(new byte[] { 3, 9 }, Pix));
        File.WriteAllBytes(t.File("data_batch_3.bin"), CifarRecords(new byte[] { 0 }, (i, c, p) => Pix(i + 2, c, p)));
        File.WriteAllBytes(t.File("test_batch.bin"), CifarRecords(new byte[] { 5 }, Pix));
        var set = Cifar10BinaryReader.LoadDirectory(t.Path, "train");
        Assert.Equal(3, set.Count);
        Assert.Equal((3, 32, 32), (set.Channels, set.Height, set.Width));
        Assert.Equal(new[] { 3, 9, 0 }, set.Labels);
        Assert.Equal(Cifar10BinaryReader.StandardClassNames, set.ClassNames);
        Assert.Equal("cat", set.ClassNames[set.Labels[0]]);
        for (int i = 0; i < 3; i++)
            for (int c = 0; c < 3; c++)
                foreach (int p in new[] { 0, 1, 33, 1023 })
                    Assert.Equal(Pix(i, c, p) / 255f, set.Pixels[i * 3072 + c * 1024 + p]);

        var test = Cifar10BinaryReader.LoadDirectory(t.Path, "test");
        Assert.Equal(new[] { 5 }, test.Labels);
    }

    [Fact]
    public void ClassNamesComeFromBatchesMetaWhenPresent()
    {
        using var t = new TempDir();
        File.WriteAllBytes(t.File("data_batch_1.bin"), CifarRecords(new byte[] { 1 }, Pix));
        File.WriteAllText(t.File("batches.meta.txt"), string.Join("\n", Enumerable.Range(0, 10).Select(i => $"c{i}")) + "\n\n");
        var set = Cifar10BinaryReader.LoadDirectory(t.Path);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"c{i}"), set.ClassNames);
    }

    [Fact]
    public void WrongLengthIsReported()
    {
        using var t = new TempDir();
        string p = t.File("data_batch_1.bin");
        File.WriteAllBytes(p, CifarRecords(new byte[] { 1, 2 }, Pix)[..^7]);
        AssertInputError(() => Cifar10BinaryReader.LoadDirectory(t.Path), p, "3073");
    }

    [Fact]
    public void LabelAboveNineIsReported()
    {
        using var t = new TempDir();
        string p = t.File("test_batch.bin");
        File.WriteAllBytes(p, CifarRecords(new byte[] { 1, 10 }, Pix));
        AssertInputError(() => Cifar10BinaryReader.LoadDirectory(t.Path, "test"), p, "record 1", "label 10");
    }

    [Fact]
    public void MissingFolderOrBatchesAreReported()
    {
        using var t = new TempDir();
        AssertInputError(() => Cifar10BinaryReader.LoadDirectory(t.File("nope")), t.File("nope"), "not found");
        AssertInputError(() => Cifar10BinaryReader.LoadDirectory(t.Path, "train"), t.Path, "data_batch_1.bin");
        AssertInputError(() => Cifar10BinaryReader.LoadDirectory(t.Path, "test"), t.Path, "test_batch.bin");
    }

    [Fact]
    public void LooksIntoTheUnpackedArchiveFolder()
    {
        using var t = new TempDir();
        string inner = t.Sub("cifar-10-batches-bin");
        File.WriteAllBytes(Path.Combine(inner, "data_batch_2.bin"), CifarRecords(new byte[] { 4, 4 }, Pix));
        Assert.Equal(2, Cifar10BinaryReader.LoadDirectory(t.Path).Count);
    }
}
