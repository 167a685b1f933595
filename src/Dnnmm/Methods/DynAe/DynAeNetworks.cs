using static TorchSharp.torch.nn;

namespace Dnnmm.Methods.DynAe;

/// <summary>
/// DynAE's autoencoder. Mlp (official): flattened image -> hidden layers with ReLU -> linear embedding;
/// the decoder mirrors it with ReLU and a linear output. Conv: stride-2 4x4 convolutions with ReLU ->
/// linear embedding; transposed convolutions back, linear output. Images are N x C x H x W both ways.
/// </summary>
public sealed class DynAeAutoencoder : Module<Tensor, Tensor>
{
    private readonly Sequential encoder;
    private readonly Sequential decoder;
    private readonly ImageShape shape;

    public DynAeAutoencoder(ImageShape shape, DynAeArchitecture arch, int[] hidden, int embeddingDim, int width) : base("dynae_autoencoder")
    {
        this.shape = shape;
        if (arch == DynAeArchitecture.Mlp)
        {
            encoder = DynAeLayers.MlpEncoder(shape.Size, hidden, embeddingDim);
            var dec = new List<(string, Module<Tensor, Tensor>)>();
            int last = DynAeLayers.AddDense(dec, embeddingDim, Enumerable.Reverse(hidden));
            dec.Add(("out", Linear(last, shape.Size)));
            dec.Add(("unflatten", Unflatten(1, new long[] { shape.Channels, shape.Height, shape.Width })));
            decoder = Sequential(dec);
        }
        else
        {
            encoder = DynAeLayers.ConvEncoder(shape, width, embeddingDim);
            var (side, stages) = shape.ConvLayout();
            long ch = (long)width << (stages - 1);
            var dec = new List<(string, Module<Tensor, Tensor>)>
            {
                ("fc", Linear(embeddingDim, ch * side * side)),
                ("relu_fc", ReLU()),
                ("unflatten", Unflatten(1, new long[] { ch, side, side })),
            };
            for (int i = 0; i < stages - 1; i++)
            {
                dec.Add(($"deconv{i + 1}", ConvTranspose2d(ch, ch / 2, 4, stride: 2, padding: 1)));
                dec.Add(($"relu{i + 1}", ReLU()));
                ch /= 2;
            }
            dec.Add(($"deconv{stages}", ConvTranspose2d(ch, shape.Channels, 4, stride: 2, padding: 1)));
            decoder = Sequential(dec);
        }
        RegisterComponents();
    }

    public ImageShape Shape => shape;

    /// <summary>The embedding E(x), N x EmbeddingDim.</summary>
    public Tensor Encode(Tensor x) => encoder.forward(x);

    /// <summary>The decoded images D(z), N x C x H x W (linear output, not clamped).</summary>
    public Tensor Decode(Tensor z) => decoder.forward(z);

    /// <summary>The reconstruction D(E(x)).</summary>
    public override Tensor forward(Tensor x)
    {
        using var z = Encode(x);
        return Decode(z);
    }

    public IEnumerable<Parameter> EncoderParameters() => encoder.parameters();
}

/// <summary>
/// The ACAI critic of DynAE's pretraining (official): the encoder's architecture, whose outputs are
/// averaged into one number, the predicted mixing coefficient of an interpolation.
/// </summary>
public sealed class DynAeCritic : Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public DynAeCritic(ImageShape shape, DynAeArchitecture arch, int[] hidden, int embeddingDim, int width) : base("dynae_critic")
    {
        body = arch == DynAeArchitecture.Mlp
            ? DynAeLayers.MlpEncoder(shape.Size, hidden, embeddingDim)
            : DynAeLayers.ConvEncoder(shape, width, embeddingDim);
        RegisterComponents();
    }

    /// <summary>One score per image (N).</summary>
    public override Tensor forward(Tensor x)
    {
        using var h = body.forward(x);
        return h.mean(new long[] { 1 });
    }
}

internal static class DynAeLayers
{
    public static Sequential MlpEncoder(int inputSize, int[] hidden, int embeddingDim)
    {
        var enc = new List<(string, Module<Tensor, Tensor>)> { ("flatten", Flatten()) };
        int last = AddDense(enc, inputSize, hidden);
        enc.Add(("embedding", Linear(last, embeddingDim)));
        return Sequential(enc);
    }

    /// <summary>Fully connected layers fc1, fc2, ... of the given widths, each followed by ReLU (relu1, ...); returns the last width.</summary>
    public static int AddDense(List<(string, Module<Tensor, Tensor>)> layers, int inputSize, IEnumerable<int> widths)
    {
        int prev = inputSize, i = 0;
        foreach (int w in widths)
        {
            i++;
            layers.Add(($"fc{i}", Linear(prev, w)));
            layers.Add(($"relu{i}", ReLU()));
            prev = w;
        }
        return prev;
    }

    public static Sequential ConvEncoder(ImageShape shape, int width, int embeddingDim)
    {
        var (side, stages) = shape.ConvLayout();
        var enc = new List<(string, Module<Tensor, Tensor>)>();
        long channels = ConvStacks.AddDownsampling(enc, shape.Channels, width, stages, "relu", () => ReLU());
        enc.Add(("flatten", Flatten()));
        enc.Add(("embedding", Linear(channels * side * side, embeddingDim)));
        return Sequential(enc);
    }
}
