using Xunit.Abstractions;
using Dnnmm.Data;
using Dnnmm.Methods;
using Dnnmm.Methods.DynAe;

namespace Dnnmm.Tests.Methods.DynAe;

/// <summary>DynAE's phase 1 (autoencoder with adversarially constrained interpolation) must learn more than the mean image.</summary>
public class DynAePretrainingTests
{
    private readonly ITestOutputHelper output;
    public DynAePretrainingTests(ITestOutputHelper output) => this.output = output;

    /// <summary>
    /// With the official DynAE code's alpha ~ U(0, 1) this fails (reconstruction 0.044, about twice the mean-image
    /// error 0.023: the critic term keeps the autoencoder near the mean image); with alpha in [0, 0.5] (the ACAI
    /// paper, the default) it reaches 0.012. About 1 s.
    /// </summary>
    [Fact]
    public void PretrainingReconstructsWellBelowTheMeanImageError()
    {
        var data = Blobs(128, 16, 3);
        // the mean-image error: the per-pixel variance around the mean image
        int n = data.Count, size = data.Pixels.Length / n;
        var mean = new double[size];
        for (int i = 0; i < n; i++) for (int p = 0; p < size; p++) mean[p] += data.Pixels[i * size + p] / (double)n;
        double meanImageMse = 0;
        for (int i = 0; i < n; i++) for (int p = 0; p < size; p++) { double d = data.Pixels[i * size + p] - mean[p]; meanImageMse += d * d; }
        meanImageMse /= (double)n * size;

        // the official lambda, narrower layers; 40 epochs of 4 steps
        var o = new DynAeOptions
        {
            PretrainEpochs = 40, HiddenDims = new[] { 128, 128, 512 }, ClusterEpochs = 1, BatchSize = 32, PretrainLearningRate = 1e-3, KMeansRestarts = 1, Threads = 1,
        };
        var reports = new List<EpochReport>();
        using var m = new DynAeMethod(o, 1);
        m.Fit(new FitInput(data, new bool[n]), new FitContext { OnEpoch = reports.Add });
        var last = reports.Last(r => r.Values["phase"] == 1).Values;
        output.WriteLine($"mean-image MSE {meanImageMse:g3}, reconstruction {last["reconstruction"]:g3}, critic {last["loss_critic"]:g3}");
        Assert.True(last["reconstruction"] < 0.7 * meanImageMse, $"reconstruction {last["reconstruction"]:g3} vs mean-image {meanImageMse:g3}");
    }

    /// <summary>n images of side x side, each a Gaussian blob (sd 1.5 pixels) at a random place; class = which third of the width holds its centre.</summary>
    internal static ImageSet Blobs(int n, int side, int seed)
    {
        var rng = new Random(seed);
        var px = new float[n * side * side];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            double cx = 2 + rng.NextDouble() * (side - 4), cy = 2 + rng.NextDouble() * (side - 4);
            labels[i] = Math.Min(2, (int)(3 * (cx - 2) / (side - 4)));
            for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                px[(i * side + y) * side + x] = (float)Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * 1.5 * 1.5));
        }
        return new ImageSet(px, labels, new[] { "left", "middle", "right" }, 1, side, side, "blobs");
    }
}
