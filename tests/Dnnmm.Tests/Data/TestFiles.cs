using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;
using Dnnmm.Data;
using Dnnmm.Infrastructure;

namespace Dnnmm.Tests.Data;

/// <summary>Writers for the real file formats, used to make small test inputs.</summary>
internal static class TestFiles
{
    // ---- IDX ----

    public static byte[] IdxImages(int count, int rows, int cols, Func<int, int, byte> pixel, int magic = 0x00000803)
    {
        var b = new byte[16 + count * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(b, magic);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(12), cols);
        int size = rows * cols;
        for (int i = 0; i < count; i++)
            for (int p = 0; p < size; p++)
                b[16 + i * size + p] = pixel(i, p);
        return b;
    }

    public static byte[] IdxLabels(IReadOnlyList<byte> labels, int magic = 0x00000801)
    {
        var b = new byte[8 + labels.Count];
        BinaryPrimitives.WriteInt32BigEndian(b, magic);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), labels.Count);
        for (int i = 0; i < labels.Count; i++) b[8 + i] = labels[i];
        return b;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>Writes an IDX pair into dir with the standard names (prefix train or t10k), gzip or raw.</summary>
    public static void WriteIdxPair(string dir, string prefix, byte[] labels, int rows, int cols,
        Func<int, int, byte> pixel, bool gzip)
    {
        var img = IdxImages(labels.Length, rows, cols, pixel);
        var lab = IdxLabels(labels);
        string ext = gzip ? ".gz" : "";
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{ext}"), gzip ? Gzip(img) : img);
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{ext}"), gzip ? Gzip(lab) : lab);
    }

    // ---- CIFAR-10 binary ----

    /// <summary>One record: label byte then the R, G, B planes (32x32 each).</summary>
    public static byte[] CifarRecords(IReadOnlyList<byte> labels, Func<int, int, int, byte> pixel)
    {
        var b = new byte[labels.Count * 3073];
        for (int i = 0; i < labels.Count; i++)
        {
            b[i * 3073] = labels[i];
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 1024; p++)
                    b[i * 3073 + 1 + c * 1024 + p] = pixel(i, c, p);
        }
        return b;
    }

    /// <summary>
    /// The training batches of a CIFAR-10 folder: the records of <paramref name="labels"/> (at least five) in order, cut
    /// into data_batch_1.bin .. data_batch_5.bin; <paramref name="pixel"/> gets the record's index in the whole set.
    /// </summary>
    public static void WriteCifarTrain(string dir, IReadOnlyList<byte> labels, Func<int, int, int, byte> pixel)
    {
        int n = labels.Count, batches = Cifar10BinaryReader.TrainBatches;
        if (n < batches) throw new ArgumentException($"{n} records for {batches} batches", nameof(labels));
        for (int b = 0; b < batches; b++)
        {
            int start = b * n / batches, end = (b + 1) * n / batches;
            File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b + 1}.bin"),
                CifarRecords(labels.Skip(start).Take(end - start).ToArray(), (i, c, p) => pixel(start + i, c, p)));
        }
    }

    // ---- PNG / JPEG ----

    public static SKBitmap Rgb(int w, int h, Func<int, int, (byte R, byte G, byte B)> color)
    {
        var bmp = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var (r, g, b) = color(x, y);
                bmp.SetPixel(x, y, new SKColor(r, g, b));
            }
        return bmp;
    }

    public static void WriteImage(string path, SKBitmap bmp, SKEncodedImageFormat format, int quality = 100)
    {
        using var image = SKImage.FromBitmap(bmp);
        using var data = image.Encode(format, quality) ?? throw new InvalidOperationException("encode failed");
        File.WriteAllBytes(path, data.ToArray());
    }

    public static void WritePng(string path, int w, int h, Func<int, int, (byte R, byte G, byte B)> color)
    {
        using var bmp = Rgb(w, h, color);
        WriteImage(path, bmp, SKEncodedImageFormat.Png);
    }

    public static void WriteJpeg(string path, int w, int h, Func<int, int, (byte R, byte G, byte B)> color, int quality = 100)
    {
        using var bmp = Rgb(w, h, color);
        WriteImage(path, bmp, SKEncodedImageFormat.Jpeg, quality);
    }

    /// <summary>A 1-channel (Gray8) PNG.</summary>
    public static void WriteGrayPng(string path, int w, int h, Func<int, int, byte> value)
    {
        using var bmp = new SKBitmap(new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque));
        var px = new byte[bmp.RowBytes * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                px[y * bmp.RowBytes + x] = value(x, y);
        System.Runtime.InteropServices.Marshal.Copy(px, 0, bmp.GetPixels(), px.Length);
        WriteImage(path, bmp, SKEncodedImageFormat.Png);
    }

    // ---- CelebA ----

    public static readonly string[] CelebAAttributes =
    {
        "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs", "Big_Lips",
        "Big_Nose", "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair", "Bushy_Eyebrows", "Chubby", "Double_Chin",
        "Eyeglasses", "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones", "Male", "Mouth_Slightly_Open",
        "Mustache", "Narrow_Eyes", "No_Beard", "Oval_Face", "Pale_Skin", "Pointy_Nose", "Receding_Hairline",
        "Rosy_Cheeks", "Sideburns", "Smiling", "Straight_Hair", "Wavy_Hair", "Wearing_Earrings", "Wearing_Hat",
        "Wearing_Lipstick", "Wearing_Necklace", "Wearing_Necktie", "Young",
    };

    /// <summary>One attribute row in the original layout: the named attributes are 1, the rest -1.</summary>
    public static string CelebARow(string image, params string[] positive)
    {
        foreach (var p in positive)
            if (Array.IndexOf(CelebAAttributes, p) < 0) throw new ArgumentException(p);
        return image + string.Concat(CelebAAttributes.Select(a => positive.Contains(a) ? "  1" : " -1"));
    }

    /// <summary>Writes list_attr_celeba.txt (CRLF, count line, header line, rows).</summary>
    public static void WriteCelebAAttributes(string dir, IReadOnlyList<string> rows)
    {
        var lines = new List<string> { rows.Count.ToString(), string.Join(" ", CelebAAttributes) + " " };
        lines.AddRange(rows);
        File.WriteAllText(Path.Combine(dir, "list_attr_celeba.txt"), string.Join("\r\n", lines) + "\r\n");
    }

    // ---- assertions ----

    /// <summary>Asserts a one-line DnnmmInputException whose message contains every given piece.</summary>
    public static DnnmmInputException AssertInputError(Action action, params string[] mustContain)
    {
        var e = Assert.Throws<DnnmmInputException>(action);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        foreach (var s in mustContain) Assert.Contains(s, e.Message);
        return e;
    }

    public static DnnmmInputException AssertInputError(Func<object?> func, params string[] mustContain) =>
        AssertInputError(() => { func(); }, mustContain);

    /// <summary>
    /// Asserts a one-line <see cref="OptionException"/> about the <see cref="Dnnmm.Data.DataOptions"/> option with JSON
    /// name <paramref name="option"/> whose detail contains every given piece.
    /// </summary>
    public static OptionException AssertOptionError(Action action, string option, params string[] detailContains)
    {
        var e = Assert.Throws<OptionException>(action);
        Assert.Equal(option, e.Option);
        Assert.Equal(typeof(Dnnmm.Data.DataOptions), e.Scope);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        foreach (var s in detailContains) Assert.Contains(s, e.Detail);
        return e;
    }

    public static OptionException AssertOptionError(Func<object?> func, string option, params string[] detailContains) =>
        AssertOptionError(() => { func(); }, option, detailContains);
}
