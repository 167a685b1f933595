using Dnnmm.Infrastructure;

namespace Dnnmm.Methods;

/// <summary>
/// What a saved model knows of its images: model.json of a baseline is exactly this; DNN-MM's model.json
/// has these fields too, but no method name
/// (the runs layer reads either).
/// </summary>
public sealed record SavedModelInfo(string Method, int Channels, int Height, int Width, int Clusters, string[] ClassNames)
{
    public ImageShape Shape => new(Channels, Height, Width);

    /// <summary>
    /// Checks a model.json read from disk (<paramref name="path"/>) before anything is built from it: 1 or 3 channels, a
    /// side of at most <see cref="MaxSide"/>, at least 2 clusters and one class name for each. A damaged or hand-edited
    /// file is a one-line <see cref="DnnmmInputException"/> naming it.
    /// </summary>
    public SavedModelInfo Check(string path)
    {
        CheckShape(path, Channels, Height, Width, Clusters, ClassNames);
        return this;
    }

    /// <summary>The largest image side a saved model may describe.</summary>
    public const int MaxSide = 4096;

    /// <summary>The checks of <see cref="Check"/>, for any model.json record.</summary>
    public static void CheckShape(string path, int channels, int height, int width, int clusters, string[]? classNames)
    {
        string? why =
            channels is not (1 or 3) ? $"{channels} channels (1 or 3)"
            : height is < 1 or > MaxSide || width is < 1 or > MaxSide ? $"image size {height}x{width} (1 to {MaxSide})"
            : clusters is < 2 or > 1_000_000 ? $"{clusters} clusters (at least 2)"
            : classNames is null || classNames.Length != clusters || classNames.Any(n => n is null) ? $"{classNames?.Length ?? 0} class names for {clusters} clusters"
            : null;
        if (why is not null) throw new DnnmmInputException($"{path}: damaged model description ({why})");
    }
}
