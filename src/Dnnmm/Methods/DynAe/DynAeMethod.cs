using Dnnmm.Infrastructure;
using System.Diagnostics;
using Dnnmm.Data;
using Dnnmm.Evaluation;

namespace Dnnmm.Methods.DynAe;

/// <summary>
/// DynAE (Mrabah, Khan, Ksantini; Neural Networks 2020) as in its official code. Phase 1: autoencoder
/// pretraining with adversarially constrained interpolation (ACAI). Phase 2: centres from k-means on the
/// embedding (each snapped to the nearest embedded image, decoded into a centre image); every step,
/// unconflicted images are pulled to their centre's embedding and decoded image, conflicted ones keep
/// their own; every CheckInterval steps the conflicted count is taken, and when it has stopped falling
/// the centres are recomputed and the thresholds shrink; training stops under StopFraction conflicted.
/// Clusters: argmax of the Student-t soft assignment q. With labelled images and LabelledWeight > 0 it
/// is DynAEss: centres start from the labelled images' class means (k-means refines them) and a
/// cross-entropy between labelled images' q and their labels joins the phase-2 loss.
/// </summary>
public sealed class DynAeMethod(DynAeOptions options, int seed) : IClusteringMethod, ILatentEncoder, ISavableMethod
{
    /// <summary>DynAE as the runs layer sees it; flags --dynae-*.</summary>
    public static readonly MethodEntry Entry = MethodEntry.For<DynAeOptions>("dynae", "DynAE (Mrabah et al., Neural Networks 2020); DynAEss with labels",
        "dynAe", "dynae-", (o, seed) => new DynAeMethod(o, seed), (folder, o, _, seed) => Load(folder.Path, o, seed));

    private DynAeAutoencoder? autoencoder;
    private Device device = CPU;
    private Tensor? centreEmbeddings;
    private SavedModelInfo? info;


    public string Name => "dynae";
    public int Clusters => Info.Clusters;
    private SavedModelInfo Info => info ?? throw NotFitted();
    /// <summary>DynAE is not a generative model (its decoder only maps embeddings back to images).</summary>
    public bool CanSample => false;
    public DynAeAutoencoder Autoencoder => autoencoder ?? throw NotFitted();
    /// <summary>The cluster centres in the embedding, K x EmbeddingDim (CPU).</summary>
    public Tensor Centers => centreEmbeddings ?? throw NotFitted();
    /// <summary>The thresholds when training ended.</summary>
    public DynAeThresholds Thresholds { get; private set; }
    /// <summary>Whether phase 2 stopped because fewer than StopFraction images were conflicted.</summary>
    public bool Converged { get; private set; }

    private static InvalidOperationException NotFitted() => new("DynAE has not been fitted");

    public void Fit(FitInput input, FitContext ctx)
    {
        options.Validate(input);
        info = ModelFile.Info(Name, input);
        var shape = info.Shape;
        device = MethodCommon.StartFit(options.Threads, options.Device);
        autoencoder?.Dispose();
        DynAeCritic built;
        (autoencoder, built) = Compute.SeededInit(seed, () => (
            new DynAeAutoencoder(shape, options.Architecture, options.HiddenDims, options.EmbeddingDim, options.NetworkWidth),
            new DynAeCritic(shape, options.Architecture, options.HiddenDims, options.EmbeddingDim, options.NetworkWidth)));
        using var critic = built;
        autoencoder.to(device); critic.to(device);
        using var images = new TrainingImages(input, options.LabelledWeight, options.LabelledBatchSize, Seeds.Mix(seed, 0, 5));

        Pretrain(images, critic, input, ctx);
        Cluster(images, input, ctx);
    }

    // ---- Phase 1: autoencoder pretraining with adversarially constrained interpolation (ACAI) ----

    private void Pretrain(TrainingImages images, DynAeCritic critic, FitInput input, FitContext ctx)
    {
        using var autoencoderOptimizer = torch.optim.Adam(Autoencoder.parameters(), options.PretrainLearningRate);
        using var criticOptimizer = torch.optim.Adam(critic.parameters(), options.PretrainLearningRate);
        for (int epoch = 1; epoch <= options.PretrainEpochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            var values = PretrainEpoch(epoch, images, critic, autoencoderOptimizer, criticOptimizer, ctx);
            values["phase"] = 1;
            if (ctx.Monitors(epoch, last: epoch == options.PretrainEpochs))
            {
                using var embedding = Embed(images.All);
                var km = KMeansClustering.Fit(embedding, Clusters, Seeds.Mix(seed, epoch, 4), options.KMeansRestarts);
                MethodCommon.AddScores(values, ctx.MonitorLabels!, km.Labels, input.KnownLabels);
            }
            ctx.OnEpoch?.Invoke(new EpochReport(epoch, options.Epochs, sw.Elapsed.TotalSeconds, values));
        }
    }

    private Dictionary<string, double> PretrainEpoch(int epoch, TrainingImages images, DynAeCritic critic,
        torch.optim.Optimizer autoencoderOptimizer, torch.optim.Optimizer criticOptimizer, FitContext ctx)
    {
        int n = images.Count;
        int batchSize = Math.Min(options.BatchSize, n), steps = Batches.Steps(n, batchSize);
        using var gen = new torch.Generator((ulong)Seeds.Mix(seed, epoch, 1));
        var rng = new Random(Seeds.Mix(seed, epoch, 2));
        int[] order = Batches.Shuffle(MethodCommon.Range(n), rng);
        var sums = new Dictionary<string, double> { ["reconstruction"] = 0, ["loss_ae"] = 0, ["loss_critic"] = 0 };
        for (int step = 0; step < steps; step++)
        {
            GcFence.SafePoint(); // between native calls: see GcFence
            ctx.Cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var x = images.Batch(Batches.Slice(order, step, batchSize), device);
            if (options.Augment) x = Augmentation.RandomAffine(x, options.AugmentShift, options.AugmentRotation, rng);
            var (reconstruction, lossAe, lossCritic) = AcaiStep(x, critic, autoencoderOptimizer, criticOptimizer, gen, epoch);
            sums["reconstruction"] += reconstruction;
            sums["loss_ae"] += lossAe;
            sums["loss_critic"] += lossCritic;
            ctx.OnStep?.Invoke(step + 1, steps, Stats.Averages(sums, step + 1));
        }
        return Stats.Averages(sums, steps);
    }

    /// <summary>
    /// One ACAI step on a batch x: the autoencoder minimises the reconstruction error plus lambda times the
    /// critic's output on decoded interpolations of embeddings; then the critic learns to predict the
    /// interpolation coefficient alpha (and 0 on blends of images with their reconstructions).
    /// </summary>
    private (float Reconstruction, float LossAe, float LossCritic) AcaiStep(Tensor x, DynAeCritic critic,
        torch.optim.Optimizer autoencoderOptimizer, torch.optim.Optimizer criticOptimizer, torch.Generator gen, int epoch)
    {
        long b = x.shape[0];
        // alpha per image: 0.5 - |u - 0.5| in [0, 0.5] (the ACAI paper; default) or u ~ U(0, 1) (the official
        // DynAE code, AcaiFoldAlpha = false); the mix coefficient beta = 0.5 - |u - 0.5| per batch (official).
        var alpha = rand(new long[] { b }, generator: gen).to(device);
        if (options.AcaiFoldAlpha) alpha = alpha.sub(0.5).abs().neg().add(0.5);
        double beta = 0.5 - Math.Abs(rand(new long[] { 1 }, generator: gen).item<float>() - 0.5);

        var z = Autoencoder.Encode(x);
        var rec = Autoencoder.Decode(z);
        var zMix = z.mul(alpha.unsqueeze(1)).add(z.flip(0).mul(alpha.neg().add(1).unsqueeze(1)));
        var interpolation = Autoencoder.Decode(zMix);
        var criticOnInterpolation = critic.forward(interpolation);
        var recLoss = nn.functional.mse_loss(rec, x);
        var lossAe = DynAeLosses.AcaiAutoencoderLoss(x, rec, criticOnInterpolation, options.AcaiWeight);
        if (!TensorHelpers.IsFinite(lossAe))
            throw new DnnmmTrainingException($"dynae: a loss became NaN or infinite in pretraining epoch {epoch}; try a smaller --dynae-pretrain-lr");
        autoencoderOptimizer.zero_grad();
        lossAe.backward();
        autoencoderOptimizer.step();

        var mix = x.mul(beta).add(rec.detach().mul(1 - beta));
        var lossCritic = DynAeLosses.AcaiCriticLoss(critic.forward(interpolation.detach()), alpha, critic.forward(mix));
        criticOptimizer.zero_grad();
        lossCritic.backward();
        criticOptimizer.step();
        return (recLoss.item<float>(), lossAe.item<float>(), lossCritic.item<float>());
    }

    // ---- Phase 2: dynamic clustering ----

    /// <summary>What phase 2 carries from step to step besides the thresholds and the centres' embeddings.</summary>
    private sealed class ClusteringState
    {
        /// <summary>The decoded centres, K x C x H x W (CPU).</summary>
        public required Tensor CentreImages;
        /// <summary>Conflicted images at the last check.</summary>
        public required int Conflicted;
        /// <summary>Phase-2 steps so far, over all epochs.</summary>
        public long Iteration;
    }

    private void Cluster(TrainingImages images, FitInput input, FitContext ctx)
    {
        using var optimizer = torch.optim.SGD(Autoencoder.parameters(), options.LearningRate, options.Momentum);
        Thresholds = DynAeThresholds.Initial(options.Kappa, Clusters);
        var state = new ClusteringState { CentreImages = ComputeCentres(images, input, round: 0), Conflicted = images.Count };
        Converged = false;
        try
        {
            for (int epoch = 1; epoch <= options.ClusterEpochs && !Converged; epoch++)
                ClusteringEpoch(epoch, images, state, optimizer, input, ctx);
            if (Converged) ctx.Log?.Invoke($"dynae: fewer than {options.StopFraction:P0} of the images are conflicted; clustering stopped");
        }
        finally
        {
            state.CentreImages.Dispose();
        }
    }

    /// <summary>One pass over the images in phase 2 (cut short when <see cref="Converged"/>), reported as epoch PretrainEpochs + epoch.</summary>
    private void ClusteringEpoch(int epoch, TrainingImages images, ClusteringState state, torch.optim.Optimizer optimizer,
        FitInput input, FitContext ctx)
    {
        var sw = Stopwatch.StartNew();
        int n = images.Count;
        int batchSize = Math.Min(options.BatchSize, n), steps = Batches.Steps(n, batchSize);
        var rng = new Random(Seeds.Mix(seed, options.PretrainEpochs + epoch, 2));
        int[] order = Batches.Shuffle(MethodCommon.Range(n), rng);
        var sums = new Dictionary<string, double> { ["loss"] = 0 };
        if (images.SemiSupervised) sums["labelled_ce"] = 0;
        int done = 0;
        for (int step = 0; step < steps; step++, state.Iteration++)
        {
            GcFence.SafePoint(); // between native calls: see GcFence
            ctx.Cancellation.ThrowIfCancellationRequested();
            if (state.Iteration % options.CheckInterval == 0 && UpdateThresholds(images, state, input, ctx))
            {
                Converged = true;
                break;
            }
            using var scope = NewDisposeScope();
            var (loss, labelledCe) = ClusteringStep(images, images.Batch(Batches.Slice(order, step, batchSize), device),
                state.CentreImages, optimizer, rng, epoch);
            if (labelledCe is float ce) sums["labelled_ce"] += ce;
            sums["loss"] += loss;
            done++;
            ctx.OnStep?.Invoke(step + 1, steps, Stats.Averages(sums, done));
        }
        var values = Stats.Averages(sums, Math.Max(1, done));
        values["phase"] = 2;
        values["beta1"] = Thresholds.Beta1; values["beta2"] = Thresholds.Beta2;
        using (var q = SoftAssignment(images.All))
        {
            var (unconflicted, meanMaxQ) = ConflictStats(q, Thresholds);
            values["conflicted_fraction"] = 1 - (double)unconflicted / n;
            values["mean_max_q"] = meanMaxQ;
            if (ctx.MonitorLabels is not null)
                MethodCommon.AddScores(values, ctx.MonitorLabels, TensorHelpers.ArgmaxRows(q), input.KnownLabels);
        }
        ctx.OnEpoch?.Invoke(new EpochReport(options.PretrainEpochs + epoch, options.Epochs, sw.Elapsed.TotalSeconds, values));
    }

    /// <summary>
    /// The check every CheckInterval steps (official): counts the conflicted images; when the count has not
    /// fallen since the last check, recomputes the centres and shrinks the thresholds. Returns whether fewer
    /// than StopFraction of the images are conflicted (phase 2 then stops).
    /// </summary>
    private bool UpdateThresholds(TrainingImages images, ClusteringState state, FitInput input, FitContext ctx)
    {
        int n = images.Count, previous = state.Conflicted;
        int unconflicted;
        double meanMaxQ;
        using (var q = SoftAssignment(images.All)) (unconflicted, meanMaxQ) = ConflictStats(q, Thresholds);
        state.Conflicted = n - unconflicted;
        string check = $"dynae: iteration {state.Iteration}: {state.Conflicted} of {n} images conflicted (was {previous}), mean max q {meanMaxQ:F3} "
            + $"against beta1 {Thresholds.Beta1:g3}";
        if (state.Conflicted >= previous)
        {
            state.CentreImages.Dispose();
            state.CentreImages = ComputeCentres(images, input, (int)(state.Iteration / options.CheckInterval) + 1);
            Thresholds = Thresholds.Shrink(Clusters);
            check += $"; not falling: new centres, beta1 {Thresholds.Beta1:g3}, beta2 {Thresholds.Beta2:g3}";
        }
        ctx.Log?.Invoke(check);
        return (double)state.Conflicted / n < options.StopFraction;
    }

    /// <summary>
    /// One phase-2 step on a batch x: unconflicted images are pulled to their centre's embedding and decoded
    /// image, conflicted ones to their own (targets from the images as they are, the step on augmented copies,
    /// as the official code); DynAEss adds the labelled cross-entropy. Returns the loss and that cross-entropy.
    /// </summary>
    private (float Loss, float? LabelledCe) ClusteringStep(TrainingImages images, Tensor x, Tensor centreImages,
        torch.optim.Optimizer optimizer, Random rng, int epoch)
    {
        var centres = Centers.to(device);
        Tensor embeddingTarget, imageTarget;
        var xt = options.Augment ? Augmentation.RandomAffine(x, options.AugmentShift, options.AugmentRotation, rng) : x;
        var z = Autoencoder.Encode(xt);
        var rec = Autoencoder.Decode(z);
        using (no_grad())
        {
            var z0 = options.Augment ? Autoencoder.Encode(x) : z.detach();
            var q = DynAeLosses.SoftAssignment(z0, centres);
            (embeddingTarget, imageTarget) = DynAeLosses.Targets(z0, x, centres, centreImages.to(device), q, Thresholds.Beta1, Thresholds.Beta2);
        }
        var loss = DynAeLosses.ClusteringLoss(z, rec, embeddingTarget, imageTarget, options.Gamma);
        float? labelledCe = null;
        if (images.SemiSupervised)
        {
            var (xl, yl) = images.NextLabelled(device);
            var ce = DynAeLosses.LabelledCrossEntropy(DynAeLosses.SoftAssignment(Autoencoder.Encode(xl), centres), yl);
            loss = loss.add(ce.mul(options.LabelledWeight));
            labelledCe = ce.item<float>();
        }
        if (!TensorHelpers.IsFinite(loss))
            throw new DnnmmTrainingException($"dynae: a loss became NaN or infinite in clustering epoch {epoch}; try a smaller --dynae-lr");
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return (loss.item<float>(), labelledCe);
    }

    /// <summary>The embedding of every image, N x EmbeddingDim on the CPU.</summary>
    public Tensor Embed(Tensor x) => MethodCommon.Map(Autoencoder.Encode, x, device);

    private Tensor SoftAssignment(Tensor x)
    {
        using var z = Embed(x);
        return DynAeLosses.SoftAssignment(z, Centers);
    }

    /// <summary>Of soft assignments q: the number of unconflicted images and the mean of max_j q_ij (how peaked q is, to compare with beta1).</summary>
    private static (int Count, double MeanMaxQ) ConflictStats(Tensor q, DynAeThresholds th)
    {
        using var scope = NewDisposeScope();
        var u = DynAeLosses.Unconflicted(q, th.Beta1, th.Beta2);
        var (top, _) = q.max(1);
        return ((int)u.sum().item<long>(), top.mean().item<float>());
    }

    /// <summary>
    /// New centres (official): k-means on the embedding, each centroid snapped to the nearest embedded
    /// image; returns the decoded centre images (K x C x H x W, CPU) and sets <see cref="Centers"/>.
    /// DynAEss starts k-means from the labelled images' class means, so that centre k stays class k.
    /// </summary>
    private Tensor ComputeCentres(TrainingImages images, FitInput input, int round)
    {
        int K = Clusters;
        using var embedding = Embed(images.All);
        var flat = embedding.contiguous().data<float>().ToArray();
        int dim = (int)embedding.shape[1];
        float[]? init = images.SemiSupervised ? LabelledMeans(flat, dim, input.KnownLabels, K, new Random(Seeds.Mix(seed, round, 6))) : null;
        var km = KMeansClustering.Fit(flat, dim, K, Seeds.Mix(seed, round, 5), options.KMeansRestarts, init: init);
        // the embedded image nearest each centroid (the centroids as points, the images as "centroids")
        int[] nearest = KMeansClustering.Assign(km.Centroids, dim, flat, flat.Length / dim, out _);
        var snapped = new float[K * dim];
        for (int j = 0; j < K; j++) Array.Copy(flat, nearest[j] * dim, snapped, j * dim, dim);
        centreEmbeddings?.Dispose();
        centreEmbeddings = tensor(snapped, new long[] { K, dim });
        using var noGrad = no_grad();
        using var onDevice = centreEmbeddings.to(device);
        using var decoded = Autoencoder.Decode(onDevice);
        return decoded.cpu();
    }

    /// <summary>Class means of the labelled images' embeddings (row k = class k); classes without labelled images get k-means++ picks.</summary>
    public static float[] LabelledMeans(float[] emb, int dim, int[] knownLabels, int k, Random rng)
    {
        var sums = new double[k * dim];
        var counts = new int[k];
        for (int i = 0; i < knownLabels.Length; i++)
        {
            int y = knownLabels[i];
            if (y < 0) continue;
            counts[y]++;
            for (int f = 0; f < dim; f++) sums[y * dim + f] += emb[i * dim + f];
        }
        var present = Enumerable.Range(0, k).Where(c => counts[c] > 0).ToArray();
        var given = new float[k * dim];
        for (int p = 0; p < present.Length; p++)
            for (int f = 0; f < dim; f++) given[p * dim + f] = (float)(sums[present[p] * dim + f] / counts[present[p]]);
        var completed = KMeansClustering.PlusPlus(emb, emb.Length / dim, dim, k, rng, given, present.Length);
        var result = new float[k * dim];
        var missing = Enumerable.Range(0, k).Where(c => counts[c] == 0).ToArray();
        for (int p = 0; p < present.Length; p++) Array.Copy(completed, p * dim, result, present[p] * dim, dim);
        for (int m = 0; m < missing.Length; m++) Array.Copy(completed, (present.Length + m) * dim, result, missing[m] * dim, dim);
        return result;
    }

    public float[,] PredictProbabilities(ImageSet images) => MethodCommon.PredictProbabilities(images, Autoencoder.Shape, SoftAssignment);

    public int[] Predict(ImageSet images) => TensorHelpers.ArgmaxRows(PredictProbabilities(images));

    public float[] Sample(int cluster, int n, int seed) =>
        throw new NotSupportedException("DynAE is not a generative model");

    /// <summary>The autoencoder's embedding E(x), N x EmbeddingDim.</summary>
    public float[] Encode(ImageSet images)
    {
        MethodCommon.CheckShape(images, Autoencoder.Shape);
        using var x = MethodCommon.ToTensor(images);
        using var z = Embed(x);
        return z.cpu().data<float>().ToArray();
    }

    public int LatentDim => options.EmbeddingDim;

    /// <summary>model.bin: the autoencoder's state dict, the centres in the embedding, the final thresholds.</summary>
    public void Save(string runDir)
    {
        var centres = Centers.contiguous().data<float>().ToArray();
        ModelFile.Save(runDir, Info, w =>
        {
            Autoencoder.save(w);
            w.Write((int)Centers.shape[1]);
            ModelFile.WriteFloats(w, centres);
            w.Write(Thresholds.Kappa); w.Write(Thresholds.DeltaKappa); w.Write(Thresholds.Beta1); w.Write(Thresholds.Beta2);
            w.Write(Converged);
        });
    }

    /// <summary>A DynAE model saved by <see cref="Save"/>, on <paramref name="options"/>' device (the critic is not kept).</summary>
    public static DynAeMethod Load(string runDir, DynAeOptions options, int seed) =>
        ModelFile.Restore(new DynAeMethod(options, seed), m =>
        {
            ModelFile.Load(runDir, m.Name, (info, r) =>
            {
                m.info = info;
                m.autoencoder = new DynAeAutoencoder(info.Shape, options.Architecture, options.HiddenDims, options.EmbeddingDim, options.NetworkWidth);
                TorchState.LoadModule(m.autoencoder, r);
                int dim = r.ReadInt32();
                var c = ModelFile.ReadFloats(r);
                if (dim < 1 || c.Length != info.Clusters * dim)
                    throw new InvalidDataException($"{c.Length} centre values for {info.Clusters} clusters of dimension {dim}");
                m.centreEmbeddings = tensor(c, new long[] { info.Clusters, dim });
                m.Thresholds = new DynAeThresholds(r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble());
                m.Converged = r.ReadBoolean();
            });
            m.device = Compute.ResolveDevice(options.Device);
            m.Autoencoder.to(m.device);
        });

    public void Dispose()
    {
        autoencoder?.Dispose(); centreEmbeddings?.Dispose();
    }
}
