using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Dnnmm.Infrastructure;

/// <summary>
/// Declares a property of an options record as a user-facing option: its command-line flag (without "--" and without
/// the method's prefix), its help text and its valid range. The default is the property's initial value; the JSON name
/// (in options.json and in error messages) is the camelCase property name. One declaration gives the command-line
/// option, its help, its default and its range check, so they cannot disagree.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OptionAttribute(string flag, string help) : Attribute
{
    public string Flag { get; } = flag;
    public string Help { get; } = help;
    /// <summary>The flag has no method prefix: one command-line option sets this option in every method that declares it.</summary>
    public bool Shared { get; init; }
    /// <summary>Smallest valid value (numbers); -infinity: none.</summary>
    public double Min { get; init; } = double.NegativeInfinity;
    /// <summary>Largest valid value (numbers); +infinity: none.</summary>
    public double Max { get; init; } = double.PositiveInfinity;
    public bool MinExclusive { get; init; }
    public bool MaxExclusive { get; init; }
}

/// <summary>One declared option of an options record.</summary>
public sealed record OptionSpec(PropertyInfo Property, OptionAttribute Attribute, string JsonName, string Flag)
{
    public Type Type => Property.PropertyType;
    public string Help => Attribute.Help;
    public object? ValueIn(object options) => Property.GetValue(options);
}

/// <summary>Reads the <see cref="OptionAttribute"/> declarations of an options record: specs, range checks, parsing, formatting.</summary>
public static class OptionSchema
{
    /// <summary>The declared options of <paramref name="recordType"/>, flags with <paramref name="prefix"/> unless shared.</summary>
    public static IReadOnlyList<OptionSpec> Of(Type recordType, string prefix = "") =>
        recordType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (p, a: p.GetCustomAttribute<OptionAttribute>()))
            .Where(x => x.a is not null)
            .Select(x => new OptionSpec(x.p, x.a!, x.p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonName(x.p.Name),
                "--" + (x.a!.Shared ? "" : prefix) + x.a.Flag))
            .ToList();

    public static string JsonName(string propertyName) => Json.Options.PropertyNamingPolicy!.ConvertName(propertyName);

    /// <summary>Checks every declared range of <paramref name="options"/>; the first violation is an <see cref="OptionException"/>.</summary>
    public static void ValidateRanges(object options)
    {
        foreach (var s in Of(options.GetType()))
        {
            var a = s.Attribute;
            if (double.IsNegativeInfinity(a.Min) && double.IsPositiveInfinity(a.Max)) continue;
            double v = Convert.ToDouble(s.ValueIn(options), CultureInfo.InvariantCulture);
            bool ok = !double.IsNaN(v)
                      && (a.MinExclusive ? v > a.Min : v >= a.Min)
                      && (a.MaxExclusive ? v < a.Max : v <= a.Max);
            if (!ok) throw new OptionException(s.JsonName, $"{Format(s.ValueIn(options))} must be {RangeText(a)}") { Scope = options.GetType() };
        }
    }

    /// <summary>"in [0, 1)", "at least 1", "greater than 0", "at most 5".</summary>
    public static string RangeText(OptionAttribute a)
    {
        string N(double x) => x.ToString("G", CultureInfo.InvariantCulture);
        bool lo = !double.IsNegativeInfinity(a.Min), hi = !double.IsPositiveInfinity(a.Max);
        if (lo && hi) return $"in {(a.MinExclusive ? "(" : "[")}{N(a.Min)}, {N(a.Max)}{(a.MaxExclusive ? ")" : "]")}";
        if (lo) return a.MinExclusive ? $"greater than {N(a.Min)}" : $"at least {N(a.Min)}";
        return a.MaxExclusive ? $"less than {N(a.Max)}" : $"at most {N(a.Max)}";
    }

    /// <summary>
    /// The value of <paramref name="text"/> as <paramref name="type"/> (int, double, bool, string, enum by kebab-case name,
    /// int[] as a comma list); null text means a flag given without a value (true for bool). A value that does not parse is a
    /// one-line input error naming <paramref name="flag"/>.
    /// </summary>
    public static object? Parse(Type type, string? text, string flag)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (text is null)
        {
            if (t == typeof(bool)) return true;
            throw new DnnmmInputException($"{flag}: a value is required");
        }
        var inv = CultureInfo.InvariantCulture;
        if (t == typeof(string)) return text;
        if (t == typeof(int))
            return int.TryParse(text, NumberStyles.Integer, inv, out int i) ? i : throw Bad(flag, text, "an integer");
        if (t == typeof(double))
            return double.TryParse(text, NumberStyles.Float, inv, out double d) && double.IsFinite(d) ? d : throw Bad(flag, text, "a number");
        if (t == typeof(bool))
            return bool.TryParse(text, out bool b) ? b : throw Bad(flag, text, "true or false");
        if (t.IsEnum)
        {
            foreach (var v in Enum.GetValues(t))
                if (string.Equals(Kebab(v.ToString()!), text, StringComparison.OrdinalIgnoreCase) || string.Equals(v.ToString(), text, StringComparison.OrdinalIgnoreCase))
                    return v;
            throw Bad(flag, text, "one of: " + string.Join(", ", Enum.GetNames(t).Select(Kebab)));
        }
        if (t == typeof(int[]))
        {
            var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var values = new int[parts.Length];
            for (int k = 0; k < parts.Length; k++)
                if (!int.TryParse(parts[k], NumberStyles.Integer, inv, out values[k]) || values[k] < 1) throw Bad(flag, text, "a comma-separated list of positive integers");
            return values.Length > 0 ? values : throw Bad(flag, text, "a comma-separated list of positive integers");
        }
        throw new NotSupportedException($"option type {t.Name}");
    }

    private static DnnmmInputException Bad(string flag, string text, string what) => new($"{flag} '{text}': not {what}");

    /// <summary>A value as a user types it: kebab-case enum names, comma lists, invariant numbers.</summary>
    public static string Format(object? value) => value switch
    {
        null => "none",
        Enum e => Kebab(e.ToString()),
        bool b => b ? "true" : "false",
        int[] a => string.Join(",", a),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>PascalCase to kebab-case (OneHot -> one-hot).</summary>
    public static string Kebab(string pascal) =>
        string.Concat(pascal.Select((ch, i) => char.IsUpper(ch) && i > 0 ? "-" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));

    /// <summary>A copy of the record <paramref name="options"/> with the given properties (by JSON name) set.</summary>
    public static T With<T>(T options, IReadOnlyDictionary<string, object?> values) where T : notnull
    {
        if (values.Count == 0) return options;
        var type = options.GetType();
        var node = JsonNode.Parse(JsonSerializer.Serialize(options, type, Json.Options))!.AsObject();
        foreach (var (name, value) in values)
        {
            if (!node.ContainsKey(name)) throw new ArgumentException($"{type.Name} has no option '{name}'");
            node[name] = JsonSerializer.SerializeToNode(value, value?.GetType() ?? typeof(object), Json.Options);
        }
        return (T)node.Deserialize(type, Json.Options)!;
    }
}
