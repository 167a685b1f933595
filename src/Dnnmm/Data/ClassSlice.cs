namespace Dnnmm.Data;

/// <summary>
/// Which images of one class to take, by their position among the class's images in file order: skip the first
/// <see cref="Skip"/>, then take <see cref="Take"/> (null = all the rest).
/// </summary>
public readonly record struct ClassSlice(int Skip, int? Take)
{
    /// <summary>Whether the class's image at this position (0-based, in file order) is taken.</summary>
    public bool Contains(int position) => position >= Skip && (Take is not int t || position - Skip < t);

    /// <summary>The position after the last image taken of a class with <paramref name="count"/> images.</summary>
    public int End(int count) => Take is int t ? (int)Math.Min(count, (long)Skip + t) : count;
}
