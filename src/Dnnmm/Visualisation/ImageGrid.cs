using SkiaSharp;

namespace Dnnmm.Visualisation;

/// <summary>Tiles images (floats in [0, 1], N x C x H x W) into one PNG grid.</summary>
public static class ImageGrid
{
    /// <param name="pixels">N x C x H x W, C = 1 or 3.</param>
    /// <param name="columns">images per row; rows = ceil(N / columns).</param>
    /// <param name="scale">each pixel becomes scale x scale pixels.</param>
    /// <param name="gap">pixels between tiles.</param>
    public static byte[] ToPng(float[] pixels, int count, int channels, int height, int width, int columns, int scale = 2, int gap = 2)
    {
        if (channels != 1 && channels != 3) throw new ArgumentException("channels must be 1 or 3");
        if (count < 1 || columns < 1) throw new ArgumentException("need at least one image and one column");
        int rows = (count + columns - 1) / columns;
        int tileW = width * scale, tileH = height * scale;
        int outW = columns * tileW + (columns + 1) * gap, outH = rows * tileH + (rows + 1) * gap;
        using var bmp = new SKBitmap(new SKImageInfo(outW, outH, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var buf = new byte[outW * outH * 4];
        for (int i = 0; i < buf.Length; i += 4) { buf[i] = 255; buf[i + 1] = 255; buf[i + 2] = 255; buf[i + 3] = 255; }
        int plane = height * width, size = channels * plane;
        for (int n = 0; n < count; n++)
        {
            int r = n / columns, c = n % columns;
            int ox = gap + c * (tileW + gap), oy = gap + r * (tileH + gap);
            for (int y = 0; y < tileH; y++)
            for (int x = 0; x < tileW; x++)
            {
                int p = (y / scale) * width + (x / scale);
                int o = ((oy + y) * outW + ox + x) * 4;
                for (int ch = 0; ch < 3; ch++)
                {
                    float v = pixels[(long)n * size + (channels == 1 ? 0 : ch) * plane + p];
                    buf[o + ch] = (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);
                }
            }
        }
        System.Runtime.InteropServices.Marshal.Copy(buf, 0, bmp.GetPixels(), buf.Length);
        using var img = SKImage.FromBitmap(bmp);
        using var data = img.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
