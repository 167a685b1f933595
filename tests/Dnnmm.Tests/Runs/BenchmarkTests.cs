using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Runs;

namespace Dnnmm.Tests.Runs;

/// <summary>What `dnnmm bench` measures: an epoch as after the warm-up, with every term of the step on.</summary>
public class BenchmarkTests
{
    private static DnnmmOptions NoGan => new()
    {
        BatchSize = 16, LabelledBatchSize = 8, NetworkWidth = 8, Threads = 1, Lambda1 = 0, Lambda2 = 0,
    };

    private static double FirstEpochLikelihood(DnnmmOptions o)
    {
        var data = TinyData.Make();
        var reports = new List<EpochReport>();
        using var m = new DnnmmMethod(o, 1);
        m.Fit(new FitInput(data, TinyData.Labelled(data, 2)), new FitContext { OnEpoch = reports.Add });
        return Assert.Single(reports).Values["likelihood"];
    }

    [Fact]
    public void TheMeasuredEpochIsOneEpochWithoutTheWarmUpAndOtherwiseTheGivenOptions()
    {
        var given = NoGan with { WarmupEpochs = 4, Epochs = 20, TeacherEma = 0.5 };
        Assert.Equal(given with { Epochs = 1, WarmupEpochs = 0 }, Benchmark.MeasuredOptions(given));
    }

    [Fact]
    public void TheMeasuredEpochTrainsOnTheUnlabelledImagesWhereAWarmUpEpochWouldNot()
    {
        // In the first warm-up epoch the unlabelled likelihood weight is 0: the step trains on labels alone.
        Assert.Equal(0, FirstEpochLikelihood(NoGan with { Epochs = 1, WarmupEpochs = 4 }));
        Assert.True(FirstEpochLikelihood(Benchmark.MeasuredOptions(NoGan with { WarmupEpochs = 4 })) < 0);
    }
}
