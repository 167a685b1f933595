using Dnnmm.Data;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Tests.Data;

/// <summary>Images stored as bytes read as the floats the float storage holds; noise is per image and reproducible.</summary>
public class ImageStorageTests
{
    private static (byte[] Bytes, float[] Floats, int[] Labels) Random8(int n, int size, int seed)
    {
        var rng = new Random(seed);
        var b = new byte[n * size];
        rng.NextBytes(b);
        var f = b.Select(v => v / 255f).ToArray();
        var y = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        return (b, f, y);
    }

    private static readonly string[] Names = { "a", "b", "c" };

    [Fact]
    public void ByteStorageGivesTheSameMinibatchFloatsAsFloatStorage()
    {
        var (b, f, y) = Random8(50, 2 * 3 * 3, 1);
        var asBytes = ImageSet.FromBytes(b, y, Names, 2, 3, 3, "t");
        var asFloats = new ImageSet(f, y, Names, 2, 3, 3, "t");
        Assert.True(asBytes.StoredAsBytes);
        Assert.False(asFloats.StoredAsBytes);
        Assert.Equal(50 * 18, asBytes.StoredBytes);
        Assert.Equal(50 * 18 * 4, asFloats.StoredBytes);
        Assert.Equal(asFloats.Pixels, asBytes.Pixels);
        int[] batch = { 7, 3, 49, 3, 0 };
        using var xb = MethodCommon.BatchTensor(asBytes, batch);
        using var xf = MethodCommon.BatchTensor(asFloats, batch);
        Assert.Equal(new long[] { 5, 2, 3, 3 }, xb.shape);
        Assert.Equal(xf.data<float>().ToArray(), xb.data<float>().ToArray());
        Assert.Equal(batch.SelectMany(i => f.Skip(i * 18).Take(18)).ToArray(), xb.data<float>().ToArray());
        using var whole = MethodCommon.ToTensor(asBytes);
        Assert.Equal(f, whole.data<float>().ToArray());
        using var range = MethodCommon.RangeTensor(asBytes, 10, 3);
        Assert.Equal(f.Skip(180).Take(54).ToArray(), range.data<float>().ToArray());
        // with the same noise, too
        var nb = asBytes.WithNoise(0.1, 5);
        var nf = asFloats.WithNoise(0.1, 5);
        using var nxb = MethodCommon.BatchTensor(nb, batch);
        using var nxf = MethodCommon.BatchTensor(nf, batch);
        Assert.Equal(nxf.data<float>().ToArray(), nxb.data<float>().ToArray());
    }

    [Fact]
    public void NoiseIsDrawnPerImageAndIsTheSameAtEveryRead()
    {
        var (b, _, y) = Random8(30, 16, 2);
        var clean = ImageSet.FromBytes(b, y, Names, 1, 4, 4, "t");
        var noisy = clean.WithNoise(0.2, 11);
        var first = new float[16];
        var again = new float[16];
        noisy.CopyImage(12, first);
        noisy.CopyImage(12, again);
        Assert.Equal(first, again);
        // image 12's noise is its own stream: the same whichever images are read with it, and in a range
        using var inBatch = MethodCommon.BatchTensor(noisy, new[] { 3, 12 });
        Assert.Equal(first, inBatch.data<float>().ToArray().Skip(16).ToArray());
        var range = new float[30 * 16];
        noisy.CopyRange(0, 30, range, 0);
        Assert.Equal(first, range.Skip(12 * 16).Take(16).ToArray());
        Assert.Equal(range, noisy.Pixels);
        // the noise is the documented stream: clean pixels plus polar-method normals from Random(DeriveSeed(seed, 12)), clamped
        var expected = new float[16];
        clean.CopyImage(12, expected);
        DataPipeline.AddGaussianNoise(expected, 0.2, new Random(DataPipeline.DeriveSeed(11, 12)));
        Assert.Equal(expected, first);
        Assert.NotEqual(clean.Pixels.Skip(12 * 16).Take(16).ToArray(), first);
        Assert.All(range, v => Assert.InRange(v, 0f, 1f));
        // another seed, other noise; a second WithNoise is refused
        var other = new float[16];
        clean.WithNoise(0.2, 12).CopyImage(12, other);
        Assert.NotEqual(first, other);
        Assert.Throws<InvalidOperationException>(() => noisy.WithNoise(0.1, 1));
        Assert.Same(clean, clean.WithNoise(0, 1));
    }

    [Fact]
    public void ALargeRangeIsReadInParallelWithTheSameNoise()
    {
        // 300 images of 32x32x3 = 921,600 floats: above the size where CopyRange goes parallel
        var (b, _, y) = Random8(300, 3 * 32 * 32, 4);
        var noisy = ImageSet.FromBytes(b, y, Names, 3, 32, 32, "t").WithNoise(0.1, 8);
        var all = new float[300 * 3072 + 5];
        noisy.CopyRange(0, 300, all, 5);
        var one = new float[3072];
        foreach (int i in new[] { 0, 151, 299 })
        {
            noisy.CopyImage(i, one);
            Assert.Equal(one, all.Skip(5 + i * 3072).Take(3072).ToArray());
        }
        var clean = ImageSet.FromBytes(b, y, Names, 3, 32, 32, "t").Pixels;
        double sq = 0;
        for (int i = 0; i < clean.Length; i++) sq += (all[5 + i] - clean[i]) * (double)(all[5 + i] - clean[i]);
        // clamping at 0 and 1 shrinks the noise a little: the rms difference is a bit under 0.1
        Assert.InRange(Math.Sqrt(sq / clean.Length), 0.085, 0.1);
    }

    [Fact]
    public void SubsetsKeepEachImagesNoiseAndStorage()
    {
        var (b, _, y) = Random8(20, 9, 3);
        var noisy = ImageSet.FromBytes(b, y, Names, 1, 3, 3, "t").WithNoise(0.3, 4);
        var sub = noisy.Subset(new[] { 17, 2, 9 });
        Assert.True(sub.StoredAsBytes);
        Assert.Equal(new[] { y[17], y[2], y[9] }, sub.Labels);
        var want = new float[9];
        var got = new float[9];
        noisy.CopyImage(2, want);
        sub.CopyImage(1, got);
        Assert.Equal(want, got);
        var relabelled = sub.WithLabels(new[] { 0, 0, 1 }, new[] { "x", "y" });
        relabelled.CopyImage(1, got);
        Assert.Equal(want, got);
    }

    [Fact]
    public void ByteStorageIsCutIntoChunksThatHoldWholeImages()
    {
        // chunks of at most 2 images of 1000 bytes (ChunkBytes, 2^30, in production): 5 images need three chunks
        int size = 1000;
        var store = ImageBytes.Allocate(5, size, maxChunkBytes: 2500);
        Assert.Equal(5L * size, store.Length);
        Assert.Equal(3, store.ChunkCount);
        store.Image(2)[size - 1] = 255;
        store.Image(1)[0] = 51;
        store.Image(4)[999] = 102;
        var set = ImageSet.FromBytes(store, new[] { 0, 1, 2, 0, 1 }, Names, 1, 10, 100, "chunked");
        var img = new float[size];
        set.CopyImage(2, img);
        Assert.Equal(1f, img[size - 1]);
        Assert.Equal(0f, img[0]);
        set.CopyImage(1, img);
        Assert.Equal(0.2f, img[0]);
        set.CopyImage(4, img);
        Assert.Equal(0.4f, img[999]);
        Assert.Equal(set.Pixels, set.Subset(new[] { 0, 1, 2, 3, 4 }).Pixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Image(5));
    }

    [Fact]
    public void TrainingOnByteStorageMatchesFloatStorageExactly()
    {
        // TinyData's images quantised to bytes, once as bytes and once as the floats b / 255: the same training, bit for bit
        var tiny = TinyData.Make();
        var b = tiny.Pixels.Select(v => (byte)Math.Round(v * 255)).ToArray();
        var asBytes = ImageSet.FromBytes(b, tiny.Labels, tiny.ClassNames, tiny.Channels, tiny.Height, tiny.Width, "t");
        var asFloats = new ImageSet(b.Select(v => v / 255f).ToArray(), tiny.Labels, tiny.ClassNames, tiny.Channels, tiny.Height, tiny.Width, "t");
        var labelled = TinyData.Labelled(tiny, 2);
        var o = new DnnmmOptions { Epochs = 2, BatchSize = 16, LabelledBatchSize = 8, NetworkWidth = 8, Threads = 1, WarmupEpochs = 1 };
        float[] Fit(ImageSet s)
        {
            using var m = new DnnmmMethod(o, seed: 3);
            m.Fit(new FitInput(s, labelled), new FitContext());
            return m.PredictProbabilities(s).Cast<float>().ToArray();
        }
        Assert.Equal(Fit(asFloats), Fit(asBytes));
    }
}
