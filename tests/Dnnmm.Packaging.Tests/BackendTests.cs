using System.Diagnostics;
using System.Text.Json;

namespace Dnnmm.Packaging.Tests;

/// <summary>
/// -p:TorchBackend chooses the libtorch package (docs/gpu.md): the CPU package by default, TorchSharp-cuda-linux with
/// cuda (built into bin/cuda and obj/cuda), an error for anything else. Checked by evaluating the project (no restore:
/// the CUDA package is not on the test machines' package source).
/// </summary>
public class BackendTests
{
    private static string Project()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Dnnmm.slnx"))) return Path.Combine(d.FullName, "src", "Dnnmm", "Dnnmm.csproj");
        throw new InvalidOperationException("repository root (Dnnmm.slnx) not found");
    }

    private static (int Code, string Out) Msbuild(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "msbuild", Project(), "-nologo", "-nodeReuse:false" }.Concat(args)) psi.ArgumentList.Add(a);
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, o + err.Result);
    }

    private static (List<string> Packages, string Output, Dictionary<string, string> Versions) Evaluate(params string[] props)
    {
        var (code, text) = Msbuild(new[] { "-getItem:PackageReference", "-getItem:PackageVersion", "-getProperty:BaseOutputPath" }.Concat(props).ToArray());
        Assert.True(code == 0, text);
        using var doc = JsonDocument.Parse(text);
        var items = doc.RootElement.GetProperty("Items");
        var packages = items.GetProperty("PackageReference").EnumerateArray().Select(i => i.GetProperty("Identity").GetString()!).ToList();
        var versions = items.GetProperty("PackageVersion").EnumerateArray()
            .ToDictionary(i => i.GetProperty("Identity").GetString()!, i => i.GetProperty("Version").GetString()!);
        return (packages, doc.RootElement.GetProperty("Properties").GetProperty("BaseOutputPath").GetString()!.Replace('\\', '/'), versions);
    }

    [Fact]
    public void TheCpuPackageIsTheDefaultAndCudaSwapsIt()
    {
        var cpu = Evaluate();
        Assert.Contains("TorchSharp-cpu", cpu.Packages);
        Assert.DoesNotContain("TorchSharp-cuda-linux", cpu.Packages);
        Assert.Equal("bin/", cpu.Output);

        var cuda = Evaluate("-p:TorchBackend=cuda");
        Assert.Contains("TorchSharp-cuda-linux", cuda.Packages);
        Assert.DoesNotContain("TorchSharp-cpu", cuda.Packages);
        Assert.Equal("bin/cuda/", cuda.Output);
        Assert.Equal(cpu.Packages.Where(p => !p.StartsWith("TorchSharp")), cuda.Packages.Where(p => !p.StartsWith("TorchSharp")));
        Assert.Equal(cpu.Versions["TorchSharp-cpu"], cpu.Versions["TorchSharp-cuda-linux"]); // the same TorchSharp release
    }

    [Fact]
    public void AnUnknownBackendStopsTheBuildWithAMessage()
    {
        var (code, text) = Msbuild("-t:DnnmmCheckTorchBackend", "-p:TorchBackend=rocm");
        Assert.NotEqual(0, code);
        Assert.Contains("TorchBackend 'rocm' is not a backend: use cpu (the default, TorchSharp-cpu) or cuda", text);
    }
}
