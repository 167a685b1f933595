using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dnnmm.Infrastructure;

/// <summary>One JSON setting for every file the product writes: indented, camelCase, enums as names.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string path)
    {
        if (!File.Exists(path)) throw new DnnmmInputException($"{path}: file not found");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options)
                   ?? throw new DnnmmInputException($"{path}: empty JSON");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NotSupportedException
                                       or ArgumentException or OverflowException)
        {
            // A converter's own checks (GetInt32 on a string, a number too large) count as invalid JSON too.
            throw new DnnmmInputException($"{path}: not valid JSON for {typeof(T).Name} ({Printable(e.Message.Split('\n')[0])})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DnnmmInputException($"{path}: cannot read ({Printable(e.Message.Split('\n')[0])})");
        }
    }

    /// <summary>At most 120 printable characters of a message (a damaged file's text would otherwise show raw bytes).</summary>
    private static string Printable(string s)
    {
        var chars = s.Select(c => char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFD' ? '?' : c).Take(120).ToArray();
        return new string(chars) + (s.Length > 120 ? "..." : "");
    }
}
