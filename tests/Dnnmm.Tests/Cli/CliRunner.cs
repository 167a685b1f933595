using Dnnmm.Cli;

namespace Dnnmm.Tests.Cli;

/// <summary>Runs the dnnmm command line in-process and checks its bad-input contract.</summary>
public static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>Exit code 2 and exactly one "error: ..." line that contains the given text, no stack trace.</summary>
    public static void AssertBadInput((int Code, string Out, string Err) r, string mustContain)
    {
        Assert.Equal(CliApp.BadInput, r.Code);
        var lines = r.Err.TrimEnd().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(mustContain, lines[0]);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
