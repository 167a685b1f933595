using Dnnmm.Data;

namespace Dnnmm.Methods;

/// <summary>
/// Optional for a clustering method whose clusters are the components of a mixture density
/// p(x) = sum_k omega_k p_k(x): its weights, for picture labels and reports, and the log-likelihood of each image under
/// it (as scikit-learn's <c>score_samples</c>), for <c>predict</c>.
/// </summary>
public interface IMixtureModel
{
    /// <summary>The mixture weights omega_k, one per cluster, summing to 1.</summary>
    float[] Omega { get; }

    /// <summary>
    /// log p(x_n) for every image, length N (DNN-MM: log sum_k omega_k N(E(x_n); mu_k, I), eq 4 of the paper, with the
    /// -(d/2) log(2 pi) constant).
    /// </summary>
    double[] ScoreSamples(ImageSet images);
}
