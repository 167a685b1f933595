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
    private readonly Linear head;

    public ConvNet(string name, ImageShape shape, int width, int outputs) : base(name)
    {
        var (side, stages) = shape.ConvLayout();
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        long inCh = shape.Channels, ch = width, macs = 0, outSide = shape.Height;
        for (int i = 0; i < stages; i++)
        {
            outSide /= 2;
            macs += ch * outSide * outSide * inCh * 16;
            layers.Add(($"conv{i + 1}", Conv2d(inCh, ch, 4, stride: 2, padding: 1)));
            layers.Add(($"lrelu{i + 1}", LeakyReLU(0.2)));
            inCh = ch; ch *= 2;
        }
        layers.Add(("flatten", Flatten()));
        trunk = Sequential(layers);
        FeatureCount = inCh * side * side;
        head = Linear(FeatureCount, outputs);
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
    public static ConvNet Create(ImageShape shape, int width, int latentDim) => new("encoder", shape, width, latentDim);
}

/// <summary>Discriminator D: images -> one logit (D(x) = sigmoid(logit)).</summary>
public static class Discriminator
{
    public static ConvNet Create(ImageShape shape, int width) => new("discriminator", shape, width, 1);
}
