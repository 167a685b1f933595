using SkiaSharp;

namespace Dnnmm.Data;

/// <summary>Tiles images (floats in [0, 1], N x C x H x W) into one PNG grid.</summary>
public static class ImageGrid
{
    /// <param name="pixels">N x C x H x W, C = 1 or 3.</param>
    /// <param name="columns">images per row; rows = ceil(N / columns).</param>
    /// <param name="scale">each pixel becomes scale x scale pixels.</param>
    /// <param name="gap">pixels between tiles.</param>
    /// <param name="groupSize">columns per group (e.g. 2 for image / reconstruction pairs); 0 = no groups.</param>
    /// <param name="groupGap">extra pixels between two groups of columns.</param>
    public static byte[] ToPng(float[] pixels, int count, int channels, int height, int width, int columns, int scale = 2, int gap = 2,
        int groupSize = 0, int groupGap = 0)
    {
        if (channels != 1 && channels != 3) throw new ArgumentException("channels must be 1 or 3");
        if (count < 1 || columns < 1) throw new ArgumentException("need at least one image and one column");
        if (groupSize < 0 || groupGap < 0) throw new ArgumentException("groupSize and groupGap must be non-negative");
        int rows = (count + columns - 1) / columns;
        int tileW = width * scale, tileH = height * scale;
        int groups = groupSize > 0 ? (columns + groupSize - 1) / groupSize : 1;
        int outW = columns * tileW + (columns + 1) * gap + (groups - 1) * groupGap, outH = rows * tileH + (rows + 1) * gap;
        using var bmp = new SKBitmap(new SKImageInfo(outW, outH, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var buf = new byte[outW * outH * 4];
        for (int i = 0; i < buf.Length; i += 4) { buf[i] = 255; buf[i + 1] = 255; buf[i + 2] = 255; buf[i + 3] = 255; }
        int plane = height * width, size = channels * plane;
        for (int n = 0; n < count; n++)
        {
            int r = n / columns, c = n % columns;
            int ox = gap + c * (tileW + gap) + (groupSize > 0 ? c / groupSize * groupGap : 0), oy = gap + r * (tileH + gap);
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
    /// <summary>
    /// As <see cref="ToPng"/>, with a text label left of each row (e.g. the cluster's class name): the picture is the
    /// unlabelled grid with a margin on the left as wide as the longest label needs. Labels beyond the number of rows
    /// are ignored; missing ones are left blank.
    /// </summary>
    public static byte[] ToLabelledPng(float[] pixels, int count, int channels, int height, int width, int columns,
        IReadOnlyList<string> rowLabels, int scale = 2, int gap = 2)
    {
        ArgumentNullException.ThrowIfNull(rowLabels);
        var grid = ToPng(pixels, count, channels, height, width, columns, scale, gap);
        using var gridBmp = SKBitmap.Decode(grid);
        int rows = (count + columns - 1) / columns;
        int tileH = height * scale;
        float fontSize = Math.Clamp(tileH * 0.3f, 9f, 16f);
        using var font = new SKFont(SKTypeface.Default, fontSize);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        float textW = 0;
        for (int r = 0; r < Math.Min(rows, rowLabels.Count); r++)
            textW = Math.Max(textW, font.MeasureText(rowLabels[r] ?? ""));
        int margin = (int)MathF.Ceiling(textW) + 3 * gap + 4;
        var info = new SKImageInfo(gridBmp.Width + margin, gridBmp.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.DrawBitmap(gridBmp, margin, 0);
        for (int r = 0; r < Math.Min(rows, rowLabels.Count); r++)
        {
            string label = rowLabels[r] ?? "";
            if (label.Length == 0) continue;
            float cy = gap + r * (tileH + gap) + tileH / 2f;
            canvas.DrawText(label, margin - 2 * gap - 2, cy + fontSize * 0.35f, SKTextAlign.Right, font, paint);
        }
        using var img = surface.Snapshot();
        using var data = img.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
