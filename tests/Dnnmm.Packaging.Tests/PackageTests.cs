using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Dnnmm.Packaging.Tests;

/// <summary>
/// dotnet pack makes the three packages (Dnnmm.Core, Dnnmm.Tsne, the dnnmm tool), and they work outside this
/// repository: a throwaway console program that references Dnnmm from a package folder builds (the package's
/// buildTransitive step patches libLibTorchSharp.so), loads libtorch and runs; the tool installs from the folder,
/// prints its version and trains a tiny model on the MNIST subset it ships.
/// Cheap where it can be: one MSBuild process packs the built projects (NoBuild, nothing recompiled), the tool
/// package keeps the linux-x64 native files only (DnnmmToolRuntimes), restores are offline (the package folder,
/// with the NuGet cache as a read-only fallback folder), and nothing lands in the user's NuGet cache.
/// </summary>
public class PackageTests(ITestOutputHelper log)
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public void PackagesInstallAndRunOutsideTheRepository()
    {
        var total = Stopwatch.StartNew();
        string root = RepoRoot();
        string version = Regex.Match(File.ReadAllText(Path.Combine(root, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(version), "no <Version> in Directory.Build.props");
        string tmp = Path.Combine(Path.GetTempPath(), "dnnmm-pack-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tmp);
        try
        {
            string feed = Path.Combine(tmp, "feed");

            // 1. Pack the library, the t-SNE package and the tool from the existing build, in one MSBuild process.
            string projects = string.Join(';', new[] { "Dnnmm.Tsne/Dnnmm.Tsne.csproj", "Dnnmm/Dnnmm.csproj", "Dnnmm.Cli/Dnnmm.Cli.csproj" }
                .Select(p => Path.Combine(root, "src", p)));
            File.WriteAllText(Path.Combine(tmp, "pack.proj"), $"""
                <Project>
                  <Target Name="Build">
                    <MSBuild Projects="{projects}" Targets="Pack" BuildInParallel="true"
                             Properties="Configuration={Configuration};NoBuild=true;PackageOutputPath={feed}/;NuspecOutputPath={tmp}/nuspec/;PublishDir={tmp}/publish/;DnnmmToolRuntimes=linux-x64" />
                  </Target>
                </Project>
                """);
            Dotnet(tmp, "msbuild", "pack.proj", "-m", "-nologo", "-v:m", "-nodeReuse:false");
            log.WriteLine($"packed in {total.Elapsed.TotalSeconds:F1} s");

            string lib = Path.Combine(feed, $"Dnnmm.Core.{version}.nupkg");
            string tsne = Path.Combine(feed, $"Dnnmm.Tsne.{version}.nupkg");
            string tool = Path.Combine(feed, $"dnnmm.{version}.nupkg");
            foreach (var f in new[] { lib, tsne, tool })
                log.WriteLine($"{Path.GetFileName(f)}: {new FileInfo(f).Length:N0} bytes");
            CheckLibraryPackage(lib, version);
            CheckTsnePackage(tsne);
            CheckToolPackage(tool);

            // 2. A console program outside the repository that references the package and loads libtorch through it.
            string app = Path.Combine(tmp, "app");
            Directory.CreateDirectory(app);
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p0 ? p0
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <config><add key="globalPackagesFolder" value="{tmp}/packages" /></config>
                  <packageSources><clear /><add key="local" value="{feed}" /></packageSources>
                  <fallbackPackageFolders><clear /><add key="cache" value="{cache}" /></fallbackPackageFolders>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Dnnmm.Core" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using Dnnmm.Methods;
                using Dnnmm.Methods.Dnnmm;
                using Dnnmm.Tsne;

                // A small untrained DNN-MM model: its networks live in libtorch, so this loads the native library.
                var info = new DnnmmModelInfo(1, 28, 28, 2, 4, 8, new[] { "a", "b" }, MeanPlacement.OneHot, 4.0, 1);
                using var model = new DnnmmModel(info, TorchSharp.torch.CPU);
                float[] images = model.Sample(1, 3, 1);
                // The t-SNE package comes along as a dependency.
                var xy = TsneEmbedding.Embed(new float[] { 0, 0, 1, 1, 5, 5, 6, 6 }, 4, 2, new TsneOptions { Perplexity = 1, Iterations = 50 });
                Console.WriteLine($"dnnmm package ok: {images.Length} pixels, t-SNE {xy.GetLength(0)}x{xy.GetLength(1)}");
                """);
            var sw = Stopwatch.StartNew();
            // The repository's Directory.Build.* would bring the fix from the repository: the package must bring it alone.
            string built = Dotnet(app, "build", "-c", "Release", "-nologo", "-v:m", "-nodeReuse:false", "-p:UseSharedCompilation=false",
                "-p:ImportDirectoryBuildProps=false", "-p:ImportDirectoryBuildTargets=false", "-p:ImportDirectoryPackagesProps=false");
            Assert.Contains("dnnmm: marked GLIBCXX_3.4.32 weak", built); // the buildTransitive step of the package ran
            string ran = Dotnet(app, Path.Combine("bin", "Release", "net10.0", "app.dll"));
            Assert.Contains($"dnnmm package ok: {3 * 28 * 28} pixels, t-SNE 4x2", ran);
            log.WriteLine($"console program built and ran in {sw.Elapsed.TotalSeconds:F1} s");

            // 3. The tool: installed from the folder alone, its version, a tiny training on the MNIST subset it ships.
            sw.Restart();
            File.WriteAllText(Path.Combine(tmp, "tool.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration><packageSources><clear /><add key="local" value="{feed}" /></packageSources></configuration>
                """);
            string tools = Path.Combine(tmp, "tools");
            Dotnet(tmp, "tool", "install", "--tool-path", tools, "--configfile", Path.Combine(tmp, "tool.config"), "dnnmm", "--version", version);
            string dnnmm = Path.Combine(tools, "dnnmm");
            Assert.StartsWith(version, Run(dnnmm, tmp, "--version").Trim()); // "0.1.0+<commit>"
            string run = Path.Combine(tmp, "run");
            string trained = Run(dnnmm, tmp, "train", "--data", "mnist", "--classes", "0,1", "--per-class", "20", "--alpha", "0.5",
                "--epochs", "1", "--width", "8", "--out", run);
            Assert.Contains("final ACC", trained);
            Assert.True(File.Exists(Path.Combine(run, "summary.json")), trained);
            log.WriteLine($"tool installed and ran in {sw.Elapsed.TotalSeconds:F1} s; whole test {total.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            try { Directory.Delete(tmp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static void CheckLibraryPackage(string path, string version)
    {
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var f in new[] { "README.md", "LICENSE", "lib/net10.0/Dnnmm.Core.dll", "lib/net10.0/Dnnmm.Core.xml",
                     "buildTransitive/Dnnmm.Core.targets", "buildTransitive/TorchSharpGlibcxxFix.targets" })
            Assert.Contains(f, names);
        var meta = Nuspec(zip);
        Assert.Equal("Dnnmm.Core", Meta(meta, "id"));
        Assert.Equal(version, Meta(meta, "version"));
        Assert.Equal("MIT", Meta(meta, "license"));
        Assert.Equal("README.md", Meta(meta, "readme"));
        Assert.False(string.IsNullOrWhiteSpace(Meta(meta, "description")));
        var deps = meta.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).ToList();
        Assert.Contains("Dnnmm.Tsne", deps);
        Assert.Contains("TorchSharp-cpu", deps);
    }

    private static void CheckTsnePackage(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("lib/net10.0/Dnnmm.Tsne.dll", names);
        Assert.Contains("README.md", names);
        var meta = Nuspec(zip);
        Assert.Equal("MIT", Meta(meta, "license"));
        Assert.DoesNotContain(meta.Descendants(), e => e.Name.LocalName == "dependency"); // no TorchSharp, nothing at all
    }

    private static void CheckToolPackage(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        var meta = Nuspec(zip);
        Assert.Equal("DotnetTool", (string?)meta.Descendants().First(e => e.Name.LocalName == "packageType").Attribute("name"));
        using (var settings = zip.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open())
            Assert.Equal("dnnmm", (string?)XDocument.Load(settings).Descendants("Command").Single().Attribute("Name"));
        Assert.Contains("tools/net10.0/any/data/mnist/train-images-idx3-ubyte.gz", names);
        Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/libLibTorchSharp.so", names);
        Assert.DoesNotContain(names, n => n.Contains("/runtimes/win-x64/") || n.Contains("/runtimes/osx-arm64/")); // DnnmmToolRuntimes
    }

    private static XElement Nuspec(ZipArchive zip)
    {
        using var s = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open();
        return XDocument.Load(s).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Meta(XElement meta, string name) => (string?)meta.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Dnnmm.slnx"))) return d.FullName;
        throw new InvalidOperationException("repository root (Dnnmm.slnx) not found above " + AppContext.BaseDirectory);
    }

    private string Dotnet(string dir, params string[] args) => Run("dotnet", dir, args);

    /// <summary>Runs a program to its end (at most 5 minutes); its output, which the assertion shows when the exit code is not 0.</summary>
    private string Run(string program, string dir, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // No build servers or MSBuild nodes left behind, no first-run banners.
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var output = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        var sw = Stopwatch.StartNew();
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish in 5 minutes:\n{output}");
        }
        p.WaitForExit();
        string text;
        lock (output) text = output.ToString();
        log.WriteLine($"{Path.GetFileName(program)} {string.Join(' ', args.Take(3))}: exit {p.ExitCode}, {sw.Elapsed.TotalSeconds:F1} s");
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {p.ExitCode}:\n{text}");
        return text;
    }
}
