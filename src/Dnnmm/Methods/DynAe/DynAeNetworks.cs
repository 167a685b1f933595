using TorchSharp.Modules;
using static TorchSharp.torch;
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
            int prev = embeddingDim;
            for (int i = hidden.Length - 1; i >= 0; i--)
            {
                dec.Add(($"fc{hidden.Length - i}", Linear(prev, hidden[i])));
                dec.Add(($"relu{hidden.Length - i}", ReLU()));
                prev = hidden[i];
            }
            dec.Add(("out", Linear(prev, shape.Size)));
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
        int prev = inputSize;
        for (int i = 0; i < hidden.Length; i++)
        {
            enc.Add(($"fc{i + 1}", Linear(prev, hidden[i])));
            enc.Add(($"relu{i + 1}", ReLU()));
            prev = hidden[i];
        }
        enc.Add(("embedding", Linear(prev, embeddingDim)));
        return Sequential(enc);
    }

    public static Sequential ConvEncoder(ImageShape shape, int width, int embeddingDim)
    {
        var (side, stages) = shape.ConvLayout();
        var enc = new List<(string, Module<Tensor, Tensor>)>();
        long inCh = shape.Channels, ch = width;
        for (int i = 0; i < stages; i++)
        {
            enc.Add(($"conv{i + 1}", Conv2d(inCh, ch, 4, stride: 2, padding: 1)));
            enc.Add(($"relu{i + 1}", ReLU()));
            inCh = ch; ch *= 2;
        }
        enc.Add(("flatten", Flatten()));
        enc.Add(("embedding", Linear(inCh * side * side, embeddingDim)));
        return Sequential(enc);
    }
}
