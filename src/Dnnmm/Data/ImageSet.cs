namespace Dnnmm.Data;

/// <summary>
/// Images with class labels, held in memory as floats in [0, 1], layout N x C x H x W (row-major).
/// Labels are indices into <see cref="ClassNames"/>, or -1 for an image whose class is unknown (a flat folder of
/// images, or images given to <c>DnnmmClusterer</c> without labels).
/// </summary>
public sealed class ImageSet
{
    /// <param name="pixels">N x C x H x W floats in [0, 1].</param>
    /// <param name="labels">One per image: an index into <paramref name="classNames"/>, or -1 (class unknown).</param>
    /// <param name="classNames">The class names.</param>
    /// <param name="channels">C: 1 or 3.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="source">Where the images came from, for reports.</param>
    /// <param name="files">The file of each image (relative to the source folder where there is one), or null for images not read from files.</param>
    public ImageSet(float[] pixels, int[] labels, string[] classNames, int channels, int height, int width, string source,
        string[]? files = null)
    {
        int size = channels * height * width;
        if (size <= 0) throw new ArgumentException("image shape must be positive");
        if (pixels.Length != (long)labels.Length * size)
            throw new ArgumentException($"pixels length {pixels.Length} != {labels.Length} images x {size}");
        if (files != null && files.Length != labels.Length)
            throw new ArgumentException($"{files.Length} file names for {labels.Length} images");
        foreach (int y in labels)
            if (y < -1 || y >= classNames.Length)
                throw new ArgumentException($"label {y} is outside [-1, {classNames.Length - 1}]");
        Pixels = pixels; Labels = labels; ClassNames = classNames;
        Channels = channels; Height = height; Width = width; Source = source; Files = files;
    }

    public float[] Pixels { get; }
    /// <summary>The class of each image (an index into <see cref="ClassNames"/>), -1 where it is unknown.</summary>
    public int[] Labels { get; }
    public string[] ClassNames { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    /// <summary>Where the images came from (a path or "mnist (shipped)"), for reports.</summary>
    public string Source { get; }
    /// <summary>The file of each image (relative to the source folder where there is one); null when the images were not read from files.</summary>
    public string[]? Files { get; }

    public int Count => Labels.Length;
    public int ImageSize => Channels * Height * Width;
    public string ShapeText => $"{Channels}x{Height}x{Width}";
    /// <summary>Whether every image has a known class (scores such as ACC need one).</summary>
    public bool AllLabelled => Array.TrueForAll(Labels, y => y >= 0);

    /// <summary>A new set with the images at the given indices, in that order.</summary>
    public ImageSet Subset(IReadOnlyList<int> indices)
    {
        int size = ImageSize;
        var px = new float[(long)indices.Count * size];
        var lb = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Array.Copy(Pixels, (long)indices[i] * size, px, (long)i * size, size);
            lb[i] = Labels[indices[i]];
        }
        return new ImageSet(px, lb, ClassNames, Channels, Height, Width, Source, Files is null ? null : indices.Select(i => Files[i]).ToArray());
    }

    /// <summary>The same images with other labels and class names (and, when given, another source text).</summary>
    public ImageSet WithLabels(int[] labels, string[] classNames, string? source = null) =>
        new(Pixels, labels, classNames, Channels, Height, Width, source ?? Source, Files);
}
