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
        catch (JsonException e)
        {
            throw new DnnmmInputException($"{path}: not valid JSON for {typeof(T).Name} ({e.Message.Split('\n')[0]})");
        }
    }
}
