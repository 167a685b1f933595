using System.Text.Json.Serialization;
using Dnnmm.Infrastructure;
using System.Diagnostics;
using Dnnmm.Data;
using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Methods.LabelledOnly;

/// <summary>
/// The supervised reference: the DNN-MM encoder trunk with K outputs, trained with cross-entropy on
/// the labelled images only. Its network and optimiser defaults are DNN-MM's.
/// </summary>
public sealed record LabelledOnlyOptions : IMethodOptions
{
    private static readonly DnnmmOptions DnnmmDefaults = new();

    [Option("epochs", "training epochs", Shared = true, Min = 1)]
    public int Epochs { get; init; } = DnnmmDefaults.Epochs;
    [Option("labelled-batch-size", "labelled images per step (DNN-MM's labelled minibatch)", Shared = true, Min = 1)]
    public int LabelledBatchSize { get; init; } = DnnmmDefaults.LabelledBatchSize;
    [Option("steps-per-epoch", "steps per epoch; 0 = as many as DNN-MM takes, ceil(unlabelled images / DNN-MM batch size), at least 1", Min = 0)]
    public int StepsPerEpoch { get; init; } = 0;
    [Option("lr", "Adam learning rate", Shared = true, Min = 0, Max = 1, MinExclusive = true, MaxExclusive = true)]
    public double LearningRate { get; init; } = DnnmmDefaults.LearningRate;
    [Option("beta1", "Adam beta1", Shared = true, Min = 0, Max = 1, MaxExclusive = true)]
    public double Beta1 { get; init; } = DnnmmDefaults.Beta1;
    [Option("beta2", "Adam beta2", Shared = true, Min = 0, Max = 1, MaxExclusive = true)]
    public double Beta2 { get; init; } = DnnmmDefaults.Beta2;
    [Option("width", "channels of the first convolution (doubled per stage), as DNN-MM's --width", Shared = true, Min = 4, Max = 1024)]
    [JsonPropertyName("width")]
    public int NetworkWidth { get; init; } = DnnmmDefaults.NetworkWidth;
    [Option("encoder-depth", "convolutions per stage (the stride-2 one and depth - 1 stride-1 3x3 ones), as DNN-MM's --encoder-depth", Shared = true, Min = 1, Max = DnnmmOptions.MaxEncoderDepth)]
    public int EncoderDepth { get; init; } = DnnmmDefaults.EncoderDepth;
    [Option("device", "cpu, cuda or cuda:N", Shared = true)]
    public string Device { get; init; } = "cpu";
    [Option("threads", "CPU threads for libtorch (0 = all cores)", Shared = true, Min = 0)]
    public int Threads { get; init; } = 0;

    public int ResolveSteps(FitInput input)
    {
        if (StepsPerEpoch > 0) return StepsPerEpoch;
        int unl = input.Images.Count - input.LabelledCount;
        return Batches.Steps(unl, DnnmmDefaults.BatchSize);
    }

    public void Validate(FitInput input)
    {
        OptionSchema.ValidateRanges(this);
        MethodCommon.CheckDevice(Device);
        if (input.LabelledCount == 0) throw new OptionException("alpha", "must be above 0: the labelled-only reference learns from labelled images only");
        MethodCommon.ShapeOf(input.Images).ConvLayout();
    }
}

/// <summary>A classifier trained on the labelled images only; clusters = argmax of its softmax.</summary>
public sealed class LabelledOnlyMethod(LabelledOnlyOptions options, int seed) : IClusteringMethod, ISavableMethod
{
    /// <summary>The labelled-only reference as the runs layer sees it; it shares DNN-MM's flags of the same meaning.</summary>
    public static readonly MethodEntry Entry = MethodEntry.For<LabelledOnlyOptions>("labelled-only", "DNN-MM's encoder trained on the labelled images only (reference)",
        "labelledOnly", "", (o, seed) => new LabelledOnlyMethod(o, seed), (folder, o, _, seed) => Load(folder.Path, o, seed));

    private ConvNet? net;
    private Device device = CPU;
    private SavedModelInfo? info;


    public string Name => "labelled-only";
    public int Clusters => Info.Clusters;
    private SavedModelInfo Info => info ?? throw new InvalidOperationException("the classifier has not been fitted");
    public bool CanSample => false;
    public ConvNet Net => net ?? throw new InvalidOperationException("the classifier has not been fitted");

    /// <summary>The loss: mean cross-entropy of the logits against the labels.</summary>
    public static Tensor ClassifierLoss(Tensor logits, Tensor labels) => nn.functional.cross_entropy(logits, labels);

    public void Fit(FitInput input, FitContext ctx)
    {
        options.Validate(input);
        info = ModelFile.Info(Name, input);
        device = MethodCommon.StartFit(options.Threads, options.Device);
        net?.Dispose();
        net = Compute.SeededInit(seed, () => new ConvNet("classifier", info.Shape, options.NetworkWidth, Clusters, depth: options.EncoderDepth));
        net.to(device);
        using var opt = torch.optim.Adam(net.parameters(), options.LearningRate, options.Beta1, options.Beta2);

        using var xAll = MethodCommon.ToTensor(input.Images);
        using var yAll = tensor(input.KnownLabels.Select(v => (long)Math.Max(v, 0)).ToArray());
        int[] lab = MethodCommon.LabelledIndices(input);
        int steps = options.ResolveSteps(input);
        int b = Math.Min(options.LabelledBatchSize, lab.Length);
        var cycler = new BatchCycler(lab, new Random(Seeds.Mix(seed, 0, 7)));

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            double sum = 0;
            for (int step = 0; step < steps; step++)
            {
                GcFence.SafePoint(); // between native calls: see GcFence
                ctx.Cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var idx = tensor(cycler.Next(b));
                var x = xAll.index_select(0, idx).to(device);
                var y = yAll.index_select(0, idx).to(device);
                var loss = ClassifierLoss(net.forward(x), y);
                if (!TensorHelpers.IsFinite(loss))
                    throw new DnnmmTrainingException($"labelled-only: the loss became NaN or infinite in epoch {epoch}; try a smaller --lr");
                opt.zero_grad();
                loss.backward();
                opt.step();
                sum += loss.item<float>();
                ctx.OnStep?.Invoke(step + 1, steps, new Dictionary<string, double> { ["cross_entropy"] = sum / (step + 1) });
            }
            var values = new Dictionary<string, double> { ["cross_entropy"] = sum / steps };
            if (ctx.Monitors(epoch, last: epoch == options.Epochs))
                MethodCommon.AddScores(values, ctx.MonitorLabels!, PredictTensor(xAll), input.KnownLabels);
            ctx.OnEpoch?.Invoke(new EpochReport(epoch, options.Epochs, sw.Elapsed.TotalSeconds, values));
        }
    }

    private Tensor Probabilities(Tensor x)
    {
        using var logits = MethodCommon.Map(Net.forward, x, device);
        return logits.softmax(1);
    }

    private int[] PredictTensor(Tensor x)
    {
        using var p = Probabilities(x);
        return TensorHelpers.ArgmaxRows(p);
    }

    public float[,] PredictProbabilities(ImageSet images) => MethodCommon.PredictProbabilities(images, Info.Shape, Probabilities);

    public int[] Predict(ImageSet images) => TensorHelpers.ArgmaxRows(PredictProbabilities(images));

    public float[] Sample(int cluster, int n, int seed) =>
        throw new NotSupportedException("the labelled-only classifier is not a generative model");

    /// <summary>model.bin: the classifier's state dict.</summary>
    public void Save(string runDir) =>
        ModelFile.Save(runDir, Info, w => Net.save(w));

    /// <summary>A classifier saved by <see cref="Save"/>, on <paramref name="options"/>' device.</summary>
    public static LabelledOnlyMethod Load(string runDir, LabelledOnlyOptions options, int seed) =>
        ModelFile.Restore(new LabelledOnlyMethod(options, seed), m =>
        {
            ModelFile.Load(runDir, m.Name, (info, r) =>
            {
                m.info = info;
                m.net = new ConvNet("classifier", info.Shape, options.NetworkWidth, info.Clusters, depth: options.EncoderDepth);
                TorchState.LoadModule(m.net, r);
            });
            m.device = Compute.ResolveDevice(options.Device);
            m.Net.to(m.device);
        });

    public void Dispose() => net?.Dispose();
}
