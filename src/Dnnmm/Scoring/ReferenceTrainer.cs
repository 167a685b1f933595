using System.Diagnostics;
using System.Globalization;
using Dnnmm.Data;
using Dnnmm.Evaluation;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;

namespace Dnnmm.Scoring;

/// <summary>
/// Trains a reference classifier (<see cref="ReferenceClassifier"/>) on every label of the training images a data
/// spec selects (the run's protocol: classes, images per class, noise; alpha plays no part), with the data options'
/// seed, and saves it in a folder (<see cref="ReferenceModel"/>). Minibatches of shuffled images, optional shifts and
/// flips, cross-entropy, Adam with L2 weight decay and a cosine learning-rate decay. The classifier is what scores
/// generated images (<see cref="GenerativeScoring"/>); it never takes part in training a clustering method.
/// </summary>
public static class ReferenceTrainer
{
    /// <summary>
    /// Trains and saves the classifier in <paramref name="outDir"/>. Everything is checked (options, data, test set, the
    /// folder) before the folder is touched; a folder that holds another reference needs <paramref name="force"/>.
    /// </summary>
    public static ReferenceInfo Train(DataOptions data, ReferenceOptions options, string outDir, bool force,
        Action<string>? log = null, CancellationToken cancel = default)
    {
        if (string.IsNullOrWhiteSpace(outDir)) throw new DnnmmInputException("--out: a folder for the reference classifier is required");
        options.Validate();
        data = data with { Alpha = 1 };
        var prepared = DataPipeline.Prepare(data);
        var test = DataPipeline.PrepareTest(data, prepared.Images);
        var images = prepared.Images;
        var shape = MethodCommon.ShapeOf(images);
        if (images.ClassNames.Length < 2) throw new DnnmmInputException($"{images.ClassNames.Length} class: a reference classifier needs at least 2 classes");
        CheckFolder(outDir, force);
        log?.Invoke(prepared.Describe());
        if (test is not null) log?.Invoke($"test set:  {test.Count} images ({test.Source}), scored after training");

        Compute.ConfigureThreads(options.Threads);
        var device = Compute.ResolveDevice(options.Device);
        using var net = Compute.SeededInit(data.Seed, () => new ReferenceClassifier(shape, images.ClassNames.Length, options.Width, options.FeatureDim, options.ConvsPerBlock));
        net.to(device);
        var sw = Stopwatch.StartNew();
        Fit(net, images, options, device, data.Seed, log, cancel);
        double seconds = sw.Elapsed.TotalSeconds;
        net.eval();
        var (trainClasses, trainFeatures) = ReferenceModel.Classify(net, device, shape, images.Pixels, images.Count);
        double trainAcc = Accuracy(trainClasses, images.Labels);
        double? testAcc = null, testFrechet = null;
        if (test is not null)
        {
            var (testClasses, testFeatures) = ReferenceModel.Classify(net, device, shape, test.Pixels, test.Count);
            testAcc = Accuracy(testClasses, test.Labels);
            if (test.Count > 1) testFrechet = FrechetDistance.Compute(trainFeatures, testFeatures);
        }
        var info = new ReferenceInfo
        {
            Data = data, ClassNames = images.ClassNames, Channels = shape.Channels, Height = shape.Height, Width = shape.Width,
            Options = options, TrainImages = images.Count, TrainAccuracy = trainAcc,
            TestImages = test?.Count ?? 0, TestAccuracy = testAcc, TestFrechetDistance = testFrechet, TestSource = test?.Source, Seconds = Math.Round(seconds, 1),
        };
        ReferenceModel.Save(outDir, info, net);
        return info;
    }

    /// <summary>An existing folder must be empty or, with <paramref name="force"/>, hold a reference classifier (replaced).</summary>
    private static void CheckFolder(string outDir, bool force)
    {
        if (File.Exists(outDir)) throw new DnnmmInputException($"--out {outDir}: is a file, not a folder");
        if (!Directory.Exists(outDir) || !Directory.EnumerateFileSystemEntries(outDir).Any()) return;
        if (!ReferenceModel.IsReferenceFolder(outDir))
            throw new DnnmmInputException($"--out {outDir}: folder is not empty and holds no reference classifier; give a new folder");
        if (!force)
            throw new DnnmmInputException($"--out {outDir}: holds a reference classifier already; use --force to replace it");
    }

    /// <summary>The training loop: <see cref="ReferenceOptions.Epochs"/> passes over the shuffled images.</summary>
    private static void Fit(ReferenceClassifier net, ImageSet images, ReferenceOptions o, Device device, int seed,
        Action<string>? log, CancellationToken cancel)
    {
        using var x = MethodCommon.ToTensor(images);
        using var y = tensor(images.Labels.Select(v => (long)v).ToArray());
        using var opt = torch.optim.Adam(net.parameters(), o.LearningRate, weight_decay: o.WeightDecay);
        int n = images.Count, b = Math.Min(o.BatchSize, n), steps = Batches.Steps(n, b);
        var all = MethodCommon.Range(n);
        net.train();
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            // Cosine decay from the learning rate to 0, one value per epoch.
            double lr = 0.5 * o.LearningRate * (1 + Math.Cos(Math.PI * (epoch - 1) / o.Epochs));
            foreach (var g in opt.ParamGroups) g.LearningRate = lr;
            var order = Batches.Shuffle(all, new Random(Seeds.Mix(seed, epoch, 11)));
            var augment = new Random(Seeds.Mix(seed, epoch, 12));
            double lossSum = 0;
            long correct = 0;
            for (int step = 0; step < steps; step++)
            {
                GcFence.SafePoint(); // between native calls: see GcFence
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var idx = Batches.Slice(order, step, b);
                var ids = tensor(idx.Select(i => (long)i).ToArray());
                var xb = Augment(x.index_select(0, ids), o, augment).to(device);
                var yb = y.index_select(0, ids).to(device);
                var logits = net.forward(xb);
                var loss = nn.functional.cross_entropy(logits, yb);
                if (!TensorHelpers.IsFinite(loss))
                    throw new DnnmmTrainingException($"reference: the loss became NaN or infinite in epoch {epoch}; try a smaller --lr");
                opt.zero_grad();
                loss.backward();
                opt.step();
                lossSum += loss.item<float>() * idx.Length;
                correct += logits.argmax(1).eq(yb).sum().item<long>();
            }
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch}/{o.Epochs}  loss {lossSum / n:F4}  train ACC (augmented, training mode) {(double)correct / n:F4}  lr {lr:G3}  {sw.Elapsed.TotalSeconds:F1}s"));
        }
    }

    /// <summary>Random shifts (up to <see cref="ReferenceOptions.Shift"/> of the side, border pixels repeated) and horizontal flips.</summary>
    internal static Tensor Augment(Tensor x, ReferenceOptions o, Random rng)
    {
        if (o.Flip)
        {
            var flip = tensor(Enumerable.Range(0, (int)x.shape[0]).Select(_ => rng.NextDouble() < 0.5).ToArray()).view(-1, 1, 1, 1);
            x = where(flip, x.flip(3), x);
        }
        if (o.Shift > 0) x = Augmentation.RandomAffine(x, o.Shift, 0, rng);
        return x;
    }

    /// <summary>The fraction of the images whose predicted class is their class (NaN for none).</summary>
    public static double Accuracy(int[] predicted, int[] labels) =>
        labels.Length == 0 ? double.NaN : (double)predicted.Where((p, i) => p == labels[i]).Count() / labels.Length;
}
