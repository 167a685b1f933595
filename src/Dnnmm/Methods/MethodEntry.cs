using Dnnmm.Infrastructure;

namespace Dnnmm.Methods;

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
    /// <summary>An entry whose create and load functions take the method's own options record.</summary>
    public static MethodEntry For<TOptions>(string name, string summary, string jsonKey, string flagPrefix,
        Func<TOptions, int, IClusteringMethod> create, Func<RunFolder, TOptions, string, int, IClusteringMethod> load,
        bool canResume = false, bool generative = false) where TOptions : IMethodOptions, new() =>
        new(name, summary, typeof(TOptions), jsonKey, flagPrefix, (o, seed) => create((TOptions)o, seed),
            (folder, o, device, seed) => load(folder, (TOptions)o, device, seed), canResume, generative);

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

