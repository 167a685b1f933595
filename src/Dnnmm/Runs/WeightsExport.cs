using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;

namespace Dnnmm.Runs;

/// <summary>What <see cref="WeightsExport.Export"/> wrote.</summary>
public sealed record ExportResult(string Method, string Weights, string Sidecar, int Tensors, long Bytes);

/// <summary>
/// <c>dnnmm export</c>: a run folder's networks as a safetensors file with PyTorch state-dict names, and a JSON sidecar
/// (<see cref="ExportFiles.SidecarFor"/>) with what a PyTorch program needs to rebuild them (tools/load_dnnmm.py).
/// Everything is checked before anything is written; both files are written atomically.
/// </summary>
public static class WeightsExport
{
    public static ExportResult Export(string runDir, string outPath, string device = "cpu")
    {
        if (string.IsNullOrWhiteSpace(outPath)) throw new DnnmmInputException("--out: a file name is required");
        if (!outPath.EndsWith(ExportFiles.WeightsExtension, StringComparison.OrdinalIgnoreCase))
            throw new DnnmmInputException($"--out {outPath}: the file name must end in {ExportFiles.WeightsExtension} (the description goes beside it as <name>{ExportFiles.SidecarExtension})");
        string sidecar = ExportFiles.SidecarFor(outPath);
        foreach (var p in new[] { outPath, sidecar })
            if (Directory.Exists(p)) throw new DnnmmInputException($"{p}: is a folder, not a file (give a file name)");

        var folder = new RunFolder(runDir).RequireExists();
        using var method = TrainRun.LoadMethod(runDir, device);
        if (method is not IExportableWeights exportable)
            throw new DnnmmInputException($"--model {runDir}: a '{method.Name}' model cannot be exported (export writes the networks of a dnnmm model)");

        var desc = exportable.ExportDescription();
        desc["weights"] = Path.GetFileName(outPath);
        if (folder.HasOptions)
            desc["data"] = JsonSerializer.SerializeToNode(folder.ReadOptions<TrainRunOptions>().Data, Json.Options);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = (string?)desc["format"] ?? "",
            ["method"] = method.Name,
            ["clusters"] = method.Clusters.ToString(CultureInfo.InvariantCulture),
            ["sidecar"] = Path.GetFileName(sidecar),
        };
        if (desc["latentDim"] is JsonNode d) metadata["latent_dim"] = d.ToJsonString();
        if (desc["imageShape"] is JsonArray shape) metadata["image_shape"] = string.Join('x', shape.Select(s => s!.ToJsonString()));

        var tensors = exportable.ExportTensors();
        byte[] bytes;
        try { bytes = Safetensors.Serialize(tensors, metadata); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }

        AtomicFile.WriteAllBytes(outPath, bytes);
        AtomicFile.WriteAllText(sidecar, desc.ToJsonString(Json.Options));
        return new ExportResult(method.Name, outPath, sidecar, tensors.Count, bytes.LongLength);
    }
}
