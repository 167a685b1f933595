using System.CommandLine.Parsing;

namespace Dnnmm.Cli.Commands;

/// <summary>An --out option that names a file: checked when the command line is parsed, before any work is done.</summary>
public static class OutputFileOption
{
    /// <summary>
    /// Adds the check of <see cref="AtomicFile.CheckTarget"/> to <paramref name="option"/>: an existing folder, or a file in a
    /// folder that does not exist, is a one-line error naming the flag (nothing is created).
    /// </summary>
    public static Option<string> Checked(Option<string> option)
    {
        option.Validators.Add(r =>
        {
            string? path = r.Tokens.Count > 0 ? r.Tokens[^1].Value : null;
            if (path is null) return;
            try { AtomicFile.CheckTarget(path, $"{option.Name} {path}"); }
            catch (DnnmmInputException e) { r.AddError(e.Message); }
        });
        return option;
    }
}
