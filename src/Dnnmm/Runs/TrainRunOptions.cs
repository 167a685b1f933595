using System.Text.Json;
using System.Text.Json.Serialization;
using Dnnmm.Data;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Scoring;

namespace Dnnmm.Runs;

/// <summary>
/// Everything that defines a training run; saved as options.json so that a run can be repeated exactly. It holds the
/// options of every registered method (<see cref="MethodRegistry"/>), each under its JSON key, so that one file says
/// what any method would have done; <see cref="Method"/> picks the one that runs.
/// </summary>
[JsonConverter(typeof(TrainRunOptionsJsonConverter))]
public sealed record TrainRunOptions
{
    public DataOptions Data { get; init; } = new();
    public string Method { get; init; } = "dnnmm";
    /// <summary>Options of every method by method name (registry order); those not set are the defaults.</summary>
    public IReadOnlyDictionary<string, IMethodOptions> MethodOptionsByName { get; init; } =
        MethodRegistry.All.ToDictionary(e => e.Name, e => e.Defaults());
    /// <summary>Score ACC/ARI/NMI against the true labels every this many epochs (and in the last one); see <see cref="FitContext.MonitorEvery"/>.</summary>
    public int MonitorEvery { get; init; } = 1;
    /// <summary>
    /// Scoring of the generated samples with a reference classifier (<see cref="GenerativeScoring"/>); none without a
    /// reference. In options.json only when a reference is named, so that the options of a run without one read and
    /// write the same text as before (and keep their experiment hash).
    /// </summary>
    public ReferenceScoringOptions Scoring { get; init; } = new();

    /// <summary>The options of the method whose options record is <typeparamref name="T"/>.</summary>
    public T Get<T>() where T : IMethodOptions => (T)MethodOptionsByName[MethodRegistry.ForOptions(typeof(T)).Name];

    /// <summary>A copy with the options of <paramref name="options"/>' method replaced.</summary>
    public TrainRunOptions With(IMethodOptions options)
    {
        var d = new Dictionary<string, IMethodOptions>(MethodOptionsByName) { [MethodRegistry.ForOptions(options.GetType()).Name] = options };
        return this with { MethodOptionsByName = d };
    }

    /// <summary>The registry entry of the chosen method; an unknown name is an <see cref="OptionException"/>.</summary>
    public MethodEntry Entry() => MethodRegistry.Get(Method);

    /// <summary>The options of the chosen method.</summary>
    public IMethodOptions MethodOptions() => MethodOptionsByName[Entry().Name];

    /// <summary>Checks what can be checked before the data is read.</summary>
    public void Validate()
    {
        Entry();
        if (MonitorEvery < 1) throw new OptionException("monitorEvery", $"{MonitorEvery} must be at least 1");
        Scoring.Validate();
    }

    public bool Equals(TrainRunOptions? other) =>
        other is not null && Json.Serialize(this) == Json.Serialize(other);

    public override int GetHashCode() => Json.Serialize(this).GetHashCode();
}

/// <summary>
/// options.json: data, method, then each registered method's options under its JSON key (registry order), then
/// monitorEvery, then, only when a reference classifier is named, reference, referenceEvery and referenceSamples. A key
/// that is missing reads as its default; unknown keys are ignored.
/// </summary>
public sealed class TrainRunOptionsJsonConverter : JsonConverter<TrainRunOptions>
{
    public override TrainRunOptions Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("options: expected a JSON object");
        var result = new TrainRunOptions();
        var methods = new Dictionary<string, IMethodOptions>(result.MethodOptionsByName);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.NameEquals("data")) result = result with { Data = p.Value.Deserialize<DataOptions>(options) ?? new DataOptions() };
            else if (p.NameEquals("method")) result = result with { Method = p.Value.GetString() ?? throw new JsonException("method: expected a string") };
            else if (p.NameEquals("monitorEvery")) result = result with { MonitorEvery = p.Value.GetInt32() };
            else if (p.NameEquals("reference")) result = result with { Scoring = result.Scoring with { Reference = p.Value.GetString() } };
            else if (p.NameEquals("referenceEvery")) result = result with { Scoring = result.Scoring with { ReferenceEvery = p.Value.GetInt32() } };
            else if (p.NameEquals("referenceSamples")) result = result with { Scoring = result.Scoring with { ReferenceSamples = p.Value.GetInt32() } };
            else if (MethodRegistry.All.FirstOrDefault(e => p.NameEquals(e.JsonKey)) is { } entry)
                methods[entry.Name] = (IMethodOptions)(p.Value.Deserialize(entry.OptionsType, options) ?? entry.Defaults());
        }
        return result with { MethodOptionsByName = methods };
    }

    public override void Write(Utf8JsonWriter writer, TrainRunOptions value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("data");
        JsonSerializer.Serialize(writer, value.Data, options);
        writer.WriteString("method", value.Method);
        foreach (var e in MethodRegistry.All)
        {
            writer.WritePropertyName(e.JsonKey);
            var o = value.MethodOptionsByName.TryGetValue(e.Name, out var x) ? x : e.Defaults();
            JsonSerializer.Serialize(writer, o, e.OptionsType, options);
        }
        writer.WriteNumber("monitorEvery", value.MonitorEvery);
        if (value.Scoring.Reference is string reference)
        {
            writer.WriteString("reference", reference);
            writer.WriteNumber("referenceEvery", value.Scoring.ReferenceEvery);
            writer.WriteNumber("referenceSamples", value.Scoring.ReferenceSamples);
        }
        writer.WriteEndObject();
    }
}
