using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using CsCheck;
using SkiaSharp;
using Xunit.Abstractions;
using Dnnmm.Data;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Methods.KMeans;
using Dnnmm.Runs;
using Dnnmm.Tests.Data;

namespace Dnnmm.Tests.Reliability;

/// <summary>
/// Property-based fuzzing of every reader (CsCheck): random bytes and mutations of a small valid file (bytes flipped,
/// the file cut or extended, header counts set to huge values) may only end in success or a
/// <see cref="DnnmmInputException"/>; any other exception, a case over <see cref="CaseTimeout"/>, or a managed
/// allocation beyond what the file size allows fails the test. CsCheck prints the seed of a failing case (and of the
/// run, with the case count, through the test output), so a failure reproduces with <c>seed:</c>.
/// </summary>
public class ReaderFuzzTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Cases per reader: 300, or DNNMM_FUZZ_CASES for a longer run.</summary>
    public static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("DNNMM_FUZZ_CASES"), out int n) && n > 0 ? n : 300;
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    // ---- the mutations ----

    /// <summary>
    /// Random bytes, or <paramref name="valid"/> with bytes changed, cut short, extended, or a 4-byte field in its first
    /// <paramref name="header"/> bytes set to a huge or negative count (big- or little-endian).
    /// </summary>
    public static Gen<byte[]> Mutations(byte[] valid, int header = 64) =>
        Gen.Select(Gen.Int[0, 6], Gen.Int[0, int.MaxValue], Gen.Byte.Array[0, 48], (kind, at, noise) => Mutate(valid, header, kind, at, noise));

    private static readonly int[] HugeCounts = { int.MaxValue, int.MinValue, -1, 0x7FFFFFF0, 1 << 28, 0x10000, 0 };

    private static byte[] Mutate(byte[] valid, int header, int kind, int at, byte[] noise)
    {
        int n = valid.Length;
        switch (kind)
        {
            case 0: return noise;                                                   // random bytes
            case 1: return valid[..(at % (n + 1))];                                 // cut short
            case 2: return valid.Concat(noise.Length == 0 ? new byte[] { 0 } : noise).ToArray(); // extended
            case 3:                                                                // bytes flipped
            {
                var b = (byte[])valid.Clone();
                for (int j = 0; j < Math.Max(1, noise.Length / 4); j++)
                    b[(at + (noise.Length > 0 ? noise[j] * 131 : 0) + j * 7919) % n] ^= (byte)(noise.Length > 0 ? noise[j] | 1 : 0x55);
                return b;
            }
            case 4:                                                                // a header field set to a huge count
            {
                var b = (byte[])valid.Clone();
                int span = Math.Max(1, Math.Min(header, n) - 3);
                int off = at % span;
                int value = HugeCounts[(at / span) % HugeCounts.Length];
                if (n >= off + 4)
                {
                    if (noise.Length > 0 && (noise[0] & 1) == 1) BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(off), value);
                    else BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(off), value);
                }
                return b;
            }
            case 5: return valid[..Math.Min(n, 16)].Concat(noise).ToArray();       // a valid start, then noise
            default:                                                               // a byte of the header changed
            {
                var b = (byte[])valid.Clone();
                b[at % Math.Min(header, n)] = noise.Length > 0 ? noise[0] : (byte)0xFF;
                return b;
            }
        }
    }

    /// <summary>Text mutations on top of the byte mutations: a number, string or bracket replaced by another token.</summary>
    public static Gen<byte[]> TextMutations(string valid) =>
        Gen.OneOf(Mutations(Encoding.UTF8.GetBytes(valid), header: 256),
            Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, Tokens.Length - 1], (at, t) =>
            {
                int i = at % Math.Max(1, valid.Length);
                int end = i;
                while (end < valid.Length && (char.IsLetterOrDigit(valid[end]) || valid[end] is '.' or '-' or '"')) end++;
                return Encoding.UTF8.GetBytes(valid[..i] + Tokens[t] + valid[Math.Max(end, Math.Min(i + 1, valid.Length))..]);
            }));

    private static readonly string[] Tokens =
    {
        "99999999999999999999", "-1", "2147483647", "1e308", "NaN", "null", "\"x\"", "[]", "{}", "true", "[1,2", "}", "\"\\u0000\"", "0", "-2147483648", "\"-1\"",
    };

    /// <summary>
    /// Runs <paramref name="read"/> on every case: success or a <see cref="DnnmmInputException"/> passes; anything else,
    /// a case over the time limit, or more managed allocation on the reading thread than <paramref name="maxBytes"/>(case)
    /// fails. Returns the cases run.
    /// </summary>
    private int Fuzz(string name, Gen<byte[]> gen, Action<byte[]> read, Func<byte[], long>? maxBytes = null, int? cases = null, string? seed = null)
    {
        maxBytes ??= b => 64L * b.Length + (64L << 20);
        int ran = 0, rejected = 0;
        var sw = Stopwatch.StartNew();
        Check.Sample(gen, bytes =>
        {
            ran++;
            long allocated = 0;
            var task = Task.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { read(bytes); }
                catch (DnnmmInputException e)
                {
                    rejected++;
                    Assert.DoesNotContain('\n', e.Message);
                }
                finally { allocated = GC.GetAllocatedBytesForCurrentThread() - before; }
            });
            if (!task.Wait(CaseTimeout)) throw new TimeoutException($"{name}: a case ran over {CaseTimeout.TotalSeconds} s ({bytes.Length} bytes)");
            task.GetAwaiter().GetResult();
            long limit = maxBytes(bytes);
            if (allocated > limit) throw new InvalidOperationException($"{name}: {allocated} bytes allocated for a {bytes.Length}-byte file (limit {limit})");
        }, writeLine: output.WriteLine, seed: seed, iter: cases ?? Cases, threads: 1,
           print: b => $"{b.Length} bytes: {Convert.ToHexString(b.AsSpan(0, Math.Min(b.Length, 48)))}{(b.Length > 48 ? "..." : "")}");
        output.WriteLine($"{name}: {ran} cases ({rejected} rejected as input errors, {ran - rejected} read) in {sw.Elapsed.TotalSeconds:F1} s");
        return ran;
    }

    // ---- IDX ----

    [Fact]
    public void IdxImagesAndLabels()
    {
        var images = TestFiles.IdxImages(3, 4, 5, (i, p) => (byte)(i * 40 + p));
        var labels = TestFiles.IdxLabels(new byte[] { 0, 1, 1 });
        string img = dir.File("train-images-idx3-ubyte"), lab = dir.File("train-labels-idx1-ubyte");
        File.WriteAllBytes(lab, labels);
        int n = Fuzz("IDX images", Mutations(images, 16), b => { File.WriteAllBytes(img, b); IdxReader.Load(img, lab); });
        File.WriteAllBytes(img, images);
        n += Fuzz("IDX labels", Mutations(labels, 8), b => { File.WriteAllBytes(lab, b); IdxReader.Load(img, lab); });
        Assert.Equal(2 * Cases, n);
    }

    [Fact]
    public void GzippedIdx()
    {
        var images = TestFiles.Gzip(TestFiles.IdxImages(3, 4, 5, (i, p) => (byte)(i + p)));
        string img = dir.File("t.gz");
        // A gzip stream expands at most about 1032:1; the pixels become floats (4 bytes each).
        Assert.Equal(Cases, Fuzz("IDX gzip", Mutations(images, 32), b => { File.WriteAllBytes(img, b); IdxReader.ReadImages(img); },
            maxBytes: b => 1100L * 5 * b.Length + (64L << 20)));
    }

    // ---- CIFAR-10 binary ----

    [Fact]
    public void CifarBinaryBatch()
    {
        var valid = TestFiles.CifarRecords(new byte[] { 3, 9 }, (i, c, p) => (byte)(i + c + p));
        string folder = dir.Sub("cifar"), batch = Path.Combine(folder, "data_batch_1.bin");
        TestFiles.WriteCifarTrain(folder, new byte[] { 1, 2, 3, 4, 5 }, (i, c, p) => (byte)(i + p)); // batches 2..5 stay valid
        int n = Fuzz("CIFAR-10 batch", Mutations(valid, 64), b => { File.WriteAllBytes(batch, b); Cifar10BinaryReader.LoadDirectory(folder); });
        File.WriteAllBytes(batch, valid);
        string meta = Path.Combine(folder, "batches.meta.txt");
        n += Fuzz("CIFAR-10 class names", TextMutations(string.Join("\n", Cifar10BinaryReader.StandardClassNames) + "\n"),
            b => { File.WriteAllBytes(meta, b); Cifar10BinaryReader.LoadDirectory(folder); });
        Assert.Equal(2 * Cases, n);
    }

    // ---- PNG / JPEG folders ----

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    public void ImageFolder(SKEncodedImageFormat format)
    {
        string root = dir.Sub("folder-" + format), a = dir.Sub("folder-" + format, "a"), b = dir.Sub("folder-" + format, "b");
        string ext = format == SKEncodedImageFormat.Png ? ".png" : ".jpg";
        TestFiles.WriteImage(Path.Combine(a, "0" + ext), TestFiles.Rgb(6, 6, (x, y) => ((byte)(x * 40), (byte)(y * 40), 7)), format, 90);
        string target = Path.Combine(b, "0" + ext);
        TestFiles.WriteImage(target, TestFiles.Rgb(6, 6, (x, y) => (7, (byte)(x * 40), (byte)(y * 40))), format, 90);
        var valid = File.ReadAllBytes(target);
        Assert.Equal(Cases, Fuzz($"{format} folder", Mutations(valid, 40), bytes =>
        {
            File.WriteAllBytes(target, bytes);
            ImageFolderReader.Load(root, channels: 3);
            ImageFolderReader.Load(root, channels: 1, resize: 16);
        }));
    }

    [Fact]
    public void AnImageHeaderClaimingHugeSizesIsADamagedFile()
    {
        string a = dir.Sub("huge", "a");
        string path = Path.Combine(a, "0.png");
        TestFiles.WritePng(path, 4, 4, (x, y) => (1, 2, 3));
        var b = File.ReadAllBytes(path);
        // IHDR width and height (bytes 16-23), then the chunk's CRC (bytes 29-32) made right again, so only the size is wrong.
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), 30000);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(20), 30000);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(29), Crc32(b.AsSpan(12, 17)));
        File.WriteAllBytes(path, b);
        dir.Sub("huge", "b");
        File.Copy(path, Path.Combine(dir.Path, "huge", "b", "0.png"));
        var e = TestFiles.AssertInputError(() => ImageFolderReader.Load(Path.Combine(dir.Path, "huge")), "damaged header", "30000x30000");
        output.WriteLine(e.Message);
    }

    /// <summary>The CRC-32 of PNG chunks (ISO 3309, reflected polynomial 0xEDB88320).</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte x in data)
        {
            c ^= x;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    // ---- CelebA ----

    [Fact]
    public void CelebAAttributeList()
    {
        string root = dir.Sub("celeba"), img = dir.Sub("celeba", CelebAReader.ImageFolderName);
        var rows = new[] { "1.png", "2.png", "3.png" };
        foreach (var r in rows) TestFiles.WritePng(Path.Combine(img, r), 8, 6, (x, y) => ((byte)(x * 30), 5, (byte)(y * 30)));
        TestFiles.WriteCelebAAttributes(root, new[]
        {
            TestFiles.CelebARow("1.png", "Black_Hair"), TestFiles.CelebARow("2.png", "Blond_Hair"), TestFiles.CelebARow("3.png", "Black_Hair"),
        });
        string attr = Path.Combine(root, CelebAReader.AttributeFileName);
        string valid = File.ReadAllText(attr);
        int n = Fuzz("CelebA attributes", TextMutations(valid), b =>
        {
            File.WriteAllBytes(attr, b);
            CelebAReader.Load(root, new[] { "Black_Hair", "Blond_Hair" }, perClass: 1, imageSize: 16);
        });
        File.WriteAllText(attr, valid);
        string part = Path.Combine(root, CelebAReader.PartitionFileName);
        n += Fuzz("CelebA partition", TextMutations("1.png 0\n2.png 0\n3.png 2\n"), b =>
        {
            File.WriteAllBytes(part, b);
            CelebAReader.Load(root, new[] { "Black_Hair", "Blond_Hair" }, imageSize: 16, split: "train");
        });
        Assert.Equal(2 * Cases, n);
    }

    // ---- options.json ----

    [Fact]
    public void OptionsJson()
    {
        string run = dir.Sub("run");
        var o = new TrainRunOptions { Data = new DataOptions { Classes = new[] { "0", "1" }, PerClass = 10, Alpha = 0.1 } };
        string path = Path.Combine(run, RunFolder.OptionsFile);
        Assert.Equal(Cases, Fuzz("options.json", TextMutations(Json.Serialize(o)), b =>
        {
            File.WriteAllBytes(path, b);
            var read = TrainRun.ReadOptions(run);
            read.Validate();
            OptionSchema.ValidateRanges(read.MethodOptions());
            read.Data.Validate();
        }));
    }

    // ---- model.json and checkpoint.bin (DNN-MM), model.bin (a baseline) ----

    private static string TrainTinyDnnmm(string run)
    {
        var data = TinyData.Make(classes: 2, perClass: 8);
        using var m = new DnnmmMethod(new DnnmmOptions { Epochs = 1, BatchSize = 8, LabelledBatchSize = 4, NetworkWidth = 4, Threads = 1, WarmupEpochs = 0 }, 1);
        m.Fit(new FitInput(data, TinyData.Labelled(data, 2)), new FitContext { Folder = new RunFolder(run) });
        AtomicFile.WriteAllText(Path.Combine(run, RunFolder.OptionsFile), Json.Serialize(new TrainRunOptions()));
        return run;
    }

    [Fact]
    public void ModelJson()
    {
        string run = TrainTinyDnnmm(dir.Sub("dnnmm-info"));
        string path = Path.Combine(run, RunFolder.ModelInfoFile);
        string valid = File.ReadAllText(path);
        Assert.Equal(Cases, Fuzz("model.json", TextMutations(valid), b =>
        {
            File.WriteAllBytes(path, b);
            TrainRun.ReadModelInfo(run);
            using var m = TrainRun.LoadMethod(run);
        }, maxBytes: _ => 256L << 20));
    }

    [Fact]
    public void DnnmmCheckpoint()
    {
        string run = TrainTinyDnnmm(dir.Sub("dnnmm-ck"));
        string path = Path.Combine(run, RunFolder.CheckpointFile);
        var valid = File.ReadAllBytes(path);
        output.WriteLine($"checkpoint: {valid.Length} bytes");
        Assert.Equal(Cases, Fuzz("checkpoint.bin", Mutations(valid, 64), b =>
        {
            File.WriteAllBytes(path, b);
            using var m = TrainRun.LoadMethod(run);
        }, maxBytes: b => 16L * b.Length + (64L << 20)));
    }

    [Fact]
    public void BaselineModel()
    {
        string run = dir.Sub("kmeans");
        var data = TinyData.Make(classes: 2, perClass: 6);
        var o = new TrainRunOptions { Method = "kmeans" }.With(new KMeansOptions { Restarts = 1 });
        using (var m = TrainRun.CreateMethod(o))
        {
            m.Fit(new FitInput(data, TinyData.Labelled(data, 0)), new FitContext());
            ((ISavableMethod)m).Save(run);
        }
        AtomicFile.WriteAllText(Path.Combine(run, RunFolder.OptionsFile), Json.Serialize(o));
        string path = Path.Combine(run, RunFolder.WeightsFile);
        var valid = File.ReadAllBytes(path);
        int n = Fuzz("model.bin (k-means)", Mutations(valid, 64), b =>
        {
            File.WriteAllBytes(path, b);
            using var m = TrainRun.LoadMethod(run);
        });
        File.WriteAllBytes(path, valid);
        string info = Path.Combine(run, RunFolder.ModelInfoFile);
        n += Fuzz("model.json (k-means)", TextMutations(File.ReadAllText(info)), b =>
        {
            File.WriteAllBytes(info, b);
            using var m = TrainRun.LoadMethod(run);
        });
        Assert.Equal(2 * Cases, n);
    }

    /// <summary>The parser behind the checksum: mutations that are sealed again (as a file written by a buggy writer would be).</summary>
    [Fact]
    public void ResealedCheckpointPayload()
    {
        string run = TrainTinyDnnmm(dir.Sub("dnnmm-reseal"));
        string path = Path.Combine(run, RunFolder.CheckpointFile);
        var valid = File.ReadAllBytes(path);
        var content = valid[..^SealedBytes.HashLength];
        // Keep the magic string (9 bytes) so the checksum is checked and the payload parsed.
        var gen = Mutations(content, 200).Select(b => SealedBytes.Seal(content[..9].Concat(b.Length > 9 ? b[9..] : Array.Empty<byte>()).ToArray()));
        Assert.Equal(Cases, Fuzz("checkpoint.bin payload (resealed)", gen, b =>
        {
            File.WriteAllBytes(path, b);
            using var m = TrainRun.LoadMethod(run);
        }, maxBytes: b => 16L * b.Length + (64L << 20)));
    }
}
