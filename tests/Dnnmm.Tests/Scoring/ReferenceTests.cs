using Dnnmm.Data;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Scoring;
using Dnnmm.Tests.Methods;
using static TorchSharp.torch;
using TestFilesAlias = Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Scoring;

/// <summary>A reference classifier trained once on the synthetic bars (<see cref="ScoringData"/>), shared by the tests.</summary>
public sealed class TrainedReference : IDisposable
{
    private readonly TempDir dir = new();

    public TrainedReference()
    {
        Data = ScoringData.Options(ScoringData.WriteFolder(dir.Sub("data")));
        Folder = dir.File("ref");
        Info = ReferenceTrainer.Train(Data, new ReferenceOptions { Epochs = 8, BatchSize = 16, Width = 8, FeatureDim = 16, LearningRate = 5e-3, Threads = 1 },
            Folder, force: false);
        Images = DataPipeline.Prepare(Data).Images;
    }

    public DataOptions Data { get; }
    public string Folder { get; }
    public ReferenceInfo Info { get; }
    public ImageSet Images { get; }

    public void Dispose() => dir.Dispose();
}

public class ReferenceTests(TrainedReference trained) : IClassFixture<TrainedReference>
{
    [Fact]
    public void The_network_has_named_layers_a_feature_layer_and_a_head()
    {
        using var net = new ReferenceClassifier(new ImageShape(3, 32, 32), 5, 8, 24);
        var names = NetworkAssert.ParameterNames(net);
        foreach (var n in new[] { "features.conv1.weight", "features.gn1.weight", "features.conv3.bias", "features.fc.weight", "head.weight", "head.bias" })
            Assert.Contains(n, names);
        using var x = NetworkAssert.Images(4, new ImageShape(3, 32, 32));
        using var f = net.Features(x);
        NetworkAssert.Shape(f, 4, 24);
        using var logits = net.forward(x);
        NetworkAssert.Shape(logits, 4, 5);
        Assert.DoesNotContain("features.conv1_2.weight", names);
        // Deeper blocks add conv{b}_2 and keep the names of the first convolutions, so older reference folders still load.
        using var deep = new ReferenceClassifier(new ImageShape(3, 32, 32), 5, 8, 24, convsPerBlock: 2);
        var deepNames = NetworkAssert.ParameterNames(deep);
        Assert.Contains("features.conv3_2.weight", deepNames);
        Assert.Contains("features.gn2_2.bias", deepNames);
        Assert.Subset(deepNames.ToHashSet(), names.ToHashSet());
        using var deepLogits = deep.forward(x);
        NetworkAssert.Shape(deepLogits, 4, 5);
    }

    [Fact]
    public void Group_normalisation_starts_as_the_identity_affine_map()
    {
        // TorchSharp's GroupNorm leaves its weight and bias as torch.empty; the classifier sets PyTorch's 1 and 0.
        using var net = new ReferenceClassifier(new ImageShape(1, 28, 28), 5, 8, 16);
        foreach (var (name, p) in net.named_parameters().Where(p => p.name.Contains(".gn")))
        {
            using var expected = name.EndsWith("weight") ? ones_like(p) : zeros_like(p);
            Assert.True(p.eq(expected).all().item<bool>(), name);
        }
    }

    [Fact]
    public void Images_smaller_than_the_three_poolings_take_are_refused() =>
        Assert.Throws<DnnmmInputException>(() => new ReferenceClassifier(new ImageShape(1, 6, 6), 3, 8, 16));

    [Fact]
    public void Training_writes_the_folder_with_the_data_spec_classes_and_accuracies()
    {
        var info = ReferenceModel.ReadInfo(trained.Folder);
        Assert.Equal(new[] { "c0", "c1", "c2" }, info.ClassNames);
        Assert.Equal((1, 16, 16), (info.Channels, info.Height, info.Width));
        Assert.Equal(ScoringData.Classes * ScoringData.PerClass, info.TrainImages);
        Assert.Equal(1, info.Data.Alpha); // every label is used
        Assert.Equal(trained.Data.Data, info.Data.Data);
        Assert.InRange(info.TrainAccuracy, 0.9, 1.0); // the bars are easy
        Assert.Null(info.TestAccuracy);
        Assert.Contains("not comparable to Inception FID", info.Note);
    }

    [Fact]
    public void A_loaded_classifier_gives_what_the_saved_one_gave_and_its_accuracy()
    {
        using var a = ReferenceModel.Load(trained.Folder);
        using var b = ReferenceModel.Load(trained.Folder);
        var (ca, fa) = a.Classify(trained.Images);
        var (cb, fb) = b.Classify(trained.Images);
        Assert.Equal(ca, cb);
        Assert.Equal(fa, fb);
        Assert.Equal((trained.Images.Count, 16), (fa.GetLength(0), fa.GetLength(1)));
        double acc = (double)ca.Where((c, i) => c == trained.Images.Labels[i]).Count() / ca.Length;
        Assert.Equal(trained.Info.TrainAccuracy, acc, 12);
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        using var dir = new TempDir();
        var o = new ReferenceOptions { Epochs = 1, BatchSize = 16, Width = 4, FeatureDim = 8, Threads = 1 };
        var data = ScoringData.Options(ScoringData.WriteFolder(dir.Sub("data")));
        ReferenceTrainer.Train(data, o, dir.File("a"), force: false);
        ReferenceTrainer.Train(data, o, dir.File("b"), force: false);
        Assert.Equal(File.ReadAllBytes(dir.File("a", ReferenceModel.WeightsFile)), File.ReadAllBytes(dir.File("b", ReferenceModel.WeightsFile)));
    }

    [Fact]
    public void A_test_set_gives_the_test_accuracy_and_the_distance_between_real_training_and_test_images()
    {
        using var dir = new TempDir();
        var data = ScoringData.Options(ScoringData.WriteFolder(dir.Sub("train"))) with { TestData = "folder:" + ScoringData.WriteFolder(dir.Sub("test"), seed: 9) };
        var info = ReferenceTrainer.Train(data, new ReferenceOptions { Epochs = 1, BatchSize = 16, Width = 4, FeatureDim = 8, Threads = 1 }, dir.File("ref"), force: false);
        Assert.Equal(ScoringData.Classes * ScoringData.PerClass, info.TestImages);
        Assert.InRange(info.TestAccuracy!.Value, 0.0, 1.0);
        Assert.True(info.TestFrechetDistance >= 0);
        Assert.Equal(info.TestFrechetDistance, ReferenceModel.ReadInfo(dir.File("ref")).TestFrechetDistance);
    }

    [Fact]
    public void A_folder_holding_something_else_or_another_reference_is_not_overwritten()
    {
        using var dir = new TempDir();
        var o = new ReferenceOptions { Epochs = 1, Width = 4, FeatureDim = 8, Threads = 1 };
        string other = dir.Sub("other");
        File.WriteAllText(Path.Combine(other, "keep.txt"), "mine");
        TestFilesAlias.AssertInputError(() => ReferenceTrainer.Train(trained.Data, o, other, force: true), "holds no reference classifier");
        Assert.Equal("mine", File.ReadAllText(Path.Combine(other, "keep.txt")));
        string before = File.ReadAllText(Path.Combine(trained.Folder, ReferenceModel.InfoFile));
        TestFilesAlias.AssertInputError(() => ReferenceTrainer.Train(trained.Data, o, trained.Folder, force: false), "--force");
        Assert.Equal(before, File.ReadAllText(Path.Combine(trained.Folder, ReferenceModel.InfoFile)));
        // Bad options are refused before the folder is touched.
        var e = Assert.Throws<OptionException>(() => ReferenceTrainer.Train(trained.Data, o with { Epochs = 0 }, dir.File("new"), force: false));
        Assert.Equal(("epochs", typeof(ReferenceOptions)), (e.Option, e.Scope));
        Assert.False(Directory.Exists(dir.File("new")));
    }

    [Fact]
    public void A_folder_without_a_reference_is_a_one_line_input_error()
    {
        using var dir = new TempDir();
        TestFilesAlias.AssertInputError(() => ReferenceModel.ReadInfo(dir.File("missing")), "not found");
        TestFilesAlias.AssertInputError(() => ReferenceModel.ReadInfo(dir.Path), "reference.json", "dnnmm reference train");
    }

    /// <summary>
    /// A generative "method" whose cluster k is class perm[k]: it predicts the real images by their class, and its
    /// samples of cluster k are the real images of class source[k] (the first n, cycled).
    /// </summary>
    private sealed class FakeGenerative(ImageSet real, int[] perm, int[] source, bool canSample = true) : IClusteringMethod
    {
        public string Name => "fake";
        public int Clusters => perm.Length;
        public bool CanSample => canSample;
        public void Fit(FitInput input, FitContext context) { }
        public int[] Predict(ImageSet images) => images.Labels.Select(y => Array.IndexOf(perm, y)).ToArray();
        public float[,] PredictProbabilities(ImageSet images) => MethodCommon.OneHot(Predict(images), Clusters);

        public float[] Sample(int cluster, int n, int seed)
        {
            var ofClass = Enumerable.Range(0, real.Count).Where(i => real.Labels[i] == source[cluster]).ToArray();
            return real.Subset(Enumerable.Range(0, n).Select(i => ofClass[i % ofClass.Length]).ToList()).Pixels;
        }

        public void Dispose() { }
    }

    [Fact]
    public void Samples_that_are_the_real_images_of_each_clusters_class_have_the_references_per_class_accuracy_and_distance_zero()
    {
        using var reference = ReferenceModel.Load(trained.Folder);
        var real = trained.Images;
        int[] perm = { 2, 0, 1 };
        var (classes, _) = reference.Classify(real);
        double ClassAccuracy(int c, int asClass) =>
            (double)Enumerable.Range(0, real.Count).Count(i => real.Labels[i] == c && classes[i] == asClass) / real.Labels.Count(y => y == c);

        var g = GenerativeScoring.Score(new FakeGenerative(real, perm, perm), real, reference, ScoringData.PerClass, seed: 1);
        Assert.Equal(perm, g.ClusterToClass);
        for (int k = 0; k < 3; k++) Assert.Equal(ClassAccuracy(perm[k], perm[k]), g.PurityPerCluster[k], 12);
        Assert.Equal(g.PurityPerCluster.Average(), g.SamplePurity, 12);
        // N = the images per class: the pooled samples are the real images, in another order.
        Assert.Equal(0, g.FrechetDistance, 6);
        Assert.Equal((ScoringData.PerClass, real.Count), (g.SamplesPerCluster, g.RealImages));

        // Samples of the wrong class: cluster k generates class perm[k + 1].
        int[] shifted = { perm[1], perm[2], perm[0] };
        var wrong = GenerativeScoring.Score(new FakeGenerative(real, perm, shifted), real, reference, ScoringData.PerClass, seed: 1);
        for (int k = 0; k < 3; k++) Assert.Equal(ClassAccuracy(shifted[k], perm[k]), wrong.PurityPerCluster[k], 12);
        Assert.True(wrong.SamplePurity < 0.2, $"purity {wrong.SamplePurity} of wrong-class samples");
        Assert.Equal(0, wrong.FrechetDistance, 6); // the same pooled set: the distance does not see the classes
    }

    [Fact]
    public void A_method_without_samples_or_with_other_classes_is_an_input_error()
    {
        using var reference = ReferenceModel.Load(trained.Folder);
        var real = trained.Images;
        int[] id = { 0, 1, 2 };
        TestFilesAlias.AssertInputError(() => GenerativeScoring.Score(new FakeGenerative(real, id, id, canSample: false), real, reference, 4, 1),
            "cannot generate images");
        var renamed = new ImageSet(real.Pixels, real.Labels, new[] { "x", "y", "z" }, real.Channels, real.Height, real.Width, "renamed");
        TestFilesAlias.AssertInputError(() => GenerativeScoring.Score(new FakeGenerative(renamed, id, id), renamed, reference, 4, 1),
            "trained on classes c0,c1,c2", "x,y,z");
    }
}

public class CommittedReferenceTests
{
    [Fact]
    public void The_committed_MNIST_5_reference_loads_and_classifies_the_shipped_digits()
    {
        string dir = Path.Combine(Architecture.LayerTests.RepoRoot(), "refs", "mnist5");
        using var reference = ReferenceModel.Load(dir);
        Assert.Equal(new[] { "0", "1", "2", "3", "4" }, reference.Info.ClassNames);
        Assert.Equal(new ImageShape(1, 28, 28), reference.Info.Shape);
        Assert.True(reference.Info.TestAccuracy > 0.99);
        // The first 20 test images of each digit (held out from its training).
        var images = DataPipeline.Prepare(new DataOptions { Split = "test", Classes = reference.Info.ClassNames, PerClass = 20 }).Images;
        var (classes, _) = reference.Classify(images);
        Assert.True(classes.Where((c, i) => c == images.Labels[i]).Count() >= 95, "accuracy on 100 test digits");
    }
}
