using Dnnmm.Data;
using Dnnmm.Infrastructure;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Data;

/// <summary>
/// The memory check of the readers: the estimate (known answers), the memory available from /proc and the cgroup files
/// (given as text), and every reader refusing a set one byte larger than the limit before decoding, accepting it at the limit.
/// </summary>
public class MemoryBudgetTests
{
    /// <summary>The set loads with exactly <paramref name="need"/> bytes available and is refused, naming the sizes, with one byte less.</summary>
    private static void AssertNeeds(long need, Action load, params string[] mustContain)
    {
        using (MemoryBudget.Limit(need)) load();
        using (MemoryBudget.Limit(need - 1))
        {
            var e = AssertInputError(load, mustContain);
            Assert.Contains($"need about {need} bytes in memory, but only {need - 1} bytes are available (DNNMM_MEMORY_LIMIT)", e.Message);
        }
    }

    [Fact]
    public void The_estimate_is_pixels_at_one_byte_plus_a_per_image_overhead()
    {
        Assert.Equal(1, MemoryBudget.BytesPerStoredPixel);
        Assert.Equal(60000L * (784 + 64), MemoryBudget.EstimateBytes(60000, 1, 28, 28));
        Assert.Equal(202599L * (3 * 64 * 64 + 64), MemoryBudget.EstimateBytes(202599, 3, 64, 64)); // CelebA at 64x64: 2.5 GB
        Assert.Equal("2.5 GB", MemoryBudget.Size(MemoryBudget.EstimateBytes(202599, 3, 64, 64)));
        Assert.Equal(new[] { "850 bytes", "1.0 KB", "8.5 MB", "51 MB", "9.8 GB" },
            new[] { 850L, 1000, 8_480_000, 50_880_000, 9_830_000_000 }.Select(MemoryBudget.Size));
    }

    [Fact]
    public void Every_reader_checks_before_decoding()
    {
        using var t = new TempDir();
        // IDX, raw and gzip: 12 images of 1x4x5 from the header.
        var labels = Enumerable.Range(0, 12).Select(i => (byte)(i % 3)).ToArray();
        WriteIdxPair(t.Sub("raw"), "train", labels, 4, 5, (i, p) => (byte)i, gzip: false);
        WriteIdxPair(t.Sub("gz"), "train", labels, 4, 5, (i, p) => (byte)i, gzip: true);
        AssertNeeds(12 * (20 + 64), () => IdxReader.LoadDirectory(t.File("raw")), "IDX file", "12 images of 1x4x5", MemoryBudget.WholeFileHint);
        AssertNeeds(12 * (20 + 64), () => DataPipeline.Prepare(new DataOptions { Data = $"idx:{t.File("gz")}", PerClass = 1 }), "train-images-idx3-ubyte.gz");

        // CIFAR-10: 7 records in the five batches, from the file sizes.
        WriteCifarTrain(t.Sub("cifar"), new byte[] { 3, 9, 0, 1, 2, 5, 7 }, (i, c, p) => 0);
        AssertNeeds(7 * (3072 + 64), () => DataPipeline.Prepare(new DataOptions { Data = $"cifar10:{t.File("cifar")}" }),
            $"CIFAR-10 folder {t.File("cifar")}: 7 images of 3x32x32");

        // An image folder: the selected files (2 of each class) at the target shape, or at the first image's size.
        foreach (var c in new[] { "cat", "dog" })
            for (int i = 0; i < 3; i++)
                WritePng(Path.Combine(t.Sub("folder", c), $"{i}.png"), 6, 4, (x, y) => ((byte)(i * 50), 0, 0));
        string folder = t.File("folder");
        AssertNeeds(4 * (9 + 64), () => DataPipeline.Prepare(new DataOptions { Data = $"folder:{folder}", PerClass = 2, ImageSize = 3, Channels = 1 }),
            $"image folder {folder}: 4 images of 1x3x3", MemoryBudget.ImagesHint);
        AssertNeeds(6 * (3 * 4 * 6 + 64), () => ImageFolderReader.Load(folder), "6 images of 3x4x6");
        AssertNeeds(3 * (3 * 4 * 6 + 64), () => ImageFolderReader.LoadFiles(Directory.GetFiles(Path.Combine(folder, "dog"))),
            $"image folder {Path.Combine(folder, "dog")}: 3 images");

        // CelebA: the selected rows at the image size.
        string celeba = t.Sub("celeba"), img = t.Sub("celeba", "img_align_celeba");
        WriteCelebAAttributes(celeba, new[] { CelebARow("000001.jpg", "Smiling"), CelebARow("000002.jpg", "Male"), CelebARow("000003.jpg") });
        for (int i = 1; i <= 3; i++) WriteJpeg(Path.Combine(img, $"00000{i}.jpg"), 20, 24, (x, y) => (90, 90, 90));
        AssertNeeds(2 * (3 * 16 * 16 + 64), () => DataPipeline.Prepare(new DataOptions { Data = $"celeba:{celeba}", Classes = new[] { "Male", "Smiling" }, ImageSize = 16 }),
            $"image folder {img}: 2 images of 3x16x16");
    }

    [Fact]
    public void A_damaged_idx_header_is_left_to_the_reader_to_name()
    {
        using var t = new TempDir();
        var images = IdxImages(3, 4, 5, (i, p) => 1);
        images[7] = 200; // the header claims 200 images; the file holds 3
        File.WriteAllBytes(t.File("train-images-idx3-ubyte"), images);
        File.WriteAllBytes(t.File("train-labels-idx1-ubyte"), IdxLabels(new byte[] { 0, 1, 2 }));
        using (MemoryBudget.Limit(100))
            AssertInputError(() => IdxReader.LoadDirectory(t.Path), "truncated data");
    }

    [Fact]
    public void Available_memory_is_the_least_of_MemAvailable_and_the_cgroup_headroom()
    {
        const string meminfo = "MemTotal:       24683584 kB\nMemFree:         1000000 kB\nMemAvailable:   22733328 kB\n";
        Assert.Equal(22733328L * 1024, MemoryBudget.ParseMemAvailable(meminfo));
        var files = new Dictionary<string, string> { ["/proc/meminfo"] = meminfo };
        MemoryBudget.Available? Probe() => MemoryBudget.Probe(p => files.GetValueOrDefault(p));
        Assert.Equal(new MemoryBudget.Available(22733328L * 1024, "MemAvailable"), Probe());

        // cgroup v2: the process's cgroup is limited to 2 GB, 1.5 GB used of which 0.5 GB inactive file pages: 1 GB left.
        files["/proc/self/cgroup"] = "0::/user.slice/job\n";
        files["/sys/fs/cgroup/user.slice/job/memory.max"] = "2000000000\n";
        files["/sys/fs/cgroup/user.slice/job/memory.current"] = "1500000000\n";
        files["/sys/fs/cgroup/user.slice/job/memory.stat"] = "anon 1000000000\nfile 500000000\ninactive_file 500000000\nactive_file 0\n";
        files["/sys/fs/cgroup/user.slice/memory.max"] = "max\n";
        files["/sys/fs/cgroup/user.slice/memory.current"] = "9000000000\n";
        Assert.Equal(new MemoryBudget.Available(1_000_000_000, "cgroup memory.max"), Probe());
        // A parent with less room wins; no limit anywhere leaves MemAvailable.
        files["/sys/fs/cgroup/user.slice/memory.max"] = "9500000000\n";
        Assert.Equal(500_000_000, Probe()!.Bytes);
        files["/sys/fs/cgroup/user.slice/memory.max"] = files["/sys/fs/cgroup/user.slice/job/memory.max"] = "max\n";
        Assert.Equal("MemAvailable", Probe()!.From);

        // cgroup v1 (memory controller line), as on this project's machines; "no limit" is 2^63 rounded to a page.
        files["/proc/self/cgroup"] = "9:name=systemd:/\n4:memory:/process_api/abc\n0::/\n";
        files["/sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes"] = "9223372036854771712\n";
        files["/sys/fs/cgroup/memory/process_api/abc/memory.usage_in_bytes"] = "3050008576\n";
        Assert.Equal("MemAvailable", Probe()!.From);
        files["/sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes"] = "4000000000\n";
        files["/sys/fs/cgroup/memory/process_api/abc/memory.stat"] = "cache 2500000000\ninactive_file 1\ntotal_inactive_file 2050008576\n";
        Assert.Equal(new MemoryBudget.Available(3_000_000_000, "cgroup memory.limit_in_bytes"), Probe());

        Assert.Null(MemoryBudget.Probe(_ => null));
    }

    [Fact]
    public void The_limit_variable_takes_a_whole_number_of_bytes()
    {
        Assert.Equal(4_000_000_000, MemoryBudget.ParseLimit(" 4000000000\n"));
        foreach (var bad in new[] { "4G", "-1", "1e9", "0x10", "lots" })
            AssertInputError(() => MemoryBudget.ParseLimit(bad), $"DNNMM_MEMORY_LIMIT='{bad}': not a number of bytes");
        using (MemoryBudget.Limit(123))
            Assert.Equal(new MemoryBudget.Available(123, "DNNMM_MEMORY_LIMIT"), MemoryBudget.AvailableMemory());
        Assert.NotEqual(123, MemoryBudget.AvailableMemory().Bytes);
    }
}
