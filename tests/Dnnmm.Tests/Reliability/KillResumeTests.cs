using System.Diagnostics;
using Xunit.Abstractions;
using Dnnmm.Experiments;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Runs;
using Dnnmm.Tests.Experiments;
using static Dnnmm.Tests.Cli.CliRunner;

namespace Dnnmm.Tests.Reliability;

/// <summary>
/// The small version of experiments/reliability/kill-resume.sh: the dnnmm program run as a child process and killed
/// (SIGKILL) at random moments, then resumed; the result must equal an uninterrupted run's, with every metrics and
/// results.csv row once. The random moments come from a seed printed in the test output.
/// </summary>
public class KillResumeTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir dir = new();
    private readonly int seed = Environment.TickCount & 0xFFFF;

    public void Dispose() => dir.Dispose();

    private static readonly string[] Train =
    {
        "train", "--data", "mnist", "--classes", "0,1", "--per-class", "24", "--alpha", "0.25", "--epochs", "5", "--width", "4",
        "--batch-size", "8", "--labelled-batch-size", "4", "--warmup-epochs", "1", "--threads", "1",
    };

    /// <summary>Starts the dnnmm program (dnnmm.dll next to the tests) as a child process.</summary>
    private static Process Start(string[] args, System.Text.StringBuilder? err = null)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dnnmm.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (err ?? new()) err?.AppendLine(e.Data); };
        p.BeginOutputReadLine(); p.BeginErrorReadLine();
        return p;
    }

    /// <summary>
    /// Runs <paramref name="first"/>, then, after every kill, <paramref name="again"/> (or <paramref name="first"/> while
    /// <paramref name="started"/> does not exist: a run killed before it wrote its options has nothing to resume), up to
    /// <paramref name="kills"/> kills, then one run to the end. The moments scale with <paramref name="seconds"/>, the time
    /// the uninterrupted run took in-process (a child process also starts .NET first, so it takes longer): the first kill
    /// comes 0.2 s + U(0, 0.8) x seconds after the start, the others U(0, 0.5) x seconds after <paramref name="started"/>
    /// exists (while it trains), so that a fast machine does not finish the run before the first kill. Returns the kills done.
    /// </summary>
    private int KillAndRerun(string[] first, string[] again, int kills, Random rng, string started, double seconds)
    {
        int done = 0;
        var args = first;
        while (true)
        {
            var err = new System.Text.StringBuilder();
            using var p = Start(args, err);
            if (done < kills)
            {
                bool exited;
                if (done == 0) exited = p.WaitForExit(200 + (int)(rng.NextDouble() * 800 * seconds));
                else
                {
                    var sw = Stopwatch.StartNew();
                    while (!File.Exists(started) && !p.HasExited && sw.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(20);
                    exited = p.WaitForExit((int)(rng.NextDouble() * 500 * seconds));
                }
                if (!exited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit();
                    done++;
                    args = File.Exists(started) ? again : first;
                    output.WriteLine($"kill {done}: then {string.Join(' ', args.Take(2))}");
                    continue;
                }
            }
            Assert.True(p.WaitForExit(120_000), "a run did not finish in 2 minutes");
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"exit code {p.ExitCode} of {string.Join(' ', args)}: {err}");
            return done;
        }
    }

    [Fact]
    public void ATrainingKilledAtRandomMomentsAndResumedEndsAsAnUninterruptedOne()
    {
        output.WriteLine($"seed of the kill moments: {seed}");
        string reference = dir.File("ref"), killed = dir.File("killed");
        var sw = Stopwatch.StartNew();
        var r = Run(Train.Append("--out").Append(reference).ToArray());
        double seconds = sw.Elapsed.TotalSeconds;
        Assert.True(r.Code == 0, r.Err);
        int kills = KillAndRerun(Train.Append("--out").Append(killed).ToArray(), new[] { "train", "--resume", killed }, 3, new Random(seed),
            Path.Combine(killed, RunFolder.OptionsFile), seconds);
        Assert.InRange(kills, 1, 3);
        output.WriteLine($"train: {kills} kills");

        var a = new RunFolder(reference).ReadSummary<TrainSummary>();
        var b = new RunFolder(killed).ReadSummary<TrainSummary>();
        Assert.Equal((a.Epochs, a.Acc, a.Ari, a.Nmi, a.LogLikelihood), (b.Epochs, b.Acc, b.Ari, b.Nmi, b.LogLikelihood));
        Assert.Equal(a.Omega, b.Omega);
        var ra = new RunFolder(reference).ReadMetrics();
        var rb = new RunFolder(killed).ReadMetrics();
        Assert.Equal(Enumerable.Range(1, 5), rb.Select(x => x.Epoch));
        for (int i = 0; i < ra.Count; i++)
        {
            Assert.Equal(ra[i].Values.OrderBy(kv => kv.Key), rb[i].Values.OrderBy(kv => kv.Key));
            Assert.Equal(ra[i].Omega, rb[i].Omega);
        }
        Assert.False(File.Exists(Path.Combine(killed, FolderLock.FileName)));
        Assert.Empty(Directory.GetFiles(killed, "*.tmp"));
    }

    [Fact]
    public void AnExperimentKilledAtRandomMomentsAndRerunHasEveryResultOnce()
    {
        output.WriteLine($"seed of the kill moments: {seed}");
        var c = ExperimentGridTests.Tiny() with { Alphas = new[] { 0.5 }, Seeds = new[] { 1 }, PictureAlpha = null };
        string config = dir.File("grid.json");
        File.WriteAllText(config, c.ToJson());
        string reference = dir.File("ref"), killed = dir.File("killed");
        var sw = Stopwatch.StartNew();
        var r = Run("experiment", "--config", config, "--out", reference);
        double seconds = sw.Elapsed.TotalSeconds;
        Assert.True(r.Code == 0, r.Err);
        string[] args = { "experiment", "--config", config, "--out", killed };
        int kills = KillAndRerun(args, args, 2, new Random(seed), Path.Combine(killed, ExperimentRunner.ConfigFile), seconds);
        Assert.InRange(kills, 1, 2);
        output.WriteLine($"experiment: {kills} kills");

        var a = ResultsCsv.Read(Path.Combine(reference, ExperimentRunner.ResultsFile));
        var b = ResultsCsv.Read(Path.Combine(killed, ExperimentRunner.ResultsFile));
        Assert.Equal(2, b.Count);
        Assert.Equal(b.Count, b.Select(x => (x.Dataset, x.Method, x.Alpha, x.Seed)).Distinct().Count());
        Assert.Equal(a.Select(x => (x.Dataset, x.Method, x.Alpha, x.Seed, x.Acc, x.Ari, x.Nmi, x.LogLikelihood)),
            b.Select(x => (x.Dataset, x.Method, x.Alpha, x.Seed, x.Acc, x.Ari, x.Nmi, x.LogLikelihood)));
        foreach (var f in Directory.GetFiles(killed, "*.json", SearchOption.AllDirectories))
            System.Text.Json.JsonDocument.Parse(File.ReadAllText(f)).Dispose();
    }

    [Fact]
    public void ASecondProcessOnTheSameRunFolderIsRefusedAndTheLockOfAKilledOneIsTakenOver()
    {
        string run = dir.File("run");
        var args = Train.Select(a => a == "5" ? "200" : a).Append("--out").Append(run).ToArray();
        using var p = Start(args);
        string lockFile = Path.Combine(run, FolderLock.FileName);
        var sw = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(run, RunFolder.OptionsFile)) && sw.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(50);
        Assert.True(File.Exists(lockFile), "the child process holds no lock");

        AssertBadInput(Run(args.Append("--force").ToArray()), $"in use by another dnnmm process (pid {p.Id}");
        AssertBadInput(Run("train", "--resume", run), $"pid {p.Id}");

        p.Kill(entireProcessTree: true);
        p.WaitForExit();
        Assert.True(File.Exists(lockFile));
        int done = new RunFolder(run).ReadMetrics().LastOrDefault()?.Epoch ?? 0;
        var again = Run("train", "--resume", run, "--epochs", (done + 1).ToString());
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains($"took over the lock of pid {p.Id}", again.Out);
        Assert.False(File.Exists(lockFile));
    }
}
