using Dnnmm.Data;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Data;

public class Cifar10BinaryReaderTests
{
    private static byte Pix(int i, int c, int p) => (byte)((i * 50 + c * 80 + p) % 256);

    [Fact]
    public void LoadsTheFiveTrainBatchesInOrderWithPlanarRgb()
    {
        using var t = new TempDir();
        var labels = new byte[] { 3, 9, 0, 1, 2, 5, 7 };
        WriteCifarTrain(t.Path, labels, Pix); // batches of 1, 1, 2, 1 and 2 records
        Assert.Equal(2 * 3073, new FileInfo(t.File("data_batch_3.bin")).Length);
        File.WriteAllBytes(t.File("test_batch.bin"), CifarRecords(new byte[] { 5 }, Pix));
        var set = Cifar10BinaryReader.LoadDirectory(t.Path, "train");
        Assert.Equal(7, set.Count);
        Assert.Equal((3, 32, 32), (set.Channels, set.Height, set.Width));
        Assert.Equal(labels.Select(l => (int)l), set.Labels);
        Assert.Equal(Cifar10BinaryReader.StandardClassNames, set.ClassNames);
        Assert.Equal("cat", set.ClassNames[set.Labels[0]]);
        for (int i = 0; i < 7; i++)
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
        WriteCifarTrain(t.Path, new byte[] { 1, 1, 1, 1, 1 }, Pix);
        File.WriteAllText(t.File("batches.meta.txt"), string.Join("\n", Enumerable.Range(0, 10).Select(i => $"c{i}")) + "\n\n");
        var set = Cifar10BinaryReader.LoadDirectory(t.Path);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"c{i}"), set.ClassNames);
    }

    [Fact]
    public void WrongLengthIsReported()
    {
        using var t = new TempDir();
        WriteCifarTrain(t.Path, new byte[] { 1, 2, 3, 4, 5 }, Pix);
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
    public void SomeTrainBatchesMissingAreNamed()
    {
        using var t = new TempDir();
        foreach (int b in new[] { 1, 2, 4 })
            File.WriteAllBytes(t.File($"data_batch_{b}.bin"), CifarRecords(new byte[] { 1 }, Pix));
        File.WriteAllBytes(t.File("test_batch.bin"), CifarRecords(new byte[] { 5 }, Pix));
        AssertInputError(() => Cifar10BinaryReader.LoadDirectory(t.Path, "train"), t.Path, "missing data_batch_3.bin, data_batch_5.bin (found 1, 2, 4 of");
        // The test split needs only its own file; the batches present can still be read by naming them.
        Assert.Single(Cifar10BinaryReader.LoadDirectory(t.Path, "test").Labels);
        Assert.Equal(3, Cifar10BinaryReader.Load(new[] { 1, 2, 4 }.Select(b => t.File($"data_batch_{b}.bin")).ToList()).Count);
    }

    [Fact]
    public void LooksIntoTheUnpackedArchiveFolder()
    {
        using var t = new TempDir();
        string inner = t.Sub("cifar-10-batches-bin");
        WriteCifarTrain(inner, new byte[] { 4, 4, 4, 4, 4, 4 }, Pix);
        Assert.Equal(6, Cifar10BinaryReader.LoadDirectory(t.Path).Count);
    }
}
