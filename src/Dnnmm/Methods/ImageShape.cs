using Dnnmm.Infrastructure;
namespace Dnnmm.Methods;

/// <summary>Channels x height x width of the images a network is built for.</summary>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    public int Size => Channels * Height * Width;
    public override string ToString() => $"{Channels}x{Height}x{Width}";

    /// <summary>
    /// The convolutional layout for this shape: the spatial size after the last stride-2 stage
    /// (7 for 28x28, 4 for powers of two) and the number of stride-2 stages.
    /// </summary>
    public (int Base, int Stages) ConvLayout()
    {
        if (Height != Width)
            throw new DnnmmInputException($"image shape {this}: only square images are supported");
        if (Height == 28) return (7, 2);
        if (Height >= 16 && (Height & (Height - 1)) == 0)
        {
            int stages = 0;
            for (int s = Height; s > 4; s /= 2) stages++;
            return (4, stages);
        }
        throw new DnnmmInputException($"image shape {this}: side must be 28 or a power of two >= 16 (resize the images)");
    }
}
