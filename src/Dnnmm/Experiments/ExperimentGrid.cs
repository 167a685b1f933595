using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dnnmm.Infrastructure;
using Dnnmm.Runs;

namespace Dnnmm.Experiments;

/// <summary>One run of a grid.</summary>
/// <param name="Index">Position in the whole grid (shards take every n-th).</param>
public sealed record ExperimentCell(int Index, ExperimentDataset Dataset, ExperimentMethod Method, double Alpha, int Seed)
{
    /// <summary>The run folder relative to the experiment folder: runs/&lt;dataset&gt;/&lt;method&gt;/a&lt;alpha&gt;-s&lt;seed&gt;.</summary>
    public string RelativeDir => Path.Combine("runs", Dataset.Name, Method.Name,
        $"a{Alpha.ToString("0.####", CultureInfo.InvariantCulture)}-s{Seed.ToString(CultureInfo.InvariantCulture)}");

    public override string ToString() =>
        $"{Dataset.Name} {Method.Name} alpha {Alpha.ToString("0.####", CultureInfo.InvariantCulture)} seed {Seed}";
}

/// <summary>The i-th (1-based) of n disjoint parts of a grid: cells whose index mod n is i - 1.</summary>
public sealed record Shard(int Index, int Count)
{
    public static readonly Shard All = new(1, 1);

    public bool Contains(ExperimentCell c) => c.Index % Count == Index - 1;

    /// <summary>Parses "i/n" with 1 &lt;= i &lt;= n.</summary>
    public static Shard Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return All;
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || i < 1 || i > n)
            throw new DnnmmInputException($"--shard '{text}': must be i/n with 1 <= i <= n (e.g. 2/4)");
        return new Shard(i, n);
    }

    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>The cells of a grid and the training options of each.</summary>
public static class ExperimentGrid
{
    /// <summary>
    /// Every cell, ordered dataset, seed, alpha, method: a sweep stopped early holds complete seeds (every method
    /// and alpha), which is what the paired tests need.
    /// </summary>
    public static List<ExperimentCell> Cells(ExperimentConfig c)
    {
        var cells = new List<ExperimentCell>();
        foreach (var d in c.Datasets)
            foreach (var s in c.Seeds)
                foreach (var a in c.Alphas)
                    foreach (var m in c.Methods)
                        cells.Add(new ExperimentCell(cells.Count, d, m, a, s));
        return cells;
    }

    /// <summary>
    /// The training options of a cell: the defaults, the dataset's data options with the cell's alpha and seed,
    /// the method's overrides, and the grid's thread count. An override naming an option that does not exist is
    /// an error (a typo would otherwise be silently ignored).
    /// </summary>
    public static TrainRunOptions Options(ExperimentConfig c, ExperimentCell cell)
    {
        var node = JsonNode.Parse(Json.Serialize(new TrainRunOptions()))!.AsObject();
        node["data"] = JsonNode.Parse(Json.Serialize(cell.Dataset.Data with { Alpha = cell.Alpha, Seed = cell.Seed }));
        Merge(node, cell.Method.Options, $"method '{cell.Method.Name}'");
        if (c.Threads > 0)
            foreach (var entry in MethodRegistry.All)
                if (node[entry.JsonKey] is JsonObject o && o.ContainsKey("threads")) o["threads"] = c.Threads;
        try
        {
            return node.Deserialize<TrainRunOptions>(Json.Options)
                   ?? throw new DnnmmInputException($"method '{cell.Method.Name}': options are empty");
        }
        catch (JsonException e)
        {
            throw new DnnmmInputException($"method '{cell.Method.Name}': bad option value ({e.Message.Split('\n')[0]})");
        }
    }

    private static void Merge(JsonObject target, JsonObject patch, string where)
    {
        foreach (var (key, value) in patch)
        {
            if (!target.ContainsKey(key))
                throw new DnnmmInputException($"{where}: unknown option '{key}' (known: {string.Join(", ", target.Select(p => p.Key))})");
            if (value is JsonObject po && target[key] is JsonObject to) Merge(to, po, $"{where}, {key}");
            else target[key] = value?.DeepClone();
        }
    }

    /// <summary>First 12 hex digits of the SHA-256 of the options as saved in options.json.</summary>
    public static string Hash(TrainRunOptions o) => Hash(Json.Serialize(o));

    public static string Hash(string optionsJson) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(optionsJson.ReplaceLineEndings("\n"))))[..12];
}
