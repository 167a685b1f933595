using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Runs;

namespace Dnnmm.Experiments;

/// <summary>A dataset of an experiment grid: a name for the tables and the data options (alpha and seed come from the grid).</summary>
public sealed record ExperimentDataset(string Name, DataOptions Data)
{
    /// <summary>
    /// A reference classifier folder (<c>dnnmm reference train</c>) for this dataset: the samples of every finished run
    /// of a generative method are scored with it (sample purity, Fréchet distance; results.csv columns purity and
    /// frechet). Not part of the runs' options, so adding one scores finished runs without training them again. Null: none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReferenceClassifier { get; init; }
}

/// <summary>
/// A method of an experiment grid: a name for the tables and the options that differ from the defaults of
/// <see cref="TrainRunOptions"/>, as a JSON object in the layout of a run's options.json (e.g.
/// <c>{"method": "dnnmm", "dnnmm": {"lambda1": 0, "lambda2": 0}}</c>).
/// </summary>
public sealed record ExperimentMethod(string Name, JsonObject Options);

/// <summary>
/// A grid of datasets x methods x alpha x seeds: what <c>dnnmm experiment</c> runs. Saved as experiment.json in the
/// output folder, so that a sweep can be resumed, sharded and merged.
/// </summary>
public sealed record ExperimentConfig
{
    public string Name { get; init; } = "experiment";
    public IReadOnlyList<ExperimentDataset> Datasets { get; init; } = Array.Empty<ExperimentDataset>();
    public IReadOnlyList<ExperimentMethod> Methods { get; init; } = Array.Empty<ExperimentMethod>();
    public IReadOnlyList<double> Alphas { get; init; } = Array.Empty<double>();
    public IReadOnlyList<int> Seeds { get; init; } = Array.Empty<int>();
    /// <summary>The method the others are compared with in the significance tables.</summary>
    public string Reference { get; init; } = "dnnmm";
    /// <summary>CPU threads per run (0: all cores); written into every method's options.</summary>
    public int Threads { get; init; }
    /// <summary>t-SNE and sample pictures for the report: made for this alpha (the nearest in the grid) and the first seed of the first dataset; null: none.</summary>
    public double? PictureAlpha { get; init; } = 0.1;

    /// <summary>Throws a one-line <see cref="DnnmmInputException"/> naming what is wrong.</summary>
    public void Validate()
    {
        if (Datasets.Count == 0) throw new DnnmmInputException($"experiment '{Name}': no datasets");
        if (Methods.Count == 0) throw new DnnmmInputException($"experiment '{Name}': no methods");
        if (Alphas.Count == 0) throw new DnnmmInputException($"experiment '{Name}': no alpha values");
        if (Seeds.Count == 0) throw new DnnmmInputException($"experiment '{Name}': no seeds");
        Unique(Datasets.Select(d => d.Name), "dataset");
        Unique(Methods.Select(m => m.Name), "method");
        Unique(Alphas.Select(a => a.ToString("R", CultureInfo.InvariantCulture)), "alpha");
        Unique(Seeds.Select(s => s.ToString(CultureInfo.InvariantCulture)), "seed");
        foreach (var a in Alphas)
            if (!(a >= 0 && a <= 1)) throw new DnnmmInputException($"experiment '{Name}': alpha {a.ToString(CultureInfo.InvariantCulture)} must be in [0, 1]");
        if (Threads < 0) throw new DnnmmInputException($"--threads {Threads}: must be >= 0");
        if (!Methods.Any(m => m.Name == Reference))
            throw new DnnmmInputException($"experiment '{Name}': reference method '{Reference}' is not one of its methods ({string.Join(", ", Methods.Select(m => m.Name))})");
        foreach (var d in Datasets) d.Data.Validate();
    }

    private void Unique(IEnumerable<string> names, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (string.IsNullOrWhiteSpace(n) || n.IndexOfAny(new[] { '/', '\\', ',', '"' }) >= 0 || n is "." or "..")
                throw new DnnmmInputException($"experiment '{Name}': {what} name '{n}' must be non-empty without / \\ , or quotes");
            if (!seen.Add(n)) throw new DnnmmInputException($"experiment '{Name}': {what} '{n}' appears twice");
        }
    }

    /// <summary>Reads a config file (JSON, the layout of experiment.json).</summary>
    public static ExperimentConfig Load(string path)
    {
        var c = Json.Read<ExperimentConfig>(path);
        c.Validate();
        return c;
    }

    public string ToJson() => Json.Serialize(this);
}
