using System.CommandLine;
using TorchSharp;
using static TorchSharp.torch;
using System.Diagnostics;
using System.Security.Cryptography;
using Dnnmm.Cli;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;
using static Dnnmm.Tests.Cli.CliRunner;

namespace Dnnmm.Tests.Reliability;

/// <summary>
/// The bad inputs of issue 17, run through the command line: a one-line error naming the option or file, exit 2 (4 for a
/// write that fails), and every earlier file as it was.
/// </summary>
public class BadInputTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>A DNN-MM run of one epoch on 16 shipped MNIST images (about a second).</summary>
    internal static string[] TinyTrain(string outDir, params string[] more) => new[]
    {
        "train", "--data", "mnist", "--classes", "0,1", "--per-class", "8", "--alpha", "0.5", "--epochs", "1", "--width", "4",
        "--batch-size", "8", "--labelled-batch-size", "4", "--warmup-epochs", "0", "--threads", "1", "--out", outDir,
    }.Concat(more).ToArray();

    /// <summary>The SHA-256 of every file in a folder (subfolders included), by relative path.</summary>
    internal static Dictionary<string, string> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private string TrainedRun(string name = "run")
    {
        string run = dir.File(name);
        var r = Run(TinyTrain(run));
        Assert.True(r.Code == 0, r.Err);
        return run;
    }

    [Fact]
    public void ATypedOptionWithAWrongValueNamesTheFlagAndTheKind()
    {
        var r = Run("train", "--per-class", "ten", "--out", dir.File("x"));
        AssertBadInput(r, "--per-class 'ten' is not an integer");
        Assert.DoesNotContain("System.", r.Err);
        AssertBadInput(Run("train", "--alpha", "0,1", "--out", dir.File("x")), "--alpha '0,1' is not a number");
        Assert.False(Directory.Exists(dir.File("x")));
    }

    /// <summary>Every int, double or bool option of every command (walked from the root, so later options are covered too).</summary>
    [Fact]
    public void EveryTypedOptionOfEveryCommandNamesItsFlagOnAWrongValue()
    {
        var root = CliApp.BuildRoot();
        int checkedOptions = 0;
        void Walk(Command c, List<string> path)
        {
            foreach (var o in c.Options)
            {
                var t = Nullable.GetUnderlyingType(o.ValueType) ?? o.ValueType;
                if (t == typeof(string) || t == typeof(string[]) || o.Name is "--help" or "-h" or "--version") continue;
                var parsed = root.Parse(path.Concat(new[] { o.Name, "zz" }).ToArray());
                var messages = parsed.Errors.Select(e => e.Message).ToList();
                // A bool flag does not take "zz" as its value: then "zz" is an unexpected argument, which is named too.
                Assert.True(messages.Any(m => m.StartsWith($"{o.Name} 'zz' is not ", StringComparison.Ordinal)) || (t == typeof(bool) && messages.Any(m => m.Contains("'zz'"))),
                    $"{string.Join(' ', path)} {o.Name} ({o.ValueType}): {string.Join(" | ", messages)}");
                Assert.DoesNotContain(messages, m => m.Contains("System."));
                checkedOptions++;
            }
            foreach (var s in c.Subcommands) Walk(s, path.Append(s.Name).ToList());
        }
        Walk(root, new List<string>());
        Assert.True(checkedOptions > 50, $"{checkedOptions} options checked");
    }

    [Fact]
    public void AnOutputFileInAFolderThatDoesNotExistIsAnErrorAndCreatesNothing()
    {
        string run = TrainedRun();
        string missing = dir.File("no", "such", "x.csv");
        var r = Run("predict", "--model", run, "--data", "mnist", "--classes", "0,1", "--per-class", "4", "--out", missing);
        AssertBadInput(r, "does not exist");
        Assert.False(Directory.Exists(dir.File("no")));
        AssertBadInput(Run("sample", "--model", run, "--cluster", "0", "--out", dir.File("no", "x.png")), "does not exist");
        AssertBadInput(Run("viz", "curves", "--run", run, "--out", dir.File("no", "x.png")), "does not exist");
        Assert.False(Directory.Exists(dir.File("no")));
    }

    [Fact]
    public void OneClassIsAnErrorNotAPerfectScore()
    {
        string run = dir.File("one");
        var r = Run("train", "--data", "mnist", "--classes", "0", "--per-class", "8", "--epochs", "1", "--out", run);
        AssertBadInput(r, "--classes");
        Assert.Contains("at least 2 clusters", r.Err);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void ResumingWithOptionsThatChangeTheRunIsAnErrorNamingThemAndEpochsExtendIt()
    {
        string run = TrainedRun();
        var before = Snapshot(run);
        var r = Run("train", "--resume", run, "--per-class", "12", "--lr", "0.1", "--epochs", "2");
        AssertBadInput(r, "--per-class 12 (the run has 8)");
        Assert.Contains("--lr 0.1 (the run has 0.002)", r.Err);
        Assert.DoesNotContain("--epochs", r.Err.Split("would change")[0]);
        AssertBadInput(Run("train", "--resume", run, "--method", "kmeans"), "--method kmeans (the run has dnnmm)");
        AssertBadInput(Run("train", "--resume", run, "--out", dir.File("other")), "--resume");
        Assert.Equal(before, Snapshot(run));

        // Options given with the values the run has are fine, and --epochs extends it.
        var ok = Run("train", "--resume", run, "--per-class", "8", "--classes", "0,1", "--epochs", "2", "--threads", "1");
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Contains("resumed from epoch 1", ok.Out);
        var rows = new RunFolder(run).ReadMetrics();
        Assert.Equal(new[] { 1, 2 }, rows.Select(x => x.Epoch));
        Assert.Contains("\"epochs\": 2", File.ReadAllText(Path.Combine(run, RunFolder.OptionsFile)));
        AssertBadInput(Run("train", "--resume", run, "--epochs", "1"), "--epochs 1 is below the 2 epochs");
    }

    [Fact]
    public void ADamagedCheckpointIsNamedWithoutItsBytesAndNothingIsOverwritten()
    {
        string run = TrainedRun();
        string ck = Path.Combine(run, RunFolder.CheckpointFile);
        var bytes = File.ReadAllBytes(ck);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(ck, bytes);
        var before = Snapshot(run);
        var r = Run("predict", "--model", run, "--data", "mnist", "--classes", "0,1", "--per-class", "4", "--out", dir.File("p.csv"));
        AssertBadInput(r, $"{ck}: damaged checkpoint");
        Assert.All(r.Err.TrimEnd(), c => Assert.InRange(c, ' ', '~'));
        AssertBadInput(Run("train", "--resume", run, "--epochs", "2"), "damaged checkpoint");
        Assert.Equal(before, Snapshot(run));
        Assert.False(File.Exists(dir.File("p.csv")));

        // A file cut short, and one that is not a checkpoint at all.
        File.WriteAllBytes(ck, bytes[..1000]);
        AssertBadInput(Run("sample", "--model", run, "--cluster", "0", "--out", dir.File("s.png")), "damaged checkpoint");
        File.WriteAllText(ck, "hello");
        AssertBadInput(Run("sample", "--model", run, "--cluster", "0", "--out", dir.File("s.png")), "damaged checkpoint");
    }

    [Fact]
    public void TheWeightCountOfModelJsonIsAtMostTheNetworksWeights()
    {
        foreach (var (c, side, width, latent, depth) in new[] { (1, 28, 8, 10, 1), (3, 32, 16, 10, 1), (3, 64, 4, 12, 3), (1, 16, 32, 5, 1), (1, 28, 8, 10, 2) })
        {
            var info = new DnnmmModelInfo(c, side, side, 5, latent, width, Enumerable.Range(0, 5).Select(i => $"c{i}").ToArray(), MeanPlacement.OneHot, 4, 1,
                EncoderDepth: depth);
            using var m = new DnnmmModel(info, torch.CPU);
            long weights = new nn.Module[] { m.G, m.E, m.D }.SelectMany(n => n.named_parameters())
                .Where(p => p.name.EndsWith("weight") && p.parameter.dim() > 1).Sum(p => p.parameter.numel());
            Assert.Equal(weights, info.WeightCount());
        }
    }

    [Fact]
    public void AFailedCheckpointWriteKeepsThePreviousOneAndIsAOneLineErrorWithExitCode4()
    {
        string run = TrainedRun();
        var before = Snapshot(run);
        (int Code, string Out, string Err) r;
        using (AtomicFile.SimulateFullDisk(p => p.EndsWith(RunFolder.CheckpointFile, StringComparison.Ordinal)))
            r = Run("train", "--resume", run, "--epochs", "2");
        Assert.Equal(CliApp.WriteFailed, r.Code);
        var lines = r.Err.TrimEnd().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: cannot write", lines[0]);
        Assert.Contains("No space left on device", lines[0]);
        Assert.Equal(before[RunFolder.CheckpointFile], Snapshot(run)[RunFolder.CheckpointFile]);
        Assert.Equal(before[RunFolder.SummaryFile], Snapshot(run)[RunFolder.SummaryFile]);
        Assert.DoesNotContain(Directory.GetFiles(run), f => f.EndsWith(".tmp", StringComparison.Ordinal) || FolderLock.IsLockFile(f));

        // The same resume without the fault finishes with one row per epoch.
        var ok = Run("train", "--resume", run, "--epochs", "2");
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Equal(new[] { 1, 2 }, new RunFolder(run).ReadMetrics().Select(x => x.Epoch));
    }

    [Fact]
    public void AFailedPredictWriteLeavesTheEarlierCsv()
    {
        string run = TrainedRun();
        string csv = dir.File("p.csv");
        File.WriteAllText(csv, "earlier");
        (int Code, string Out, string Err) r;
        using (AtomicFile.SimulateFullDisk(p => p.EndsWith("p.csv", StringComparison.Ordinal)))
            r = Run("predict", "--model", run, "--data", "mnist", "--classes", "0,1", "--per-class", "4", "--out", csv);
        Assert.Equal(CliApp.WriteFailed, r.Code);
        Assert.Equal("earlier", File.ReadAllText(csv));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    // ---- locks ----

    [Fact]
    public void ARunFolderHeldByALiveProcessIsRefusedEvenWithForce()
    {
        string run = TrainedRun();
        var before = Snapshot(run);
        // This test process holds the lock, as another dnnmm process would.
        using (FolderLock.Acquire(run, "run folder"))
        {
            var r = Run(TinyTrain(run, "--force"));
            AssertBadInput(r, $"in use by another dnnmm process (pid {Environment.ProcessId}");
            AssertBadInput(Run("train", "--resume", run, "--epochs", "2"), $"pid {Environment.ProcessId}");
            Assert.Equal(before, Snapshot(run).Where(kv => !FolderLock.IsLockFile(kv.Key)).ToDictionary());
        }
        Assert.False(File.Exists(Path.Combine(run, FolderLock.FileName)));
        Assert.Equal(0, Run(TinyTrain(run, "--force")).Code);
    }

    [Fact]
    public void AnExperimentFolderHeldByALiveProcessIsRefused()
    {
        string exp = dir.File("exp");
        using (FolderLock.Acquire(exp, "experiment folder"))
            AssertBadInput(Run("experiment", "--preset", "quick", "--per-class", "4", "--out", exp, "--force"), $"pid {Environment.ProcessId}");
        Assert.Empty(Directory.GetFileSystemEntries(exp));
    }

    [Fact]
    public void AStaleLockOfAProcessThatIsGoneIsTakenOver()
    {
        string run = dir.File("stale");
        Directory.CreateDirectory(run);
        using (var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!) { p.WaitForExit(); DeadPid = p.Id; }
        File.WriteAllText(Path.Combine(run, FolderLock.FileName), $"pid={DeadPid}\nhost={Environment.MachineName}\nstart=1\n");
        var r = Run(TinyTrain(run));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains($"took over the lock of pid {DeadPid}", r.Out);
        Assert.False(File.Exists(Path.Combine(run, FolderLock.FileName)));

        // A lock file that is not one (empty, garbage) is stale too; a pid that runs with another start time was reused.
        File.WriteAllText(Path.Combine(run, FolderLock.FileName), "");
        Assert.Equal(0, Run("train", "--resume", run).Code);
        File.WriteAllText(Path.Combine(run, FolderLock.FileName), $"pid={Environment.ProcessId}\nhost={Environment.MachineName}\nstart=1\n");
        using (var l = FolderLock.Acquire(run)) Assert.Equal($"pid {Environment.ProcessId}", l.TakenOverFrom);
    }

    private int DeadPid { get; set; }

    [Fact]
    public void DataLargerThanTheMemoryAvailableIsAOneLineErrorBeforeTrainingAndTheEarlierRunIsKept()
    {
        string run = TrainedRun();
        var before = Snapshot(run);
        using (Dnnmm.Data.MemoryBudget.Limit(1_000_000))
        {
            // The shipped subset: 10,000 images of 1x28x28 in its IDX file.
            var info = Run("data", "info", "--data", "mnist");
            AssertBadInput(info, "10000 images of 1x28x28 need about 8.5 MB in memory, but only 1.0 MB are available (DNNMM_MEMORY_LIMIT)");
            AssertBadInput(Run(TinyTrain(run, "--force")), "need about 8.5 MB");
            AssertBadInput(Run(TinyTrain(dir.File("new"))), "need about 8.5 MB");
        }
        Assert.Equal(before, Snapshot(run));
        Assert.False(Directory.Exists(dir.File("new")));
    }

    /// <summary>The variable itself, read by the dnnmm program (a child process, so no other test sees it).</summary>
    [Fact]
    public void TheMemoryLimitVariableIsReadByTheProgramAndAWrongValueIsNamed()
    {
        (int Code, string Err) Program(string limit) =>
            ProgramWith(Dnnmm.Data.MemoryBudget.LimitVariable, limit, "data", "info", "--data", "mnist");
        foreach (var (limit, message) in new[]
                 {
                     ("1000000", "10000 images of 1x28x28 need about 8.5 MB in memory, but only 1.0 MB are available (DNNMM_MEMORY_LIMIT)"),
                     ("4G", "DNNMM_MEMORY_LIMIT='4G': not a number of bytes"),
                 })
        {
            var (code, err) = Program(limit);
            Assert.Equal(CliApp.BadInput, code);
            Assert.Single(err.TrimEnd().Split('\n'));
            Assert.StartsWith("error: ", err);
            Assert.Contains(message, err);
        }
        Assert.Equal(0, Program("100000000").Code);
    }

    /// <summary>The dnnmm program as a child process with one environment variable set (no other test sees it).</summary>
    internal static (int Code, string Err) ProgramWith(string variable, string value, params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dnnmm.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[variable] = value;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000));
        return (p.ExitCode, err.Result);
    }

    [Fact]
    public void AMalformedThreadsVariableIsNamedBeforeTheRunFolderIsTouched()
    {
        string run = TrainedRun();
        var before = Snapshot(run);
        var (code, err) = ProgramWith(Compute.ThreadsVariable, "two", TinyTrain(run, "--force"));
        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal("error: DNNMM_THREADS='two': not a positive number of threads", err.TrimEnd());
        Assert.Equal(before, Snapshot(run));
        (code, _) = ProgramWith(Compute.ThreadsVariable, "two", TinyTrain(dir.File("new")));
        Assert.Equal(CliApp.BadInput, code);
        Assert.False(Directory.Exists(dir.File("new")));
    }
}
