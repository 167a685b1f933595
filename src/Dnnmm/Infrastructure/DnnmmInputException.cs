namespace Dnnmm.Infrastructure;

/// <summary>
/// Bad input from a user: a missing file, a wrong format, a wrong shape, an out-of-range option.
/// The message is one line that names the file or option; the CLI prints it and exits with code 2.
/// </summary>
public class DnnmmInputException : Exception
{
    public DnnmmInputException(string message) : base(message) { }
    public DnnmmInputException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// An option value that is out of range or does not fit the data. <see cref="Option"/> is the option's JSON name
/// (as in options.json, e.g. "learningRate"); the message reads "&lt;option&gt; &lt;detail&gt;", and the CLI shows the
/// command-line flag in place of the JSON name.
/// </summary>
public sealed class OptionException : DnnmmInputException
{
    public OptionException(string option, string detail) : base($"{option} {detail}")
    {
        Option = option; Detail = detail;
    }

    /// <summary>The option's JSON name.</summary>
    public string Option { get; }
    /// <summary>What is wrong with its value, without the option's name.</summary>
    public string Detail { get; }
    /// <summary>The options record the option belongs to (set by the validation that throws), or null.</summary>
    public Type? Scope { get; init; }
}

/// <summary>Training stopped for a reason the user must see (divergence that learning-rate halving did not cure).</summary>
public sealed class DnnmmTrainingException(string message) : Exception(message);

/// <summary>
/// A file could not be written: disk full, a read-only folder, no permission. The file's earlier version (if any) is
/// unchanged, since every write goes through <see cref="AtomicFile"/>. The CLI prints the one-line message and exits
/// with code 4.
/// </summary>
public sealed class DnnmmWriteException : Exception
{
    public DnnmmWriteException(string path, Exception inner)
        : base($"cannot write {path}: {inner.Message.Replace('\n', ' ').Replace('\r', ' ')} (its earlier version, if any, is unchanged)", inner)
    {
        Path = path;
    }

    /// <summary>The file that could not be written.</summary>
    public string Path { get; }
}
