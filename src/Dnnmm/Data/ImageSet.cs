namespace Dnnmm.Data;

/// <summary>
/// Images with class labels, held in memory as floats in [0, 1], layout N x C x H x W (row-major).
/// Labels are indices into <see cref="ClassNames"/>.
/// </summary>
public sealed class ImageSet
{
    public ImageSet(float[] pixels, int[] labels, string[] classNames, int channels, int height, int width, string source)
    {
        int size = channels * height * width;
        if (size <= 0) throw new ArgumentException("image shape must be positive");
        if (pixels.Length != labels.Length * size)
            throw new ArgumentException($"pixels length {pixels.Length} != {labels.Length} images x {size}");
        Pixels = pixels; Labels = labels; ClassNames = classNames;
        Channels = channels; Height = height; Width = width; Source = source;
    }

    public float[] Pixels { get; }
    public int[] Labels { get; }
    public string[] ClassNames { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    /// <summary>Where the images came from (a path or "mnist (shipped)"), for reports.</summary>
    public string Source { get; }

    public int Count => Labels.Length;
    public int ImageSize => Channels * Height * Width;
    public string ShapeText => $"{Channels}x{Height}x{Width}";

    /// <summary>A new set with the images at the given indices, in that order.</summary>
    public ImageSet Subset(IReadOnlyList<int> indices)
    {
        int size = ImageSize;
        var px = new float[indices.Count * size];
        var lb = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Array.Copy(Pixels, (long)indices[i] * size, px, (long)i * size, size);
            lb[i] = Labels[indices[i]];
        }
        return new ImageSet(px, lb, ClassNames, Channels, Height, Width, Source);
    }
}
