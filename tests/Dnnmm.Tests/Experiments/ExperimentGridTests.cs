using Dnnmm.Methods.ClusterGan;
using Dnnmm.Methods.KMeans;
using System.Text.Json.Nodes;
using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Methods.DynAe;
using Dnnmm.Experiments;

namespace Dnnmm.Tests.Experiments;

public class ExperimentGridTests
{
    internal static ExperimentConfig Tiny(string name = "tiny") => new()
    {
        Name = name,
        Datasets = new[] { new ExperimentDataset("mnist2", new DataOptions { Classes = new[] { "0", "1" }, PerClass = 16 }) },
        Methods = new[]
        {
            new ExperimentMethod("dnnmm", (JsonObject)JsonNode.Parse("""{"method": "dnnmm", "dnnmm": {"epochs": 1, "width": 4, "batchSize": 16, "labelledBatchSize": 4}}""")!),
            new ExperimentMethod("kmeans", (JsonObject)JsonNode.Parse("""{"method": "kmeans", "kMeans": {"restarts": 2}}""")!),
        },
        Alphas = new[] { 0.25, 0.5 },
        Seeds = new[] { 1, 2 },
        Threads = 1,
        PictureAlpha = 0.5,
    };

    [Fact]
    public void Cells_are_ordered_dataset_seed_alpha_method_with_one_folder_each()
    {
        var cells = ExperimentGrid.Cells(Tiny());
        Assert.Equal(8, cells.Count);
        Assert.Equal(Enumerable.Range(0, 8), cells.Select(c => c.Index));
        Assert.Equal(new[] { 1, 1, 1, 1, 2, 2, 2, 2 }, cells.Select(c => c.Seed));
        Assert.Equal(new[] { "dnnmm", "kmeans", "dnnmm", "kmeans" }, cells.Take(4).Select(c => c.Method.Name));
        Assert.Equal(Path.Combine("runs", "mnist2", "kmeans", "a0.25-s1"), cells[1].RelativeDir);
        Assert.Equal(8, cells.Select(c => c.RelativeDir).Distinct().Count());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 8)]
    [InlineData(5, 20)]
    public void Shards_are_disjoint_and_cover_the_grid(int n, int _)
    {
        var cells = ExperimentGrid.Cells(Tiny());
        var parts = Enumerable.Range(1, n).Select(i => cells.Where(new Shard(i, n).Contains).Select(c => c.Index).ToList()).ToList();
        Assert.Equal(cells.Count, parts.Sum(p => p.Count));
        Assert.Equal(cells.Select(c => c.Index), parts.SelectMany(p => p).OrderBy(i => i));
    }

    [Theory]
    [InlineData("0/2")]
    [InlineData("3/2")]
    [InlineData("1/0")]
    [InlineData("a/b")]
    [InlineData("1")]
    [InlineData("-1/2")]
    public void Bad_shards_are_refused(string text)
    {
        var e = Assert.Throws<DnnmmInputException>(() => Shard.Parse(text));
        Assert.Contains("--shard", e.Message);
    }

    [Fact]
    public void Shard_parses_i_of_n()
    {
        Assert.Equal(new Shard(2, 4), Shard.Parse("2/4"));
        Assert.Equal(Shard.All, Shard.Parse(null));
    }

    [Fact]
    public void Cell_options_are_the_defaults_with_the_dataset_the_cell_and_the_method_overrides()
    {
        var c = Tiny();
        var cell = ExperimentGrid.Cells(c)[2];
        var o = ExperimentGrid.Options(c, cell);
        Assert.Equal("dnnmm", o.Method);
        Assert.Equal(0.5, o.Data.Alpha);
        Assert.Equal(1, o.Data.Seed);
        Assert.Equal(16, o.Data.PerClass);
        Assert.Equal(1, o.Get<DnnmmOptions>().Epochs);
        Assert.Equal(4, o.Get<DnnmmOptions>().NetworkWidth);
        Assert.Equal(new DnnmmOptions().Lambda1, o.Get<DnnmmOptions>().Lambda1);
        Assert.Equal(1, o.Get<DnnmmOptions>().Threads);
        Assert.Equal(1, o.Get<ClusterGanOptions>().Threads);
        Assert.Equal(2, ExperimentGrid.Options(c, ExperimentGrid.Cells(c)[1]).Get<KMeansOptions>().Restarts);
    }

    [Fact]
    public void The_options_hash_changes_with_any_option_and_not_otherwise()
    {
        var c = Tiny();
        var cells = ExperimentGrid.Cells(c);
        string h0 = ExperimentGrid.Hash(ExperimentGrid.Options(c, cells[0]));
        Assert.Equal(12, h0.Length);
        Assert.Equal(h0, ExperimentGrid.Hash(ExperimentGrid.Options(c, cells[0])));
        Assert.NotEqual(h0, ExperimentGrid.Hash(ExperimentGrid.Options(c, cells[2])));
        Assert.NotEqual(h0, ExperimentGrid.Hash(ExperimentGrid.Options(c with { Threads = 2 }, cells[0])));
    }

    [Fact]
    public void An_unknown_option_in_a_method_is_an_error_naming_it()
    {
        var c = Tiny() with
        {
            Methods = new[] { new ExperimentMethod("dnnmm", (JsonObject)JsonNode.Parse("""{"method": "dnnmm", "dnnmm": {"lamda1": 0}}""")!) },
        };
        var e = Assert.Throws<DnnmmInputException>(() => ExperimentGrid.Options(c, ExperimentGrid.Cells(c)[0]));
        Assert.Contains("lamda1", e.Message);
        Assert.Contains("method 'dnnmm'", e.Message);
    }

    [Fact]
    public void A_bad_option_value_is_an_error()
    {
        var c = Tiny() with
        {
            Methods = new[] { new ExperimentMethod("dnnmm", (JsonObject)JsonNode.Parse("""{"method": "dnnmm", "dnnmm": {"epochs": "many"}}""")!) },
        };
        Assert.Throws<DnnmmInputException>(() => ExperimentGrid.Options(c, ExperimentGrid.Cells(c)[0]));
    }

    [Fact]
    public void Config_validation_names_the_problem()
    {
        Assert.Contains("no seeds", Assert.Throws<DnnmmInputException>(() => (Tiny() with { Seeds = Array.Empty<int>() }).Validate()).Message);
        Assert.Contains("twice", Assert.Throws<DnnmmInputException>(() => (Tiny() with { Seeds = new[] { 1, 1 } }).Validate()).Message);
        Assert.Contains("alpha 1.5", Assert.Throws<DnnmmInputException>(() => (Tiny() with { Alphas = new[] { 1.5 } }).Validate()).Message);
        Assert.Contains("reference", Assert.Throws<DnnmmInputException>(() => (Tiny() with { Reference = "x" }).Validate()).Message);
        Assert.Contains("name", Assert.Throws<DnnmmInputException>(() => (Tiny() with
        {
            Methods = new[] { new ExperimentMethod("a/b", new JsonObject()), new ExperimentMethod("dnnmm", new JsonObject()) },
        }).Validate()).Message);
    }

    [Fact]
    public void Config_round_trips_through_json()
    {
        var c = Tiny();
        using var dir = new TempDir();
        string path = dir.File("experiment.json");
        File.WriteAllText(path, c.ToJson());
        var back = ExperimentConfig.Load(path);
        Assert.Equal(c.ToJson(), back.ToJson());
        Assert.Equal(ExperimentGrid.Hash(ExperimentGrid.Options(c, ExperimentGrid.Cells(c)[3])),
            ExperimentGrid.Hash(ExperimentGrid.Options(back, ExperimentGrid.Cells(back)[3])));
    }

    [Fact]
    public void Every_preset_is_a_valid_grid_and_the_paper_ones_follow_the_paper()
    {
        var data = new PresetData { Cifar10 = "folder:/nowhere", CelebA = "celeba:/nowhere" };
        foreach (var name in ExperimentPresets.Names)
        {
            var c = ExperimentPresets.Get(name, data);
            c.Validate();
            foreach (var cell in ExperimentGrid.Cells(c).Take(c.Methods.Count))
                ExperimentGrid.Options(c, cell).MethodOptions();
            if (name.StartsWith("paper-"))
            {
                Assert.Equal(new[] { 0.01, 0.05, 0.1, 0.2, 0.5 }, c.Alphas);
                Assert.Equal(5, c.Seeds.Count);
                Assert.Equal(1000, c.Datasets[0].Data.PerClass);
                Assert.Contains(c.Methods, m => m.Name == "dnnmm-no-gan");
                Assert.Contains(c.Methods, m => m.Name == "dnnmm-labelled-only");
                // the short DynAEss budget trains without augmentation (docs/baselines.md); the method's own default keeps it
                var dyn = ExperimentGrid.Cells(c).First(cell => cell.Method.Name == "dynae-ss");
                Assert.False(ExperimentGrid.Options(c, dyn).Get<DynAeOptions>().Augment);
                Assert.True(new DynAeOptions().Augment);
            }
        }
        Assert.Equal(0.1, ExperimentPresets.Get("paper-cifar10-noisy", data).Datasets[0].Data.NoiseStd);
        Assert.Equal(7, ExperimentPresets.Get("paper-mnist7").Datasets[0].Data.Classes!.Count);
    }

    [Fact]
    public void Presets_that_need_data_say_which_option_gives_it()
    {
        Assert.Contains("--cifar10", Assert.Throws<DnnmmInputException>(() => ExperimentPresets.Get("paper-cifar10-noisy")).Message);
        Assert.Contains("--celeba", Assert.Throws<DnnmmInputException>(() => ExperimentPresets.Get("paper-celeba-noisy")).Message);
        Assert.Contains("quick", Assert.Throws<DnnmmInputException>(() => ExperimentPresets.Get("nope")).Message);
    }
}
