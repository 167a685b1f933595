using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using static TorchSharp.torch.nn;

namespace Dnnmm.Scoring;

/// <summary>
/// The reference classifier's network: three blocks of one or more 3x3 convolutions, each followed by group normalisation
/// (up to 8 groups) and ReLU, then 2x2 max pooling (width, 2 width, 4 width channels), global average pooling, then the feature layer (a linear
/// layer and ReLU, <see cref="FeatureDim"/> wide) and a linear head with one logit per class. Group normalisation
/// rather than batch normalisation: an image's output does not depend on its batch or on running statistics, so
/// training and evaluation mode agree and the features of generated images are those of the trained network. The layers
/// are named as in its saved state dict: features.conv1 (features.conv1_2 for a second convolution) ... features.fc, head.
/// </summary>
public sealed class ReferenceClassifier : Module<Tensor, Tensor>
{
    /// <summary>The smallest image side the three poolings take.</summary>
    public const int MinSide = 8;

    private readonly Sequential features;
    private readonly Linear head;

    public ReferenceClassifier(ImageShape shape, int classes, int width, int featureDim, int convsPerBlock = 1) : base("reference")
    {
        if (shape.Height < MinSide || shape.Width < MinSide)
            throw new DnnmmInputException($"images are {shape} but the reference classifier needs sides of at least {MinSide} pixels");
        if (classes < 2) throw new DnnmmInputException($"{classes} class: a reference classifier needs at least 2");
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        long inCh = shape.Channels, ch = width;
        for (int b = 1; b <= 3; b++, inCh = ch, ch *= 2)
        {
            for (int j = 1; j <= convsPerBlock; j++)
            {
                string suffix = j == 1 ? $"{b}" : $"{b}_{j}";
                layers.Add(($"conv{suffix}", Conv2d(j == 1 ? inCh : ch, ch, 3, padding: 1)));
                var norm = GroupNorm(Gcd(ch, 8), ch);
                // TorchSharp's GroupNorm leaves its affine parameters uninitialised (torch.empty); PyTorch's start is 1 and 0.
                using (no_grad())
                {
                    norm.weight.fill_(1);
                    norm.bias!.zero_();
                }
                layers.Add(($"gn{suffix}", norm));
                layers.Add(($"relu{suffix}", ReLU()));
            }
            layers.Add(($"pool{b}", MaxPool2d(2)));
        }
        layers.Add(("gap", AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", Flatten()));
        layers.Add(("fc", Linear(inCh, featureDim)));
        layers.Add(("fc_relu", ReLU()));
        features = Sequential(layers);
        head = Linear(featureDim, classes);
        FeatureDim = featureDim;
        RegisterComponents();
    }

    public int FeatureDim { get; }

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);

    /// <summary>The feature layer's activations, N x <see cref="FeatureDim"/>.</summary>
    public Tensor Features(Tensor x) => features.forward(x);

    /// <summary>The class logits of features from <see cref="Features"/>.</summary>
    public Tensor Logits(Tensor features) => head.forward(features);

    public override Tensor forward(Tensor x)
    {
        using var f = features.forward(x);
        return head.forward(f);
    }
}
