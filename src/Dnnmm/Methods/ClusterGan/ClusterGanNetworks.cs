using static TorchSharp.torch.nn;

namespace Dnnmm.Methods.ClusterGan;

/// <summary>
/// ClusterGAN's generator (official MNIST code): FC hidden -> BN -> ReLU -> FC base*base*C0 -> BN -> ReLU
/// -> stride-2 4x4 transposed convolutions (BN, ReLU; channels halve, the last hidden one has Width
/// channels) -> C channels -> sigmoid. 28x28: 7x7x128 -> 64 -> 1 exactly as the official code;
/// 32x32 and 64x64 add stages (4x4x256 -> 128 -> 64 -> C; 4x4x512 -> ... -> C).
/// </summary>
public sealed class ClusterGanGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential project;
    private readonly Sequential upsample;
    private readonly long baseChannels, baseSide;

    public ClusterGanGenerator(int latentDim, ImageShape shape, int width, int hidden) : base("clustergan_generator")
    {
        var (side, stages) = shape.ConvLayout();
        baseSide = side;
        baseChannels = (long)width << (stages - 1);
        project = Sequential(
            ("fc1", Linear(latentDim, hidden)),
            ("bn1", BatchNorm1d(hidden)),
            ("relu1", ReLU()),
            ("fc2", Linear(hidden, baseChannels * side * side)));
        var layers = new List<(string, Module<Tensor, Tensor>)> { ("bn2", BatchNorm2d(baseChannels)), ("relu2", ReLU()) };
        long ch = baseChannels;
        for (int i = 0; i < stages - 1; i++)
        {
            layers.Add(($"deconv{i + 1}", ConvTranspose2d(ch, ch / 2, 4, stride: 2, padding: 1)));
            layers.Add(($"bn{i + 3}", BatchNorm2d(ch / 2)));
            layers.Add(($"relu{i + 3}", ReLU()));
            ch /= 2;
        }
        layers.Add(($"deconv{stages}", ConvTranspose2d(ch, shape.Channels, 4, stride: 2, padding: 1)));
        layers.Add(("sigmoid", Sigmoid()));
        upsample = Sequential(layers);
        RegisterComponents();
        ClusterGanInit.Apply(this, lastLinearXavier: false);
    }

    public override Tensor forward(Tensor z) => ConvStacks.ProjectAndUpsample(project, upsample, z, baseChannels, baseSide);
}

/// <summary>
/// ClusterGAN's critic and encoder trunk (official MNIST code): stride-2 4x4 convolutions (Width,
/// 2 Width, ...) with LeakyReLU(0.2), no batch normalisation, then FC hidden -> LeakyReLU -> FC outputs.
/// The critic has 1 output; the encoder dim(z_n) + K, the last K being the logits of z_c.
/// </summary>
public sealed class ClusterGanConvNet : Module<Tensor, Tensor>
{
    private readonly Sequential body;
    private readonly Linear head;

    public ClusterGanConvNet(string name, ImageShape shape, int width, int hidden, int outputs) : base(name)
    {
        var (side, stages) = shape.ConvLayout();
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        long channels = ConvStacks.AddDownsampling(layers, shape.Channels, width, stages, "lrelu", () => LeakyReLU(0.2));
        layers.Add(("flatten", Flatten()));
        layers.Add(("fc1", Linear(channels * side * side, hidden)));
        layers.Add(("lrelu_fc1", LeakyReLU(0.2)));
        body = Sequential(layers);
        head = Linear(hidden, outputs);
        RegisterComponents();
        ClusterGanInit.Apply(this, lastLinearXavier: true, last: head);
    }

    public override Tensor forward(Tensor x)
    {
        using var h = body.forward(x);
        return head.forward(h);
    }
}

/// <summary>
/// The official initialisation: weights ~ N(0, 0.02) and zero biases, except the last fully connected
/// layer of the critic and the encoder, which keeps TensorFlow's default (Glorot uniform).
/// </summary>
internal static class ClusterGanInit
{
    public static void Apply(Module module, bool lastLinearXavier, Linear? last = null)
    {
        using var _ = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            Tensor? w = null, b = null;
            switch (m)
            {
                case Linear l: w = l.weight; b = l.bias; break;
                case Conv2d c: w = c.weight; b = c.bias; break;
                case ConvTranspose2d t: w = t.weight; b = t.bias; break;
            }
            if (w is null) continue;
            if (lastLinearXavier && ReferenceEquals(m, last)) init.xavier_uniform_(w);
            else init.normal_(w, 0, 0.02);
            if (b is not null) init.zeros_(b);
        }
    }
}
