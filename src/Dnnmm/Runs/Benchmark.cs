using System.Runtime.InteropServices;
using Dnnmm.Infrastructure;
using System.Diagnostics;
using Dnnmm.Data;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Runs;

/// <summary>Speed figures of DNN-MM training on a given data set, with the machine's dense matmul rate for reference.</summary>
public sealed record BenchmarkResult(
    int Threads, int Images, int StepsPerEpoch, double MedianStepSeconds, double EpochSeconds,
    double EncodeImagesPerSecond, double StepGflop, double StepGflopPerSecond, double MatmulGflopPerSecond,
    long ImageBytes = 0, long? PeakResidentBytes = null)
{
    public string ToMarkdown() => string.Join('\n',
        "| figure | value |", "|---|---|",
        $"| threads | {Threads} |",
        $"| images (unlabelled + labelled) | {Images} |",
        $"| images in memory (stored as bytes, 1 per pixel) | {ImageBytes / 1e6:F1} MB |",
        $"| peak resident memory of the process (VmHWM) | {(PeakResidentBytes is long p ? ProcessMemory.Gib(p) : "n/a (no /proc)")} |",
        $"| steps per epoch | {StepsPerEpoch} |",
        $"| time per training step (median) | {MedianStepSeconds * 1000:F1} ms |",
        $"| time per epoch (steps + evaluation) | {EpochSeconds:F2} s |",
        $"| E step encoding throughput | {EncodeImagesPerSecond:F0} images/s |",
        $"| work per training step (analytic, fwd + bwd) | {StepGflop:F3} GFLOP |",
        $"| achieved in training steps | {StepGflopPerSecond:F2} GFLOP/s |",
        $"| dense fp32 matmul 1024x1024 (same run) | {MatmulGflopPerSecond:F2} GFLOP/s |",
        $"| training / matmul | {StepGflopPerSecond / MatmulGflopPerSecond:P1} |");
}

public static class Benchmark
{
    /// <summary>
    /// The options of the measured epoch: one epoch as after the warm-up, with every term on. In a warm-up epoch the
    /// unlabelled likelihood term is off (its weight ramps up from 0) and the no-GAN step trains on the labelled
    /// minibatch alone, which made that ablation's epoch look cheaper than in 16 of the 20 epochs of a run.
    /// </summary>
    public static DnnmmOptions MeasuredOptions(DnnmmOptions options) => options with { Epochs = 1, WarmupEpochs = 0 };

    public static BenchmarkResult Run(DataOptions data, DnnmmOptions options, Action<string>? log = null)
    {
        var prepared = DataPipeline.Prepare(data);
        var o = MeasuredOptions(options);
        Compute.ConfigureThreads(o.Threads);
        int threads = torch.get_num_threads();
        var stepTimes = new List<double>();
        var watch = Stopwatch.StartNew();
        double last = 0, epochSeconds = 0;
        int steps = 0;
        using var method = new DnnmmMethod(o, data.Seed);
        var input = new FitInput(prepared.Images, prepared.Labelled);
        method.Fit(input, new FitContext
        {
            OnStep = (step, total, _) =>
            {
                double now = watch.Elapsed.TotalSeconds;
                if (step > 3) stepTimes.Add(now - last); // the first steps warm up allocators and kernels
                last = now; steps = total;
            },
            OnEpoch = r => epochSeconds = r.Seconds,
        });
        log?.Invoke($"epoch done in {epochSeconds:F1} s");

        // E step throughput: encode every image (median of 3).
        var model = method.Model;
        var encode = new List<double>();
        for (int r = 0; r < 3; r++)
        {
            var sw = Stopwatch.StartNew();
            using var z = model.EncodeImages(prepared.Images);
            encode.Add(prepared.Images.Count / sw.Elapsed.TotalSeconds);
        }

        // Analytic work of one step: forward MACs x 2 FLOP, backward about twice the forward.
        int B = o.BatchSize, L = input.LabelledCount > 0 ? Math.Min(o.LabelledBatchSize, input.LabelledCount) : 0;
        double g = model.G.MacsPerSample, e = model.E.MacsPerSample, d = model.D.MacsPerSample;
        double forwardD = d * (B + L + B);                   // D step: real and fake
        double forwardGE = g * B + e * (B + L + B) + d * B;  // G/E step: G(y), E(x_u), E(x_l), E(G(y)), D(G(y))
        double stepGflop = 2 * 3 * (forwardD + forwardGE + g * B /* G forward shared */) / 1e9;
        double median = Stats.Median(stepTimes);

        return new BenchmarkResult(threads, prepared.Images.Count, steps, median, epochSeconds, Stats.Median(encode),
            stepGflop, stepGflop / median, MatmulGflops(), prepared.Images.StoredBytes, ProcessMemory.PeakResidentBytes());
    }

    /// <summary>The other thread's allocation rate of <see cref="GcStress"/>, in MB a second.</summary>
    public const double DefaultChurnMBps = 200;

    /// <summary>
    /// The garbage-collector race of <see cref="GcFence"/>, provoked: for <paramref name="seconds"/> the calling thread runs
    /// small libtorch operations with numbers as arguments (temporary Scalars) while a second thread
    /// allocates <paramref name="churnMBps"/> MB a second (0: without pause), so that collections start on it during the
    /// native calls. Each iteration is a fence safe point. Returns the iterations done and the first libtorch error, or
    /// null. With DNNMM_GC_FENCE=off this fails within seconds at either rate (docs/benchmarks.md).
    /// <para>
    /// The fence keeps the other thread's allocations inside a no-GC region; a thread that allocates without pause can
    /// use up the region between two safe points when the training thread is descheduled for a while (a loaded machine),
    /// and the collection that ends the region then runs on it. A real process's other threads (the progress display)
    /// allocate a few MB a second, so the default rate is bounded, still far above theirs.
    /// </para>
    /// </summary>
    public static (long Iterations, string? Error) GcStress(double seconds, double churnMBps = DefaultChurnMBps)
    {
        Compute.ConfigureThreads(1);
        bool stop = false;
        var churn = new Thread(() =>
        {
            var junk = new List<object>();
            var clock = Stopwatch.StartNew();
            long bytes = 0;
            while (!Volatile.Read(ref stop))
            {
                for (int i = 0; i < 1000; i++) junk.Add(new byte[64]);
                junk.Clear();
                bytes += 1000 * (64 + 24);
                // Ahead of the rate: wait until the clock catches up.
                if (churnMBps > 0 && bytes / (churnMBps * 1e6) > clock.Elapsed.TotalSeconds) Thread.Sleep(1);
            }
        }) { IsBackground = true };
        churn.Start();
        long iterations = 0;
        try
        {
            using var x = randn(64, 1, 28, 28);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < seconds)
            {
                GcFence.SafePoint();
                using var scope = NewDisposeScope();
                var y = x.add(1).mul(0.5).leaky_relu(0.2).add(x, 0.3);
                for (int i = 0; i < 20; i++) y = y.add(1.5).clamp(0.0, 2.0);
                iterations++;
            }
            return (iterations, null);
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
        {
            return (iterations, e.Message.Split('\n')[0].Trim());
        }
        finally { Volatile.Write(ref stop, true); churn.Join(); }
    }

    /// <summary>Dense fp32 matmul rate of libtorch on this machine (median of 10 products of 1024 x 1024 matrices).</summary>
    public static double MatmulGflops(int n = 1024, int repeats = 10)
    {
        using var a = randn(n, n);
        using var b = randn(n, n);
        using (var warm = a.matmul(b)) { }
        var rates = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            using var c = a.matmul(b);
            rates.Add(2.0 * n * n * n / sw.Elapsed.TotalSeconds / 1e9);
        }
        return Stats.Median(rates);
    }

    /// <summary>
    /// The data path at scale without files: <paramref name="count"/> synthetic images of C x H x W made in memory
    /// (each pixel a hash of the seed, image and position; as a reader fills storage), Gaussian pixel noise per image,
    /// then every image read once as floats in minibatches of <paramref name="batch"/>, as an epoch reads them. Reports
    /// the stored bytes, the times and the process's peak resident memory.
    /// </summary>
    public static LoadBenchmarkResult Load(int count, int channels, int height, int width, double noiseStd = 0.1, int batch = 64,
        int seed = 1, Action<string>? log = null)
    {
        if (count < 1 || channels < 1 || height < 1 || width < 1)
            throw new DnnmmInputException($"synthetic data {count}x{channels}x{height}x{width}: every dimension must be at least 1");
        long before = ProcessMemory.PeakResidentBytes() ?? 0;
        var sw = Stopwatch.StartNew();
        int size = channels * height * width;
        var store = ImageBytes.Allocate(count, size);
        Parallel.For(0, count, i =>
        {
            var img = store.Image(i);
            ulong h = (ulong)(uint)Seeds.Mix(seed, i, 7);
            for (int p = 0; p < img.Length; p++)
            {
                h = h * 6364136223846793005UL + 1442695040888963407UL;
                img[p] = (byte)(h >> 56);
            }
        });
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = i % 5;
        var set = ImageSet.FromBytes(store, labels, new[] { "0", "1", "2", "3", "4" }, channels, height, width, "synthetic")
            .WithNoise(noiseStd, seed);
        double loadSeconds = sw.Elapsed.TotalSeconds;
        log?.Invoke($"made {count} images of {channels}x{height}x{width} ({set.StoredBytes / 1e9:F2} GB as bytes) in {loadSeconds:F1} s");
        sw.Restart();
        var buf = new float[(long)batch * size];
        double sum = 0;
        for (int s = 0; s < count; s += batch)
        {
            int n = Math.Min(batch, count - s);
            set.CopyRange(s, n, buf, 0);
            sum += buf[0];
        }
        double passSeconds = sw.Elapsed.TotalSeconds;
        log?.Invoke($"read every image as floats in minibatches of {batch} in {passSeconds:F1} s (checksum {sum:F3})");
        return new LoadBenchmarkResult(count, $"{channels}x{height}x{width}", set.StoredBytes, loadSeconds, passSeconds,
            (long)batch * size * sizeof(float), before, ProcessMemory.PeakResidentBytes());
    }
}

/// <summary>Figures of <see cref="Benchmark.Load"/>.</summary>
public sealed record LoadBenchmarkResult(int Images, string Shape, long StoredBytes, double LoadSeconds, double PassSeconds,
    long MinibatchBytes, long PeakResidentBytesBefore, long? PeakResidentBytes)
{
    public string ToMarkdown() => string.Join('\n',
        "| figure | value |", "|---|---|",
        $"| images | {Images} x {Shape} |",
        $"| images in memory (bytes, 1 per pixel) | {StoredBytes / 1e9:F2} GB ({ProcessMemory.Gib(StoredBytes)}); as float32 they would take {ProcessMemory.Gib(StoredBytes * 4)} |",
        $"| time to make and store them | {LoadSeconds:F1} s |",
        $"| one pass reading every image as floats (with noise) | {PassSeconds:F1} s |",
        $"| one minibatch as floats | {MinibatchBytes / 1e6:F2} MB |",
        $"| peak resident memory before / after (VmHWM) | {ProcessMemory.Gib(PeakResidentBytesBefore)} / {(PeakResidentBytes is long p ? ProcessMemory.Gib(p) : "n/a")} |");
}
