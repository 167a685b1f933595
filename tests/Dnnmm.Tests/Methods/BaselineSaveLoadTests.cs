using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Evaluation;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Methods.ClusterGan;
using Dnnmm.Methods.DynAe;
using Dnnmm.Methods.KMeans;
using Dnnmm.Methods.LabelledOnly;
using Dnnmm.Runs;

namespace Dnnmm.Tests.Methods;

/// <summary>Every baseline, fitted on tiny images, saved into a run folder and loaded back with TrainRun.LoadMethod, answers as before.</summary>
public class BaselineSaveLoadTests
{
    /// <summary>Fits, saves (with an options.json as a run would write) and loads; the loaded method is checked against the fitted one.</summary>
    private static void RoundTrip(TrainRunOptions o, int labelledPerClass, Action<IClusteringMethod, IClusteringMethod, ImageSet>? more = null)
    {
        using var dir = new TempDir();
        var data = TinyData.Make();
        using var fitted = TrainRun.CreateMethod(o);
        fitted.Fit(new FitInput(data, TinyData.Labelled(data, labelledPerClass)), new FitContext());
        AtomicFile.WriteAllText(dir.File(RunFolder.OptionsFile), Json.Serialize(o));
        ((ISavableMethod)fitted).Save(dir.Path);
        Assert.True(File.Exists(dir.File(ModelFile.WeightsFile)));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));

        using var loaded = TrainRun.LoadMethod(dir.Path);
        Assert.Equal(fitted.GetType(), loaded.GetType());
        Assert.Equal(fitted.Name, loaded.Name);
        Assert.Equal(3, loaded.Clusters);
        Assert.Equal(fitted.CanSample, loaded.CanSample);
        Assert.Equal(fitted.Predict(data), loaded.Predict(data));
        Assert.Equal(fitted.PredictProbabilities(data).Cast<float>(), loaded.PredictProbabilities(data).Cast<float>());
        if (fitted is ILatentEncoder fe)
        {
            var le = Assert.IsAssignableFrom<ILatentEncoder>(loaded);
            Assert.Equal(fe.Encode(data), le.Encode(data));
            Assert.Equal(fe.LatentDim, le.LatentDim);
        }
        Assert.Contains("no saved model", Assert.Throws<DnnmmInputException>(() => DnnmmMethod.Load(new RunFolder(dir.Path), new DnnmmOptions())).Message);
        var info = TrainRun.ReadModelInfo(dir.Path);
        Assert.Equal(o.Method, info.Method);
        Assert.Equal((1, 16, 16, 3), (info.Channels, info.Height, info.Width, info.Clusters));
        Assert.Equal(data.ClassNames, info.ClassNames);
        more?.Invoke(fitted, loaded, data);
    }

    [Fact]
    public void ClusterGanWithTheKMeansReadoutPredictsAndSamplesAsFitted() =>
        RoundTrip(new TrainRunOptions { Method = "clustergan" }.With(BaselineMethodTests.TinyGan(1)), 2, (f, l, _) =>
        {
            Assert.Equal(f.Sample(2, 5, 11), l.Sample(2, 5, 11));
            var cf = ((ClusterGanMethod)f).Centroids!;
            var cl = ((ClusterGanMethod)l).Centroids!;
            Assert.Equal(cf.Centroids, cl.Centroids);
            Assert.Equal(cf.Labels, cl.Labels);
        });

    [Fact]
    public void ClusterGanWithTheArgmaxReadout() =>
        RoundTrip(new TrainRunOptions { Method = "clustergan" }.With(BaselineMethodTests.TinyGan(1) with { Readout = ClusterGanReadout.Argmax }), 0,
            (f, l, _) => Assert.Equal(f.Sample(0, 3, 4), l.Sample(0, 3, 4)));

    [Fact]
    public void DynAeKeepsItsAutoencoderCentresAndThresholds() =>
        RoundTrip(new TrainRunOptions { Method = "dynae" }.With(BaselineMethodTests.TinyDynAe(1, 2)), 2, (f, l, _) =>
        {
            var a = (DynAeMethod)f; var b = (DynAeMethod)l;
            Assert.Equal(a.Centers.data<float>().ToArray(), b.Centers.data<float>().ToArray());
            Assert.Equal(a.Thresholds, b.Thresholds);
            Assert.Equal(a.Converged, b.Converged);
            Assert.Throws<NotSupportedException>(() => l.Sample(0, 1, 1));
        });

    [Fact]
    public void KMeansKeepsItsCentroids() =>
        RoundTrip(new TrainRunOptions { Method = "kmeans" }.With(new KMeansOptions { Restarts = 2 }), 0,
            (f, l, _) => Assert.Equal(((KMeansMethod)f).Result, ((KMeansMethod)l).Result, new KMeansResultComparer()));

    [Fact]
    public void LabelledOnlyKeepsItsClassifier() =>
        RoundTrip(new TrainRunOptions { Method = "labelled-only" }
            .With(new LabelledOnlyOptions { Epochs = 2, NetworkWidth = 8, LearningRate = 1e-3, Threads = 1 }), 2);

    [Fact]
    public void ALabelledOnlyClassifierWithADeeperEncoderComesBackWithIt() =>
        RoundTrip(new TrainRunOptions { Method = "labelled-only" }
            .With(new LabelledOnlyOptions { Epochs = 2, NetworkWidth = 8, EncoderDepth = 2, LearningRate = 1e-3, Threads = 1 }), 2);

    [Fact]
    public void AFolderWithoutASavedModelIsAOneLineErrorNamingIt()
    {
        using var dir = new TempDir();
        foreach (var method in MethodRegistry.Names)
        {
            AtomicFile.WriteAllText(dir.File(RunFolder.OptionsFile), Json.Serialize(new TrainRunOptions { Method = method }));
            var e = Assert.Throws<DnnmmInputException>(() => TrainRun.LoadMethod(dir.Path));
            Assert.Contains(dir.Path, e.Message);
            Assert.Contains("no saved model", e.Message);
            Assert.DoesNotContain("\n", e.Message);
        }
        Assert.Contains("folder not found", Assert.Throws<DnnmmInputException>(() => TrainRun.LoadMethod(dir.File("nope"))).Message);
    }

    [Fact]
    public void ACorruptModelIsAOneLineError()
    {
        using var dir = new TempDir();
        var data = TinyData.Make();
        var o = new TrainRunOptions { Method = "kmeans" }.With(new KMeansOptions { Restarts = 1 });
        using (var m = TrainRun.CreateMethod(o))
        {
            m.Fit(new FitInput(data, TinyData.Labelled(data, 0)), new FitContext());
            ((ISavableMethod)m).Save(dir.Path);
        }
        AtomicFile.WriteAllText(dir.File(RunFolder.OptionsFile), Json.Serialize(o));
        string bin = dir.File(ModelFile.WeightsFile);
        File.WriteAllBytes(bin, File.ReadAllBytes(bin)[..40]);
        var e = Assert.Throws<DnnmmInputException>(() => TrainRun.LoadMethod(dir.Path));
        Assert.Contains("damaged model", e.Message);
        // options.json naming another method than the saved model
        AtomicFile.WriteAllText(dir.File(RunFolder.OptionsFile), Json.Serialize(o with { Method = "dynae" }));
        Assert.Contains("'kmeans' model", Assert.Throws<DnnmmInputException>(() => TrainRun.LoadMethod(dir.Path)).Message);
    }

    private sealed class KMeansResultComparer : IEqualityComparer<KMeansResult>
    {
        public bool Equals(KMeansResult? a, KMeansResult? b) =>
            a is not null && b is not null && a.K == b.K && a.Dim == b.Dim && a.Inertia == b.Inertia && a.Iterations == b.Iterations
            && a.Centroids.SequenceEqual(b.Centroids) && a.Labels.SequenceEqual(b.Labels);

        public int GetHashCode(KMeansResult r) => r.K;
    }
}
