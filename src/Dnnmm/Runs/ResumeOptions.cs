using System.Text.Json;
using System.Text.Json.Nodes;
using Dnnmm.Infrastructure;

namespace Dnnmm.Runs;

/// <summary>
/// The options a resumed run continues with. A run keeps the options it was started with (its options.json); options
/// given again with the resume must either agree with them or be among the few that do not change what is trained:
/// <see cref="Changeable"/> (more epochs to extend a run, threads, device, how often it is scored). Anything else that
/// differs is a conflict, which the caller reports as an error naming the options.
/// </summary>
public static class ResumeOptions
{
    /// <summary>Method options (JSON names) that a resume may change: epochs (extends the run), threads, device.</summary>
    public static readonly IReadOnlyList<string> ChangeableMethodOptions = new[] { "epochs", "threads", "device" };

    /// <summary>Top-level options that a resume may change.</summary>
    public static readonly IReadOnlyList<string> ChangeableRunOptions = new[] { "monitorEvery" };

    /// <summary>
    /// Paths (as in options.json, '/'-separated) that a resume may change, for the chosen method's JSON key
    /// <paramref name="methodKey"/>.
    /// </summary>
    public static bool Changeable(string path, string methodKey) =>
        ChangeableRunOptions.Contains(path) || ChangeableMethodOptions.Any(o => path == $"{methodKey}/{o}");

    /// <summary>
    /// The options to resume with: <paramref name="saved"/> with the changeable options of <paramref name="requested"/>
    /// that were given (<paramref name="givenPaths"/>, options.json paths such as "data/perClass", "method",
    /// "dnnmm/epochs", "dnnmm" for a whole method record, "monitorEvery"), and the given paths whose requested value
    /// differs from the saved one and may not change (the conflicts, in the order given). A path of another method's
    /// options does not change this run and is neither applied nor a conflict.
    /// </summary>
    public static (TrainRunOptions Options, IReadOnlyList<string> Conflicts) Merge(TrainRunOptions saved, TrainRunOptions requested,
        IEnumerable<string> givenPaths)
    {
        var a = Node(saved);
        var b = Node(requested);
        string key = saved.Entry().JsonKey;
        var conflicts = new List<string>();
        foreach (var path in givenPaths.Distinct())
        {
            string[] parts = path.Split('/');
            if (parts.Length > 1 && parts[0] != "data" && parts[0] != key) continue;
            var was = Get(a, parts);
            var now = Get(b, parts);
            if (JsonNode.DeepEquals(was, now)) continue;
            if (Changeable(path, key)) Set(a, parts, now?.DeepClone());
            else conflicts.Add(path);
        }
        return (a.Deserialize<TrainRunOptions>(Json.Options)!, conflicts);
    }

    /// <summary>
    /// Every path at which <paramref name="resumed"/> differs from <paramref name="saved"/> and may not (the data options,
    /// the method, the chosen method's options and monitorEvery are compared; other methods' options do not matter).
    /// </summary>
    public static IReadOnlyList<string> Conflicts(TrainRunOptions saved, TrainRunOptions resumed)
    {
        var a = Node(saved);
        var b = Node(resumed);
        string key = saved.Entry().JsonKey;
        var paths = new List<string> { "method", "monitorEvery" };
        foreach (var part in new[] { "data", key })
            foreach (var name in Keys(a[part]).Union(Keys(b[part]))) paths.Add($"{part}/{name}");
        return Merge(saved, resumed, paths).Conflicts;
    }

    private static IEnumerable<string> Keys(JsonNode? n) => n is JsonObject o ? o.Select(p => p.Key) : Enumerable.Empty<string>();

    /// <summary>The value at <paramref name="path"/> of options.json's layout, as text for messages ("none" when unset).</summary>
    public static string ValueText(TrainRunOptions o, string path)
    {
        var n = Get(Node(o), path.Split('/'));
        return n switch
        {
            null => "none",
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonArray arr => string.Join(",", arr.Select(x => x?.ToString() ?? "none")),
            JsonObject => "(other options)",
            _ => n.ToJsonString(),
        };
    }

    private static JsonObject Node(TrainRunOptions o) => JsonNode.Parse(Json.Serialize(o))!.AsObject();

    private static JsonNode? Get(JsonObject root, string[] parts)
    {
        JsonNode? n = root;
        foreach (var p in parts) n = n is JsonObject o && o.TryGetPropertyValue(p, out var c) ? c : null;
        return n;
    }

    private static void Set(JsonObject root, string[] parts, JsonNode? value)
    {
        JsonObject o = root;
        for (int i = 0; i < parts.Length - 1; i++) o = (JsonObject)o[parts[i]]!;
        o[parts[^1]] = value;
    }
}
