using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Methods.ClusterGan;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Methods.DynAe;
using Dnnmm.Methods.KMeans;
using Dnnmm.Methods.LabelledOnly;

namespace Dnnmm.Runs;

/// <summary>
/// One clustering method as the runs, the experiments and the command line see it.
/// </summary>
/// <param name="Name">The method's name (--method, results.csv, run folders).</param>
/// <param name="Summary">One line for help texts.</param>
/// <param name="OptionsType">Its options record: every property with an <see cref="OptionAttribute"/> is a command-line option.</param>
/// <param name="JsonKey">The key of its options in options.json and in experiment grids.</param>
/// <param name="FlagPrefix">Prefix of its command-line flags (shared flags have none).</param>
/// <param name="Create">A new, unfitted method from its options and the run's seed.</param>
/// <param name="Load">The fitted method saved in a run folder, from the options it was trained with, on a device.</param>
/// <param name="CanResume">Whether it writes per-epoch checkpoints that a killed run can continue from.</param>
/// <param name="Generative">Whether it can generate images (a fitted instance may still say no: <see cref="IClusteringMethod.CanSample"/>).</param>
public sealed record MethodEntry(
    string Name, string Summary, Type OptionsType, string JsonKey, string FlagPrefix,
    Func<IMethodOptions, int, IClusteringMethod> Create,
    Func<RunFolder, IMethodOptions, string, int, IClusteringMethod> Load,
    bool CanResume, bool Generative)
{
    /// <summary>The method's default options.</summary>
    public IMethodOptions Defaults() => (IMethodOptions)Activator.CreateInstance(OptionsType)!;

    /// <summary>Its declared options with their command-line flags.</summary>
    public IReadOnlyList<OptionSpec> Options => OptionSchema.Of(OptionsType, FlagPrefix);

    /// <summary>The options with "device" set, for a method that has that option.</summary>
    public IMethodOptions OnDevice(IMethodOptions options, string device) =>
        Options.Any(s => s.JsonName == "device")
            ? OptionSchema.With(options, new Dictionary<string, object?> { ["device"] = device })
            : options;
}

/// <summary>
/// Every method a run can train: DNN-MM, the paper's baselines and two references. Adding a method is one folder under
/// Methods/ and one entry here; the train command, its help, the experiment grid and run folders read this list.
/// </summary>
public static class MethodRegistry
{
    public static readonly IReadOnlyList<MethodEntry> All = new MethodEntry[]
    {
        new("dnnmm", "DNN-MM trained with MinMax+EM (Pande & Awate, ICPR 2020)", typeof(DnnmmOptions), "dnnmm", "",
            (o, seed) => new DnnmmMethod((DnnmmOptions)o, seed),
            (folder, o, device, _) => DnnmmMethod.Load(folder, (DnnmmOptions)o, device),
            CanResume: true, Generative: true),
        new("clustergan", "ClusterGAN (Mukherjee et al., AAAI 2019); ClusterGANss with labels", typeof(ClusterGanOptions), "clusterGan", "cg-",
            (o, seed) => new ClusterGanMethod((ClusterGanOptions)o, seed),
            (folder, o, _, seed) => ClusterGanMethod.Load(folder.Path, (ClusterGanOptions)o, seed),
            CanResume: false, Generative: true),
        new("dynae", "DynAE (Mrabah et al., Neural Networks 2020); DynAEss with labels", typeof(DynAeOptions), "dynAe", "dynae-",
            (o, seed) => new DynAeMethod((DynAeOptions)o, seed),
            (folder, o, _, seed) => DynAeMethod.Load(folder.Path, (DynAeOptions)o, seed),
            CanResume: false, Generative: false),
        new("kmeans", "k-means on the pixels (reference)", typeof(KMeansOptions), "kMeans", "kmeans-",
            (o, seed) => new KMeansMethod((KMeansOptions)o, seed),
            (folder, o, _, seed) => KMeansMethod.Load(folder.Path, (KMeansOptions)o, seed),
            CanResume: false, Generative: false),
        new("labelled-only", "DNN-MM's encoder trained on the labelled images only (reference)", typeof(LabelledOnlyOptions), "labelledOnly", "",
            (o, seed) => new LabelledOnlyMethod((LabelledOnlyOptions)o, seed),
            (folder, o, _, seed) => LabelledOnlyMethod.Load(folder.Path, (LabelledOnlyOptions)o, seed),
            CanResume: false, Generative: false),
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
