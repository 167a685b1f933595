using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Methods.ClusterGan;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Methods.DynAe;
using Dnnmm.Methods.KMeans;
using Dnnmm.Methods.LabelledOnly;

namespace Dnnmm.Runs;

/// <summary>
/// Every method a run can train: DNN-MM, the paper's baselines and two references. Adding a method is one folder under
/// Methods/ (with its <see cref="MethodEntry"/>) and one line here; the train command, its help, the experiment grid and run folders read this list.
/// </summary>
public static class MethodRegistry
{
    public static readonly IReadOnlyList<MethodEntry> All = new[]
    {
        DnnmmMethod.Entry, ClusterGanMethod.Entry, DynAeMethod.Entry, KMeansMethod.Entry, LabelledOnlyMethod.Entry,
    };

    /// <summary>The method names, in registry order.</summary>
    public static IReadOnlyList<string> Names => All.Select(e => e.Name).ToList();

    /// <summary>The entry of a method name; an unknown name is an <see cref="OptionException"/> naming "method".</summary>
    public static MethodEntry Get(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new OptionException("method", $"'{name}' is not one of: {string.Join(", ", Names)}");

    /// <summary>The entry whose options record is <paramref name="optionsType"/>.</summary>
    public static MethodEntry ForOptions(Type optionsType) =>
        All.FirstOrDefault(e => e.OptionsType == optionsType) ?? throw new ArgumentException($"no method has options {optionsType.Name}");
}
