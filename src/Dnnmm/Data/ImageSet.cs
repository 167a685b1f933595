namespace Dnnmm.Data;

/// <summary>
/// Images with class labels, layout N x C x H x W (row-major), read as floats in [0, 1].
/// <para>
/// Storage: images decoded from 8-bit files (IDX, CIFAR-10, PNG/JPEG, CelebA) are kept as <b>bytes</b>, one per pixel
/// (value b / 255 when read), so a data set takes a quarter of the memory floats would; images given as floats (a
/// caller's own array) are kept as floats. Readers convert to floats per image or per minibatch
/// (<see cref="CopyImage"/>, <see cref="CopyImages"/>, <see cref="CopyRange"/>).
/// </para>
/// <para>
/// Noise (<see cref="WithNoise"/>): the paper's noisy data sets add Gaussian pixel noise to every image. It is not
/// stored: image i's noise is drawn each time the image is read from a random stream of (seed, i), so it is the same at
/// every read, in every minibatch, after a resume, and it follows the image into <see cref="Subset"/>.
/// </para>
/// Labels are indices into <see cref="ClassNames"/>, or -1 for an image whose class is unknown (a flat folder of
/// images, or images given to <c>DnnmmClusterer</c> without labels).
/// </summary>
public sealed class ImageSet
{
    private readonly float[]? floats;
    private readonly ImageBytes? bytes;
    private readonly PixelNoise? noise;
    /// <summary>The noise stream of each image (its index in the set <see cref="WithNoise"/> was called on); null without noise.</summary>
    private readonly int[]? noiseKeys;
    private float[]? materialised;

    /// <summary>Images stored as floats.</summary>
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
        : this(pixels, null, null, null, labels, classNames, channels, height, width, source, files)
    {
    }

    private ImageSet(float[]? floats, ImageBytes? bytes, PixelNoise? noise, int[]? noiseKeys, int[] labels, string[] classNames,
        int channels, int height, int width, string source, string[]? files)
    {
        int size = channels * height * width;
        if (size <= 0) throw new ArgumentException("image shape must be positive");
        if (bytes != null && bytes.ImageSize != size)
            throw new ArgumentException($"stored images have {bytes.ImageSize} pixels, the shape {size}");
        long stored = floats?.LongLength ?? bytes!.Length;
        if (stored != (long)labels.Length * size)
            throw new ArgumentException($"pixels length {stored} != {labels.Length} images x {size}");
        if (files != null && files.Length != labels.Length)
            throw new ArgumentException($"{files.Length} file names for {labels.Length} images");
        foreach (int y in labels)
            if (y < -1 || y >= classNames.Length)
                throw new ArgumentException($"label {y} is outside [-1, {classNames.Length - 1}]");
        this.floats = floats; this.bytes = bytes; this.noise = noise; this.noiseKeys = noiseKeys;
        Labels = labels; ClassNames = classNames;
        Channels = channels; Height = height; Width = width; Source = source; Files = files;
    }

    /// <summary>Images stored as bytes, one per pixel, read as b / 255 (the arguments as for the float constructor).</summary>
    public static ImageSet FromBytes(byte[] pixels, int[] labels, string[] classNames, int channels, int height, int width,
        string source, string[]? files = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        int size = channels * height * width;
        if (size <= 0 || pixels.LongLength != (long)labels.Length * size)
            throw new ArgumentException($"pixels length {pixels.LongLength} != {labels.Length} images x {size}");
        return new ImageSet(null, ImageBytes.Wrap(pixels, labels.Length, size), null, null, labels, classNames, channels, height, width, source, files);
    }

    /// <summary>Images stored as bytes in <paramref name="pixels"/> (filled by a reader), read as b / 255.</summary>
    public static ImageSet FromBytes(ImageBytes pixels, int[] labels, string[] classNames, int channels, int height, int width,
        string source, string[]? files = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        return new ImageSet(null, pixels, null, null, labels, classNames, channels, height, width, source, files);
    }

    /// <summary>
    /// Every image as floats, N x C x H x W: the stored array when the images are stored as floats without noise, otherwise
    /// a float copy made on the first call and kept (4 bytes per pixel). For small sets and tests; code that may see large
    /// data reads images in batches (<see cref="CopyImages"/>, <see cref="CopyRange"/>).
    /// </summary>
    public float[] Pixels
    {
        get
        {
            if (floats != null && noise is null) return floats;
            if (materialised is null)
            {
                var px = new float[(long)Count * ImageSize];
                CopyRange(0, Count, px, 0);
                materialised = px;
            }
            return materialised;
        }
    }

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
    /// <summary>Whether the pixels are stored as bytes (1 per pixel) rather than floats (4).</summary>
    public bool StoredAsBytes => bytes != null;
    /// <summary>Bytes the stored pixels take (not counting a float copy made by <see cref="Pixels"/>).</summary>
    public long StoredBytes => bytes?.Length ?? floats!.LongLength * sizeof(float);
    /// <summary>The pixel noise added when images are read (null: none).</summary>
    public PixelNoise? Noise => noise;

    /// <summary>Image <paramref name="index"/> as floats (with its noise) into <paramref name="destination"/> (ImageSize floats).</summary>
    public void CopyImage(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"image {index} of {Count}");
        int size = ImageSize;
        if (destination.Length < size) throw new ArgumentException($"destination has {destination.Length} floats, an image {size}");
        var dst = destination[..size];
        if (bytes != null) PixelConvert.ToFloats(bytes.Image(index), dst);
        else floats.AsSpan(checked(index * size), size).CopyTo(dst);
        noise?.Add(dst, noiseKeys![index]);
    }

    /// <summary>The images at <paramref name="indices"/>, in that order, as floats into <paramref name="destination"/> (count x ImageSize).</summary>
    public void CopyImages(ReadOnlySpan<int> indices, Span<float> destination)
    {
        int size = ImageSize;
        if (destination.Length < (long)indices.Length * size)
            throw new ArgumentException($"destination has {destination.Length} floats, {indices.Length} images need {(long)indices.Length * size}");
        for (int i = 0; i < indices.Length; i++) CopyImage(indices[i], destination.Slice(i * size, size));
    }

    /// <summary>Images start .. start + count - 1 as floats into <paramref name="destination"/> from <paramref name="offset"/> on, in parallel for many.</summary>
    public void CopyRange(int start, int count, float[] destination, long offset)
    {
        CheckRange(start, count, destination.LongLength - offset);
        int size = ImageSize;
        if (noise is null && floats != null)
        {
            Array.Copy(floats, (long)start * size, destination, offset, (long)count * size);
            return;
        }
        if ((long)count * size < 1 << 18)
        {
            for (int i = 0; i < count; i++) CopyImage(start + i, destination.AsSpan().Slice(checked((int)(offset + (long)i * size)), size));
            return;
        }
        Parallel.For(0, count, i => CopyImage(start + i, destination.AsSpan(checked((int)(offset + (long)i * size)), size)));
    }

    private void CheckRange(int start, int count, long room)
    {
        if (start < 0 || count < 0 || start + (long)count > Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"images {start}..{start + count - 1} of {Count}");
        if (room < (long)count * ImageSize)
            throw new ArgumentException($"room for {room} floats, {count} images need {(long)count * ImageSize}");
    }

    /// <summary>
    /// The same images with Gaussian pixel noise (std, clamped to [0, 1]) added whenever they are read; image i's noise
    /// comes from the stream (seed, i) (<see cref="PixelNoise"/>). The images must not already have noise.
    /// </summary>
    public ImageSet WithNoise(double std, int seed)
    {
        if (noise != null) throw new InvalidOperationException("the images already have noise");
        if (std <= 0) return this;
        return new ImageSet(floats, bytes, new PixelNoise(std, seed), Enumerable.Range(0, Count).ToArray(), Labels, ClassNames,
            Channels, Height, Width, Source, Files);
    }

    /// <summary>A new set with the images at the given indices, in that order (in the same storage, each with its noise).</summary>
    public ImageSet Subset(IReadOnlyList<int> indices)
    {
        int size = ImageSize;
        var lb = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++) lb[i] = Labels[indices[i]];
        float[]? fl = null;
        ImageBytes? by = null;
        if (bytes != null)
        {
            by = ImageBytes.Allocate(indices.Count, size);
            for (int i = 0; i < indices.Count; i++) bytes.Image(indices[i]).CopyTo(by.Image(i));
        }
        else
        {
            fl = new float[(long)indices.Count * size];
            for (int i = 0; i < indices.Count; i++) Array.Copy(floats!, (long)indices[i] * size, fl, (long)i * size, size);
        }
        int[]? keys = noiseKeys is null ? null : indices.Select(i => noiseKeys[i]).ToArray();
        return new ImageSet(fl, by, noise, keys, lb, ClassNames, Channels, Height, Width, Source,
            Files is null ? null : indices.Select(i => Files[i]).ToArray());
    }

    /// <summary>The same images with other labels and class names (and, when given, another source text).</summary>
    public ImageSet WithLabels(int[] labels, string[] classNames, string? source = null) =>
        new(floats, bytes, noise, noiseKeys, labels, classNames, Channels, Height, Width, source ?? Source, Files);

    /// <summary>The same images with another source text.</summary>
    public ImageSet WithSource(string source) => WithLabels(Labels, ClassNames, source);
}

/// <summary>
/// Gaussian pixel noise N(0, std^2), clamped to [0, 1], drawn per image: image key k's noise comes from
/// new Random(DeriveSeed(seed, k)) by the Marsaglia polar method, so it depends only on the seed and the image.
/// </summary>
public sealed record PixelNoise(double Std, int Seed)
{
    /// <summary>Adds the noise of image <paramref name="key"/> to its pixels, in place.</summary>
    public void Add(Span<float> pixels, int key) =>
        DataPipeline.AddGaussianNoise(pixels, Std, new Random(DataPipeline.DeriveSeed(Seed, key)));
}

/// <summary>
/// Images of one shape stored as bytes, one per pixel, in chunks of at most <see cref="ChunkBytes"/> bytes (a .NET array
/// holds fewer than 2^31 elements; a CelebA-sized set has 2.5e9 pixels).
/// </summary>
public sealed class ImageBytes
{
    /// <summary>The most bytes one chunk holds.</summary>
    public const int ChunkBytes = 1 << 30;
    private readonly byte[][] chunks;
    private readonly int perChunk;

    private ImageBytes(byte[][] chunks, int count, int imageSize, int perChunk)
    {
        this.chunks = chunks; Count = count; ImageSize = imageSize; this.perChunk = perChunk;
    }

    /// <summary>Zeroed storage for <paramref name="count"/> images of <paramref name="imageSize"/> bytes.</summary>
    /// <param name="count">Images.</param>
    /// <param name="imageSize">Bytes per image.</param>
    /// <param name="maxChunkBytes">The most bytes per chunk (at least one image per chunk).</param>
    public static ImageBytes Allocate(int count, int imageSize, int maxChunkBytes = ChunkBytes)
    {
        if (count < 0 || imageSize <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"{count} images of {imageSize} bytes");
        int per = Math.Max(1, maxChunkBytes / imageSize);
        int n = (count + per - 1) / per;
        var chunks = new byte[n][];
        for (int c = 0; c < n; c++) chunks[c] = new byte[(long)Math.Min(per, count - c * per) * imageSize];
        return new ImageBytes(chunks, count, imageSize, per);
    }

    /// <summary>One array of count x imageSize bytes, as it is (not copied).</summary>
    internal static ImageBytes Wrap(byte[] pixels, int count, int imageSize) =>
        new(new[] { pixels }, count, imageSize, Math.Max(1, count));

    public int Count { get; }
    public int ImageSize { get; }
    public long Length => (long)Count * ImageSize;
    /// <summary>The arrays the bytes are in.</summary>
    public int ChunkCount => chunks.Length;

    /// <summary>Image <paramref name="index"/>'s bytes.</summary>
    public Span<byte> Image(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"image {index} of {Count}");
        return chunks[index / perChunk].AsSpan(index % perChunk * ImageSize, ImageSize);
    }
}
