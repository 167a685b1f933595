using System.Diagnostics;
using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Evaluation;

namespace Dnnmm.Methods.KMeans;

/// <summary>The k-means reference on raw pixels; every default in one place.</summary>
public sealed record KMeansOptions : IMethodOptions
{
    [Option("restarts", "k-means++ starts; the lowest inertia wins", Min = 1)]
    public int Restarts { get; init; } = 10;
    [Option("max-iter", "Lloyd iterations per start at most", Min = 1)]
    public int MaxIterations { get; init; } = 300;
    [Option("tolerance", "relative tolerance on the centroid shift (x mean per-pixel variance), as scikit-learn", Min = 0)]
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>k-means reports a single "epoch".</summary>
    public int Epochs => 1;

    public void Validate(FitInput input)
    {
        OptionSchema.ValidateRanges(this);
        MethodCommon.Check(input.Images.Count >= input.Clusters,
            $"k-means needs at least as many images ({input.Images.Count}) as clusters ({input.Clusters})");
    }
}

/// <summary>
/// k-means (k-means++ seeding, restarts, Lloyd iterations) on the flattened pixels. Unsupervised: the
/// labels of labelled images are not used. Memberships are hard (one-hot); it cannot generate images.
/// </summary>
public sealed class KMeansMethod(KMeansOptions options, int seed) : IClusteringMethod, ISavableMethod
{
    /// <summary>k-means on the pixels as the runs layer sees it; flags --kmeans-*.</summary>
    public static readonly MethodEntry Entry = MethodEntry.For<KMeansOptions>("kmeans", "k-means on the pixels (reference)",
        "kMeans", "kmeans-", (o, seed) => new KMeansMethod(o, seed), (folder, o, _, seed) => Load(folder.Path, o, seed));

    private KMeansResult? result;
    private SavedModelInfo? info;


    public string Name => "kmeans";
    public int Clusters => Result.K;
    public bool CanSample => false;
    public KMeansResult Result => result ?? throw new InvalidOperationException("k-means has not been fitted");

    public void Fit(FitInput input, FitContext context)
    {
        options.Validate(input);
        context.Cancellation.ThrowIfCancellationRequested();
        var sw = Stopwatch.StartNew();
        var img = input.Images;
        info = ModelFile.Info(Name, input);
        result = KMeansClustering.Fit(img.Pixels, img.ImageSize, input.Clusters, seed, options.Restarts, options.MaxIterations, options.Tolerance);
        var values = new Dictionary<string, double> { ["inertia"] = result.Inertia, ["iterations"] = result.Iterations };
        MethodCommon.AddScores(values, context.MonitorLabels, result.Labels, input.KnownLabels);
        context.OnStep?.Invoke(1, 1, values);
        context.OnEpoch?.Invoke(new EpochReport(1, 1, sw.Elapsed.TotalSeconds, values));
    }

    public int[] Predict(ImageSet images)
    {
        if (images.ImageSize != Result.Dim)
            throw new DnnmmInputException($"images have {images.ImageSize} pixel values but k-means was fitted on {Result.Dim}");
        return Result.Predict(images.Pixels);
    }

    public float[,] PredictProbabilities(ImageSet images) => MethodCommon.OneHot(Predict(images), Clusters);

    public float[] Sample(int cluster, int n, int seed) =>
        throw new NotSupportedException("k-means is not a generative model");

    /// <summary>model.bin: the centroids (and the training labels, inertia and iterations of <see cref="Result"/>).</summary>
    public void Save(string runDir) =>
        ModelFile.Save(runDir, info!, w => ModelFile.WriteKMeans(w, Result));

    /// <summary>A k-means model saved by <see cref="Save"/>.</summary>
    public static KMeansMethod Load(string runDir, KMeansOptions options, int seed)
    {
        var m = new KMeansMethod(options, seed);
        var info = ModelFile.Load(runDir, m.Name, (info, r) =>
        {
            m.result = ModelFile.ReadKMeans(r);
            if (m.result.K != info.Clusters || m.result.Dim != info.Shape.Size)
                throw new InvalidDataException($"{m.result.K} centroids of {m.result.Dim} values for {info.Clusters} clusters of {info.Shape} images");
        });
        m.info = info;
        return m;
    }

    public void Dispose() { }
}
