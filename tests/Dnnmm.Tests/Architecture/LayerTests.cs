using System.Text.RegularExpressions;

namespace Dnnmm.Tests.Architecture;

/// <summary>
/// The library's folders form layers (docs/architecture.md): each folder may use only folders of a lower layer, and the
/// method folders only the contracts below them (labelled-only also DNN-MM's encoder). Read from the sources' using
/// directives and fully qualified names, so a new upward import fails here.
/// </summary>
public class LayerTests
{
    /// <summary>The layers, lowest first; a folder is its namespace below Dnnmm.</summary>
    private static readonly Dictionary<string, int> Layer = new()
    {
        ["Infrastructure"] = 0,
        ["Data"] = 1, ["Evaluation"] = 1,
        ["Methods"] = 2,
        ["Methods.Dnnmm"] = 3, ["Methods.ClusterGan"] = 3, ["Methods.DynAe"] = 3, ["Methods.KMeans"] = 3, ["Methods.LabelledOnly"] = 3,
        ["Scoring"] = 3,
        ["Runs"] = 4,
        ["Visualisation"] = 5, ["Clustering"] = 5,
        ["Experiments"] = 6,
    };

    /// <summary>Uses within one layer that the design allows.</summary>
    private static readonly HashSet<(string From, string To)> AllowedWithinLayer = new()
    {
        ("Data", "Evaluation"), // none today; data may use metrics, never the reverse
        ("Methods.LabelledOnly", "Methods.Dnnmm"), // the labelled-only reference is DNN-MM's encoder trained on labels
    };

    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Dnnmm.slnx"))) return d.FullName;
        throw new InvalidOperationException("repository root (Dnnmm.slnx) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>(folder, used folder, file) for every reference from one library folder to another.</summary>
    public static List<(string From, string To, string File)> Uses()
    {
        string src = Path.Combine(RepoRoot(), "src", "Dnnmm");
        var uses = new List<(string, string, string)>();
        var reference = new Regex(@"\bDnnmm\.((?:Methods\.)?[A-Z]\w*)");
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(src, file);
            if (rel.StartsWith("bin") || rel.StartsWith("obj")) continue;
            string folder = (Path.GetDirectoryName(rel) ?? "").Replace(Path.DirectorySeparatorChar, '.');
            foreach (Match m in reference.Matches(File.ReadAllText(file)))
            {
                string to = m.Groups[1].Value;
                if (!Layer.ContainsKey(to)) to = to.StartsWith("Methods.") ? "Methods" : to;
                if (to != folder && Layer.ContainsKey(to)) uses.Add((folder, to, rel));
            }
        }
        return uses;
    }

    [Fact]
    public void EveryFolderIsALayer()
    {
        string src = Path.Combine(RepoRoot(), "src", "Dnnmm");
        foreach (var dir in Directory.EnumerateDirectories(src, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(src, dir);
            if (rel.StartsWith("bin") || rel.StartsWith("obj") || !Directory.EnumerateFiles(dir, "*.cs").Any()) continue;
            Assert.True(Layer.ContainsKey(rel.Replace(Path.DirectorySeparatorChar, '.')), $"folder {rel} has no layer in LayerTests and docs/architecture.md");
        }
        Assert.Empty(Directory.EnumerateFiles(src, "*.cs")); // nothing at the root: every file is in a layer
    }

    [Fact]
    public void FoldersUseOnlyLowerLayers()
    {
        var bad = Uses().Where(u => Layer[u.To] > Layer[u.From] || Layer[u.To] == Layer[u.From] && !AllowedWithinLayer.Contains((u.From, u.To)))
            .Select(u => $"{u.File}: {u.From} -> {u.To}").Distinct().ToList();
        Assert.True(bad.Count == 0, "upward or sideways imports:\n" + string.Join("\n", bad));
    }

    [Fact]
    public void TheCheckSeesAnUpwardImport()
    {
        // The test above can fail: the references it reads are real (the runs layer uses the methods it registers).
        var uses = Uses();
        Assert.Contains(uses, u => u.From == "Runs" && u.To == "Methods.Dnnmm");
        Assert.Contains(uses, u => u.From == "Methods.Dnnmm" && u.To == "Infrastructure");
    }
}
