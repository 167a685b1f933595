using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Evaluation;

namespace Dnnmm.Methods;

/// <summary>Small pieces every baseline shares: tensors from image sets, batched inference, shuffles, monitoring scores.</summary>
public static class MethodCommon
{
    /// <summary>
    /// Every image as one N x C x H x W float tensor on the CPU (4 bytes per pixel; code that may see large data reads
    /// minibatches with <see cref="BatchTensor"/> or <see cref="RangeTensor"/> instead).
    /// </summary>
    public static Tensor ToTensor(ImageSet images)
    {
        var t = EmptyImages(images, images.Count);
        // in slices of at most 2^24 floats, so that no float copy of the whole set is made outside the tensor
        int per = Math.Max(1, (1 << 24) / images.ImageSize);
        for (int s = 0; s < images.Count; s += per)
        {
            int start = s, n = Math.Min(per, images.Count - s);
            CopyPooled(t, (long)start * images.ImageSize, n * images.ImageSize, buf => images.CopyRange(start, n, buf, 0));
        }
        return t;
    }

    /// <summary>Images start .. start + count - 1 as a count x C x H x W float tensor on the CPU (with their noise).</summary>
    public static Tensor RangeTensor(ImageSet images, int start, int count) =>
        FillTensor(images, count, buf => images.CopyRange(start, count, buf, 0));

    /// <summary>The images at <paramref name="indices"/>, in that order, as a float tensor on the CPU (with their noise).</summary>
    public static Tensor BatchTensor(ImageSet images, int[] indices) =>
        FillTensor(images, indices.Length, buf => images.CopyImages(indices, buf));

    /// <summary>
    /// A count x C x H x W tensor made by libtorch and filled from a pooled buffer: minibatches are read every step, and
    /// a new managed array per step (and TorchSharp's copy of it) would make the garbage collector run often. Each read
    /// is a <see cref="GcFence"/> safe point (temporary Scalars finalised while libtorch still reads them: "Unknown scalar type").
    /// </summary>
    private static Tensor FillTensor(ImageSet images, int count, Action<float[]> fill)
    {
        long n = (long)count * images.ImageSize;
        if (n > Array.MaxLength) throw new InvalidOperationException($"{count} images are too many for one tensor; read them in batches");
        GcFence.SafePoint(); // every minibatch read of every method, in training and evaluation
        var t = EmptyImages(images, count);
        CopyPooled(t, 0, (int)n, fill);
        return t;
    }

    private static Tensor EmptyImages(ImageSet images, int count) =>
        empty(new long[] { count, images.Channels, images.Height, images.Width }, dtype: ScalarType.Float32);

    /// <summary><paramref name="n"/> floats that <paramref name="fill"/> writes into a pooled buffer, copied into t from <paramref name="at"/> on.</summary>
    private static void CopyPooled(Tensor t, long at, int n, Action<float[]> fill)
    {
        if (n == 0) return;
        var buf = System.Buffers.ArrayPool<float>.Shared.Rent(n);
        try
        {
            fill(buf);
            using var acc = t.data<float>();
            acc.CopyFrom(new ReadOnlySpan<float>(buf, 0, n), 0, at);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(buf);
        }
    }

    public static ImageShape ShapeOf(ImageSet images) => new(images.Channels, images.Height, images.Width);

    /// <summary>
    /// The start of every network method's fit: libtorch's CPU threads and the device. The networks are then built
    /// with <see cref="Compute.SeededInit"/>, which seeds their initial weights.
    /// </summary>
    public static Device StartFit(int threads, string device)
    {
        Compute.ConfigureThreads(threads);
        return Compute.ResolveDevice(device);
    }

    /// <summary>Checks that images match the shape a model was built for.</summary>
    public static void CheckShape(ImageSet images, ImageShape shape)
    {
        if (images.Channels != shape.Channels || images.Height != shape.Height || images.Width != shape.Width)
            throw new DnnmmInputException($"images are {images.ShapeText} but the model was trained on {shape}");
    }

    /// <summary>The N x K membership probabilities of images of the given shape, from a function of their tensor.</summary>
    public static float[,] PredictProbabilities(ImageSet images, ImageShape shape, Func<Tensor, Tensor> probabilities)
    {
        CheckShape(images, shape);
        // In batches of images read from their storage, so that large data never sits in memory as one float tensor.
        const int batch = 2000;
        float[,]? result = null;
        for (int s = 0; s < images.Count; s += batch)
        {
            int n = Math.Min(batch, images.Count - s);
            using var x = RangeTensor(images, s, n);
            using var p = probabilities(x);
            var m = TensorHelpers.ToMatrix(p);
            result ??= new float[images.Count, m.GetLength(1)];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < m.GetLength(1); k++) result[s + i, k] = m[i, k];
        }
        return result ?? new float[0, 0];
    }

    /// <summary>Applies <paramref name="f"/> to the rows of x in batches without gradients; the result is on the CPU.</summary>
    public static Tensor Map(Func<Tensor, Tensor> f, Tensor x, Device device, int batch = 500)
    {
        using var _ = no_grad();
        var parts = new List<Tensor>();
        long n = x.shape[0];
        for (long s = 0; s < n; s += batch)
        {
            using var scope = NewDisposeScope();
            var xb = x.narrow(0, s, Math.Min(n, s + batch) - s).to(device);
            parts.Add(f(xb).cpu().MoveToOuterDisposeScope());
        }
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    public static int[] Range(int n) => Enumerable.Range(0, n).ToArray();

    public static int[] LabelledIndices(FitInput input) =>
        Enumerable.Range(0, input.Images.Count).Where(i => input.KnownLabels[i] >= 0).ToArray();

    /// <summary>One-hot rows for hard assignments.</summary>
    public static float[,] OneHot(int[] labels, int k)
    {
        var m = new float[labels.Length, k];
        for (int i = 0; i < labels.Length; i++) m[i, labels[i]] = 1;
        return m;
    }

    /// <summary>
    /// Adds ACC, ARI and NMI of <paramref name="pred"/> against the monitoring labels, under names with the given suffix
    /// ("acc" + suffix ...), and ACC, ARI and NMI on the unlabelled images alone ("acc_unlabelled" + suffix, ...) when some are labelled.
    /// Does nothing without monitoring labels.
    /// </summary>
    public static void AddScores(IDictionary<string, double> values, int[]? truth, int[] pred, int[] knownLabels, string suffix = "")
    {
        if (truth is null) return;
        var s = ClusteringMetrics.Score(truth, pred);
        values["acc" + suffix] = s.Acc; values["ari" + suffix] = s.Ari; values["nmi" + suffix] = s.Nmi;
        var unl = Enumerable.Range(0, truth.Length).Where(i => knownLabels[i] < 0).ToArray();
        if (unl.Length > 0 && unl.Length < truth.Length)
        {
            var u = ClusteringMetrics.Score(unl.Select(i => truth[i]).ToArray(), unl.Select(i => pred[i]).ToArray());
            values["acc_unlabelled" + suffix] = u.Acc; values["ari_unlabelled" + suffix] = u.Ari; values["nmi_unlabelled" + suffix] = u.Nmi;
        }
    }

    public static void Check(bool ok, string message)
    {
        if (!ok) throw new DnnmmInputException(message);
    }

    /// <summary>A device name other than cpu, cuda or cuda:N is an <see cref="OptionException"/> naming "device".</summary>
    public static void CheckDevice(string device)
    {
        if (!Compute.IsDeviceName(device)) throw new OptionException("device", $"'{device}' must be cpu, cuda or cuda:N");
    }
}

/// <summary>
/// A fit's training images as one N x C x H x W tensor on the CPU, and for the semi-supervised variants the
/// labelled ones in cyclic shuffled batches (<see cref="BatchCycler"/>).
/// </summary>
public sealed class TrainingImages : IDisposable
{
    private readonly Tensor labels;
    private readonly BatchCycler? labelled;
    private readonly int labelledBatchSize;

    /// <summary>
    /// Labelled batches are drawn only when some images are labelled and <paramref name="labelledWeight"/> &gt; 0;
    /// their order comes from a <see cref="Random"/> of <paramref name="labelledSeed"/>.
    /// </summary>
    public TrainingImages(FitInput input, double labelledWeight, int labelledBatchSize, int labelledSeed)
    {
        All = MethodCommon.ToTensor(input.Images);
        labels = tensor(input.KnownLabels.Select(v => (long)Math.Max(v, 0)).ToArray());
        int[] labelledIndices = MethodCommon.LabelledIndices(input);
        if (labelledIndices.Length > 0 && labelledWeight > 0)
            labelled = new BatchCycler(labelledIndices, new Random(labelledSeed));
        this.labelledBatchSize = Math.Min(labelledBatchSize, labelledIndices.Length);
    }

    /// <summary>Every image, N x C x H x W (CPU).</summary>
    public Tensor All { get; }
    public int Count => (int)All.shape[0];
    /// <summary>Whether labelled batches join the training (the semi-supervised variant).</summary>
    public bool SemiSupervised => labelled is not null;

    /// <summary>The images of a batch of indices, on <paramref name="device"/>.</summary>
    public Tensor Batch(int[] indices, Device device) =>
        All.index_select(0, tensor(indices.Select(i => (long)i).ToArray())).to(device);

    /// <summary>The next batch of labelled images and their labels, on <paramref name="device"/>.</summary>
    public (Tensor Images, Tensor Labels) NextLabelled(Device device)
    {
        var ids = tensor((labelled ?? throw new InvalidOperationException("no labelled images are used")).Next(labelledBatchSize));
        return (All.index_select(0, ids).to(device), labels.index_select(0, ids).to(device));
    }

    public void Dispose()
    {
        All.Dispose(); labels.Dispose();
    }
}
