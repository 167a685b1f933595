using Dnnmm.Cli.Commands;

namespace Dnnmm.Cli;

/// <summary>The dnnmm command line: a thin layer over the library.</summary>
public static class CliApp
{
    /// <summary>Exit code for bad input (missing file, wrong format, out-of-range option).</summary>
    public const int BadInput = 2;
    /// <summary>Exit code for a training that failed (diverged).</summary>
    public const int Failed = 3;
    /// <summary>Exit code for output that could not be written (disk full, read-only folder, no permission); earlier files are unchanged.</summary>
    public const int WriteFailed = 4;

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("dnnmm: generative deep-neural-network mixture models (DNN-MM, MinMax+EM) and semi-supervised image clustering.");
        root.Add(DataCommands.Build());
        root.Add(TrainCommand.Build());
        root.Add(PredictCommand.Build());
        root.Add(SampleCommand.Build());
        root.Add(ExportCommand.Build());
        root.Add(BenchCommand.Build());
        root.Add(VizCommand.Build());
        root.Add(ExperimentCommand.Build());
        root.Add(ReferenceCommand.Build());
        TypedOptionParsers.Apply(root);
        return root;
    }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = BuildRoot();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine($"error: {OneLine(parsed.Errors[0].Message)} (see 'dnnmm {string.Join(' ', CommandPath(parsed))} --help')");
            return BadInput;
        }
        try
        {
            var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
            return parsed.Invoke(config);
        }
        catch (OptionException e)
        {
            string flag = MethodOptionsBinder.FlagOf(e.Scope, e.Option) ?? OptionRecordFlags.FlagOf(e.Scope, e.Option) ?? "--" + OptionSchema.Kebab(e.Option);
            stderr.WriteLine($"error: {flag} {OneLine(e.Detail)}");
            return BadInput;
        }
        catch (DnnmmInputException e)
        {
            stderr.WriteLine($"error: {OneLine(e.Message)}");
            return BadInput;
        }
        catch (DnnmmTrainingException e)
        {
            stderr.WriteLine($"error: {OneLine(e.Message)}");
            return Failed;
        }
        catch (DnnmmWriteException e)
        {
            stderr.WriteLine($"error: {OneLine(e.Message)}");
            return WriteFailed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A folder that cannot be created or cleared (read-only, no permission, no space): not a crash with a stack trace.
            stderr.WriteLine($"error: {OneLine(e.Message)}");
            return WriteFailed;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("error: cancelled");
            return 130;
        }
    }

    private static IEnumerable<string> CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var r = parsed.CommandResult; r is not null && r.Parent is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command.Name);
        return names;
    }

    private static string OneLine(string s) => s.Replace('\n', ' ').Replace('\r', ' ');
}
