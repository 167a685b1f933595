using System.Diagnostics;
using Dnnmm.Tests.Architecture;
using static Dnnmm.Tests.Cli.CliRunner;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Clustering;

/// <summary>The README's C# example is examples/ClusterImages/Program.cs, which the test build builds and this test runs.</summary>
public class ExampleProjectTests
{
    private static string ExampleDir => Path.Combine(LayerTests.RepoRoot(), "examples", "ClusterImages");

    [Fact]
    public void TheReadmeShowsTheExampleProgramWordForWord()
    {
        string readme = File.ReadAllText(Path.Combine(LayerTests.RepoRoot(), "README.md")).Replace("\r\n", "\n");
        string program = File.ReadAllText(Path.Combine(ExampleDir, "Program.cs")).Replace("\r\n", "\n");
        Assert.Contains("```csharp\n" + program.TrimEnd('\n') + "\n```", readme);
    }

    [Fact]
    public async Task TheExampleRunsOnTinyImagesAndItsModelIsARunFolderForPredict()
    {
        // The example project is built with this test project (a project reference that does not reference its assembly),
        // in the same configuration: bin/<configuration>/<framework>/ of this test assembly.
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string dll = Path.Combine(ExampleDir, "bin", testBin.Parent!.Name, testBin.Name, "ClusterImages.dll");
        Assert.True(File.Exists(dll), $"{dll} was not built");

        using var t = new TempDir();
        string images = t.Sub("images");
        for (int i = 0; i < 6; i++)
        {
            byte V(int y) => (byte)((y < 16) == (i % 2 == 0) ? 220 : 30);
            if (i < 3) WritePng(Path.Combine(images, $"img{i}.png"), 32, 32, (x, y) => (V(y), V(y), 40));
            else WriteJpeg(Path.Combine(images, $"img{i}.jpg"), 40, 40, (x, y) => (V(y * 32 / 40), 60, V(y * 32 / 40)));
        }
        string model = t.File("model");
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { dll, images, "2", "1", model }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            try { await p.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail("the example ran for more than 120 s");
            }
        }
        string output = await stdout;
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {await stderr}\n{output}");
        for (int i = 0; i < 6; i++)
            Assert.Matches($@"img{i}\.(png|jpg): cluster [01], log-likelihood -\d+\.\d\d", output);
        Assert.Contains("same clusters after loading: True", output);

        // the saved clusterer is a run folder: dnnmm predict reads it
        string csv = t.File("pred.csv");
        var r = Run("predict", "--model", model, "--data", "folder:" + images, "--out", csv);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal("index,file,class,cluster,p_0,p_1,log_likelihood", File.ReadLines(csv).First());
        // without --data there is no spec to read the images again (they were given from C#)
        AssertBadInput(Run("predict", "--model", model, "--out", csv), "given in memory");
    }
}
