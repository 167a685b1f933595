using System.Text.Json.Nodes;
using Dnnmm.Methods;
using Dnnmm.Infrastructure;
using Dnnmm.Experiments;
using Dnnmm.Data;
using Dnnmm.Scoring;
using static Dnnmm.Tests.Cli.CliRunner;

namespace Dnnmm.Tests.Experiments;

public class ExperimentRunnerTests : IDisposable
{
    private readonly TempDir root = new();

    public void Dispose() => root.Dispose();

    private string Dir(string name) => root.File(name);

    [Fact]
    public void A_sweep_writes_every_run_and_the_report_and_a_second_sweep_skips_them()
    {
        var c = ExperimentGridTests.Tiny();
        var first = ExperimentRunner.Run(c, Dir("a"), Shard.All, "test", force: false);
        Assert.Equal(8, first.Ran);
        Assert.Empty(first.Failures);
        Assert.Equal(8, first.Rows.Count);
        Assert.Equal(8, ResultsCsv.Read(Path.Combine(Dir("a"), "results.csv")).Count);
        foreach (var f in new[] { "report.html", "summary.md", "summary.html", "experiment.json" })
            Assert.True(File.Exists(Path.Combine(Dir("a"), f)), f);
        Assert.All(first.Rows, r => Assert.InRange(r.Acc, 0.0, 1.0));
        Assert.Equal(first.Rows.Count(r => r.Method == "dnnmm"), first.Rows.Count(r => r.Method == "dnnmm" && r.LogLikelihood is not null));
        // The picture cell (alpha 0.5, seed 1) of the method with an encoder has its t-SNE pictures, and of the
        // generative one its samples with the rows labelled (omega_k for DNN-MM), which the report shows.
        Assert.True(File.Exists(Path.Combine(Dir("a"), "runs", "mnist2", "dnnmm", "a0.5-s1", ExperimentRunner.TsneClusterPng)));
        Assert.True(File.Exists(Path.Combine(Dir("a"), "runs", "mnist2", "dnnmm", "a0.5-s1", ExperimentRunner.LabelledSamplesPng)));
        Assert.Contains(ExperimentRunner.Pictures(c, Dir("a")), p => p.Path.EndsWith(ExperimentRunner.LabelledSamplesPng, StringComparison.Ordinal));
        // Every run (alpha > 0) has scores on its unlabelled images alone, no test scores (no test split), and the
        // true class proportions (16 + 16 images); DNN-MM rows carry the learned omega, k-means rows none.
        Assert.All(first.Rows, r => Assert.InRange(r.Unlabelled!.Value.Acc, 0.0, 1.0));
        Assert.All(first.Rows, r => Assert.InRange(r.Unlabelled!.Value.Nmi, 0.0, 1.0));
        Assert.All(first.Rows, r => Assert.Null(r.Test));
        Assert.All(first.Rows, r => Assert.Equal(new[] { 0.5f, 0.5f }, r.ClassProportions));
        Assert.All(first.Rows.Where(r => r.Method == "dnnmm"), r => Assert.InRange(r.Omega.Sum(), 0.999, 1.001));
        Assert.All(first.Rows.Where(r => r.Method == "kmeans"), r => Assert.Empty(r.Omega));
        Assert.Equal(first.Rows, ResultsCsv.Read(Path.Combine(Dir("a"), "results.csv")));
        string summary = File.ReadAllText(Path.Combine(Dir("a"), "summary.md"));
        Assert.Contains("**ACC** on the unlabelled training images only", summary);
        Assert.Contains("Learned omega against the true class proportions", summary);

        var again = ExperimentRunner.Run(c, Dir("a"), Shard.All, "test", force: false);
        Assert.Equal(0, again.Ran);
        Assert.Equal(8, again.Skipped);
        Assert.Equal(first.Rows, again.Rows);
    }

    [Fact]
    public void A_libtorch_error_or_a_diverged_training_ends_one_cell_but_bad_input_and_cancellation_end_the_sweep()
    {
        // A real error raised inside libtorch (a view to a shape of another size), as TorchSharp reports it.
        Exception native = Assert.ThrowsAny<Exception>(() => { using var t = TorchSharp.torch.ones(2).view(3); });
        Assert.True(ExperimentRunner.IsRunFailure(native), native.GetType().FullName);
        Assert.True(ExperimentRunner.IsRunFailure(new DnnmmTrainingException("diverged")));
        Assert.False(ExperimentRunner.IsRunFailure(new DnnmmInputException("bad")));
        Assert.False(ExperimentRunner.IsRunFailure(new OperationCanceledException()));
        Assert.False(ExperimentRunner.IsRunFailure(new IOException("disk full")));
    }

    [Fact]
    public void A_reference_scores_the_samples_of_finished_runs_without_training_them_again()
    {
        var c = ExperimentGridTests.Tiny() with { Alphas = new[] { 0.5 }, Seeds = new[] { 1 }, PictureAlpha = null };
        var first = ExperimentRunner.Run(c, Dir("a"), Shard.All, "test", force: false);
        Assert.All(first.Rows, r => Assert.Null(r.SamplePurity));
        string refDir = Dir("ref");
        var o = new ReferenceOptions { Epochs = 1, Width = 4, FeatureDim = 8, Threads = 1 };
        ReferenceTrainer.Train(c.Datasets[0].Data, o, refDir, force: false);
        var withRef = c with { Datasets = new[] { c.Datasets[0] with { ReferenceClassifier = refDir } } };
        Assert.Contains("\"referenceClassifier\"", withRef.ToJson());
        Assert.DoesNotContain("\"referenceClassifier\"", c.ToJson()); // a grid without references keeps its experiment.json text

        var again = ExperimentRunner.Run(withRef, Dir("a"), Shard.All, "test", force: true);
        Assert.Equal((0, 2), (again.Ran, again.Skipped));
        var dnnmm = again.Rows.Single(r => r.Method == "dnnmm");
        Assert.InRange(dnnmm.SamplePurity!.Value, 0.0, 1.0);
        Assert.True(dnnmm.Frechet >= 0);
        Assert.Null(again.Rows.Single(r => r.Method == "kmeans").SamplePurity);
        Assert.Equal(again.Rows, ResultsCsv.Read(Path.Combine(Dir("a"), "results.csv")));
        Assert.Contains("Generated samples scored by the dataset's reference classifier", File.ReadAllText(Path.Combine(Dir("a"), "summary.md")));
        Assert.Equal(first.Rows.Select(r => (r.Method, r.Acc, r.OptionsHash)), again.Rows.Select(r => (r.Method, r.Acc, r.OptionsHash)));

        // Scored runs are neither trained nor scored again.
        string summary = Path.Combine(Dir("a"), ExperimentGrid.Cells(c)[0].RelativeDir, RunFolder.SummaryFile);
        var written = File.GetLastWriteTimeUtc(summary);
        var third = ExperimentRunner.Run(withRef, Dir("a"), Shard.All, "test", force: false);
        Assert.Equal(0, third.Ran);
        Assert.Equal(again.Rows, third.Rows);
        Assert.Equal(written, File.GetLastWriteTimeUtc(summary));

        // A reference of other classes is refused before anything is written.
        string other = Dir("other-ref");
        ReferenceTrainer.Train(new DataOptions { Classes = new[] { "3", "4" }, PerClass = 8 }, o, other, force: false);
        var bad = c with { Datasets = new[] { c.Datasets[0] with { ReferenceClassifier = other } } };
        var e = Assert.Throws<DnnmmInputException>(() => ExperimentRunner.Run(bad, Dir("b"), Shard.All, "test", force: false));
        Assert.Contains("trained on classes 3,4", e.Message);
        Assert.False(Directory.Exists(Dir("b")));
    }

    [Fact]
    public void A_run_made_before_an_option_existed_is_kept_and_a_run_with_another_written_value_is_made_again()
    {
        var c = ExperimentGridTests.Tiny() with { Alphas = new[] { 0.5 }, Seeds = new[] { 1, 2 }, PictureAlpha = null };
        var first = ExperimentRunner.Run(c, Dir("a"), Shard.All, "test", force: false);
        var cells = ExperimentGrid.Cells(c).Where(x => x.Method.Name == "dnnmm").ToArray();
        Assert.Equal(2, cells.Length);
        string Options(int i) => Path.Combine(Dir("a"), cells[i].RelativeDir, RunFolder.OptionsFile);

        // Seed 1's run as an older build wrote it: without the key of an option added since (at its default).
        var older = JsonNode.Parse(File.ReadAllText(Options(0)))!;
        Assert.True(older["dnnmm"]!.AsObject().Remove("refineMaps"));
        File.WriteAllText(Options(0), older.ToJsonString(Json.Options));
        // Seed 2's run with a value written that this build would not use.
        var other = JsonNode.Parse(File.ReadAllText(Options(1)))!;
        other["dnnmm"]!["refineMaps"] = 2;
        File.WriteAllText(Options(1), other.ToJsonString(Json.Options));
        string hash = ExperimentGrid.Hash(ExperimentGrid.Options(c, cells[0]));
        Assert.NotEqual(hash, ExperimentGrid.Hash(File.ReadAllText(Options(0))));
        Assert.True(ExperimentRunner.SameOptions(Path.GetDirectoryName(Options(0))!, hash));

        var again = ExperimentRunner.Run(c, Dir("a"), Shard.All, "test", force: false);
        Assert.Equal((1, first.Rows.Count - 1), (again.Ran, again.Skipped));
        Assert.Equal(first.Rows.Select(r => (r.Method, r.Seed, r.Acc, r.OptionsHash)), again.Rows.Select(r => (r.Method, r.Seed, r.Acc, r.OptionsHash)));
        Assert.DoesNotContain("\"refineMaps\": 2", File.ReadAllText(Options(1))); // made again with this build's options

        // A damaged options.json is not the same options (the run is made again), not an error.
        File.WriteAllText(Options(0), "{ not json");
        Assert.False(ExperimentRunner.SameOptions(Path.GetDirectoryName(Options(0))!, hash));
    }

    [Fact]
    public void A_killed_sweep_reruns_only_the_unfinished_run_without_duplicates()
    {
        var c = ExperimentGridTests.Tiny();
        var full = ExperimentRunner.Run(c, Dir("a"), Shard.All, "test", force: false);
        // A kill during training leaves a run folder without summary.json (and, for DNN-MM, a checkpoint).
        var cell = ExperimentGrid.Cells(c)[5];
        File.Delete(Path.Combine(Dir("a"), cell.RelativeDir, RunFolder.SummaryFile));
        Assert.Equal(7, ExperimentRunner.CollectRows(c, Dir("a")).Count);
        var again = ExperimentRunner.Run(c, Dir("a"), Shard.All, "test", force: false);
        Assert.Equal(1, again.Ran);
        Assert.Equal(full.Rows.Select(r => (r.Method, r.Alpha, r.Seed, r.Acc)), again.Rows.Select(r => (r.Method, r.Alpha, r.Seed, r.Acc)));
        Assert.Equal(8, ResultsCsv.Read(Path.Combine(Dir("a"), "results.csv")).Count);
    }

    [Fact]
    public void A_cancelled_sweep_continues_where_it_stopped()
    {
        var c = ExperimentGridTests.Tiny();
        using var cts = new CancellationTokenSource();
        int cells = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => ExperimentRunner.Run(c, Dir("a"), Shard.All, "test", false, new ExperimentHooks
        {
            Cancellation = cts.Token,
            Progress = p => { if (p.Current is not null && p.Epoch is null && ++cells == 3) cts.Cancel(); },
        }));
        int finished = ExperimentRunner.CollectRows(c, Dir("a")).Count;
        Assert.InRange(finished, 2, 3);
        var rest = ExperimentRunner.Run(c, Dir("a"), Shard.All, "test", force: false);
        Assert.Equal(8 - finished, rest.Ran);
        Assert.Equal(8, rest.Rows.Count);
    }

    [Fact]
    public void Shards_together_give_the_same_rows_as_one_sweep_and_merge_joins_them()
    {
        var c = ExperimentGridTests.Tiny();
        var full = ExperimentRunner.Run(c, Dir("full"), Shard.All, "test", force: false);
        var s1 = ExperimentRunner.Run(c, Dir("s1"), new Shard(1, 3), "test", force: false);
        var s2 = ExperimentRunner.Run(c, Dir("s2"), new Shard(2, 3), "test", force: false);
        var s3 = ExperimentRunner.Run(c, Dir("s3"), new Shard(3, 3), "test", force: false);
        Assert.Equal(8, s1.Rows.Count + s2.Rows.Count + s3.Rows.Count);
        var merged = ExperimentRunner.Merge(new[] { Dir("s1"), Dir("s2"), Dir("s3"), Dir("s1") }, Dir("merged"), "test");
        Assert.Equal(full.Rows.Select(r => (r.Method, r.Alpha, r.Seed, r.Acc, r.Ari, r.Nmi, r.OptionsHash)),
            merged.Rows.Select(r => (r.Method, r.Alpha, r.Seed, r.Acc, r.Ari, r.Nmi, r.OptionsHash)));
        Assert.True(File.Exists(Path.Combine(Dir("merged"), "report.html")));
        Assert.Contains("data:image/png;base64", File.ReadAllText(Path.Combine(Dir("merged"), "report.html")));
    }

    [Fact]
    public void A_merged_folder_merges_again_keeping_the_pictures_of_a_part_that_ran_on_its_second_dataset_only()
    {
        var c = ExperimentGridTests.Tiny() with { Seeds = new[] { 1 }, Alphas = new[] { 0.5 } };
        var other = new ExperimentDataset("mnist2b", new DataOptions { Classes = new[] { "2", "3" }, PerClass = 16 });
        var kmeansFirst = c with { Methods = c.Methods.Where(m => m.Name == "kmeans").ToList(), Reference = "kmeans" };
        var dnnmmSecond = c with { Datasets = new[] { other }, Methods = c.Methods.Where(m => m.Name == "dnnmm").ToList() };
        ExperimentRunner.Run(kmeansFirst, Dir("first"), Shard.All, "test", force: false);
        ExperimentRunner.Run(dnnmmSecond, Dir("second"), Shard.All, "test", force: false);
        const string picture = "mnist2b_dnnmm_a0.5-s1_tsne-cluster.png";
        ExperimentRunner.Merge(new[] { Dir("first"), Dir("second") }, Dir("once"), "t");
        Assert.True(File.Exists(Path.Combine(Dir("once"), "pictures", picture)));

        // The merged folder's first dataset is mnist2; its mnist2b picture must survive a second merge.
        var twice = ExperimentRunner.Merge(new[] { Dir("once"), Dir("first") }, Dir("twice"), "t");
        Assert.Equal(2, twice.Rows.Count);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Dir("once"), "pictures", picture)),
            File.ReadAllBytes(Path.Combine(Dir("twice"), "pictures", picture)));
        Assert.Contains("dnnmm: t-SNE of the latent space, coloured by cluster (mnist2b", File.ReadAllText(Path.Combine(Dir("twice"), "report.html")));
    }

    [Fact]
    public void Merge_joins_parts_run_with_other_methods_and_refuses_conflicting_grids_missing_folders_and_an_input_as_output()
    {
        var c = ExperimentGridTests.Tiny() with { Seeds = new[] { 1 }, Alphas = new[] { 0.5 } };
        var kmeansOnly = c with { Methods = c.Methods.Where(m => m.Name == "kmeans").ToList(), Reference = "kmeans" };
        var dnnmmOnly = c with { Methods = c.Methods.Where(m => m.Name == "dnnmm").ToList() };
        ExperimentRunner.Run(kmeansOnly, Dir("a"), Shard.All, "test", force: false);
        ExperimentRunner.Run(dnnmmOnly, Dir("b"), Shard.All, "test", force: false);
        var merged = ExperimentRunner.Merge(new[] { Dir("a"), Dir("b") }, Dir("m"), "t");
        Assert.Equal(new[] { "kmeans", "dnnmm" }, merged.Rows.Select(r => r.Method));
        Assert.True(File.Exists(Path.Combine(Dir("m"), "pictures", "mnist2_dnnmm_a0.5-s1_tsne-cluster.png")));
        var back = Json.Read<ExperimentFile>(Path.Combine(Dir("m"), "experiment.json"));
        Assert.Equal("kmeans", back.Config.Reference); // the first part's reference

        // A merged folder merges again (no run folders there) and keeps its pictures.
        var again = c with { Methods = new[] { new ExperimentMethod("kmeans-3", (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse("""{"method": "kmeans", "kMeans": {"restarts": 3}}""")!) }, Reference = "kmeans-3" };
        ExperimentRunner.Run(again, Dir("d"), Shard.All, "test", force: false);
        var twice = ExperimentRunner.Merge(new[] { Dir("m"), Dir("d") }, Dir("m4"), "t");
        Assert.Equal(new[] { "kmeans", "dnnmm", "kmeans-3" }, twice.Rows.Select(r => r.Method));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Dir("m"), "pictures", "mnist2_dnnmm_a0.5-s1_tsne-cluster.png")),
            File.ReadAllBytes(Path.Combine(Dir("m4"), "pictures", "mnist2_dnnmm_a0.5-s1_tsne-cluster.png")));
        Assert.Contains("dnnmm: t-SNE of the latent space, coloured by cluster", File.ReadAllText(Path.Combine(Dir("m4"), "report.html")));

        var clash = c with
        {
            Methods = new[] { new ExperimentMethod("kmeans", (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse("""{"method": "kmeans", "kMeans": {"restarts": 3}}""")!) },
            Reference = "kmeans",
        };
        ExperimentRunner.Run(clash, Dir("c"), Shard.All, "test", force: false);
        Assert.Contains("method 'kmeans'", Assert.Throws<DnnmmInputException>(() => ExperimentRunner.Merge(new[] { Dir("a"), Dir("c") }, Dir("m2"), "t")).Message);
        Assert.Contains("not found", Assert.Throws<DnnmmInputException>(() => ExperimentRunner.Merge(new[] { Dir("a"), Dir("zz") }, Dir("m3"), "t")).Message);
        Assert.Contains("one of the folders", Assert.Throws<DnnmmInputException>(() => ExperimentRunner.Merge(new[] { Dir("a") }, Dir("a"), "t")).Message);
    }

    [Fact]
    public void Another_grid_in_the_same_folder_is_refused_without_force_and_keeps_matching_runs_with_force()
    {
        var c = ExperimentGridTests.Tiny() with { Seeds = new[] { 1 } };
        ExperimentRunner.Run(c, Dir("a"), Shard.All, "test", force: false);
        var bigger = c with { Seeds = new[] { 1, 2 } };
        var e = Assert.Throws<DnnmmInputException>(() => ExperimentRunner.Run(bigger, Dir("a"), Shard.All, "test", force: false));
        Assert.Contains("another experiment", e.Message);
        Assert.Equal(4, ResultsCsv.Read(Path.Combine(Dir("a"), "results.csv")).Count);
        var r = ExperimentRunner.Run(bigger, Dir("a"), Shard.All, "test", force: true);
        Assert.Equal(4, r.Skipped);
        Assert.Equal(4, r.Ran);
    }

    [Fact]
    public void A_folder_that_is_not_an_experiment_is_refused()
    {
        Directory.CreateDirectory(Dir("x"));
        File.WriteAllText(Path.Combine(Dir("x"), "notes.txt"), "mine");
        var e = Assert.Throws<DnnmmInputException>(() => ExperimentRunner.Run(ExperimentGridTests.Tiny(), Dir("x"), Shard.All, "t", false));
        Assert.Contains("not empty", e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(Dir("x"), "notes.txt")));
    }

    [Fact]
    public void Cli_runs_a_config_prints_presets_and_refuses_bad_input()
    {
        string cfg = Dir("grid.json");
        File.WriteAllText(cfg, (ExperimentGridTests.Tiny() with { Seeds = new[] { 1 }, Alphas = new[] { 0.5 } }).ToJson());
        var r = Run("experiment", "--config", cfg, "--out", Dir("cli"));
        Assert.True(r.Code == 0, r.Err + r.Out);
        Assert.Contains("2 runs trained", r.Out);
        Assert.True(File.Exists(Path.Combine(Dir("cli"), "report.html")));

        var p = Run("experiment", "--preset", "paper-mnist5", "--print-config");
        Assert.Equal(0, p.Code);
        Assert.Contains("dnnmm-no-gan", p.Out);

        // A config's thread count holds unless --threads is given.
        File.WriteAllText(cfg, (ExperimentGridTests.Tiny() with { Threads = 1 }).ToJson());
        Assert.Contains("\"threads\": 1,", Run("experiment", "--config", cfg, "--print-config").Out);
        Assert.Contains("\"threads\": 2,", Run("experiment", "--config", cfg, "--threads", "2", "--print-config").Out);
        var narrowed = Run("experiment", "--preset", "paper-mnist5", "--alphas", "0,0.1", "--print-config").Out;
        Assert.Contains("\"alphas\": [\n    0,\n    0.1\n  ]", narrowed.Replace("\r", ""));

        // --datasets keeps the named datasets of a grid, as --methods keeps methods.
        var two = ExperimentGridTests.Tiny() with
        {
            Datasets = new[] { ExperimentGridTests.Tiny().Datasets[0], ExperimentGridTests.Tiny().Datasets[0] with { Name = "mnist2b" } },
        };
        File.WriteAllText(cfg, two.ToJson());
        var kept = Run("experiment", "--config", cfg, "--datasets", "mnist2b", "--print-config").Out;
        Assert.Contains("\"mnist2b\"", kept);
        Assert.DoesNotContain("\"mnist2\"", kept);
        Assert.Contains("\"mnist2\"", Run("experiment", "--config", cfg, "--print-config").Out);
        AssertBadInput(Run("experiment", "--config", cfg, "--datasets", "mnist2,cifar", "--print-config"), "'cifar' is not a dataset");
        AssertBadInput(Run("experiment", "--config", cfg, "--datasets", ",", "--print-config"), "--datasets: no names given");

        // --image-size resizes the image datasets of a grid (CelebA at 32 on a laptop), and refuses the others.
        var celeba = Run("experiment", "--preset", "paper-celeba-noisy", "--celeba", "celeba:" + Dir("c"), "--image-size", "32", "--print-config");
        Assert.True(celeba.Code == 0, celeba.Err);
        Assert.Contains("\"imageSize\": 32", celeba.Out);
        AssertBadInput(Run("experiment", "--preset", "paper-mnist5", "--image-size", "32", "--print-config"), "resizes folder: and celeba: images only");
        AssertBadInput(Run("experiment", "--preset", "paper-celeba-noisy", "--celeba", "celeba:" + Dir("c"), "--image-size", "20", "--print-config"), "power of two");

        // --per-class all: every image of each class (the CelebA subset has 87 bald people, far below the paper's 1000).
        Assert.Contains("\"perClass\": 1000", celeba.Out);
        var all = Run("experiment", "--preset", "paper-celeba-noisy", "--celeba", "celeba:" + Dir("c"), "--per-class", "all", "--print-config");
        Assert.True(all.Code == 0, all.Err);
        Assert.Contains("\"perClass\": null", all.Out);
        Assert.Contains("\"perClass\": 200", Run("experiment", "--preset", "paper-celeba-noisy", "--celeba", "celeba:" + Dir("c"), "--per-class", "200", "--print-config").Out);
        AssertBadInput(Run("experiment", "--preset", "quick", "--per-class", "few", "--print-config"), "--per-class 'few': give a number of images per class or 'all'");
        AssertBadInput(Run("experiment", "--preset", "quick", "--per-class", "0", "--print-config"), "--per-class 0: must be at least 1");

        AssertBadInput(Run("experiment", "--out", Dir("z")), "--preset");
        AssertBadInput(Run("experiment", "--preset", "quick", "--config", cfg, "--out", Dir("z")), "exactly one");
        AssertBadInput(Run("experiment", "--preset", "nope", "--out", Dir("z")), "nope");
        AssertBadInput(Run("experiment", "--preset", "paper-cifar10-noisy", "--out", Dir("z")), "--cifar10");
        AssertBadInput(Run("experiment", "--preset", "quick", "--shard", "3/2", "--out", Dir("z")), "--shard");
        AssertBadInput(Run("experiment", "--preset", "quick", "--methods", "dnnmm,foo", "--out", Dir("z")), "foo");
        AssertBadInput(Run("experiment", "--preset", "quick", "--seeds", "1,x", "--out", Dir("z")), "--seeds");
        AssertBadInput(Run("experiment", "--preset", "quick", "--alphas", "0.1,x", "--out", Dir("z")), "--alphas");
        AssertBadInput(Run("experiment", "--preset", "quick", "--alphas", "1.5", "--out", Dir("z")), "alpha 1.5");
        AssertBadInput(Run("experiment", "--config", Dir("missing.json"), "--out", Dir("z")), "missing.json");
        AssertBadInput(Run("experiment", "merge", Dir("nothere"), "--out", Dir("m")), "not found");
        Assert.False(Directory.Exists(Dir("z")));
    }
}
