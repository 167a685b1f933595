using Dnnmm.Infrastructure;
using Dnnmm.Runs;
using Dnnmm.Scoring;

namespace Dnnmm.Tests.Runs;

public class TrainRunScoringTests
{
    [Fact]
    public void Options_without_a_reference_are_written_as_before_and_with_one_they_round_trip()
    {
        var plain = new TrainRunOptions();
        string text = Json.Serialize(plain);
        Assert.DoesNotContain("reference", text);
        Assert.EndsWith("\"monitorEvery\": 1\n}", text.ReplaceLineEndings("\n"));
        var scored = plain with { Scoring = new ReferenceScoringOptions { Reference = "/refs/mnist5", ReferenceEvery = 2, ReferenceSamples = 100 } };
        string json = Json.Serialize(scored);
        Assert.Contains("\"reference\": \"/refs/mnist5\"", json);
        var back = System.Text.Json.JsonSerializer.Deserialize<TrainRunOptions>(json, Json.Options)!;
        Assert.Equal(scored, back);
        Assert.Equal(scored.Scoring, back.Scoring);
        Assert.Equal(new ReferenceScoringOptions(), System.Text.Json.JsonSerializer.Deserialize<TrainRunOptions>(text, Json.Options)!.Scoring);
    }

    [Fact]
    public void Scoring_options_are_checked()
    {
        Assert.Equal("referenceEvery", Assert.Throws<OptionException>(() => new ReferenceScoringOptions { ReferenceEvery = 1 }.Validate()).Option);
        Assert.Equal("referenceSamples", Assert.Throws<OptionException>(() => new ReferenceScoringOptions { Reference = "r", ReferenceSamples = 1 }.Validate()).Option);
        Assert.Equal("referenceEvery", Assert.Throws<OptionException>(() => new ReferenceScoringOptions { Reference = "r", ReferenceEvery = -1 }.Validate()).Option);
        new ReferenceScoringOptions { Reference = "r", ReferenceEvery = 3 }.Validate();
    }

    [Fact]
    public void Data_that_differs_from_the_references_is_named()
    {
        var d = new Dnnmm.Data.DataOptions { Classes = new[] { "0", "1" }, PerClass = 100, NoiseStd = 0.1 };
        Assert.Null(TrainRun.DataDiffers(d, d with { Alpha = 0.3, Seed = 4 }));
        Assert.Contains("noise std 0.1 vs 0", TrainRun.DataDiffers(d, d with { NoiseStd = 0 }));
        Assert.Contains("images per class", TrainRun.DataDiffers(d, d with { PerClass = 50 }));
    }
}
