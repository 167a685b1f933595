using System.Globalization;
using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Methods;

namespace Dnnmm.Visualisation;

/// <summary>
/// Pictures of what a generative model has learned: samples per cluster, walks in latent space between component
/// means, and reconstructions G(E(x)). Each returns PNG bytes (see <see cref="ImageGrid"/>), independent of the CLI.
/// </summary>
public static class GenerativePictures
{
    /// <summary>Extra pixels between two image / reconstruction pairs in <see cref="ReconstructionPng"/>.</summary>
    public const int PairGap = 8;

    /// <summary>
    /// One row per cluster of <paramref name="perCluster"/> generated images (cluster k from seed + k, as the run
    /// folder's samples.png), each row labelled "k: class name", followed by the learned weight "ω 0.512" when the
    /// method is a mixture model (<see cref="IMixtureModel"/>), and the class's share of the training images "(data 0.516)"
    /// when <paramref name="classShares"/> gives them.
    /// </summary>
    public static byte[] SamplesGrid(IClusteringMethod method, int channels, int height, int width, IReadOnlyList<string> classNames,
        int perCluster = 10, int seed = 1, int scale = 2, IReadOnlyList<float>? classShares = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (!method.CanSample) throw new DnnmmInputException($"method {method.Name} cannot generate images");
        if (perCluster < 1) throw new DnnmmInputException($"--per-cluster {perCluster}: must be at least 1");
        int k = method.Clusters;
        var all = new float[(long)k * perCluster * channels * height * width];
        int size = channels * height * width;
        for (int c = 0; c < k; c++)
        {
            var px = method.Sample(c, perCluster, seed + c);
            Array.Copy(px, 0, all, (long)c * perCluster * size, (long)perCluster * size);
        }
        var omega = (method as IMixtureModel)?.Omega;
        return ImageGrid.ToLabelledPng(all, k * perCluster, channels, height, width, perCluster, ClusterLabels(k, classNames, omega, classShares), scale);
    }

    /// <summary>
    /// "k: name" for each cluster (just "k" where there is no name or the name is k itself), and "  ω 0.512" after it
    /// where <paramref name="omega"/> gives the cluster's mixture weight, and "(data 0.516)" where <paramref name="classShares"/>
    /// gives the class's share of the training images.
    /// </summary>
    public static string[] ClusterLabels(int clusters, IReadOnlyList<string> classNames, IReadOnlyList<float>? omega = null,
        IReadOnlyList<float>? classShares = null) =>
        Enumerable.Range(0, clusters).Select(c =>
            (c < classNames.Count && classNames[c] != c.ToString(CultureInfo.InvariantCulture) ? $"{c}: {classNames[c]}" : $"{c}") +
            (omega is not null && c < omega.Count ? "  " + OmegaText(omega[c]) : "") +
            (classShares is not null && c < classShares.Count ? " (data " + classShares[c].ToString("0.000", CultureInfo.InvariantCulture) + ")" : "")).ToArray();

    /// <summary>A mixture weight as a label shows it: "ω 0.512".</summary>
    public static string OmegaText(float omega) => "ω " + omega.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>
    /// The latent points (1 - t) mu_from + t mu_to for t = 0, 1/(steps-1), ..., 1 (steps x d row-major): the first is
    /// exactly mu_from and the last exactly mu_to.
    /// </summary>
    public static float[] SegmentLatents(ILatentGenerator model, int from, int to, int steps)
    {
        ArgumentNullException.ThrowIfNull(model);
        int k = model.Clusters, d = model.LatentDim;
        if (from < 0 || from >= k) throw new DnnmmInputException($"--from {from} is outside [0, {k - 1}]");
        if (to < 0 || to >= k) throw new DnnmmInputException($"--to {to} is outside [0, {k - 1}]");
        if (steps < 2) throw new DnnmmInputException($"--steps {steps}: must be at least 2");
        var means = model.ComponentMeans();
        var y = new float[steps * d];
        for (int s = 0; s < steps; s++)
        {
            float t = (float)s / (steps - 1);
            for (int e = 0; e < d; e++)
            {
                float a = means[from * d + e], b = means[to * d + e];
                y[s * d + e] = s == 0 ? a : s == steps - 1 ? b : (1 - t) * a + t * b;
            }
        }
        return y;
    }

    /// <summary>G along the segment from mu_from to mu_to: <paramref name="steps"/> images, steps x C x H x W.</summary>
    public static float[] Interpolate(ILatentGenerator model, int from, int to, int steps) =>
        model.Generate(SegmentLatents(model, from, to, steps));

    /// <summary>One labelled strip "from -> to" of <see cref="Interpolate"/>.</summary>
    public static byte[] InterpolationPng(ILatentGenerator model, int from, int to, int steps, int scale = 2)
    {
        var px = Interpolate(model, from, to, steps);
        var i = model.Shape;
        return ImageGrid.ToLabelledPng(px, steps, i.Channels, i.Height, i.Width, steps, new[] { PairLabel(model, from, to) }, scale);
    }

    /// <summary>One strip per consecutive pair of clusters (0 -> 1, 1 -> 2, ..., K-2 -> K-1), one row each.</summary>
    public static byte[] AllPairsPng(ILatentGenerator model, int steps, int scale = 2)
    {
        ArgumentNullException.ThrowIfNull(model);
        var i = model.Shape;
        if (model.Clusters < 2) throw new DnnmmInputException("--all-pairs: the model has a single cluster");
        if (steps < 2) throw new DnnmmInputException($"--steps {steps}: must be at least 2");
        int pairs = model.Clusters - 1, d = model.LatentDim;
        var latents = new float[pairs * steps * d];
        var labels = new string[pairs];
        for (int p = 0; p < pairs; p++)
        {
            Array.Copy(SegmentLatents(model, p, p + 1, steps), 0, latents, p * steps * d, steps * d);
            labels[p] = PairLabel(model, p, p + 1);
        }
        var px = model.Generate(latents);
        return ImageGrid.ToLabelledPng(px, pairs * steps, i.Channels, i.Height, i.Width, steps, labels, scale);
    }

    private static string PairLabel(ILatentGenerator model, int from, int to)
    {
        var names = ClusterLabels(model.Clusters, model.ClassNames);
        return $"{names[from]} > {names[to]}";
    }

    /// <summary>
    /// <paramref name="n"/> images of <paramref name="images"/> (spread evenly over the set) and their reconstructions
    /// G(E(x)), returned as 2n images: x_1, G(E(x_1)), x_2, G(E(x_2)), ... The indices used are returned too.
    /// </summary>
    public static (float[] Pixels, int[] Indices) Reconstruct(ILatentGenerator model, ImageSet images, int n)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        if (n < 1) throw new DnnmmInputException($"--n {n}: must be at least 1");
        if (images.Count == 0) throw new DnnmmInputException("--data: no images");
        n = Math.Min(n, images.Count);
        var idx = Enumerable.Range(0, n).Select(i => (int)((long)i * images.Count / n)).ToArray();
        var subset = images.Subset(idx);
        var rec = model.Generate(model.Encode(subset));
        int size = subset.ImageSize;
        var px = new float[2L * n * size];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(subset.Pixels, (long)i * size, px, 2L * i * size, size);
            Array.Copy(rec, (long)i * size, px, (2L * i + 1) * size, size);
        }
        return (px, idx);
    }

    /// <summary>
    /// <see cref="Reconstruct"/> as a grid of pairs (original left, reconstruction right, pairs set apart by
    /// <see cref="PairGap"/> extra pixels), ceil(sqrt(n)) pairs per row.
    /// </summary>
    public static byte[] ReconstructionPng(ILatentGenerator model, ImageSet images, int n, int scale = 2)
    {
        var (px, idx) = Reconstruct(model, images, n);
        int pairsPerRow = (int)Math.Ceiling(Math.Sqrt(idx.Length));
        return ImageGrid.ToPng(px, 2 * idx.Length, images.Channels, images.Height, images.Width, 2 * pairsPerRow, scale,
            groupSize: 2, groupGap: PairGap);
    }
}
