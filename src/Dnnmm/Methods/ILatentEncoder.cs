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
