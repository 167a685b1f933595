using Dnnmm.Infrastructure;
using System.Diagnostics;
using Dnnmm.Data;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Runs;

/// <summary>Speed figures of DNN-MM training on a given data set, with the machine's dense matmul rate for reference.</summary>
public sealed record BenchmarkResult(
    int Threads, int Images, int StepsPerEpoch, double MedianStepSeconds, double EpochSeconds,
    double EncodeImagesPerSecond, double StepGflop, double StepGflopPerSecond, double MatmulGflopPerSecond)
{
    public string ToMarkdown() => string.Join('\n',
        "| figure | value |", "|---|---|",
        $"| threads | {Threads} |",
        $"| images (unlabelled + labelled) | {Images} |",
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
    public static BenchmarkResult Run(DataOptions data, DnnmmOptions options, Action<string>? log = null)
    {
        var prepared = DataPipeline.Prepare(data);
        var o = options with { Epochs = 1 };
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
        using var x = model.ToTensor(prepared.Images);
        var encode = new List<double>();
        for (int r = 0; r < 3; r++)
        {
            var sw = Stopwatch.StartNew();
            using var z = model.Encode(x);
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
            stepGflop, stepGflop / median, MatmulGflops());
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

}
