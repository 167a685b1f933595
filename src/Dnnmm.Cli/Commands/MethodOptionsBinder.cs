using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Cli.Commands;

/// <summary>
/// The command-line options of every registered method, generated from their options records
/// (<see cref="OptionAttribute"/>): one flag per declared option (a shared flag once for all methods that declare it),
/// its help text with the default, parsed into the record's type. A flag that is not given leaves the default.
/// </summary>
public sealed class MethodOptionsBinder
{
    private sealed record Flag(Option<string> Option, List<(MethodEntry Entry, OptionSpec Spec)> Targets);

    private readonly Dictionary<string, Flag> flags = new();
    private readonly IReadOnlyList<MethodEntry> entries;

    /// <param name="methods">The methods to bind (default: every registered one).</param>
    public MethodOptionsBinder(IEnumerable<MethodEntry>? methods = null)
    {
        entries = (methods ?? MethodRegistry.All).ToList();
        foreach (var e in entries)
            foreach (var s in e.Options)
            {
                if (!flags.TryGetValue(s.Flag, out var f))
                {
                    bool isBool = (Nullable.GetUnderlyingType(s.Type) ?? s.Type) == typeof(bool);
                    var option = new Option<string>(s.Flag) { Arity = isBool ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne };
                    flags[s.Flag] = f = new Flag(option, new());
                }
                f.Targets.Add((e, s));
            }
        foreach (var f in flags.Values) f.Option.Description = Describe(f);
        Variant = new Option<string?>("--variant") { Description = $"dnnmm: {string.Join(" or ", DnnmmOptions.Variants)} (paper: the paper as written — literal EM with the E step of eq 3, closed-form omega, no balancing, floor or warm-up, consistency into both networks, no augmentation; unsupervised: no labels, t-SNE warm-up memberships from the pixels and again from the encoder's features after epoch 12, uniform omega, learning rate decaying from epoch 16, docs/model.md); options given with it override it" };
        Ablation = new Option<string?>("--ablation") { Description = $"dnnmm shortcut: {string.Join(", ", DnnmmOptions.Ablations)} (labelled-only: encoder on labelled images only; no-gan: no adversarial or consistency term)" };
    }

    /// <summary>The dnnmm variant (<see cref="DnnmmOptions.ForVariant"/>): the defaults the other dnnmm flags apply to.</summary>
    public Option<string?> Variant { get; }

    /// <summary>The dnnmm ablation shortcut (<see cref="DnnmmOptions.WithAblation"/>).</summary>
    public Option<string?> Ablation { get; }

    /// <summary>The flag of an option of the method options record <paramref name="optionsType"/> by its JSON name; null for another or no record (the caller then uses the kebab-case JSON name).</summary>
    public static string? FlagOf(Type? optionsType, string jsonName)
    {
        if (optionsType is null) return null;
        return MethodRegistry.All.Where(e => e.OptionsType == optionsType).SelectMany(e => e.Options).FirstOrDefault(s => s.JsonName == jsonName)?.Flag;
    }

    /// <summary>The help text: the methods that have the option (unless all do), the first one's help, and the defaults.</summary>
    private string Describe(Flag f)
    {
        var (first, spec) = f.Targets[0];
        var defaults = f.Targets.Select(t => (t.Entry.Name, Value: OptionSchema.Format(t.Spec.ValueIn(t.Entry.Defaults())))).ToList();
        string who = f.Targets.Count == entries.Count ? "" : string.Join(", ", f.Targets.Select(t => t.Entry.Name)) + ": ";
        string def = defaults.Select(d => d.Value).Distinct().Count() == 1
            ? $"default {defaults[0].Value}"
            : "default " + string.Join(", ", defaults.Select(d => $"{d.Name} {d.Value}"));
        return $"{who}{spec.Help} ({def})";
    }

    public void AddTo(Command c)
    {
        foreach (var f in flags.Values) c.Add(f.Option);
        c.Add(Variant);
        c.Add(Ablation);
    }

    /// <summary>Whether the user gave the option on the command line (not its default).</summary>
    public static bool Given(ParseResult p, Option o) => p.GetResult(o) is { Implicit: false };

    /// <summary>
    /// The method options given on the command line: their flags and their paths in options.json ("dnnmm/epochs"; a
    /// shared flag once per method that has it; --variant and --ablation: the whole "dnnmm" record).
    /// </summary>
    public IEnumerable<(string Flag, string Path)> Given(ParseResult p)
    {
        foreach (var f in flags.Values)
            if (Given(p, f.Option))
                foreach (var (entry, spec) in f.Targets) yield return (f.Option.Name, $"{entry.JsonKey}/{spec.JsonName}");
        string dnnmmKey = MethodRegistry.ForOptions(typeof(DnnmmOptions)).JsonKey;
        foreach (var o in new Option[] { Variant, Ablation })
            if (Given(p, o)) yield return (o.Name, dnnmmKey);
    }

    /// <summary>Every bound method's options: its defaults with the given flags applied.</summary>
    public Dictionary<string, IMethodOptions> Read(ParseResult p)
    {
        var patch = entries.ToDictionary(e => e.Name, _ => new Dictionary<string, object?>());
        foreach (var f in flags.Values)
        {
            if (!Given(p, f.Option)) continue;
            string? text = p.GetValue(f.Option);
            foreach (var (entry, spec) in f.Targets)
                patch[entry.Name][spec.JsonName] = OptionSchema.Parse(spec.Type, text, spec.Flag);
        }
        IMethodOptions Base(MethodEntry e) => e.OptionsType == typeof(DnnmmOptions) ? DnnmmOptions.ForVariant(p.GetValue(Variant)) : e.Defaults();
        var result = entries.ToDictionary(e => e.Name, e => OptionSchema.With(Base(e), patch[e.Name]));
        if (result.TryGetValue("dnnmm", out var d) && d is DnnmmOptions dnnmm)
            result["dnnmm"] = dnnmm.WithAblation(p.GetValue(Ablation));
        return result;
    }

    /// <summary>The options of one method (<typeparamref name="T"/>) with the given flags applied.</summary>
    public T Read<T>(ParseResult p) where T : IMethodOptions => (T)Read(p)[MethodRegistry.ForOptions(typeof(T)).Name];
}
