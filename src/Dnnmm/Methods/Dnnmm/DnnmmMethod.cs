using Dnnmm.Infrastructure;
using Dnnmm.Data;

namespace Dnnmm.Methods.Dnnmm;

/// <summary>DNN-MM trained with MinMax+EM, behind the common clustering-method interface.</summary>
public sealed class DnnmmMethod : IClusteringMethod, ILatentEncoder, IMixtureModel, IExportableWeights
{
    /// <summary>DNN-MM as the runs layer sees it: resumable from its per-epoch checkpoints.</summary>
    public static readonly MethodEntry Entry = MethodEntry.For<DnnmmOptions>("dnnmm", "DNN-MM trained with MinMax+EM (Pande & Awate, ICPR 2020)",
        "dnnmm", "", (o, seed) => new DnnmmMethod(o, seed), (folder, o, device, _) => Load(folder, o, device), canResume: true, generative: true);

    private readonly DnnmmOptions options;
    private readonly int seed;
    private DnnmmModel? model;
    /// <summary>checkpoint.bin of the fitted or loaded model (networks, optimisers, omega), for <see cref="Save"/>.</summary>
    private byte[]? checkpoint;

    public DnnmmMethod(DnnmmOptions options, int seed)
    {
        this.options = options;
        this.seed = seed;
    }

    private DnnmmMethod(DnnmmModel model, DnnmmOptions options, byte[]? checkpoint = null)
    {
        this.model = model; this.options = options; this.checkpoint = checkpoint; seed = model.Info.Seed;
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
        var info = new DnnmmModelInfo(img.Channels, img.Height, img.Width, k, options.ResolveLatentDim(k), options.NetworkWidth,
            img.ClassNames, options.Means, options.MeanScale, seed, options.SpectralNorm, options.EncoderDepth);
        info.Shape.ConvLayout(); // validates the shape with a clear message
        model?.Dispose();
        model = new DnnmmModel(info, Compute.ResolveDevice(options.Device));
        context.Folder?.WriteModelInfo(info);
        checkpoint = null;
        using var trainer = new MinMaxEmTrainer(model, options, seed);
        trainer.Fit(input, context);
        checkpoint = trainer.Snapshot();
    }

    /// <summary>
    /// Writes the fitted (or loaded) model into a run folder as training does: model.json and checkpoint.bin, each
    /// atomically, so that <see cref="Load"/> (and <c>dnnmm predict --model</c>, with an options.json) reads it back.
    /// </summary>
    public void Save(RunFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var bytes = checkpoint ?? throw new InvalidOperationException("the model has not been fitted or loaded");
        Directory.CreateDirectory(folder.Path);
        folder.WriteModelInfo(Model.Info);
        folder.WriteCheckpoint(bytes);
    }

    public float[,] PredictProbabilities(ImageSet images)
    {
        using var g = Model.Posterior(images);
        return TensorHelpers.ToMatrix(g);
    }

    public int[] Predict(ImageSet images) => TensorHelpers.ArgmaxRows(PredictProbabilities(images));

    public float[] Sample(int cluster, int n, int seed) => Model.Sample(cluster, n, seed);

    /// <summary>Dimension d of the encoder output.</summary>
    public int LatentDim => Model.Info.LatentDim;

    /// <summary>The encoder outputs E(x), N x d row-major.</summary>
    public float[] Encode(ImageSet images) => Model.Encode(images);

    /// <summary>The learned mixture weights omega.</summary>
    public float[] Omega => Model.Mixture.OmegaArray();

    /// <summary>
    /// Each image's log-likelihood log sum_k omega_k N(E(x_n); mu_k, I) (eq 4, with the -(d/2) log(2 pi) constant):
    /// the encodings E(x) in batches of 500, then the mixture's log-likelihood in batches of 500 on the model's device.
    /// </summary>
    public double[] ScoreSamples(ImageSet images)
    {
        const int batch = 500;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var z = Model.EncodeImages(images, null, batch);
        long n = z.shape[0];
        var scores = new double[n];
        for (long s = 0; s < n; s += batch)
        {
            int len = (int)(Math.Min(n, s + batch) - s);
            var ll = Model.Mixture.LogLikelihood(z.narrow(0, s, len).to(Model.Device)).cpu().data<float>();
            for (int i = 0; i < len; i++) scores[s + i] = ll[i];
        }
        return scores;
    }

    /// <summary>
    /// The model saved in a run folder (model.json and checkpoint.bin), on <paramref name="device"/>; <paramref name="trained"/>
    /// are the options it was trained with (they decide, for example, whether it can sample).
    /// </summary>
    public static DnnmmMethod Load(RunFolder folder, DnnmmOptions trained, string device = "cpu")
    {
        folder.RequireExists();
        if (!File.Exists(folder.ModelInfo) || !folder.HasCheckpoint)
            throw new DnnmmInputException(
                $"{folder}: no saved model ({RunFolder.ModelInfoFile} and {RunFolder.CheckpointFile}); the 'dnnmm' run did not finish an epoch");
        // The checkpoint's own damage first, then model.json (checked against the checkpoint's size before networks are built).
        MinMaxEmTrainer.Verify(folder.Checkpoint);
        var info = folder.ReadModelInfo<DnnmmModelInfo>().Check(folder.ModelInfo, new FileInfo(folder.Checkpoint).Length);
        var m = new DnnmmModel(info, Compute.ResolveDevice(device));
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(folder.Checkpoint);
            MinMaxEmTrainer.LoadWeights(m, bytes, folder.Checkpoint);
        }
        catch
        {
            m.Dispose();
            throw;
        }
        return new DnnmmMethod(m, trained with { Device = device }, bytes);
    }

    /// <summary>The networks and mixture for <c>dnnmm export</c> (<see cref="DnnmmExport"/>).</summary>
    public Dictionary<string, Tensor> ExportTensors() => DnnmmExport.Tensors(Model);

    /// <summary>The export's JSON sidecar (<see cref="DnnmmExport.Description"/>).</summary>
    public System.Text.Json.Nodes.JsonObject ExportDescription() => DnnmmExport.Description(Model, options);

    /// <summary>A method around an already built model (an import).</summary>
    internal static DnnmmMethod FromModel(DnnmmModel model, DnnmmOptions options) => new(model, options);

    public void Dispose() => model?.Dispose();
}
