using Dnnmm.Infrastructure;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using Dnnmm.Data;
using Dnnmm.Evaluation;
using Dnnmm.Methods.Dnnmm;

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
public sealed class DynAeMethod : IClusteringMethod, ILatentEncoder, ISavableMethod
{
    private readonly DynAeOptions o;
    private readonly int seed;
    private DynAeAutoencoder? ae;
    private Device device = CPU;
    private Tensor? centersEmb;
    private string[] classNames = Array.Empty<string>();

    public DynAeMethod(DynAeOptions options, int seed)
    {
        o = options; this.seed = seed;
    }

    public string Name => "dynae";
    public int Clusters { get; private set; }
    /// <summary>DynAE is not a generative model (its decoder only maps embeddings back to images).</summary>
    public bool CanSample => false;
    public DynAeAutoencoder Autoencoder => ae ?? throw NotFitted();
    /// <summary>The cluster centres in the embedding, K x EmbeddingDim (CPU).</summary>
    public Tensor Centers => centersEmb ?? throw NotFitted();
    /// <summary>The thresholds when training ended.</summary>
    public DynAeThresholds Thresholds { get; private set; }
    /// <summary>Whether phase 2 stopped because fewer than StopFraction images were conflicted.</summary>
    public bool Converged { get; private set; }

    private static InvalidOperationException NotFitted() => new("DynAE has not been fitted");

    public void Fit(FitInput input, FitContext ctx)
    {
        o.Validate(input);
        Compute.ConfigureThreads(o.Threads);
        device = Compute.ResolveDevice(o.Device);
        var shape = MethodCommon.ShapeOf(input.Images);
        classNames = input.Images.ClassNames;
        int K = Clusters = input.Clusters;
        torch.manual_seed(seed);
        ae?.Dispose();
        ae = new DynAeAutoencoder(shape, o.Architecture, o.HiddenDims, o.EmbeddingDim, o.Width);
        using var critic = new DynAeCritic(shape, o.Architecture, o.HiddenDims, o.EmbeddingDim, o.Width);
        ae.to(device); critic.to(device);

        using var xAll = MethodCommon.ToTensor(input.Images);
        using var yAll = tensor(input.KnownLabels.Select(v => (long)Math.Max(v, 0)).ToArray());
        int[] lab = MethodCommon.LabelledIndices(input);
        bool semi = lab.Length > 0 && o.LabelledWeight > 0;
        int total = o.Epochs;

        // Phase 1: ACAI pretraining.
        using (var optAe = torch.optim.Adam(ae.parameters(), o.PretrainLearningRate))
        using (var optC = torch.optim.Adam(critic.parameters(), o.PretrainLearningRate))
        {
            for (int epoch = 1; epoch <= o.PretrainEpochs; epoch++)
            {
                var sw = Stopwatch.StartNew();
                var values = PretrainEpoch(epoch, xAll, critic, optAe, optC, ctx);
                values["phase"] = 1;
                if (ctx.Monitors(epoch, last: epoch == o.PretrainEpochs))
                {
                    using var emb = Embed(xAll);
                    var km = KMeansClustering.Fit(emb, K, Seeds.Mix(seed, epoch, 4), o.KMeansRestarts);
                    MethodCommon.AddScores(values, ctx.MonitorLabels!, km.Labels, input.KnownLabels);
                }
                ctx.OnEpoch?.Invoke(new EpochReport(epoch, total, sw.Elapsed.TotalSeconds, values));
            }
        }

        // Phase 2: dynamic clustering.
        using var opt = torch.optim.SGD(ae.parameters(), o.LearningRate, o.Momentum);
        var th = DynAeThresholds.Initial(o.Kappa, K);
        var labelledCycler = semi ? new BatchCycler(lab, new Random(Seeds.Mix(seed, 0, 5))) : null;
        int n = input.Images.Count;
        int B = Math.Min(o.BatchSize, n), steps = (n + B - 1) / B, bl = Math.Min(o.LabelledBatchSize, lab.Length);
        Tensor centersImg = GenerateCenters(xAll, input, semi, 0);
        int nbConf = n, nbConfPrev;
        long ite = 0;
        Converged = false;
        try
        {
            for (int epoch = 1; epoch <= o.ClusterEpochs && !Converged; epoch++)
            {
                var sw = Stopwatch.StartNew();
                var rng = new Random(Seeds.Mix(seed, o.PretrainEpochs + epoch, 2));
                int[] order = Batches.Shuffle(MethodCommon.Range(n), rng);
                var sums = new Dictionary<string, double> { ["loss"] = 0 };
                if (semi) sums["labelled_ce"] = 0;
                int done = 0;
                for (int step = 0; step < steps; step++, ite++)
                {
                    ctx.Cancellation.ThrowIfCancellationRequested();
                    if (ite % o.CheckInterval == 0)
                    {
                        nbConfPrev = ite > 0 ? nbConf : n;
                        int unconflicted;
                        double meanMaxQ;
                        using (var qAll = SoftAssignment(xAll)) (unconflicted, meanMaxQ) = ConflictStats(qAll, th);
                        nbConf = n - unconflicted;
                        string check = $"dynae: iteration {ite}: {nbConf} of {n} images conflicted (was {nbConfPrev}), mean max q {meanMaxQ:F3} "
                            + $"against beta1 {th.Beta1:g3}";
                        if (nbConf >= nbConfPrev)
                        {
                            centersImg.Dispose();
                            centersImg = GenerateCenters(xAll, input, semi, (int)(ite / o.CheckInterval) + 1);
                            th = th.Shrink(K);
                            check += $"; not falling: new centres, beta1 {th.Beta1:g3}, beta2 {th.Beta2:g3}";
                        }
                        ctx.Log?.Invoke(check);
                        if ((double)nbConf / n < o.StopFraction) { Converged = true; break; }
                    }
                    using var scope = NewDisposeScope();
                    int s0 = step * B, s1 = Math.Min(n, s0 + B);
                    var idx = tensor(order[s0..s1].Select(i => (long)i).ToArray());
                    var x = xAll.index_select(0, idx).to(device);
                    var cEmb = Centers.to(device);
                    Tensor tz, tx;
                    // The step trains on augmented copies; the targets come from the images as they are (official).
                    var xt = o.Augment ? Augmentation.RandomAffine(x, o.AugmentShift, o.AugmentRotation, rng) : x;
                    var z = ae.Encode(xt);
                    var rec = ae.Decode(z);
                    using (no_grad())
                    {
                        var z0 = o.Augment ? ae.Encode(x) : z.detach();
                        var q = DynAeLosses.SoftAssignment(z0, cEmb);
                        (tz, tx) = DynAeLosses.Targets(z0, x, cEmb, centersImg.to(device), q, th.Beta1, th.Beta2);
                    }
                    var loss = DynAeLosses.ClusteringLoss(z, rec, tz, tx, o.Gamma);
                    if (semi)
                    {
                        var lidx = tensor(labelledCycler!.Next(bl));
                        var ql = DynAeLosses.SoftAssignment(ae.Encode(xAll.index_select(0, lidx).to(device)), cEmb);
                        var lce = DynAeLosses.LabelledCrossEntropy(ql, yAll.index_select(0, lidx).to(device));
                        loss = loss.add(lce.mul(o.LabelledWeight));
                        sums["labelled_ce"] += lce.item<float>();
                    }
                    if (!TensorHelpers.IsFinite(loss)) throw Diverged(epoch);
                    opt.zero_grad();
                    loss.backward();
                    opt.step();
                    sums["loss"] += loss.item<float>();
                    done++;
                    ctx.OnStep?.Invoke(step + 1, steps, sums.ToDictionary(kv => kv.Key, kv => kv.Value / done));
                }
                var values = sums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(1, done));
                values["phase"] = 2;
                values["beta1"] = th.Beta1; values["beta2"] = th.Beta2;
                using (var q = SoftAssignment(xAll))
                {
                    var (unc, maxQ) = ConflictStats(q, th);
                    values["conflicted_fraction"] = 1 - (double)unc / n;
                    values["mean_max_q"] = maxQ;
                    if (ctx.MonitorLabels is not null)
                        MethodCommon.AddScores(values, ctx.MonitorLabels, TensorHelpers.ArgmaxRows(q), input.KnownLabels);
                }
                ctx.OnEpoch?.Invoke(new EpochReport(o.PretrainEpochs + epoch, total, sw.Elapsed.TotalSeconds, values));
            }
            if (Converged) ctx.Log?.Invoke($"dynae: fewer than {o.StopFraction:P0} of the images are conflicted; clustering stopped");
        }
        finally
        {
            centersImg.Dispose();
            Thresholds = th;
        }
    }

    private static DnnmmTrainingException Diverged(int epoch) =>
        new($"dynae: a loss became NaN or infinite in clustering epoch {epoch}; try a smaller --dynae-lr");

    private Dictionary<string, double> PretrainEpoch(int epoch, Tensor xAll, DynAeCritic critic,
        torch.optim.Optimizer optAe, torch.optim.Optimizer optC, FitContext ctx)
    {
        int n = (int)xAll.shape[0];
        int B = Math.Min(o.BatchSize, n), steps = (n + B - 1) / B;
        using var gen = new torch.Generator((ulong)Seeds.Mix(seed, epoch, 1));
        var rng = new Random(Seeds.Mix(seed, epoch, 2));
        int[] order = Batches.Shuffle(MethodCommon.Range(n), rng);
        var sums = new Dictionary<string, double> { ["reconstruction"] = 0, ["loss_ae"] = 0, ["loss_critic"] = 0 };
        var ae = Autoencoder;
        for (int step = 0; step < steps; step++)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            int s0 = step * B, s1 = Math.Min(n, s0 + B);
            var idx = tensor(order[s0..s1].Select(i => (long)i).ToArray());
            var x = xAll.index_select(0, idx).to(device);
            if (o.Augment) x = Augmentation.RandomAffine(x, o.AugmentShift, o.AugmentRotation, rng);
            long b = x.shape[0];
            // alpha per image: 0.5 - |u - 0.5| in [0, 0.5] (the ACAI paper; default) or u ~ U(0, 1) (the official
            // DynAE code, AcaiFoldAlpha = false); the mix coefficient beta = 0.5 - |u - 0.5| per batch (official).
            var alpha = rand(new long[] { b }, generator: gen).to(device);
            if (o.AcaiFoldAlpha) alpha = alpha.sub(0.5).abs().neg().add(0.5);
            double beta = 0.5 - Math.Abs(rand(new long[] { 1 }, generator: gen).item<float>() - 0.5);

            var z = ae.Encode(x);
            var rec = ae.Decode(z);
            var zMix = z.mul(alpha.unsqueeze(1)).add(z.flip(0).mul(alpha.neg().add(1).unsqueeze(1)));
            var interp = ae.Decode(zMix);
            var cInterp = critic.forward(interp);
            var recLoss = nn.functional.mse_loss(rec, x);
            var lossAe = DynAeLosses.AcaiAutoencoderLoss(x, rec, cInterp, o.AcaiWeight);
            if (!TensorHelpers.IsFinite(lossAe))
                throw new DnnmmTrainingException($"dynae: a loss became NaN or infinite in pretraining epoch {epoch}; try a smaller --dynae-pretrain-lr");
            optAe.zero_grad();
            lossAe.backward();
            optAe.step();

            var mix = x.mul(beta).add(rec.detach().mul(1 - beta));
            var lossC = DynAeLosses.AcaiCriticLoss(critic.forward(interp.detach()), alpha, critic.forward(mix));
            optC.zero_grad();
            lossC.backward();
            optC.step();

            sums["reconstruction"] += recLoss.item<float>();
            sums["loss_ae"] += lossAe.item<float>();
            sums["loss_critic"] += lossC.item<float>();
            ctx.OnStep?.Invoke(step + 1, steps, sums.ToDictionary(kv => kv.Key, kv => kv.Value / (step + 1)));
        }
        return sums.ToDictionary(kv => kv.Key, kv => kv.Value / steps);
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
    private Tensor GenerateCenters(Tensor xAll, FitInput input, bool semi, int round)
    {
        int K = Clusters;
        using var emb = Embed(xAll);
        var flat = emb.contiguous().data<float>().ToArray();
        int dim = (int)emb.shape[1];
        float[]? init = semi ? LabelledMeans(flat, dim, input.KnownLabels, K, new Random(Seeds.Mix(seed, round, 6))) : null;
        var km = KMeansClustering.Fit(flat, dim, K, Seeds.Mix(seed, round, 5), o.KMeansRestarts, init: init);
        var snapped = new float[K * dim];
        for (int j = 0; j < K; j++)
        {
            var c = new ReadOnlySpan<float>(km.Centroids, j * dim, dim);
            int best = 0;
            double bd = double.PositiveInfinity;
            for (int i = 0; i < flat.Length / dim; i++)
            {
                double d = KMeansClustering.SquaredDistance(new ReadOnlySpan<float>(flat, i * dim, dim), c);
                if (d < bd) { bd = d; best = i; }
            }
            Array.Copy(flat, best * dim, snapped, j * dim, dim);
        }
        centersEmb?.Dispose();
        centersEmb = tensor(snapped, new long[] { K, dim });
        using var _ = no_grad();
        using var cd = centersEmb.to(device);
        using var img = Autoencoder.Decode(cd);
        return img.cpu();
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

    public float[,] PredictProbabilities(ImageSet images)
    {
        MethodCommon.CheckShape(images, Autoencoder.Shape);
        using var x = MethodCommon.ToTensor(images);
        using var q = SoftAssignment(x);
        return TensorHelpers.ToMatrix(q);
    }

    public int[] Predict(ImageSet images)
    {
        MethodCommon.CheckShape(images, Autoencoder.Shape);
        using var x = MethodCommon.ToTensor(images);
        using var q = SoftAssignment(x);
        return TensorHelpers.ArgmaxRows(q);
    }

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

    public int LatentDim => (int)o.EmbeddingDim;

    /// <summary>model.bin: the autoencoder's state dict, the centres in the embedding, the final thresholds.</summary>
    public void Save(string runDir)
    {
        var centres = Centers.contiguous().data<float>().ToArray();
        ModelFile.Save(runDir, ModelFile.Info(Name, Autoencoder.Shape, Clusters, classNames), w =>
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
                m.classNames = info.ClassNames;
                m.Clusters = info.Clusters;
                m.ae = new DynAeAutoencoder(info.Shape, options.Architecture, options.HiddenDims, options.EmbeddingDim, options.Width);
                m.ae.load(r);
                int dim = r.ReadInt32();
                var c = ModelFile.ReadFloats(r);
                if (dim < 1 || c.Length != info.Clusters * dim)
                    throw new InvalidDataException($"{c.Length} centre values for {info.Clusters} clusters of dimension {dim}");
                m.centersEmb = tensor(c, new long[] { info.Clusters, dim });
                m.Thresholds = new DynAeThresholds(r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble());
                m.Converged = r.ReadBoolean();
            });
            m.device = Compute.ResolveDevice(options.Device);
            m.Autoencoder.to(m.device);
        });

    public void Dispose()
    {
        ae?.Dispose(); centersEmb?.Dispose();
    }
}
