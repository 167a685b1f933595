using System.Diagnostics;
using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Evaluation;

namespace Dnnmm.Methods.ClusterGan;

/// <summary>
/// ClusterGAN (Mukherjee et al., AAAI 2019) as in its official code: latent z = [z_n, one-hot z_c],
/// a WGAN-GP generator and critic, and an encoder E = [E_n, E_c] trained with G to invert it
/// (beta_n MSE on z_n, beta_c cross-entropy on z_c). With labelled images and LabelledWeight > 0 it is
/// ClusterGANss: E_c(x) of labelled images also gets a cross-entropy against their labels.
/// Clusters: k-means on [E_n(x), softmax(E_c(x))], or argmax E_c(x) (both are reported every epoch).
/// One epoch is one pass of the real images through the critic (a critic step per batch), with a
/// generator and encoder step after every CriticSteps critic steps.
/// </summary>
public sealed class ClusterGanMethod(ClusterGanOptions options, int seed) : IClusteringMethod, ILatentEncoder, ISavableMethod
{
    /// <summary>ClusterGAN as the runs layer sees it; flags --cg-*.</summary>
    public static readonly MethodEntry Entry = MethodEntry.For<ClusterGanOptions>("clustergan", "ClusterGAN (Mukherjee et al., AAAI 2019); ClusterGANss with labels",
        "clusterGan", "cg-", (o, seed) => new ClusterGanMethod(o, seed), (folder, o, _, seed) => Load(folder.Path, o, seed), generative: true);

    private ClusterGanGenerator? generator;
    private ClusterGanConvNet? critic, encoder;
    private Device device = CPU;
    private KMeansResult? centroids;
    private SavedModelInfo? info;


    public string Name => "clustergan";
    public int Clusters => Info.Clusters;
    private SavedModelInfo Info => info ?? throw NotFitted();
    public bool CanSample => true;
    public ClusterGanGenerator G => generator ?? throw NotFitted();
    public ClusterGanConvNet D => critic ?? throw NotFitted();
    public ClusterGanConvNet E => encoder ?? throw NotFitted();
    /// <summary>The k-means readout's centroids in the encoder space, relabelled to match argmax E_c.</summary>
    public KMeansResult? Centroids => centroids;

    private static InvalidOperationException NotFitted() => new("ClusterGAN has not been fitted");

    /// <summary>z = [NoiseStd * N(0, I), one-hot(c)] for the given categories.</summary>
    public static Tensor Latent(Tensor categories, int noiseDim, double noiseStd, int clusters, torch.Generator gen)
    {
        using var noise = randn(new long[] { categories.shape[0], noiseDim }, generator: gen);
        using var scaled = noise.mul(noiseStd);
        using var hot = nn.functional.one_hot(categories, clusters).to_type(ScalarType.Float32);
        return cat(new[] { scaled, hot }, 1);
    }

    public void Fit(FitInput input, FitContext ctx)
    {
        options.Validate(input);
        info = ModelFile.Info(Name, input);
        var shape = info.Shape;
        int latent = options.LatentDim(Clusters);
        device = MethodCommon.StartFit(options.Threads, options.Device);
        generator?.Dispose(); critic?.Dispose(); encoder?.Dispose();
        (generator, critic, encoder) = Compute.SeededInit(seed, () => (
            new ClusterGanGenerator(latent, shape, options.NetworkWidth, options.Hidden),
            new ClusterGanConvNet("clustergan_critic", shape, options.NetworkWidth, options.Hidden, 1),
            new ClusterGanConvNet("clustergan_encoder", shape, options.NetworkWidth, options.Hidden, latent)));
        generator.to(device); critic.to(device); encoder.to(device);
        using var criticOptimizer = torch.optim.Adam(critic.parameters(), options.LearningRate, options.Beta1, options.Beta2);
        using var generatorEncoderOptimizer = torch.optim.Adam(generator.parameters().Concat(encoder.parameters()),
            options.LearningRate, options.Beta1, options.Beta2);
        using var images = new TrainingImages(input, options.LabelledWeight, options.LabelledBatchSize, Seeds.Mix(seed, 0, 3));

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            var values = TrainEpoch(epoch, images, criticOptimizer, generatorEncoderOptimizer, ctx);
            bool last = epoch == options.Epochs, monitor = ctx.Monitors(epoch, last);
            // the last epoch always fits the k-means readout, scored or not
            if (monitor || last)
                FitReadout(images.All, input, monitor ? ctx.MonitorLabels : null, values, epoch);
            ctx.OnEpoch?.Invoke(new EpochReport(epoch, options.Epochs, sw.Elapsed.TotalSeconds, values));
        }
    }

    /// <summary>
    /// One pass of the real images through the critic, a critic step per batch, and a generator and encoder
    /// step after every CriticSteps critic steps (counted over all epochs).
    /// </summary>
    private Dictionary<string, double> TrainEpoch(int epoch, TrainingImages images, torch.optim.Optimizer criticOptimizer,
        torch.optim.Optimizer generatorEncoderOptimizer, FitContext ctx)
    {
        int n = images.Count, batchSize = Math.Min(options.BatchSize, n), steps = Batches.Steps(n, batchSize);
        using var gen = new torch.Generator((ulong)Seeds.Mix(seed, epoch, 1));
        var rng = new Random(Seeds.Mix(seed, epoch, 2));
        int[] order = Batches.Shuffle(MethodCommon.Range(n), rng);
        var sums = new Dictionary<string, double>
        {
            ["loss_d"] = 0, ["wasserstein"] = 0, ["gradient_penalty"] = 0,
            ["adversarial_g"] = 0, ["noise_reconstruction"] = 0, ["category_ce"] = 0,
        };
        if (images.SemiSupervised) sums["labelled_ce"] = 0;
        int generatorSteps = 0;
        for (int step = 0; step < steps; step++)
        {
            GcFence.SafePoint(); // between native calls: see GcFence
            ctx.Cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var real = images.Batch(WrappedBatch(order, step, batchSize), device);
            var c = CriticStep(real, gen, criticOptimizer, epoch);
            sums["loss_d"] += c.Loss;
            sums["wasserstein"] -= c.WassersteinLoss;
            sums["gradient_penalty"] += c.Penalty;
            long criticSteps = (long)(epoch - 1) * steps + step + 1;
            if (criticSteps % options.CriticSteps == 0)
            {
                var g = GeneratorEncoderStep(images, batchSize, gen, generatorEncoderOptimizer, epoch);
                if (g.LabelledCe is float ce) sums["labelled_ce"] += ce;
                sums["adversarial_g"] += g.Adversarial;
                sums["noise_reconstruction"] += g.NoiseReconstruction;
                sums["category_ce"] += g.CategoryCe;
                generatorSteps++;
            }
            ctx.OnStep?.Invoke(step + 1, steps, Averages(sums, step + 1, Math.Max(1, generatorSteps)));
        }
        var values = Averages(sums, steps, Math.Max(1, generatorSteps));
        values["generator_steps"] = generatorSteps;
        return values;
    }

    /// <summary>Batch <paramref name="step"/> of <paramref name="order"/>, always full: the last one wraps around to the start.</summary>
    private static int[] WrappedBatch(int[] order, int step, int batchSize)
    {
        var batch = new int[batchSize];
        for (int j = 0; j < batchSize; j++) batch[j] = order[(step * batchSize + j) % order.Length];
        return batch;
    }

    /// <summary>A batch of latent vectors z = [z_n, one-hot(c)] with categories c uniform over the clusters.</summary>
    private (Tensor Categories, Tensor Z) SampleLatent(int count, torch.Generator gen)
    {
        var categories = randint(0, Clusters, new long[] { count }, generator: gen, dtype: ScalarType.Int64);
        return (categories, Latent(categories, options.NoiseDim, options.NoiseStd, Clusters, gen).to(device));
    }

    /// <summary>
    /// The WGAN-GP critic step: minimise mean D(G(z)) - mean D(x) plus the gradient penalty at a random
    /// interpolation of the real and generated batches (one eps per batch, as the official code).
    /// </summary>
    private (float Loss, float WassersteinLoss, float Penalty) CriticStep(Tensor real, torch.Generator gen,
        torch.optim.Optimizer optimizer, int epoch)
    {
        var (_, z) = SampleLatent((int)real.shape[0], gen);
        Tensor fake;
        using (no_grad()) fake = G.forward(z);
        var eps = rand(new long[] { 1 }, generator: gen).to(device);
        var wassersteinLoss = ClusterGanLosses.CriticLoss(D.forward(real), D.forward(fake));
        var penalty = ClusterGanLosses.GradientPenalty(D.forward, real, fake, eps, options.GradientPenalty);
        var loss = wassersteinLoss.add(penalty);
        if (!TensorHelpers.IsFinite(loss)) throw Diverged(epoch);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return (loss.item<float>(), wassersteinLoss.item<float>(), penalty.item<float>());
    }

    /// <summary>
    /// The generator and encoder step: the adversarial loss -mean D(G(z)), plus beta_n times the error of
    /// E_n(G(z)) against z_n and beta_c times the cross-entropy of E_c(G(z)) against the category of z_c;
    /// ClusterGANss adds LabelledWeight times the cross-entropy of E_c(x) against the labels of a labelled batch.
    /// </summary>
    private (float Adversarial, float NoiseReconstruction, float CategoryCe, float? LabelledCe) GeneratorEncoderStep(
        TrainingImages images, int batchSize, torch.Generator gen, torch.optim.Optimizer optimizer, int epoch)
    {
        int noiseDim = options.NoiseDim;
        var (categories, z) = SampleLatent(batchSize, gen);
        var fake = G.forward(z);
        var encoded = E.forward(fake);
        var adversarial = ClusterGanLosses.GeneratorLoss(D.forward(fake));
        var noiseReconstruction = ClusterGanLosses.NoiseReconstruction(z.narrow(1, 0, noiseDim), encoded.narrow(1, 0, noiseDim));
        var categoryCe = ClusterGanLosses.CategoryCrossEntropy(encoded.narrow(1, noiseDim, Clusters), categories.to(device));
        var loss = adversarial.add(noiseReconstruction.mul(options.BetaN)).add(categoryCe.mul(options.BetaC));
        float? labelledCe = null;
        if (images.SemiSupervised)
        {
            var (xl, yl) = images.NextLabelled(device);
            var ce = ClusterGanLosses.CategoryCrossEntropy(E.forward(xl).narrow(1, noiseDim, Clusters), yl);
            loss = loss.add(ce.mul(options.LabelledWeight));
            labelledCe = ce.item<float>();
        }
        if (!TensorHelpers.IsFinite(loss)) throw Diverged(epoch);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return (adversarial.item<float>(), noiseReconstruction.item<float>(), categoryCe.item<float>(), labelledCe);
    }

    private static readonly HashSet<string> GeneratorTerms = new() { "adversarial_g", "noise_reconstruction", "category_ce", "labelled_ce" };

    /// <summary>Running sums as means: the generator's terms over generator steps, the critic's over critic steps.</summary>
    private static Dictionary<string, double> Averages(Dictionary<string, double> sums, int criticSteps, int generatorSteps) =>
        sums.ToDictionary(kv => kv.Key, kv => kv.Value / (GeneratorTerms.Contains(kv.Key) ? generatorSteps : criticSteps));

    private static DnnmmTrainingException Diverged(int epoch) =>
        new($"clustergan: a loss became NaN or infinite in epoch {epoch}; try a smaller --cg-lr");

    /// <summary>Encoder output of every image, N x (dim z_n + K), on the CPU: [E_n(x), logits of E_c(x)].</summary>
    public Tensor Encode(Tensor x) => MethodCommon.Map(E.forward, x, device);

    /// <summary>
    /// The space the k-means readout clusters (as the official code): [E_n(x), softmax(E_c(x))], or
    /// softmax(E_c(x)) alone when beta_n = 0 (E_n is then never trained).
    /// </summary>
    public Tensor KMeansFeatures(Tensor encoded)
    {
        using var logits = encoded.narrow(1, options.NoiseDim, Clusters);
        var p = logits.softmax(1);
        if (options.BetaN == 0) return p;
        using var _ = p;
        using var zn = encoded.narrow(1, 0, options.NoiseDim);
        return cat(new[] { zn, p }, 1);
    }

    /// <summary>
    /// The readouts on the training images: k-means on the encoder space (its clusters renamed to match argmax
    /// E_c, kept for <see cref="Predict"/>) and argmax E_c; with monitoring labels, both readouts' ACC and the
    /// chosen readout's scores.
    /// </summary>
    private void FitReadout(Tensor xAll, FitInput input, int[]? truth, Dictionary<string, double> values, int epoch)
    {
        using var encoded = Encode(xAll);
        using var features = KMeansFeatures(encoded);
        using var logits = encoded.narrow(1, options.NoiseDim, Clusters);
        int[] argmax = TensorHelpers.ArgmaxRows(logits);
        var km = KMeansClustering.Fit(features, Clusters, Seeds.Mix(seed, epoch, 4), options.KMeansRestarts);
        centroids = km.Relabel(KMeansClustering.MatchTo(argmax, km.Labels, Clusters));
        if (truth is null) return;
        var kmeansScores = new Dictionary<string, double>();
        MethodCommon.AddScores(kmeansScores, truth, centroids.Labels, input.KnownLabels);
        var argmaxScores = new Dictionary<string, double>();
        MethodCommon.AddScores(argmaxScores, truth, argmax, input.KnownLabels);
        values["acc_kmeans"] = kmeansScores["acc"];
        values["acc_argmax"] = argmaxScores["acc"];
        foreach (var (k, v) in options.Readout == ClusterGanReadout.Kmeans ? kmeansScores : argmaxScores) values[k] = v;
    }

    private Tensor EncodeImages(ImageSet images)
    {
        MethodCommon.CheckShape(images, Info.Shape);
        using var x = MethodCommon.ToTensor(images);
        return Encode(x);
    }

    public int[] Predict(ImageSet images)
    {
        using var enc = EncodeImages(images);
        return ReadOut(enc);
    }

    /// <summary>The space the k-means readout clusters: [E_n(x), softmax(E_c(x))], N x (dim z_n + K) (softmax alone when beta_n = 0).</summary>
    public float[] Encode(ImageSet images)
    {
        using var enc = EncodeImages(images);
        using var f = KMeansFeatures(enc);
        LatentDim = (int)f.shape[1];
        return f.cpu().data<float>().ToArray();
    }

    /// <summary>Length of the readout space (known after the first <see cref="Encode(ImageSet)"/>; dim z_n + K before).</summary>
    public int LatentDim { get; private set; }

    private int[] ReadOut(Tensor enc)
    {
        if (options.Readout == ClusterGanReadout.Argmax)
        {
            using var logits = enc.narrow(1, options.NoiseDim, Clusters);
            return TensorHelpers.ArgmaxRows(logits);
        }
        var c = centroids ?? throw NotFitted();
        using var feats = KMeansFeatures(enc);
        using var cpu = feats.contiguous();
        return c.Predict(cpu.data<float>().ToArray());
    }

    /// <summary>argmax readout: softmax(E_c(x)); k-means readout: one-hot of the nearest centroid.</summary>
    public float[,] PredictProbabilities(ImageSet images)
    {
        using var enc = EncodeImages(images);
        if (options.Readout == ClusterGanReadout.Kmeans) return MethodCommon.OneHot(ReadOut(enc), Clusters);
        using var logits = enc.narrow(1, options.NoiseDim, Clusters);
        using var p = logits.softmax(1);
        return TensorHelpers.ToMatrix(p);
    }

    /// <summary>n images G([z_n, one-hot(cluster)]) (cluster indices of both readouts follow z_c).</summary>
    public float[] Sample(int cluster, int n, int seed)
    {
        if (cluster < 0 || cluster >= Clusters)
            throw new DnnmmInputException($"--cluster {cluster} is outside [0, {Clusters - 1}]");
        if (n < 1) throw new DnnmmInputException($"--n {n} must be at least 1");
        GcFence.SafePoint(); // between native calls: an experiment died here with "Unknown scalar type" writing pictures
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var gen = new torch.Generator((ulong)seed);
        var cats = full(new long[] { n }, cluster, dtype: ScalarType.Int64);
        var z = Latent(cats, options.NoiseDim, options.NoiseStd, Clusters, gen).to(device);
        G.eval();
        var x = G.forward(z).cpu();
        G.train();
        return x.data<float>().ToArray();
    }

    /// <summary>
    /// model.bin: the state dicts of G and E and the k-means readout's centroids (already renamed to match
    /// argmax E_c). The critic D is not kept: prediction and sampling do not use it.
    /// </summary>
    public void Save(string runDir)
    {
        ModelFile.Save(runDir, Info, w =>
        {
            G.save(w); E.save(w);
            w.Write(centroids is not null);
            if (centroids is not null) ModelFile.WriteKMeans(w, centroids);
        });
    }

    /// <summary>A ClusterGAN saved by <see cref="Save"/>, on <paramref name="options"/>' device (without the critic: <see cref="D"/> throws).</summary>
    public static ClusterGanMethod Load(string runDir, ClusterGanOptions options, int seed) =>
        ModelFile.Restore(new ClusterGanMethod(options, seed), m =>
        {
            ModelFile.Load(runDir, m.Name, (info, r) =>
            {
                m.info = info;
                int K = info.Clusters, latent = options.LatentDim(K);
                m.generator = new ClusterGanGenerator(latent, info.Shape, options.NetworkWidth, options.Hidden);
                m.encoder = new ClusterGanConvNet("clustergan_encoder", info.Shape, options.NetworkWidth, options.Hidden, latent);
                TorchState.LoadModule(m.generator, r); TorchState.LoadModule(m.encoder, r);
                if (r.ReadBoolean())
                {
                    m.centroids = ModelFile.ReadKMeans(r);
                    if (m.centroids.K != K) throw new InvalidDataException($"{m.centroids.K} readout centroids for {K} clusters");
                }
            });
            m.device = Compute.ResolveDevice(options.Device);
            m.G.to(m.device); m.E.to(m.device);
        });

    public void Dispose()
    {
        generator?.Dispose(); critic?.Dispose(); encoder?.Dispose();
    }
}
