namespace Dnnmm.Cli.Commands;

/// <summary>
/// The command-line options of one options record outside the method registry (<see cref="OptionAttribute"/>): one flag
/// per declared option, its help with the default, parsed into the record's type. A flag that is not given leaves the default.
/// </summary>
public sealed class OptionRecordBinder<T> where T : notnull, new()
{
    private readonly List<(OptionSpec Spec, Option<string> Option)> flags = new();

    public OptionRecordBinder()
    {
        var defaults = new T();
        foreach (var s in OptionSchema.Of(typeof(T)))
        {
            bool isBool = (Nullable.GetUnderlyingType(s.Type) ?? s.Type) == typeof(bool);
            var option = new Option<string>(s.Flag)
            {
                Arity = isBool ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
                Description = $"{s.Help} (default {OptionSchema.Format(s.ValueIn(defaults))})",
            };
            flags.Add((s, option));
        }
    }

    public void AddTo(Command c)
    {
        foreach (var (_, o) in flags) c.Add(o);
    }

    /// <summary>The defaults with the given flags applied (range checks are the record's own).</summary>
    public T Read(ParseResult p)
    {
        var patch = new Dictionary<string, object?>();
        foreach (var (spec, option) in flags)
            if (MethodOptionsBinder.Given(p, option))
                patch[spec.JsonName] = OptionSchema.Parse(spec.Type, p.GetValue(option), spec.Flag);
        return OptionSchema.With(new T(), patch);
    }
}

/// <summary>Flags of options records' options.</summary>
public static class OptionRecordFlags
{
    /// <summary>The flag of an option of a record by its JSON name (for <see cref="OptionException"/>s scoped to it); null when the record declares none.</summary>
    public static string? FlagOf(Type? recordType, string jsonName) =>
        recordType is null ? null : OptionSchema.Of(recordType).FirstOrDefault(s => s.JsonName == jsonName)?.Flag;
}
