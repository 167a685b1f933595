using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Dnnmm.Data;
using Dnnmm.Infrastructure;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Runs;
using Dnnmm.Tests.Architecture;
using static Dnnmm.Tests.Cli.CliRunner;

namespace Dnnmm.Tests.Runs;

/// <summary>dnnmm export: safetensors with PyTorch state-dict names and a JSON sidecar, re-imported to the same model.</summary>
public class WeightsExportTests
{
    private static readonly string[] Data = { "--data", "mnist", "--classes", "0,1,2", "--per-class", "30" };

    private static void Train(string dir)
    {
        var r = Run(new[] { "train" }.Concat(Data).Concat(new[] { "--alpha", "0.3", "--epochs", "1", "--width", "8", "--threads", "1", "--out", dir }).ToArray());
        Assert.True(r.Code == 0, r.Err);
    }

    [Fact]
    public void ExportWritesSafetensorsAndASidecarThatReimportToTheSamePredictions()
    {
        using var tmp = new TempDir();
        string run = tmp.File("run");
        Train(run);
        string weights = tmp.File("out", "model.safetensors");
        var r = Run("export", "--model", run, "--out", weights);
        Assert.True(r.Code == 0, r.Err);
        string sidecar = tmp.File("out", "model.dnnmm.json");
        Assert.Contains("-> " + weights, r.Out);
        Assert.True(File.Exists(sidecar));

        // The header, read by hand against the format: u64 LE length, JSON object, offsets contiguous from 0 to the end.
        byte[] bytes = File.ReadAllBytes(weights);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
        var sizes = new Dictionary<string, int> { ["F32"] = 4, ["I64"] = 8 };
        var ranges = new List<(string Name, long Begin, long End)>();
        foreach (var p in header.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__")
            {
                Assert.All(p.Value.EnumerateObject(), m => Assert.Equal(JsonValueKind.String, m.Value.ValueKind));
                Assert.Equal("dnnmm", p.Value.GetProperty("method").GetString());
                continue;
            }
            string dtype = p.Value.GetProperty("dtype").GetString()!;
            Assert.Contains(dtype, sizes.Keys);
            long count = p.Value.GetProperty("shape").EnumerateArray().Aggregate(1L, (a, s) => a * s.GetInt64());
            var off = p.Value.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            Assert.Equal(count * sizes[dtype], off[1] - off[0]);
            ranges.Add((p.Name, off[0], off[1]));
        }
        long at = 0;
        foreach (var (_, begin, end) in ranges.OrderBy(x => x.Begin)) { Assert.Equal(at, begin); at = end; }
        Assert.Equal(bytes.Length - 8 - n, at);

        // PyTorch names: every parameter and buffer of the three networks, and the mixture.
        var names = ranges.Select(x => x.Name).ToHashSet();
        foreach (var name in new[] { "encoder.trunk.conv1.weight", "encoder.trunk.conv2.bias", "encoder.head.weight", "discriminator.head.bias",
                     "generator.project.fc.weight", "generator.project.bn.running_var", "generator.project.bn.num_batches_tracked",
                     "generator.upsample.deconv1.weight", "generator.upsample.bn1.running_mean", "generator.upsample.deconv2.weight", "mixture.means", "mixture.omega" })
            Assert.Contains(name, names);
        using var trained = (DnnmmMethod)TrainRun.LoadMethod(run);
        var stateNames = trained.Model.G.state_dict().Keys.Select(k => "generator." + k)
            .Concat(trained.Model.E.state_dict().Keys.Select(k => "encoder." + k))
            .Concat(trained.Model.D.state_dict().Keys.Select(k => "discriminator." + k))
            .Concat(new[] { "mixture.means", "mixture.omega" });
        Assert.Equal(stateNames.Order(), names.Order());

        // The sidecar.
        using var desc = JsonDocument.Parse(File.ReadAllText(sidecar));
        var root = desc.RootElement;
        Assert.Equal(3, root.GetProperty("clusters").GetInt32());
        Assert.Equal(trained.LatentDim, root.GetProperty("latentDim").GetInt32());
        Assert.Equal(new[] { 1, 28, 28 }, root.GetProperty("imageShape").EnumerateArray().Select(x => x.GetInt32()));
        Assert.Equal(trained.Omega, root.GetProperty("omega").EnumerateArray().Select(x => x.GetSingle()));
        Assert.Equal(trained.Model.ComponentMeans(), root.GetProperty("means").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(x => x.GetSingle()));
        Assert.Equal(8, root.GetProperty("architecture").GetProperty("networkWidth").GetInt32());
        Assert.Equal(2, root.GetProperty("architecture").GetProperty("stages").GetInt32());
        Assert.Equal(1, root.GetProperty("options").GetProperty("epochs").GetInt32());
        Assert.Equal("mnist", root.GetProperty("data").GetProperty("data").GetString());
        Assert.Equal("model.safetensors", root.GetProperty("weights").GetString());

        // Re-imported into a fresh model: the same memberships, log-likelihoods and samples, bit for bit.
        var images = DataPipeline.Prepare(new DataOptions { Data = "mnist", Classes = new[] { "0", "1", "2" }, PerClass = 30 }).Images;
        using var imported = DnnmmExport.Import(weights);
        Assert.Equal(trained.PredictProbabilities(images), imported.PredictProbabilities(images));
        Assert.Equal(trained.ScoreSamples(images), imported.ScoreSamples(images));
        Assert.Equal(trained.Sample(2, 4, 7), imported.Sample(2, 4, 7));
        Assert.Equal(trained.Omega, imported.Omega);
        Assert.Equal(trained.CanSample, imported.CanSample);

        // The sidecar's check (what tools/load_dnnmm.py compares against) is what the model computes.
        var check = root.GetProperty("check");
        var posterior = check.GetProperty("posterior").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(x => x.GetSingle()).ToArray();
        var fromMeans = new ImageSet(imported.Model.Generate(imported.Model.ComponentMeans()), new[] { 0, 1, 2 }, new[] { "0", "1", "2" }, 1, 28, 28, "means");
        var p2 = imported.PredictProbabilities(fromMeans);
        Assert.Equal(posterior, Enumerable.Range(0, 9).Select(i => p2[i / 3, i % 3]));
    }

    [Fact]
    public void ExportHasHelp()
    {
        var r = Run("export", "--help");
        Assert.Equal(0, r.Code);
        Assert.Contains("safetensors", r.Out);
        Assert.Contains("--model", r.Out);
    }

    [Fact]
    public void ExportRefusesBaselinesMissingModelsAndBadOutputsAndWritesNothing()
    {
        using var tmp = new TempDir();
        string km = tmp.File("km");
        var t = Run("train", "--method", "kmeans", "--classes", "0,1", "--per-class", "20", "--kmeans-restarts", "2", "--out", km);
        Assert.True(t.Code == 0, t.Err);
        string outDir = tmp.Sub("out");
        string weights = Path.Combine(outDir, "m.safetensors");

        AssertBadInput(Run("export", "--model", km, "--out", weights), "a 'kmeans' model cannot be exported");
        AssertBadInput(Run("export", "--model", tmp.File("nothing-here"), "--out", weights), "nothing-here");
        string killed = tmp.Sub("killed"); // a dnnmm run folder that never finished an epoch
        File.WriteAllText(Path.Combine(killed, "options.json"), "{\"method\": \"dnnmm\"}");
        AssertBadInput(Run("export", "--model", killed, "--out", weights), "no saved model");
        AssertBadInput(Run("export", "--model", km, "--out", Path.Combine(outDir, "m.pt")), "must end in .safetensors");
        Directory.CreateDirectory(Path.Combine(outDir, "dir.safetensors"));
        AssertBadInput(Run("export", "--model", km, "--out", Path.Combine(outDir, "dir.safetensors")), "is a folder");
        Assert.Equal(new[] { "dir.safetensors" }, Directory.EnumerateFileSystemEntries(outDir).Select(Path.GetFileName));
        Assert.Empty(Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void ImportRejectsWeightsThatDoNotFitTheirDescription()
    {
        using var tmp = new TempDir();
        string run = tmp.File("run");
        Train(run);
        string weights = tmp.File("m.safetensors");
        Assert.Equal(0, Run("export", "--model", run, "--out", weights).Code);

        // Drop one tensor: the import names it.
        var file = Safetensors.Read(weights);
        var tensors = file.ToTensors();
        tensors.Remove("encoder.head.bias", out var dropped);
        dropped!.Dispose();
        Safetensors.Write(weights, tensors, file.Metadata);
        foreach (var x in tensors.Values) x.Dispose();
        var e = Assert.Throws<DnnmmInputException>(() => DnnmmExport.Import(weights));
        Assert.Contains("missing encoder.head.bias", e.Message);

        File.Delete(tmp.File("m.dnnmm.json"));
        Assert.Contains("was not found", Assert.Throws<DnnmmInputException>(() => DnnmmExport.Import(weights)).Message);
    }

    [Fact]
    public void ThePythonLoaderIsValidPython()
    {
        // PyTorch is not on the test machines, so tools/load_dnnmm.py is only compiled here (README, "Weights for PyTorch", says how it was checked).
        string loader = Path.Combine(LayerTests.RepoRoot(), "tools", "load_dnnmm.py");
        using var tmp = new TempDir();
        var psi = new ProcessStartInfo("python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)", loader, tmp.File("x.pyc") })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err);
        Assert.True(File.Exists(tmp.File("x.pyc")));
    }
}
