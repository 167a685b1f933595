using Dnnmm.Data;
using Dnnmm.Evaluation;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;

namespace Dnnmm.Scoring;

/// <summary>
/// What a reference classifier says of a generative method's samples (<see cref="GenerativeScoring.Score"/>).
/// </summary>
/// <param name="SamplePurity">The mean over clusters of <paramref name="PurityPerCluster"/>.</param>
/// <param name="PurityPerCluster">Per cluster k: the fraction of its samples the reference puts in the class k stands for.</param>
/// <param name="ClusterToClass">The class each cluster stands for (Hungarian match of the method's clusters of the real images to their classes; -1: none).</param>
/// <param name="FrechetDistance">FID-like: the Fréchet distance between Gaussians fitted to the reference classifier's
/// feature-layer activations of the real images and of the pooled samples. Not comparable to Inception FID.</param>
/// <param name="SamplesPerCluster">Images generated from every cluster.</param>
/// <param name="RealImages">Real images the clusters were matched and the real features taken on.</param>
/// <param name="Reference">The reference classifier's folder.</param>
public sealed record GenerativeScores(double SamplePurity, double[] PurityPerCluster, int[] ClusterToClass, double FrechetDistance,
    int SamplesPerCluster, int RealImages, string Reference);

/// <summary>
/// Scores the samples of a generative clustering method with a fixed reference classifier: N images generated from
/// every cluster (<see cref="IClusteringMethod.Sample"/>) are labelled by the classifier; clusters are matched to
/// classes by the Hungarian method on the real images (the method's clusters against their true classes, as ACC
/// does); sample purity is the fraction of cluster k's samples whose reference class is k's class, averaged over the
/// clusters (<see cref="SamplePurity"/>). The Fréchet distance (<see cref="FrechetDistance"/>) compares the
/// classifier's feature-layer activations of the real images with those of all samples (N per cluster, equal shares).
/// It is FID-like, in the reference classifier's feature space, not comparable to Inception FID.
/// </summary>
public static class GenerativeScoring
{
    /// <summary>The random stream of the latent noise of the samples (<see cref="Seeds.Mix"/>).</summary>
    public const int SampleStream = 71;

    /// <summary>
    /// The scores of <paramref name="method"/>'s samples against the real images <paramref name="real"/> (labels are
    /// their classes); sample k's noise seed is <see cref="Seeds.Mix"/>(seed, k, <see cref="SampleStream"/>). A method
    /// that cannot generate images, or images of other classes or shape than the reference's, is an input error.
    /// </summary>
    public static GenerativeScores Score(IClusteringMethod method, ImageSet real, ReferenceModel reference, int samplesPerCluster, int seed)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(reference);
        if (!method.CanSample)
            throw new DnnmmInputException($"a '{method.Name}' model cannot generate images, so its samples cannot be scored (dnnmm with a GAN term and clustergan can)");
        if (samplesPerCluster < 2) throw new DnnmmInputException($"--reference-samples {samplesPerCluster}: at least 2 samples per cluster are needed");
        if (real.Count < 2) throw new DnnmmInputException($"{real.Count} real image: at least 2 are needed for the Fréchet distance");
        var shape = MethodCommon.ShapeOf(real);
        reference.CheckCompatible(real.ClassNames, shape, "the run's data");
        int k = method.Clusters;

        var clusterToClass = SamplePurity.MatchClusters(real.Labels, method.Predict(real), k);
        var (_, realFeatures) = reference.Classify(real);

        int n = samplesPerCluster, d = reference.Net.FeatureDim;
        var sampleClasses = new int[k][];
        var sampleFeatures = new double[k * n, d];
        for (int c = 0; c < k; c++)
        {
            var px = method.Sample(c, n, Seeds.Mix(seed, c, SampleStream));
            var (classes, features) = reference.Classify(px, n);
            sampleClasses[c] = classes;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++) sampleFeatures[c * n + i, j] = features[i, j];
        }
        var purity = SamplePurity.Compute(sampleClasses, clusterToClass);
        double fd = FrechetDistance.Compute(realFeatures, sampleFeatures);
        return new GenerativeScores(purity.Purity, purity.PerCluster, purity.ClusterToClass, fd, n, real.Count, reference.Folder);
    }

    /// <summary>The per-epoch metric names: sample purity and the Fréchet distance.</summary>
    public const string PurityKey = "sample_purity", FrechetKey = "frechet";

    /// <summary>The scores as metric values (<see cref="PurityKey"/>, <see cref="FrechetKey"/>, and sample_purity_k per cluster).</summary>
    public static Dictionary<string, double> Values(GenerativeScores s)
    {
        var v = new Dictionary<string, double> { [PurityKey] = s.SamplePurity, [FrechetKey] = s.FrechetDistance };
        for (int c = 0; c < s.PurityPerCluster.Length; c++) v[$"{PurityKey}_{c}"] = s.PurityPerCluster[c];
        return v;
    }
}
