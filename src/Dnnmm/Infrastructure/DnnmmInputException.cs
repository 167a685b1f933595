namespace Dnnmm;

/// <summary>
/// Bad input from a user: a missing file, a wrong format, a wrong shape, an out-of-range option.
/// The message is one line that names the file or option; the CLI prints it and exits with code 2.
/// </summary>
public sealed class DnnmmInputException : Exception
{
    public DnnmmInputException(string message) : base(message) { }
    public DnnmmInputException(string message, Exception inner) : base(message, inner) { }
}
