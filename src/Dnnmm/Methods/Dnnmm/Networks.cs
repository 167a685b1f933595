using static TorchSharp.torch.nn;

namespace Dnnmm.Methods.Dnnmm;

/// <summary>
/// Generator G: R^d -> images in [0, 1]. DCGAN-style: a fully connected projection to the base
/// grid, then stride-2 transposed convolutions that halve the channels and double the side.
/// </summary>
public sealed class ImageGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential project;
    private readonly Sequential upsample;
    private readonly long baseChannels, baseSide;

    public ImageGenerator(int latentDim, ImageShape shape, int width) : base("generator")
    {
        var (side, stages) = shape.ConvLayout();
        baseSide = side;
        baseChannels = width << (stages - 1);
        project = Sequential(
            ("fc", Linear(latentDim, baseChannels * side * side)),
            ("bn", BatchNorm1d(baseChannels * side * side)),
            ("relu", ReLU()));
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        long ch = baseChannels;
        long macs = latentDim * baseChannels * side * side, s = side;
        for (int i = 0; i < stages; i++, s *= 2)
            macs += (ch >> i) * s * s * (i == stages - 1 ? shape.Channels : (ch >> (i + 1))) * 16;
        MacsPerSample = macs;
        for (int i = 0; i < stages - 1; i++)
        {
            layers.Add(($"deconv{i + 1}", ConvTranspose2d(ch, ch / 2, 4, stride: 2, padding: 1)));
            layers.Add(($"bn{i + 1}", BatchNorm2d(ch / 2)));
            layers.Add(($"relu{i + 1}", ReLU()));
            ch /= 2;
        }
        layers.Add(($"deconv{stages}", ConvTranspose2d(ch, shape.Channels, 4, stride: 2, padding: 1)));
        layers.Add(("sigmoid", Sigmoid()));
        upsample = Sequential(layers);
        RegisterComponents();
    }

    /// <summary>Multiply-accumulates of one forward pass for one sample (for GFLOP/s figures).</summary>
    public long MacsPerSample { get; }

    public override Tensor forward(Tensor y) => ConvStacks.ProjectAndUpsample(project, upsample, y, baseChannels, baseSide);
}

/// <summary>
/// The convolutional trunk shared in shape by the encoder and the discriminator: stride-2
/// convolutions that double the channels, LeakyReLU(0.2), no batch normalisation (so that
/// training-mode and evaluation-mode outputs agree), then a linear head.
/// </summary>
public sealed class ConvNet : Module<Tensor, Tensor>
{
    private readonly Sequential trunk;
    private readonly Module<Tensor, Tensor> head;

    /// <param name="spectralNorm">wrap every convolution and the head in <see cref="SpectralNorm"/> (the discriminator of --spectral-norm)</param>
    public ConvNet(string name, ImageShape shape, int width, int outputs, bool spectralNorm = false, int depth = 1) : base(name)
    {
        var (side, stages) = shape.ConvLayout();
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        long inCh = shape.Channels, ch = width, macs = 0, outSide = shape.Height;
        for (int i = 0; i < stages; i++)
        {
            outSide /= 2;
            macs += ch * outSide * outSide * inCh * 16;
            var conv = Conv2d(inCh, ch, 4, stride: 2, padding: 1);
            layers.Add(($"conv{i + 1}", spectralNorm ? new SpectralNorm($"conv{i + 1}", conv, stride: 2, padding: 1) : conv));
            layers.Add(($"lrelu{i + 1}", LeakyReLU(0.2)));
            for (int j = 2; j <= depth; j++)
            {
                macs += ch * outSide * outSide * ch * 9;
                layers.Add(($"conv{i + 1}_{j}", Conv2d(ch, ch, 3, stride: 1, padding: 1)));
                layers.Add(($"lrelu{i + 1}_{j}", LeakyReLU(0.2)));
            }
            inCh = ch; ch *= 2;
        }
        layers.Add(("flatten", Flatten()));
        trunk = Sequential(layers);
        FeatureCount = inCh * side * side;
        var linear = Linear(FeatureCount, outputs);
        head = spectralNorm ? new SpectralNorm("head", linear) : linear;
        MacsPerSample = macs + FeatureCount * outputs;
        RegisterComponents();
    }

    public long FeatureCount { get; }

    /// <summary>Multiply-accumulates of one forward pass for one image (for GFLOP/s figures).</summary>
    public long MacsPerSample { get; }

    /// <summary>The trunk's flattened features (before the head).</summary>
    public Tensor Features(Tensor x) => trunk.forward(x);

    public override Tensor forward(Tensor x)
    {
        using var f = trunk.forward(x);
        return head.forward(f);
    }
}

/// <summary>Encoder E: images -> R^d.</summary>
public static class Encoder
{
    public static ConvNet Create(ImageShape shape, int width, int latentDim, int depth = 1) => new("encoder", shape, width, latentDim, depth: depth);
}

/// <summary>Discriminator D: images -> one logit (D(x) = sigmoid(logit)).</summary>
public static class Discriminator
{
    public static ConvNet Create(ImageShape shape, int width, bool spectralNorm = false) => new("discriminator", shape, width, 1, spectralNorm);
}

/// <summary>
/// Spectral normalisation (Miyato et al. 2018) of a convolution or linear layer: the layer applies W / sigma(W), with
/// sigma(W) the largest singular value of W reshaped to (out, in * kh * kw), estimated by one step of power iteration
/// per pass from a vector u kept as a buffer (u and v are constants for the gradient, as in the paper). The wrapped
/// layer keeps its parameters (named layer.weight, layer.bias).
/// </summary>
public sealed class SpectralNorm : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> layer;
    private readonly long stride, padding;

    public SpectralNorm(string name, Module<Tensor, Tensor> layer, long stride = 1, long padding = 0) : base(name)
    {
        if (layer is not (TorchSharp.Modules.Conv2d or TorchSharp.Modules.Linear))
            throw new ArgumentException("spectral normalisation wraps a Conv2d or a Linear layer", nameof(layer));
        this.layer = layer; this.stride = stride; this.padding = padding;
        long rows = Weight.shape[0];
        using (torch.no_grad())
        {
            var u = torch.randn(rows);
            u.div_(u.norm().add_(1e-12));
            register_buffer("u", u);
        }
        RegisterComponents();
    }

    private Tensor Weight => layer switch
    {
        TorchSharp.Modules.Conv2d c => c.weight!,
        TorchSharp.Modules.Linear l => l.weight!,
        _ => throw new InvalidOperationException(),
    };

    private Tensor? Bias => layer switch
    {
        TorchSharp.Modules.Conv2d c => c.bias,
        TorchSharp.Modules.Linear l => l.bias,
        _ => null,
    };

    /// <summary>
    /// sigma(W) = u^T W v after one power-iteration step (v = W^T u / |W^T u|, u = W v / |W v|, u kept for the next pass);
    /// differentiable in W with u and v held fixed.
    /// </summary>
    public Tensor Sigma()
    {
        var w = Weight;
        using var mat = w.view(w.shape[0], -1);
        Tensor v;
        var u = get_buffer("u")!;
        using (torch.no_grad())
        {
            using var wd = mat.detach();
            using var wtU = wd.t().matmul(u);
            v = wtU.div(wtU.norm().add_(1e-12));
            using var wv = wd.matmul(v);
            using var un = wv.div(wv.norm().add_(1e-12));
            u.copy_(un);
        }
        using (v)
        {
            using var wv = mat.matmul(v);
            using var prod = wv.mul(u);
            return prod.sum();
        }
    }

    public override Tensor forward(Tensor x)
    {
        using var sigma = Sigma();
        using var w = Weight.div(sigma);
        return layer is TorchSharp.Modules.Conv2d
            ? functional.conv2d(x, w, Bias, strides: new[] { stride, stride }, padding: new[] { padding, padding })
            : functional.linear(x, w, Bias);
    }
}
