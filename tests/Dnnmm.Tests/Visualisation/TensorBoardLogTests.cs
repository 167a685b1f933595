using SkiaSharp;
using Dnnmm.Data;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Visualisation;
using static Dnnmm.Tests.Cli.CliRunner;

namespace Dnnmm.Tests.Visualisation;

public class TensorBoardLogTests
{
    /// <summary>The records of a TFRecord file (u64 length, u32 masked CRC, data, u32 masked CRC), parsed as events.</summary>
    internal static List<Tensorboard.Event> ReadEvents(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Tensorboard.Event>();
        int i = 0;
        while (i < bytes.Length)
        {
            long len = BitConverter.ToInt64(bytes, i);
            Assert.InRange(len, 1, bytes.Length - i - 16);
            events.Add(Tensorboard.Event.Parser.ParseFrom(bytes, i + 12, (int)len));
            i += 16 + (int)len;
        }
        Assert.Equal(bytes.Length, i);
        return events;
    }

    [Fact]
    public void WritesOneScalarPerValueAndOmegaWithTheEpochAsStep()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("tb");
        using var log = new TensorBoardLog(dir);
        Assert.False(Directory.Exists(dir)); // nothing is created before the first epoch
        log.Write(new EpochReport(1, 2, 3.5, new Dictionary<string, double> { ["likelihood"] = -12.5, ["acc"] = 0.75, ["bad"] = double.NaN }, new[] { 0.25f, 0.75f }));
        log.Write(new EpochReport(2, 2, 3.0, new Dictionary<string, double> { ["likelihood"] = -11, ["acc"] = 0.8 }, null));
        Assert.NotNull(log.EventFile);
        Assert.Single(Directory.GetFiles(dir));
        var events = ReadEvents(log.EventFile!);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var scalars = events.Skip(1).SelectMany(e => e.Summary.Value.Select(v => (e.Step, v.Tag, v.SimpleValue))).ToList();
        Assert.Equal(new (long, string, float)[]
        {
            (1, "loss/likelihood", -12.5f), (1, "metrics/acc", 0.75f), (1, "omega/0", 0.25f), (1, "omega/1", 0.75f), (1, "time/epoch_seconds", 3.5f),
            (2, "loss/likelihood", -11f), (2, "metrics/acc", 0.8f), (2, "time/epoch_seconds", 3f),
        }, scalars);
        // wall times are Unix seconds (what TensorBoard expects)
        double now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.All(events.Skip(1), e => Assert.InRange(e.WallTime, now - 600, now + 600));
    }

    /// <summary>CRC-32C bit by bit (reflected polynomial 0x82F63B78), independent of the library's.</summary>
    private static uint ReferenceCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void Crc32CIsCastagnolisWithTensorFlowsMask()
    {
        Assert.Equal(0xE3069283u, EventFileWriter.Crc32C("123456789"u8)); // the CRC-32C check value
        var rng = new Random(3);
        for (int n = 0; n < 70; n += 7)
        {
            var data = new byte[n];
            rng.NextBytes(data);
            uint c = ReferenceCrc32C(data);
            Assert.Equal(c, EventFileWriter.Crc32C(data));
            Assert.Equal(unchecked(((c >> 15) | (c << 17)) + 0xa282ead8u), EventFileWriter.MaskedCrc32C(data));
        }
    }

    [Fact]
    public void ARecordIsItsLengthAMaskedCrcTheDataAndAMaskedCrcInKnownBytes()
    {
        // "abc": length 3 as u64 LE, masked CRC-32C of those 8 bytes 0x0e4999b0, the data, masked CRC-32C of "abc"
        // (CRC 0x364b3fb7, masked 0x21f1576e), the CRCs little-endian (values from an independent implementation).
        Assert.Equal(new byte[] { 3, 0, 0, 0, 0, 0, 0, 0, 0xb0, 0x99, 0x49, 0x0e, (byte)'a', (byte)'b', (byte)'c', 0x6e, 0x57, 0xf1, 0x21 },
            EventFileWriter.Record("abc"u8));
    }

    /// <summary>The data of the event records of a file, each record's framing and CRCs checked.</summary>
    private static List<byte[]> RecordData(string path)
    {
        var b = File.ReadAllBytes(path);
        var data = new List<byte[]>();
        for (int i = 0; i < b.Length;)
        {
            int len = (int)BitConverter.ToUInt64(b, i);
            Assert.Equal(EventFileWriter.Record(b.AsSpan(i + 12, len)), b.AsSpan(i, 16 + len).ToArray());
            uint c = ReferenceCrc32C(b.AsSpan(i + 12, len));
            Assert.Equal(unchecked(((c >> 15) | (c << 17)) + 0xa282ead8u), BitConverter.ToUInt32(b, i + 12 + len));
            data.Add(b.AsSpan(i + 12, len).ToArray());
            i += 16 + len;
        }
        return data;
    }

    private static byte[] Varint(long v)
    {
        var r = new List<byte>();
        ulong u = (ulong)v;
        do { byte x = (byte)(u & 0x7f); u >>= 7; r.Add(u != 0 ? (byte)(x | 0x80) : x); } while (u != 0);
        return r.ToArray();
    }

    /// <summary>A length-delimited protobuf field: key (field number, wire type 2), length, bytes.</summary>
    private static byte[] Field(int number, byte[] value) => [.. Varint(number << 3 | 2), .. Varint(value.Length), .. value];

    [Fact]
    public void TheFileVersionAndAnImageAreTheProtoFieldsOfTensorBoardsEvent()
    {
        using var tmp = new TempDir();
        string png = tmp.File("x.png");
        Dnnmm.Tests.Data.TestFiles.WriteGrayPng(png, 3, 2, (x, y) => (byte)(x * 50));
        var bytes = File.ReadAllBytes(png);
        using (var log = new TensorBoardLog(tmp.File("tb")))
            log.WriteImage("pics/a", 7, bytes);
        var records = RecordData(Assert.Single(Directory.GetFiles(tmp.File("tb"))));
        Assert.Equal(2, records.Count);
        // Event: wall_time = field 1 (double, key 0x09), step = field 2 (varint, key 0x10), file_version = field 3 (key 0x1a),
        // summary = field 5 (key 0x2a); Summary.value = field 1; Value: tag = 1, image = 4;
        // Image: height = 1, width = 2, colorspace = 3 (varints), encoded_image_string = 4 (event.proto, summary.proto).
        byte[] wall0 = records[0][1..9], wall1 = records[1][1..9];
        Assert.True(BitConverter.ToDouble(wall0) > 1.7e9);
        Assert.Equal([0x09, .. wall0, .. Field(3, "brain.Event:2"u8.ToArray())], records[0]);
        byte[] image = [0x08, 2, 0x10, 3, 0x18, 1, .. Field(4, bytes)]; // 2 high, 3 wide, grey
        byte[] value = [.. Field(1, "pics/a"u8.ToArray()), .. Field(4, image)];
        Assert.Equal([0x09, .. wall1, 0x10, 7, .. Field(5, Field(1, value))], records[1]);
    }

    [Fact]
    public void SamplesPerEpochAndTheLatentCodesForTheProjector()
    {
        var data = TinyData.Make(classes: 3, perClass: 8);
        using var m = new DnnmmMethod(new DnnmmOptions { Epochs = 1, BatchSize = 8, NetworkWidth = 8, Threads = 1, WarmupEpochs = 0 }, 1);
        m.Fit(new FitInput(data, new bool[data.Count]), new FitContext());
        using var tmp = new TempDir();
        string dir = tmp.File("tb");
        using (var log = new TensorBoardLog(dir))
        {
            Assert.True(log.WriteSamples(1, m, data, perCluster: 4));
            Assert.True(log.WriteSamples(2, m, data, perCluster: 4));
            Assert.Equal(10, log.WriteEmbedding(m, data, maxPoints: 10));
        }
        var events = ReadEvents(Assert.Single(Directory.GetFiles(dir, "events.out.tfevents.*")));
        var images = events.Skip(1).Select(e => (e.Step, Value: e.Summary.Value.Single())).ToList();
        Assert.Equal(new long[] { 1, 2 }, images.Select(i => i.Step));
        Assert.All(images, i => Assert.Equal("samples", i.Value.Tag));
        // the same seeds every epoch: the same pictures from the same model
        Assert.Equal(images[0].Value.Image.EncodedImageString, images[1].Value.Image.EncodedImageString);
        using (var bmp = SKBitmap.Decode(images[0].Value.Image.EncodedImageString.ToByteArray()))
        {
            Assert.Equal((images[0].Value.Image.Width, images[0].Value.Image.Height), (bmp.Width, bmp.Height));
            Assert.True(bmp.Height >= 3 * 16 && bmp.Width >= 4 * 16); // a row of 4 per cluster
        }

        Assert.Equal("embeddings {\n  tensor_name: \"latent\"\n  tensor_path: \"latent/tensors.tsv\"\n  metadata_path: \"latent/metadata.tsv\"\n"
            + "  sprite {\n    image_path: \"latent/sprite.png\"\n    single_image_dim: 16\n    single_image_dim: 16\n  }\n}\n",
            File.ReadAllText(Path.Combine(dir, "projector_config.pbtxt")));
        var tensors = File.ReadAllLines(Path.Combine(dir, "latent", "tensors.tsv"));
        Assert.Equal(10, tensors.Length);
        // the encoder's codes of the evenly spaced images 0, 2, 4, ... (24 images, 10 points)
        var codes = m.Encode(data.Subset(Enumerable.Range(0, 10).Select(i => i * 24 / 10).ToArray()));
        for (int i = 0; i < 10; i++)
            Assert.Equal(codes.Skip(i * 10).Take(10), tensors[i].Split('\t').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));
        var meta = File.ReadAllLines(Path.Combine(dir, "latent", "metadata.tsv"));
        Assert.Equal("index\tclass\tcluster", meta[0]);
        Assert.Equal(11, meta.Length);
        Assert.Equal("1\tc2\t", meta[2][..5]); // image 2 is of class 2 (TinyData cycles the classes)
        Assert.All(meta.Skip(1), l => Assert.InRange(int.Parse(l.Split('\t')[2]), 0, 2));
        using (var sprite = SKBitmap.Decode(Path.Combine(dir, "latent", "sprite.png")))
            Assert.Equal((4 * 16, 3 * 16), (sprite.Width, sprite.Height)); // ceil(sqrt(10)) = 4 columns, 3 rows, no gaps

        // images without a class (a flat folder) have an empty class and their file in the metadata
        var flat = data.WithLabels(Enumerable.Repeat(-1, data.Count).ToArray(), data.ClassNames);
        var files = new ImageSet(flat.Pixels, flat.Labels, flat.ClassNames, 1, 16, 16, "files", Enumerable.Range(0, data.Count).Select(i => $"f{i}.png").ToArray());
        using (var log = new TensorBoardLog(dir))
            Assert.Equal(24, log.WriteEmbedding(m, files));
        meta = File.ReadAllLines(Path.Combine(dir, "latent", "metadata.tsv"));
        Assert.Equal("index\tfile\tclass\tcluster", meta[0]);
        Assert.StartsWith("3\tf3.png\t\t", meta[4]);
    }

    [Fact]
    public void LoggingSamplesPerEpochDoesNotChangeTheTraining()
    {
        using var tmp = new TempDir();
        string[] Args(string run) => ["train", "--classes", "0,1", "--per-class", "12", "--alpha", "0.25", "--epochs", "2", "--width", "8",
            "--batch-size", "8", "--threads", "1", "--out", run];
        var a = Run(Args(tmp.File("a")));
        var b = Run([.. Args(tmp.File("b")), "--tensorboard", tmp.File("tb")]);
        Assert.True(a.Code == 0 && b.Code == 0, a.Err + b.Err);
        var ra = new RunFolder(tmp.File("a")).ReadMetrics();
        var rb = new RunFolder(tmp.File("b")).ReadMetrics();
        Assert.Equal(2, ra.Count);
        for (int i = 0; i < ra.Count; i++)
        {
            Assert.Equal(ra[i].Values.OrderBy(kv => kv.Key), rb[i].Values.OrderBy(kv => kv.Key));
            Assert.Equal(ra[i].Omega, rb[i].Omega);
        }
        Assert.Equal(2, ReadEvents(Directory.GetFiles(tmp.File("tb"), "events.out.tfevents.*").Single())
            .Count(e => e.Summary?.Value.Any(v => v.Tag == "samples") == true));
    }

    [Fact]
    public void AFileInPlaceOfTheFolderIsBadInput()
    {
        using var dir = new TempDir();
        string file = dir.File("tb");
        File.WriteAllText(file, "");
        Assert.Throws<DnnmmInputException>(() => new TensorBoardLog(file));
    }
}
