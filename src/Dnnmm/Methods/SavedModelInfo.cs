
namespace Dnnmm.Methods;

/// <summary>
/// What a saved model knows of its images: model.json of a baseline is exactly this; DNN-MM's model.json
/// has these fields too, but no method name
/// (the runs layer reads either).
/// </summary>
public sealed record SavedModelInfo(string Method, int Channels, int Height, int Width, int Clusters, string[] ClassNames)
{
    public ImageShape Shape => new(Channels, Height, Width);
}
