using System.CommandLine.Parsing;
using System.Globalization;

namespace Dnnmm.Cli.Commands;

/// <summary>
/// Parse errors of typed options that name the flag and what it expects (<c>--per-class 'ten' is not an integer</c>)
/// instead of System.CommandLine's message with a .NET type name (<c>System.Nullable`1[System.Int32]</c>). Applied to
/// every option of every command by walking the command tree, so an option added later gets it too.
/// </summary>
public static class TypedOptionParsers
{
    /// <summary>Sets the parser of every int, double and bool option (and their nullable and array forms) under <paramref name="root"/>.</summary>
    public static void Apply(Command root)
    {
        foreach (var o in root.Options) Apply(o);
        foreach (var c in root.Subcommands) Apply(c);
    }

    private static void Apply(Option option)
    {
        string flag = option.Name;
        switch (option)
        {
            case Option<int> o: o.CustomParser = r => Single<int>(r, flag, ParseInt); break;
            case Option<int?> o: o.CustomParser = r => r.Tokens.Count == 0 ? null : Single<int>(r, flag, ParseInt); break;
            case Option<long> o: o.CustomParser = r => Single<long>(r, flag, ParseLong); break;
            case Option<long?> o: o.CustomParser = r => r.Tokens.Count == 0 ? null : Single<long>(r, flag, ParseLong); break;
            case Option<double> o: o.CustomParser = r => Single<double>(r, flag, ParseDouble); break;
            case Option<double?> o: o.CustomParser = r => r.Tokens.Count == 0 ? null : Single<double>(r, flag, ParseDouble); break;
            case Option<double[]> o: o.CustomParser = r => Many<double>(r, flag, ParseDouble); break;
            case Option<int[]> o: o.CustomParser = r => Many<int>(r, flag, ParseInt); break;
            case Option<bool> o:
                // A flag without a value is true (System.CommandLine's default for bool options).
                o.CustomParser = r => r.Tokens.Count == 0 || Single<bool>(r, flag, ParseBool);
                break;
        }
    }

    private delegate bool TryParse<T>(string text, out T value, out string kind);

    private static T Single<T>(ArgumentResult r, string flag, TryParse<T> parse)
    {
        if (r.Tokens.Count == 0) return default!;
        string text = r.Tokens[^1].Value;
        if (parse(text, out T v, out string kind)) return v;
        r.AddError($"{flag} '{text}' is not {kind}");
        return default!;
    }

    private static T[] Many<T>(ArgumentResult r, string flag, TryParse<T> parse)
    {
        var list = new List<T>();
        foreach (var t in r.Tokens)
        {
            if (parse(t.Value, out T v, out string kind)) list.Add(v);
            else { r.AddError($"{flag} '{t.Value}' is not {kind}"); return Array.Empty<T>(); }
        }
        return list.ToArray();
    }

    private static bool ParseInt(string s, out int v, out string kind)
    {
        kind = "an integer";
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v);
    }

    private static bool ParseLong(string s, out long v, out string kind)
    {
        kind = "an integer";
        return long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v);
    }

    private static bool ParseDouble(string s, out double v, out string kind)
    {
        kind = "a number";
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v);
    }

    private static bool ParseBool(string s, out bool v, out string kind)
    {
        kind = "true or false";
        return bool.TryParse(s, out v);
    }
}
