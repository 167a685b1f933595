using TorchSharp;
using static TorchSharp.torch;
using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Runs;

namespace Dnnmm.Methods.Dnnmm;

/// <summary>DNN-MM trained with MinMax+EM, behind the common clustering-method interface.</summary>
public sealed class DnnmmMethod : IClusteringMethod, ILatentEncoder
{
    public const string ModelInfoFile = "model.json";
    public const string CheckpointFile = "checkpoint.bin";

    private readonly DnnmmOptions options;
    private readonly int seed;
    private DnnmmModel? model;

    public DnnmmMethod(DnnmmOptions options, int seed)
    {
        this.options = options;
        this.seed = seed;
    }

    private DnnmmMethod(DnnmmModel model, DnnmmOptions options)
    {
        this.model = model; this.options = options; seed = model.Info.Seed;
    }

    public string Name => "dnnmm";
    public int Clusters => Model.Info.Clusters;
    public DnnmmModel Model => model ?? throw new InvalidOperationException("the model has not been fitted or loaded");
    /// <summary>
    /// Whether the generator was trained: by the consistency term (lambda1) or the adversarial term (lambda2).
    /// Without both (the no-GAN ablation) G keeps its random weights and its "samples" would be noise.
    /// </summary>
    public bool CanSample => options.Lambda1 > 0 || options.Lambda2 > 0;

    public void Fit(FitInput input, FitContext context)
    {
        int k = input.Clusters;
        options.Validate(k);
        Compute.ConfigureThreads(options.Threads);
        var img = input.Images;
        var info = new DnnmmModelInfo(img.Channels, img.Height, img.Width, k, options.ResolveLatentDim(k), options.Width,
            img.ClassNames, options.Means, options.MeanScale, seed);
        info.Shape.ConvLayout(); // validates the shape with a clear message
        model?.Dispose();
        model = new DnnmmModel(info, Compute.ResolveDevice(options.Device));
        if (context.CheckpointDir is not null)
            AtomicFile.WriteAllText(Path.Combine(context.CheckpointDir, ModelInfoFile), Json.Serialize(info));
        using var trainer = new MinMaxEmTrainer(model, options, seed);
        trainer.Fit(input, context);
    }

    public float[,] PredictProbabilities(ImageSet images)
    {
        using var g = Model.Posterior(images);
        int n = (int)g.shape[0], k = (int)g.shape[1];
        var flat = g.data<float>().ToArray();
        var p = new float[n, k];
        Buffer.BlockCopy(flat, 0, p, 0, flat.Length * sizeof(float));
        return p;
    }

    public int[] Predict(ImageSet images)
    {
        var p = PredictProbabilities(images);
        int n = p.GetLength(0), k = p.GetLength(1);
        var pred = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int j = 1; j < k; j++) if (p[i, j] > p[i, best]) best = j;
            pred[i] = best;
        }
        return pred;
    }

    public float[] Sample(int cluster, int n, int seed) => Model.Sample(cluster, n, seed);

    /// <summary>Dimension d of the encoder output.</summary>
    public int LatentDim => Model.Info.LatentDim;

    /// <summary>The encoder outputs E(x), N x d row-major.</summary>
    public float[] Encode(ImageSet images)
    {
        using var x = Model.ToTensor(images);
        using var z = Model.Encode(x);
        return z.data<float>().ToArray();
    }

    /// <summary>Loads a trained model from a run folder (model.json + checkpoint.bin); <see cref="TrainRun.LoadMethod"/> loads any method's.</summary>
    public static DnnmmMethod Load(string runDir, string device = "cpu")
    {
        if (!Directory.Exists(runDir)) throw new DnnmmInputException($"--model {runDir}: folder not found");
        string options = Path.Combine(runDir, TrainRun.OptionsFile);
        var trained = new DnnmmOptions();
        if (File.Exists(options))
        {
            var run = Json.Read<TrainRunOptions>(options);
            if (run.Method != "dnnmm")
                throw new DnnmmInputException($"--model {runDir}: a '{run.Method}' run is not a DNN-MM model (TrainRun.LoadMethod loads any method)");
            trained = run.Dnnmm;
        }
        var info = Json.Read<DnnmmModelInfo>(Path.Combine(runDir, ModelInfoFile));
        var m = new DnnmmModel(info, Compute.ResolveDevice(device));
        MinMaxEmTrainer.LoadWeights(m, Path.Combine(runDir, CheckpointFile));
        return new DnnmmMethod(m, trained with { Device = device });
    }

    public void Dispose() => model?.Dispose();
}
