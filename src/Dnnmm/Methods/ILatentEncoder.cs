using Dnnmm.Data;

namespace Dnnmm.Methods;

/// <summary>
/// Optional for a clustering method: a latent code per image (for DNN-MM the encoder output E(x)),
/// so that pictures of the latent space (t-SNE) can be made for any method that has one.
/// </summary>
public interface ILatentEncoder
{
    /// <summary>Length of one latent code.</summary>
    int LatentDim { get; }

    /// <summary>The latent codes of every image, N x <see cref="LatentDim"/> row-major.</summary>
    float[] Encode(ImageSet images);
}

/// <summary>
/// Optional for a generative clustering method: a generator from its latent space with one mixture component per
/// cluster, so that walks between component means and reconstructions G(E(x)) can be drawn for any such method.
/// </summary>
public interface ILatentGenerator : ILatentEncoder
{
    int Clusters { get; }
    /// <summary>The shape of the generated images.</summary>
    ImageShape Shape { get; }
    /// <summary>The class name of each cluster (for labels).</summary>
    IReadOnlyList<string> ClassNames { get; }
    /// <summary>The component means mu_k, K x <see cref="ILatentEncoder.LatentDim"/> row-major.</summary>
    float[] ComponentMeans();
    /// <summary>G(y) for latent points y (n x d row-major), generator in evaluation mode, no noise; n x C x H x W.</summary>
    float[] Generate(float[] latents);
}
