using SkiaSharp;
using Dnnmm.Infrastructure;

namespace Dnnmm.Data;

/// <summary>Decoding, cropping and resizing with SkiaSharp, shared by the folder and CelebA readers.</summary>
internal static class SkiaImages
{
    /// <summary>Decodes a PNG/JPEG (any format SkiaSharp knows) to an RGBA8888 unpremultiplied bitmap.</summary>
    public static SKBitmap DecodeRgba(string path)
    {
        if (!File.Exists(path))
            throw new DnnmmInputException($"image file {path}: not found");
        using var codec = SKCodec.Create(path);
        if (codec == null)
            throw new DnnmmInputException($"image file {path}: cannot decode (not a PNG/JPEG image, or corrupt)");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        if (info.Width <= 0 || info.Height <= 0)
            throw new DnnmmInputException($"image file {path}: empty image");
        CheckSize(path, info.Width, info.Height);
        var bmp = new SKBitmap(info);
        if (bmp.GetPixels() == IntPtr.Zero)
        {
            bmp.Dispose();
            throw new DnnmmInputException($"image file {path}: {info.Width}x{info.Height} pixels do not fit in memory");
        }
        var result = codec.GetPixels(info, bmp.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bmp.Dispose();
            throw new DnnmmInputException($"image file {path}: cannot decode ({result})");
        }
        return bmp;
    }

    /// <summary>Reads only the header: width and height.</summary>
    public static (int Width, int Height) ReadSize(string path)
    {
        using var codec = SKCodec.Create(path);
        if (codec == null)
            throw new DnnmmInputException($"image file {path}: cannot decode (not a PNG/JPEG image, or corrupt)");
        CheckSize(path, codec.Info.Width, codec.Info.Height);
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>
    /// The most pixels an image file may claim per byte of the file: well above what PNG (deflate, at most about 1032:1,
    /// eight 1-bit pixels a byte) and JPEG reach, so only a damaged header goes beyond it.
    /// </summary>
    public const long MaxPixelsPerFileByte = 10_000;

    /// <summary>
    /// A header that claims more pixels than the file could hold (or over 2^28) is a damaged file: a one-line error
    /// before the pixels are allocated.
    /// </summary>
    private static void CheckSize(string path, int width, int height)
    {
        long pixels = (long)width * height;
        long bytes = new FileInfo(path).Length;
        if (pixels > 1L << 28 || pixels > MaxPixelsPerFileByte * bytes + 65536)
            throw new DnnmmInputException($"image file {path}: damaged header ({width}x{height} pixels in a file of {bytes} bytes)");
    }

    /// <summary>The centred square of side min(w, h) (a view sharing the pixels; the offset rounds down).</summary>
    public static SKBitmap CenterCropSquare(SKBitmap src)
    {
        int side = Math.Min(src.Width, src.Height);
        if (side == src.Width && side == src.Height) return src;
        int x = (src.Width - side) / 2, y = (src.Height - side) / 2;
        var dst = new SKBitmap();
        if (!src.ExtractSubset(dst, new SKRectI(x, y, x + side, y + side)))
            throw new InvalidOperationException("ExtractSubset failed");
        return dst;
    }

    /// <summary>
    /// Resizes with high-quality sampling: trilinear mipmaps when shrinking, Mitchell cubic when enlarging.
    /// </summary>
    public static SKBitmap Resize(SKBitmap src, int width, int height)
    {
        if (src.Width == width && src.Height == height) return src;
        var dst = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bool shrink = width < src.Width || height < src.Height;
        var sampling = shrink
            ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
            : new SKSamplingOptions(SKCubicResampler.Mitchell);
        if (!src.ScalePixels(dst, sampling))
        {
            dst.Dispose();
            throw new InvalidOperationException($"resize {src.Width}x{src.Height} -> {width}x{height} failed");
        }
        return dst;
    }

    /// <summary>
    /// Writes an RGBA8888 bitmap as planar bytes: 3 channels (R, G, B planes) or 1 channel (luminance
    /// 0.299 R + 0.587 G + 0.114 B, rounded to the nearest byte). Alpha is ignored.
    /// </summary>
    public static void WritePlanar(SKBitmap bmp, int channels, Span<byte> dst)
    {
        int w = bmp.Width, h = bmp.Height, plane = w * h, rowBytes = bmp.RowBytes;
        ReadOnlySpan<byte> px = bmp.GetPixelSpan();
        for (int y = 0; y < h; y++)
        {
            var row = px.Slice(y * rowBytes, w * 4);
            int o = y * w;
            if (channels == 3)
            {
                for (int x = 0; x < w; x++)
                {
                    dst[o + x] = row[4 * x];
                    dst[plane + o + x] = row[4 * x + 1];
                    dst[2 * plane + o + x] = row[4 * x + 2];
                }
            }
            else
            {
                for (int x = 0; x < w; x++)
                {
                    float v = 0.299f * row[4 * x] + 0.587f * row[4 * x + 1] + 0.114f * row[4 * x + 2];
                    dst[o + x] = (byte)Math.Clamp(MathF.Round(v), 0f, 255f);
                }
            }
        }
    }
}
