using System.Text.Json.Nodes;

namespace Dnnmm.Methods;

/// <summary>
/// Optional for a fitted method with networks: its weights as named tensors with PyTorch's state-dict names
/// (<c>encoder.trunk.conv1.weight</c>, ...), for <c>dnnmm export</c> (safetensors), and a description of what a
/// PyTorch program needs to rebuild the networks (architecture, K, latent dimension, means, omega, image shape, options),
/// written beside them as JSON (<see cref="ExportFiles.SidecarFor"/>).
/// </summary>
public interface IExportableWeights
{
    /// <summary>Every parameter and buffer by its state-dict name, copied to the CPU; the caller disposes them.</summary>
    Dictionary<string, Tensor> ExportTensors();

    /// <summary>The description for the JSON sidecar (a JSON object the runs layer adds the run's data options to).</summary>
    JsonObject ExportDescription();
}

/// <summary>The file names of an export: the weights (.safetensors) and the JSON sidecar beside them.</summary>
public static class ExportFiles
{
    public const string WeightsExtension = ".safetensors";
    public const string SidecarExtension = ".dnnmm.json";

    /// <summary>x.safetensors -> x.dnnmm.json (never a run folder's model.json).</summary>
    public static string SidecarFor(string weightsPath) =>
        weightsPath.EndsWith(WeightsExtension, StringComparison.OrdinalIgnoreCase)
            ? weightsPath[..^WeightsExtension.Length] + SidecarExtension
            : weightsPath + SidecarExtension;
}
