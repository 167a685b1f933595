namespace Dnnmm.Infrastructure;

/// <summary>RFC 4180 fields, for every CSV file the product writes.</summary>
public static class Csv
{
    /// <summary>The field as written: quoted (quotes doubled) when it contains a comma, quote, CR or LF.</summary>
    public static string Field(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
    }
}
