using Dnnmm.Infrastructure;
using Dnnmm.Data;

namespace Dnnmm.Methods.Dnnmm;

/// <summary>What is needed to rebuild a DNN-MM model's networks (saved as model.json).</summary>
public sealed record DnnmmModelInfo(
    int Channels, int Height, int Width, int Clusters, int LatentDim, int NetWidth,
    string[] ClassNames, MeanPlacement Means, double MeanScale, int Seed, bool SpectralNorm = false, int EncoderDepth = 1)
{
    public ImageShape Shape => new(Channels, Height, Width);

    /// <summary>
    /// Checks a model.json read from disk (<paramref name="path"/>) before any network is built from it: the shape,
    /// clusters and class names (<see cref="SavedModelInfo.CheckShape"/>), sizes in range, and a network whose weights
    /// fit in the <paramref name="checkpointBytes"/> of its checkpoint (every weight is saved there as 4 bytes), so a
    /// damaged size cannot make the load allocate more than the files hold.
    /// </summary>
    public DnnmmModelInfo Check(string path, long checkpointBytes)
    {
        SavedModelInfo.CheckShape(path, Channels, Height, Width, Clusters, ClassNames);
        string? why =
            LatentDim is < 1 or > 1 << 16 ? $"latent dimension {LatentDim}"
            : NetWidth is < 1 or > 1 << 16 ? $"network width {NetWidth}"
            : EncoderDepth is < 1 or > DnnmmOptions.MaxEncoderDepth ? $"encoder depth {EncoderDepth}"
            : !double.IsFinite(MeanScale) ? $"mean scale {MeanScale}"
            : !Enum.IsDefined(Means) ? $"mean placement {(int)Means}"
            : null;
        if (why is not null) throw new DnnmmInputException($"{path}: damaged model description ({why})");
        Shape.ConvLayout();
        long weights = WeightCount();
        if (weights > checkpointBytes / 4)
            throw new DnnmmInputException(
                $"{path}: damaged model description (a network of {weights} weights, more than the {checkpointBytes}-byte checkpoint holds)");
        return this;
    }

    /// <summary>The weights of the convolutions and linear layers of G, E and D (biases and norms left out); long.MaxValue on overflow.</summary>
    public long WeightCount()
    {
        try
        {
            checked
            {
                var (side, stages) = Shape.ConvLayout();
                long area = (long)side * side;
                long ch = (long)NetWidth << (stages - 1);
                long g = LatentDim * ch * area;
                for (int i = 0; i < stages - 1; i++, ch /= 2) g += ch * (ch / 2) * 16;
                g += ch * Channels * 16;
                long conv = 0, extra = 0, inCh = Channels, c = NetWidth; // extra: the encoder's stride-1 3x3 convolutions (--encoder-depth)
                for (int i = 0; i < stages; i++, c *= 2) { conv += inCh * c * 16; extra += (EncoderDepth - 1) * c * c * 9; inCh = c; }
                long features = inCh * area;
                return g + (conv + extra + features * LatentDim) + (conv + features);
            }
        }
        catch (OverflowException) { return long.MaxValue; }
    }
}

/// <summary>
/// The DNN-MM model: generator G, encoder E, discriminator D and the latent mixture (fixed means,
/// identity covariance, learned weights omega). Prediction is argmax_k gamma_nk; generation from
/// cluster k is G(mu_k + eps).
/// </summary>
public sealed class DnnmmModel : ILatentGenerator, IDisposable
{
    public DnnmmModel(DnnmmModelInfo info, Device device)
    {
        Info = info;
        Device = device;
        (G, E, D) = Compute.SeededInit(info.Seed, () => (
            new ImageGenerator(info.LatentDim, info.Shape, info.NetWidth),
            Encoder.Create(info.Shape, info.NetWidth, info.LatentDim, info.EncoderDepth),
            Discriminator.Create(info.Shape, info.NetWidth, info.SpectralNorm)));
        G.to(device); E.to(device); D.to(device);
        Mixture = LatentMixture.Create(info.Clusters, info.LatentDim, info.Means, info.MeanScale, info.Seed, device);
    }

    public DnnmmModelInfo Info { get; }
    public Device Device { get; }
    public ImageGenerator G { get; }
    public ConvNet E { get; }
    public ConvNet D { get; }
    public LatentMixture Mixture { get; }

    /// <summary>Encodes images (N x C x H x W floats) in batches without gradients; returns N x d on the CPU.</summary>
    public Tensor Encode(Tensor images, int batch = 500) =>
        EncodeBatches((int)images.shape[0], batch, (s, len) => images.narrow(0, s, len));

    public Tensor ToTensor(ImageSet images)
    {
        CheckShape(images);
        return MethodCommon.ToTensor(images);
    }

    private void CheckShape(ImageSet images)
    {
        if (images.Channels != Info.Channels || images.Height != Info.Height || images.Width != Info.Width)
            throw new DnnmmInputException(
                $"images are {images.ShapeText} but the model was trained on {Info.Shape}");
    }

    /// <summary>
    /// Encodes the images at <paramref name="indices"/> (null: every image) in batches read from the set's storage, so
    /// that the whole set is never one float tensor; returns n x d on the CPU.
    /// </summary>
    public Tensor EncodeImages(ImageSet images, IReadOnlyList<int>? indices = null, int batch = 500)
    {
        CheckShape(images);
        int[]? ids = indices as int[] ?? indices?.ToArray();
        return EncodeBatches(ids?.Length ?? images.Count, batch,
            (s, len) => ids is null ? MethodCommon.RangeTensor(images, s, len) : MethodCommon.BatchTensor(images, ids[s..(s + len)]));
    }

    /// <summary>
    /// E(x) of n images in batches, without gradients and with the encoder in evaluation mode; <paramref name="batchAt"/>
    /// gives the images start .. start + len - 1 (on any device). Returns n x d on the CPU.
    /// </summary>
    private Tensor EncodeBatches(int n, int batch, Func<int, int, Tensor> batchAt)
    {
        using var _ = no_grad();
        E.eval();
        var parts = new List<Tensor>();
        for (int s = 0; s < n; s += batch)
        {
            int len = Math.Min(batch, n - s);
            using var xb = batchAt(s, len);
            using var x = xb.to(Device);
            parts.Add(E.forward(x).cpu());
        }
        E.train();
        if (parts.Count == 0) return zeros(0, Info.LatentDim);
        var z = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return z;
    }

    /// <summary>Posterior memberships (eq 3) of every image, N x K on the CPU.</summary>
    public Tensor Posterior(ImageSet images)
    {
        using var z = EncodeImages(images);
        using var zd = z.to(Device);
        using var g = Mixture.Posterior(zd);
        return g.cpu();
    }

    /// <summary>n images generated from cluster k: G(mu_k + eps).</summary>
    public float[] Sample(int cluster, int n, int seed)
    {
        if (cluster < 0 || cluster >= Info.Clusters)
            throw new DnnmmInputException($"--cluster {cluster} is outside [0, {Info.Clusters - 1}]");
        if (n < 1) throw new DnnmmInputException($"--n {n} must be at least 1");
        GcFence.SafePoint(); // every sample of every generative method, as every minibatch read (MethodCommon)
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var gen = new torch.Generator((ulong)seed);
        var mu = Mixture.Means[cluster].unsqueeze(0).expand(n, -1).cpu();
        var y = (mu + randn(mu.shape, generator: gen)).to(Device);
        bool wasTraining = G.training;
        G.eval();
        try
        {
            var x = G.forward(y).cpu();
            return x.data<float>().ToArray();
        }
        finally
        {
            if (wasTraining) G.train();
        }
    }

    public int Clusters => Info.Clusters;
    public int LatentDim => Info.LatentDim;
    public ImageShape Shape => Info.Shape;
    public IReadOnlyList<string> ClassNames => Info.ClassNames;
    public float[] ComponentMeans() => Mixture.Means.cpu().data<float>().ToArray();

    /// <summary>The encoder outputs E(x) of every image, N x d row-major.</summary>
    public float[] Encode(ImageSet images)
    {
        using var z = EncodeImages(images);
        return z.data<float>().ToArray();
    }

    /// <summary>G(y) for latent points y (n x d row-major), generator in evaluation mode, no noise; n x C x H x W.</summary>
    public float[] Generate(float[] latents)
    {
        ArgumentNullException.ThrowIfNull(latents);
        int d = Info.LatentDim;
        if (latents.Length == 0 || latents.Length % d != 0)
            throw new ArgumentException($"latents has {latents.Length} values, not a positive multiple of d = {d}", nameof(latents));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var y = tensor(latents, new long[] { latents.Length / d, d }).to(Device);
        bool wasTraining = G.training;
        G.eval();
        try
        {
            var x = G.forward(y).cpu();
            return x.data<float>().ToArray();
        }
        finally
        {
            if (wasTraining) G.train();
        }
    }


    public void Dispose()
    {
        G.Dispose(); E.Dispose(); D.Dispose(); Mixture.Dispose();
    }
}
