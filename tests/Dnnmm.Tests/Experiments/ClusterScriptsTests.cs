using System.Diagnostics;
using Dnnmm.Experiments;
using Dnnmm.Tests.Architecture;

namespace Dnnmm.Tests.Experiments;

/// <summary>
/// experiments/cluster/: the Slurm submission run here. A stand-in sbatch on PATH records what submit-slurm.sh submits;
/// the test then runs those jobs as Slurm would (the array script once per array index with SLURM_ARRAY_TASK_ID and
/// SLURM_CPUS_PER_TASK set, one after another, then the merge script) with the real dnnmm program, and checks the
/// merged results against one unsharded run of the same grid.
/// </summary>
public class ClusterScriptsTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static string ClusterDir => Path.Combine(LayerTests.RepoRoot(), "experiments", "cluster");

    /// <summary>One recorded sbatch call: its options (before the script), the script and the script's arguments.</summary>
    private sealed record Submission(IReadOnlyList<string> Options, string Script, IReadOnlyList<string> Args)
    {
        public static Submission Read(string file)
        {
            var lines = File.ReadAllLines(file);
            int s = Array.FindIndex(lines, l => !l.StartsWith('-'));
            return new Submission(lines[..s], lines[s], lines[(s + 1)..]);
        }

        public string Option(string name) => Options.Single(o => o.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
    }

    private (int Code, string Out) Bash(string script, IEnumerable<string> args, IDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.Path };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), $"{script} did not finish in 2 minutes");
        return (p.ExitCode, output + err.Result);
    }

    [Fact]
    public void The_slurm_jobs_run_here_one_after_another_and_merged_give_the_rows_of_one_unsharded_run()
    {
        var grid = ExperimentGridTests.Tiny();
        File.WriteAllText(dir.File("grid.json"), grid.ToJson());

        // sbatch: records its arguments (one per line) and answers "jobid;cluster" as --parsable does on a multi-cluster site.
        string bin = dir.Sub("bin");
        string sbatch = Path.Combine(bin, "sbatch");
        File.WriteAllText(sbatch, "#!/bin/sh\nk=$(ls \"$(dirname \"$0\")/calls\" | wc -l)\nk=$((k + 1))\n"
            + "printf '%s\\n' \"$@\" > \"$(dirname \"$0\")/calls/$k\"\necho \"$((1000 + k));test\"\n");
        Directory.CreateDirectory(Path.Combine(bin, "calls"));
        // dnnmm: the program built with the tests.
        string dnnmm = Path.Combine(bin, "dnnmm");
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        File.WriteAllText(dnnmm, $"#!/bin/sh\nexec '{host}' '{Path.Combine(AppContext.BaseDirectory, "dnnmm.dll")}' \"$@\"\n");
        foreach (var f in new[] { sbatch, dnnmm })
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var env = new Dictionary<string, string>
        {
            ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["DNNMM"] = dnnmm,
        };

        var submitted = Bash(Path.Combine(ClusterDir, "submit-slurm.sh"), new[] { "3", "sweep", "--config", "grid.json" }, env);
        Assert.True(submitted.Code == 0, submitted.Out);
        string sweep = dir.File("sweep");
        Assert.Contains("shards job 1001 (array 1-3), merge job 1002", submitted.Out);
        var calls = Directory.GetFiles(Path.Combine(bin, "calls")).Order(StringComparer.Ordinal).Select(Submission.Read).ToList();
        Assert.Equal(2, calls.Count);
        var (shards, merge) = (calls[0], calls[1]);
        Assert.Equal(Path.Combine(ClusterDir, "slurm-shards.sbatch"), shards.Script);
        Assert.Equal(Path.Combine(ClusterDir, "slurm-merge.sbatch"), merge.Script);
        Assert.Equal("afterok:1001", merge.Option("--dependency"));
        var range = shards.Option("--array").Split('-').Select(int.Parse).ToArray();
        Assert.Equal(new[] { 1, 3 }, range);

        // The array tasks, one after another, as Slurm would start them (1 CPU each), then the merge.
        for (int i = range[0]; i <= range[1]; i++)
        {
            var task = new Dictionary<string, string>(env) { ["SLURM_ARRAY_TASK_ID"] = $"{i}", ["SLURM_CPUS_PER_TASK"] = "1" };
            var r = Bash(shards.Script, shards.Args, task);
            Assert.True(r.Code == 0, r.Out);
            var part = Dnnmm.Infrastructure.Json.Read<ExperimentFile>(Path.Combine(sweep, $"shard-{i}", ExperimentRunner.ConfigFile));
            Assert.EndsWith($"--out {sweep}/shard-{i} --shard {i}/3 --threads 1", part.Command);
        }
        var merged = Bash(merge.Script, merge.Args, env);
        Assert.True(merged.Code == 0, merged.Out);

        var one = ExperimentRunner.Run(grid, dir.File("one"), Shard.All, "test", force: false);
        Assert.Equal(8, one.Rows.Count);
        var rows = ResultsCsv.Read(Path.Combine(sweep, "merged", ExperimentRunner.ResultsFile));
        Assert.Equal(one.Rows.Select(r => (r.Dataset, r.Method, r.Alpha, r.Seed, r.Acc, r.Ari, r.Nmi, r.LogLikelihood, r.OptionsHash)),
            rows.Select(r => (r.Dataset, r.Method, r.Alpha, r.Seed, r.Acc, r.Ari, r.Nmi, r.LogLikelihood, r.OptionsHash)));
        Assert.True(File.Exists(Path.Combine(sweep, "merged", "report.html")));
    }

    [Fact]
    public void The_slurm_scripts_refuse_a_task_outside_the_array_and_a_bad_shard_count()
    {
        string shards = Path.Combine(ClusterDir, "slurm-shards.sbatch");
        var env = new Dictionary<string, string> { ["DNNMM"] = "/nonexistent/dnnmm", ["SLURM_ARRAY_TASK_ID"] = "4" };
        var outside = Bash(shards, new[] { "3", "sweep", "--preset", "quick" }, env);
        Assert.Equal(2, outside.Code);
        Assert.StartsWith("error: SLURM_ARRAY_TASK_ID '4' is not a shard 1..3", outside.Out);
        var count = Bash(shards, new[] { "three", "sweep", "--preset", "quick" }, env);
        Assert.Equal(2, count.Code);
        Assert.StartsWith("error: the shard count 'three'", count.Out);
        var none = Bash(Path.Combine(ClusterDir, "slurm-merge.sbatch"), new[] { "sweep" }, env);
        Assert.Equal(2, none.Code);
        Assert.StartsWith("error: no shard folders sweep/shard-*", none.Out);
        Assert.False(Directory.Exists(dir.File("sweep")));
    }
}
