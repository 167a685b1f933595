using System.Diagnostics;
using Dnnmm.Infrastructure;
using Dnnmm.Evaluation;
using Dnnmm.Data;

namespace Dnnmm.Methods.Dnnmm;

/// <summary>
/// MinMax+EM learning of DNN-MM (eq 10-13). Each step (<see cref="RunEpoch"/>): the E step fixes the memberships
/// gamma of an unlabelled minibatch with the current encoder; the discriminator takes a step on its loss; generator
/// and encoder take a step on LikelihoodTerm - lambda1 ConsistencyTerm + lambda2 AdversarialTerm; the M step updates
/// omega in closed form (per epoch or as a running average).
/// </summary>
public sealed class MinMaxEmTrainer : IDisposable
{
    private const int MaxRestarts = 3;

    private readonly DnnmmModel model;
    private readonly DnnmmOptions options;
    private readonly int seed;
    private Adam optGE, optD;
    /// <summary>The crisp memberships of the first warm-up (k-means or t-SNE) and of the refined warm-up (--refine-epoch), -1 for labelled images; kept in the checkpoint.</summary>
    private int[]? initial, refined;
    /// <summary>The teacher encoder of --teacher-ema (an exponential moving average of E's weights), or null; kept in the checkpoint.</summary>
    private readonly ConvNet? teacher;

    public MinMaxEmTrainer(DnnmmModel model, DnnmmOptions options, int seed)
    {
        this.model = model; this.options = options; this.seed = seed;
        LearningRate = options.LearningRate;
        (optGE, optD) = MakeOptimisers(LearningRate);
        if (options.TeacherEma > 0)
        {
            teacher = Encoder.Create(model.Info.Shape, model.Info.NetWidth, model.Info.LatentDim, model.Info.EncoderDepth);
            teacher.to(model.Device);
            teacher.eval();
            foreach (var p in teacher.parameters()) p.requires_grad = false;
            CopyIntoTeacher(1);
        }
    }

    /// <summary>teacher = (1 - rate) teacher + rate E, parameter by parameter (rate 1: a copy of E).</summary>
    private void CopyIntoTeacher(double rate)
    {
        using var _ = no_grad();
        foreach (var (t, e) in teacher!.parameters().Zip(model.E.parameters()))
        {
            if (rate >= 1) t.copy_(e);
            else t.mul_(1 - rate).add_(e, alpha: rate);
        }
    }

    /// <summary>The current learning rate (halved after each divergence).</summary>
    public double LearningRate { get; private set; }
    /// <summary>Last completed epoch.</summary>
    public int Epoch { get; private set; }
    public int Restarts { get; private set; }

    private (Adam, Adam) MakeOptimisers(double lr)
    {
        var ge = model.G.parameters().Concat(model.E.parameters());
        return (torch.optim.Adam(ge, lr, options.Beta1, options.Beta2),
            torch.optim.Adam(model.D.parameters(), lr * options.DLrRatio, options.Beta1, options.Beta2));
    }

    public void Fit(FitInput input, FitContext ctx)
    {
        using var data = new TrainingSet(model, input);
        // A run killed before its first checkpoint resumes from the start (the same as a new run).
        bool resume = ctx.Resume && (ctx.Folder ?? throw new ArgumentException("resume needs a run folder")).HasCheckpoint;
        if (resume)
        {
            Load(ctx.Folder!.Checkpoint);
            ctx.Log?.Invoke($"resumed from epoch {Epoch} (learning rate {LearningRate:g3})");
        }
        else if (ctx.Resume) ctx.Log?.Invoke("no checkpoint yet (killed in the first epoch): starting from epoch 0");
        if (initial is null) initial = InitialMemberships(data, ctx);
        var history = new List<Dictionary<string, double>>();
        if (!resume) InitialiseOmega(data);
        byte[] lastGood = Snapshot();

        while (Epoch < options.Epochs)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            int epoch = Epoch + 1;
            var sw = Stopwatch.StartNew();
            int r = options.RefineEpoch;
            if (r > 0 && epoch > r && epoch <= r + options.WarmupEpochs && refined is null) refined = RefinedMemberships(data, ctx);
            // The refined memberships take over from the first ones when the two windows overlap.
            var fixedMemberships = r > 0 && epoch > r && epoch <= r + options.WarmupEpochs ? refined : epoch <= options.WarmupEpochs ? initial : null;
            double lr = LearningRate * options.LearningRateFactor(epoch);
            foreach (var g in optGE.ParamGroups) g.LearningRate = lr;
            foreach (var g in optD.ParamGroups) g.LearningRate = lr * options.DLrRatio;
            var terms = RunEpoch(epoch, data, fixedMemberships, ctx);
            string? diverged = terms is null ? "a loss became NaN/inf" : Exploded(history, terms);
            if (terms is null || diverged is not null)
            {
                RestartAfterDivergence(epoch, lastGood, diverged!, ctx);
                continue;
            }
            history.Add(terms);
            Epoch = epoch;
            var values = new Dictionary<string, double>(terms);
            Evaluate(data, ctx.Monitors(epoch, last: epoch == options.Epochs) ? ctx.MonitorLabels : null, values);
            lastGood = Snapshot();
            // The epoch's metrics row first, then its checkpoint: a kill between the two resumes from the previous
            // checkpoint and writes the row again (never a checkpoint ahead of its metrics, whose row would be lost).
            ctx.OnEpoch?.Invoke(new EpochReport(epoch, options.Epochs, sw.Elapsed.TotalSeconds, values, model.Mixture.OmegaArray()));
            ctx.Folder?.WriteCheckpoint(lastGood);
        }
    }

    /// <summary>
    /// omega before the first M step (<see cref="DnnmmOptions.OmegaInit"/>): uniform, or the shares of the labelled classes, so
    /// that a run on imbalanced data does not start from equal class sizes.
    /// </summary>
    private void InitialiseOmega(TrainingSet data)
    {
        if (options.OmegaInit != OmegaInit.Data || options.Omega == OmegaUpdate.Fixed || data.Labelled.Length == 0) return;
        // The closed-form M step with the labelled images alone.
        using var counts = tensor(data.LabelledCounts, dtype: ScalarType.Float32, device: model.Device);
        using var noMemberships = zeros(data.LabelledCounts.Length, device: model.Device);
        using var omega = Objective.ClosedFormOmega(noMemberships, counts, 0, data.Labelled.Length, options.OmegaPrior);
        model.Mixture.SetOmega(omega, options.OmegaFloor);
    }

    /// <summary>
    /// Why an epoch's adversarial, consistency or unlabelled likelihood term exploded, or null: an epoch mean above
    /// <see cref="ExplosionFactor"/> times the median of the epochs before it (and above 20) means the min-max game ran
    /// away (seen on CelebA: the discriminator's loss jumped from 1.2 to 3118 in one epoch, and the encoder was wrecked
    /// the next) or the encoder's codes were thrown far from the means (seen on CIFAR-10-5: the likelihood term fell
    /// from -16 to -290 in one epoch and ACC from 0.52 to 0.37), which a finite loss does not show. The epoch is then
    /// treated like a NaN loss.
    /// </summary>
    public static string? Exploded(IReadOnlyList<IReadOnlyDictionary<string, double>> history, IReadOnlyDictionary<string, double> terms)
    {
        foreach (var key in new[] { "loss_d", "adversarial_g", "consistency", "likelihood" })
        {
            if (!terms.TryGetValue(key, out double v)) continue;
            // Epochs in which the term was not computed (0: the likelihood term in the first warm-up epoch) do not count.
            var earlier = history.Where(h => h.TryGetValue(key, out double e) && e != 0).Select(h => Math.Abs(h[key])).ToList();
            if (earlier.Count < 2) continue;
            double median = Stats.Median(earlier);
            if (Math.Abs(v) > 20 && Math.Abs(v) > ExplosionFactor * median)
                return $"{key} {v:G4} is over {ExplosionFactor} times its median {median:G4} of the earlier epochs (the min-max game ran away)";
        }
        return null;
    }

    /// <summary>How far above its usual level an epoch's term may go before <see cref="Exploded"/> calls it a runaway.</summary>
    public const double ExplosionFactor = 10;

    /// <summary>A loss turned NaN/inf: back to the last good epoch with half the learning rate, at most <see cref="MaxRestarts"/> times.</summary>
    private void RestartAfterDivergence(int epoch, byte[] lastGood, string why, FitContext ctx)
    {
        int restarts = Restarts + 1;
        if (restarts > MaxRestarts)
            throw new DnnmmTrainingException(
                $"training diverged {restarts} times (last: {why}); last learning rate {LearningRate:g3}; try a smaller learning rate");
        double lr = LearningRate / 2;
        Restore(lastGood);
        Restarts = restarts; // the snapshot holds the count of its own time
        LearningRate = lr;
        (optGE, optD) = RebuildOptimisers(lr);
        ctx.Log?.Invoke($"epoch {epoch}: {why}; restored epoch {Epoch} and halved the learning rate to {lr:g3} (restart {Restarts} of {MaxRestarts})");
    }

    private (Adam, Adam) RebuildOptimisers(double lr)
    {
        optGE.Dispose(); optD.Dispose();
        return MakeOptimisers(lr);
    }

    /// <summary>
    /// The warm-up memberships of <see cref="MembershipInit.KMeans"/> or <see cref="MembershipInit.Tsne"/> (-1 for
    /// labelled images), or null when not used. Deterministic in the seed, so a resumed run computes the same memberships.
    /// </summary>
    private int[]? InitialMemberships(TrainingSet data, FitContext ctx)
    {
        bool use = options.Init is MembershipInit.KMeans or MembershipInit.Tsne || (options.Init == MembershipInit.Auto && data.Labelled.Length == 0);
        if (!use || options.WarmupEpochs == 0 || data.Unlabelled.Length == 0 || Epoch >= options.WarmupEpochs) return null;
        var sw = Stopwatch.StartNew();
        int k = model.Info.Clusters;
        int[] assign;
        string how;
        using var x = MethodCommon.ToTensor(data.Images); // the warm-up partitions need every image as floats, once
        if (options.Init == MembershipInit.Tsne)
        {
            assign = NumberAsClasses(WarmupPartition.TsneKMeans(x, k, options.InitPca, Seeds.Mix(seed, 0, 3)), data.KnownLabels, k);
            how = "t-SNE k-means (pixels)";
        }
        else
        {
            assign = KMeansMemberships(x, data.KnownLabels, k, Seeds.Mix(seed, 0, 3));
            how = "k-means";
        }
        string score = PartitionScore(data, assign, ctx);
        foreach (int i in data.Labelled) assign[i] = -1;
        ctx.Log?.Invoke($"{how} memberships for the {options.WarmupEpochs} warm-up epochs ({sw.Elapsed.TotalSeconds:F1}s{score})");
        return assign;
    }

    /// <summary>Nearest neighbours per image that <see cref="RefineChoice.Neighbours"/> counts.</summary>
    private const int NeighbourCount = 10;

    /// <summary>
    /// The memberships of <see cref="DnnmmOptions.RefineEpoch"/>: k-means on a t-SNE map of the encoder's convolutional
    /// features (its layers before the linear head) of every image, numbered as the classes when some images are labelled.
    /// Deterministic in the seed and the encoder's weights.
    /// </summary>
    private int[] RefinedMemberships(TrainingSet data, FitContext ctx)
    {
        var sw = Stopwatch.StartNew();
        int k = model.Info.Clusters;
        using var features = EncoderFeatures(data.Images);
        // Map 0 has the seed of a single map, so --refine-maps 1 is the same partition as before the option existed.
        var seeds = Enumerable.Range(0, options.RefineMaps)
            .Select(m => m == 0 ? Seeds.Mix(seed, options.RefineEpoch, 6) : Seeds.Mix(Seeds.Mix(seed, options.RefineEpoch, 6), m, 7)).ToList();
        var (candidates, pcs, dims) = WarmupPartition.TsneKMeansWithPcs(features, k, options.InitPca, seeds);
        int chosen = 0;
        if (candidates.Count > 1)
        {
            // The cheap scores are logged for every map; the nearest neighbours (a pass over all pairs) only when they decide.
            var (byConsensus, agreement) = WarmupPartition.Consensus(candidates);
            var evenness = candidates.Select(c => WarmupPartition.SizeEvenness(c, k)).ToArray();
            double[]? neighbourly = null;
            chosen = byConsensus;
            if (options.RefineChoice == RefineChoice.Even) chosen = WarmupPartition.ArgMax(evenness);
            if (options.RefineChoice == RefineChoice.Neighbours)
            {
                var neighbours = WarmupPartition.NearestNeighbours(pcs, candidates[0].Length, dims, Math.Min(NeighbourCount, candidates[0].Length - 1));
                (chosen, neighbourly) = WarmupPartition.MostNeighbourly(neighbours, candidates);
            }
            for (int m = 0; m < candidates.Count; m++)
                ctx.Log?.Invoke($"  map {m + 1} of {candidates.Count}: mean NMI to the others {agreement[m]:F4}, size evenness {evenness[m]:F4}"
                    + (neighbourly is null ? "" : $", neighbours in the same cluster {neighbourly[m]:F4}")
                    + $"{PartitionScore(data, candidates[m], ctx)}{(m == chosen ? " (kept)" : "")}");
        }
        var assign = NumberAsClasses(candidates[chosen], data.KnownLabels, k);
        ctx.Log?.Invoke($"t-SNE k-means (encoder features) memberships after epoch {options.RefineEpoch} for the next {options.WarmupEpochs} epochs ({sw.Elapsed.TotalSeconds:F1}s{PartitionScore(data, assign, ctx)})");
        foreach (int i in data.Labelled) assign[i] = -1;
        return assign;
    }

    /// <summary>The encoder's convolutional features of every image, N x F on the CPU, in batches.</summary>
    private Tensor EncoderFeatures(ImageSet images, int batch = 500)
    {
        using var _ = no_grad();
        var parts = new List<Tensor>();
        for (int s = 0; s < images.Count; s += batch)
        {
            using var scope = NewDisposeScope();
            var f = model.E.Features(MethodCommon.RangeTensor(images, s, Math.Min(batch, images.Count - s)).to(model.Device));
            parts.Add(f.reshape(f.shape[0], -1).cpu().MoveToOuterDisposeScope());
        }
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    /// <summary>", ACC a on the unlabelled images" when the truth is known (monitoring only), else empty.</summary>
    private static string PartitionScore(TrainingSet data, int[] assign, FitContext ctx)
    {
        if (ctx.MonitorLabels is not { } truth || data.Unlabelled.Length == 0) return "";
        var u = data.Unlabelled;
        return $", ACC {ClusteringMetrics.Accuracy(u.Select(i => truth[i]).ToArray(), u.Select(i => assign[i]).ToArray()):F4} on the unlabelled images";
    }

    /// <summary>
    /// The component of every image from k-means on the pixels (k-means++, 10 restarts). When some images are
    /// labelled (knownLabels[i] >= 0) the clusters are renumbered to the classes they best match on those images
    /// (Hungarian method), so that cluster k is component k; otherwise the numbering is k-means's own.
    /// </summary>
    public static int[] KMeansMemberships(Tensor images, int[] knownLabels, int k, int seed)
    {
        using var flat = images.reshape(images.shape[0], -1);
        return NumberAsClasses(KMeansClustering.Fit(flat, k, seed).Labels, knownLabels, k);
    }

    /// <summary>Renumbers clusters to the classes they best match on the labelled images (Hungarian method); unchanged without labels.</summary>
    public static int[] NumberAsClasses(int[] assign, int[] knownLabels, int k)
    {
        var lab = Enumerable.Range(0, knownLabels.Length).Where(i => knownLabels[i] >= 0).ToArray();
        if (lab.Length == 0) return assign;
        var map = KMeansClustering.MatchTo(lab.Select(i => knownLabels[i]).ToArray(), lab.Select(i => assign[i]).ToArray(), k);
        return assign.Select(c => map[c]).ToArray();
    }

    /// <summary>
    /// One epoch of MinMax+EM steps (eq 10-13); null when a loss turned NaN/inf. Each step: the next minibatch with its
    /// E step memberships, latent samples y, the discriminator's step, the encoder/generator step, the omega M step.
    /// With <paramref name="initial"/> (warm-up with k-means memberships) the unlabelled likelihood term takes those
    /// crisp memberships at full weight instead of the E step's posteriors.
    /// </summary>
    private Dictionary<string, double>? RunEpoch(int epoch, TrainingSet data, int[]? initial, FitContext ctx)
    {
        using var gen = new torch.Generator((ulong)Seeds.Mix(seed, epoch, 1));
        var rng = new Random(Seeds.Mix(seed, epoch, 2));
        int[] unlabelledOrder = Batches.Shuffle(data.Unlabelled, rng);
        var labelledBatches = new BatchCycler(data.Labelled, rng);
        int steps = Batches.Steps(data.Unlabelled.Length > 0 ? data.Unlabelled.Length : data.Labelled.Length, options.BatchSize);
        double unlabelledWeight = UnlabelledWeight(epoch, initial);
        // Augmentation consistency: the views of an epoch are drawn from their own stream of the seed, so a resumed run draws the same ones.
        var views = options.Augment == AugmentMode.Consistency ? options.ViewPolicies(model.Info.Channels) : ((ViewPolicy Weak, ViewPolicy Strong)?)null;
        var augRng = new Random(Seeds.Mix(seed, epoch, 4));

        // Literal EM: memberships of all unlabelled images fixed once per epoch (not needed while the warm-up uses k-means's).
        using var epochGamma = options.EStep == EStepSchedule.Epoch && data.Unlabelled.Length > 0 && initial is null ? EStepAll(data) : null;
        var omegaStep = new OmegaMStep(model, options, data);
        var sums = new Dictionary<string, double>
        {
            ["likelihood"] = 0, ["labelled_likelihood"] = 0, ["consistency"] = 0, ["adversarial_g"] = 0, ["loss_d"] = 0,
        };
        if (options.ComplementWeight > 0) sums["complement"] = 0;
        if (options.PseudoThreshold > 0) sums["pseudo_share"] = 0;
        if (options.PosteriorWeight > 0) { sums["posterior"] = 0; sums["labelled_posterior"] = 0; }
        sums["grad_norm_e"] = 0;
        gradNormEMax = 0;
        if (options.ConsistencyEncoder == ConsistencyEncoder.Confident && options.Lambda1 > 0) sums["confident_share"] = 0;
        int ganSteps = 0;
        using (omegaStep)
        {
            for (int step = 0; step < steps; step++)
            {
                GcFence.SafePoint(); // between native calls: see GcFence
                ctx.Cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var batch = NextBatch(data, Batches.Slice(unlabelledOrder, step, options.BatchSize), labelledBatches, initial, epochGamma);
                if (views is not null) batch.MakeViews(views.Value.Weak, views.Value.Strong, augRng);
                // The generative terms (D's step, G's terms, the complement term) every --gan-every-th step only.
                bool ganStep = step % options.GanEvery == 0;
                if (ganStep) ganSteps++;
                var latent = ganStep ? SampleY(options.FakeBatchSize > 0 ? options.FakeBatchSize : options.BatchSize, gen) : default;
                Tensor? fake = ganStep && (options.Lambda2 > 0 || options.Lambda1 > 0 || options.ComplementWeight > 0) ? model.G.forward(latent.Y) : null;
                if (ganStep && options.Lambda2 > 0 && !DiscriminatorStep(batch, fake!, latent.Weights, sums)) return null;
                if (!EncoderGeneratorStep(batch, latent, fake, ganStep, unlabelledWeight, sums)) return null;
                // The warm-up's k-means memberships are not evidence of the class sizes (k-means evens out cluster sizes).
                omegaStep.Add(initial is null ? batch.OmegaGamma ?? batch.Gamma : null);
                ctx.OnStep?.Invoke(step + 1, steps, EpochAverages(sums, step + 1, ganSteps));
            }
            omegaStep.EndOfEpoch();
        }
        var averages = EpochAverages(sums, steps, ganSteps);
        averages["grad_norm_e_max"] = gradNormEMax;
        return averages;
    }

    /// <summary>The terms of the generative steps (every --gan-every-th step) averaged over those steps, the others over all steps.</summary>
    private static Dictionary<string, double> EpochAverages(Dictionary<string, double> sums, int steps, int ganSteps) =>
        sums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(1, GenerativeKeys.Contains(kv.Key) ? ganSteps : steps));

    private static readonly HashSet<string> GenerativeKeys = new() { "consistency", "adversarial_g", "loss_d", "complement", "confident_share" };

    /// <summary>The weight of the unlabelled likelihood term: ramped up over the warm-up unless it uses k-means memberships.</summary>
    private double UnlabelledWeight(int epoch, int[]? initial) =>
        options.WarmupEpochs > 0 && initial is null ? options.UnlabelledWeight * Math.Min(1.0, (epoch - 1) / (double)options.WarmupEpochs) : options.UnlabelledWeight;

    /// <summary>
    /// One minibatch: unlabelled images (and their memberships when they are fixed for the epoch: k-means in the
    /// warm-up, or the literal E step), and a labelled minibatch with its classes.
    /// </summary>
    private sealed class Minibatch
    {
        public Tensor? Unlabelled { get; init; }
        public Tensor? Labelled { get; init; }
        public Tensor? Classes { get; init; }
        /// <summary>The memberships gamma of the unlabelled images (eq 3), set by the E step; null while not known.</summary>
        public Tensor? Gamma { get; set; }
        /// <summary>The memberships the omega M step counts when they differ from <see cref="Gamma"/> (the unbalanced posterior).</summary>
        public Tensor? OmegaGamma { get; set; }
        public Tensor Real => Unlabelled is null ? Labelled! : Labelled is null ? Unlabelled : cat(new[] { Unlabelled, Labelled }, 0);
        /// <summary>The weak view of the unlabelled images (the E step's input) under augmentation consistency, else null.</summary>
        public Tensor? UnlabelledWeak { get; private set; }
        /// <summary>The strong view of the unlabelled images (the likelihood term's input) under augmentation consistency, else null.</summary>
        public Tensor? UnlabelledStrong { get; private set; }
        /// <summary>The weak view of the labelled images under augmentation consistency, else null.</summary>
        public Tensor? LabelledWeak { get; private set; }

        public void MakeViews(ViewPolicy weak, ViewPolicy strong, Random rng)
        {
            if (Unlabelled is not null)
            {
                UnlabelledWeak = Augmentation.View(Unlabelled, weak, rng);
                UnlabelledStrong = Augmentation.View(Unlabelled, strong, rng);
            }
            if (Labelled is not null) LabelledWeak = Augmentation.View(Labelled, weak, rng);
        }
    }

    private Minibatch NextBatch(TrainingSet data, int[] unlabelledIds, BatchCycler labelledBatches, int[]? initial, EpochMemberships? epochGamma)
    {
        var dev = model.Device;
        Tensor? xu = null, xl = null, yl = null, gamma = null;
        if (data.Unlabelled.Length > 0)
        {
            xu = data.Batch(unlabelledIds);
            if (initial is not null)
                gamma = nn.functional.one_hot(tensor(unlabelledIds.Select(i => (long)initial[i]).ToArray()).to(dev), model.Info.Clusters).to_type(ScalarType.Float32);
            else if (epochGamma is not null)
                gamma = epochGamma.For(unlabelledIds);
        }
        if (data.Labelled.Length > 0)
        {
            var ids = labelledBatches.Next(Math.Min(options.LabelledBatchSize, data.Labelled.Length));
            xl = data.Batch(ids.Select(i => (int)i).ToArray());
            yl = data.Classes.index_select(0, tensor(ids).to(dev));
        }
        return new Minibatch { Unlabelled = xu, Labelled = xl, Classes = yl, Gamma = gamma };
    }

    /// <summary>The discriminator's step: min over theta_D of lambda2 times its loss on real images and G(y). False when the loss is not finite.</summary>
    private bool DiscriminatorStep(Minibatch batch, Tensor fake, Tensor? weights, Dictionary<string, double> sums)
    {
        // One pass of D over the real and the generated images together.
        var real = batch.Real;
        var logits = model.D.forward(cat(new[] { real, fake.detach() }, 0));
        var lossD = Objective.DiscriminatorLoss(logits.narrow(0, 0, real.shape[0]), logits.narrow(0, real.shape[0], fake.shape[0]), options.GanLoss, weights).mul(options.Lambda2);
        if (!TensorHelpers.IsFinite(lossD)) return false;
        optD.zero_grad();
        lossD.backward();
        ClipGradients(model.D);
        optD.step();
        sums["loss_d"] += lossD.item<float>();
        return true;
    }

    /// <summary>
    /// The encoder/generator step (the M step over theta_E and theta_G): maximise
    /// LikelihoodTerm (unlabelled, memberships from the E step) + LabelledLikelihoodTerm - lambda1 ConsistencyTerm
    /// + lambda2 AdversarialTerm (+ the complement term when asked). Sets <see cref="Minibatch.Gamma"/> for the omega M
    /// step. The encoder sees every image of the step in one pass. False when the loss is not finite.
    /// </summary>
    private bool EncoderGeneratorStep(Minibatch batch, LatentSample latent, Tensor? fake, bool ganStep, double unlabelledWeight, Dictionary<string, double> sums)
    {
        var dev = model.Device;
        Tensor objective = zeros(1, device: dev).squeeze();
        bool likelihood = batch.Unlabelled is not null && unlabelledWeight > 0;
        bool labelled = batch.Labelled is not null && options.LabelledWeight > 0;
        bool consistency = ganStep && options.Lambda1 > 0;
        bool complement = ganStep && options.ComplementWeight > 0;
        // The consistency term as the paper has it (both networks learn from every sample) goes through the shared pass
        // with the graph into G; otherwise the encoder sees detached samples there, and the generator's consistency
        // gradient comes from a pass of the frozen encoder.
        bool shared = consistency && options.ConsistencyEncoder == ConsistencyEncoder.All && !complement;
        bool fakeInPass = shared || (consistency && options.ConsistencyEncoder != ConsistencyEncoder.None) || complement;

        // One encoder pass: unlabelled (strong view), labelled (weak view), generated.
        var inputs = new List<Tensor>();
        if (likelihood) inputs.Add(batch.UnlabelledStrong ?? batch.Unlabelled!);
        if (labelled) inputs.Add(batch.LabelledWeak ?? batch.Labelled!);
        if (fakeInPass) inputs.Add(shared ? fake! : fake!.detach());
        Tensor? zu = null, zl = null, zf = null;
        if (inputs.Count > 0)
        {
            var z = model.E.forward(inputs.Count == 1 ? inputs[0] : cat(inputs, 0));
            var parts = z.split(inputs.Select(x => x.shape[0]).ToArray());
            int part = 0;
            if (likelihood) zu = parts[part++];
            if (labelled) zl = parts[part++];
            if (fakeInPass) zf = parts[part];
        }

        if (likelihood)
        {
            if (batch.Gamma is null)
                using (no_grad())
                {
                    // The E step: from the weak view under augmentation consistency, else from this pass.
                    var zE = teacher is not null ? teacher.forward(batch.UnlabelledWeak ?? batch.Unlabelled!)
                        : batch.UnlabelledWeak is null ? zu!.detach() : model.E.forward(batch.UnlabelledWeak);
                    batch.Gamma = EStep(zE);
                    if (options.BalancedEStep && options.OmegaFrom == OmegaStatistics.Posterior && options.Omega != OmegaUpdate.Fixed)
                        batch.OmegaGamma = model.Mixture.Posterior(zE);
                }
            var targets = options.PseudoThreshold > 0 ? Objective.PseudoLabels(batch.Gamma, options.PseudoThreshold) : batch.Gamma;
            var lik = Objective.LikelihoodTerm(model.Mixture, zu!, targets);
            objective = objective + lik.mul(unlabelledWeight);
            if (options.PseudoThreshold > 0)
            {
                // Monitored with the soft memberships, so that the runaway check sees the same scale whatever share is kept.
                using (no_grad()) sums["likelihood"] += Objective.LikelihoodTerm(model.Mixture, zu!, batch.Gamma).item<float>();
                sums["pseudo_share"] += targets.sum().item<float>() / targets.shape[0];
            }
            else sums["likelihood"] += lik.item<float>();
            if (options.PosteriorWeight > 0)
            {
                var post = Objective.PosteriorTerm(model.Mixture, zu!, targets);
                objective = objective + post.mul(unlabelledWeight * options.PosteriorWeight);
                sums["posterior"] += post.item<float>();
            }
        }
        else if (batch.Unlabelled is not null && batch.Gamma is null && options.Omega != OmegaUpdate.Fixed)
        {
            using (no_grad()) batch.Gamma = model.Mixture.Posterior(model.E.forward(batch.UnlabelledWeak ?? batch.Unlabelled));
        }
        if (labelled)
        {
            var lik = Objective.LabelledLikelihoodTerm(model.Mixture, zl!, batch.Classes!);
            objective = objective + lik.mul(options.LabelledWeight);
            sums["labelled_likelihood"] += lik.item<float>();
            if (options.PosteriorWeight > 0)
            {
                using var hot = nn.functional.one_hot(batch.Classes!, model.Info.Clusters).to_type(ScalarType.Float32);
                var post = Objective.PosteriorTerm(model.Mixture, zl!, hot);
                objective = objective + post.mul(options.LabelledWeight * options.PosteriorWeight);
                sums["labelled_posterior"] += post.item<float>();
            }
        }
        if (consistency)
        {
            Tensor cons;
            if (shared) cons = Objective.ConsistencyTerm(latent.Y, zf!, latent.Weights);
            else
            {
                // The generator's side: the frozen encoder's view of G(y), gradient into G only.
                cons = Objective.ConsistencyTerm(latent.Y, Frozen(model.E, fake!), latent.Weights);
                if (options.ConsistencyEncoder != ConsistencyEncoder.None)
                {
                    // The encoder's side, on the detached samples it may learn from.
                    var w = latent.Weights;
                    if (options.ConsistencyEncoder == ConsistencyEncoder.Confident)
                    {
                        var mask = Objective.ConfidentMask(model.Mixture, zf!, latent.Components, options.ConsistencyConfidence);
                        sums["confident_share"] += mask.mean().item<float>();
                        w = w is null ? mask : w.mul(mask);
                    }
                    objective = objective - Objective.ConsistencyTerm(latent.Y, zf!, w).mul(options.Lambda1);
                }
            }
            objective = objective - cons.mul(options.Lambda1);
            sums["consistency"] += cons.item<float>();
        }
        if (complement)
        {
            var real = zu is not null && zl is not null ? cat(new[] { zu, zl }, 0) : zu ?? zl;
            if (real is not null)
            {
                var comp = Objective.ComplementTerm(model.Mixture, real, zf!, latent.Weights);
                objective = objective + comp.mul(options.ComplementWeight);
                sums["complement"] += comp.item<float>();
            }
        }
        if (ganStep && options.Lambda2 > 0)
        {
            // D frozen: the generator's step needs the gradient through D, not D's own (its step is taken above and
            // its gradient zeroed before the next one), so the backward pass skips D's weight gradients.
            var adv = Objective.AdversarialTerm(Frozen(model.D, fake!), latent.Weights, options.GanLoss);
            objective = objective + adv.mul(options.Lambda2);
            sums["adversarial_g"] -= adv.item<float>(); // reported as the generator's loss, -log D(G(y)) (hinge: -s(G(y)))
        }
        if (!objective.requires_grad) return true;
        var loss = objective.neg();
        if (!TensorHelpers.IsFinite(loss)) return false;
        optGE.zero_grad();
        loss.backward();
        double normE = ClipGradients(model.E);
        ClipGradients(model.G);
        sums["grad_norm_e"] += normE;
        if (normE > gradNormEMax) gradNormEMax = normE;
        optGE.step();
        if (teacher is not null) CopyIntoTeacher(1 - options.TeacherEma);
        return true;
    }

    /// <summary>The largest encoder gradient norm of the epoch so far (reported as grad_norm_e_max).</summary>
    private double gradNormEMax;

    /// <summary>
    /// The L2 norm of a network's gradient (all its parameters as one vector), before it is scaled down to
    /// --max-grad-norm when above it; networks are clipped each on its own. Without clipping the gradient is untouched.
    /// </summary>
    private double ClipGradients(nn.Module network)
    {
        var ps = network.parameters().Where(p => p.grad is not null).ToList();
        if (ps.Count == 0) return 0;
        if (options.MaxGradNorm > 0) return nn.utils.clip_grad_norm_(ps, options.MaxGradNorm);
        using var _ = no_grad();
        using var norms = stack(ps.Select(p => p.grad!.norm()).ToArray());
        return norms.norm().item<float>();
    }

    /// <summary>A network's output with its parameters frozen: the gradient reaches x (and the generator behind it), not the network's weights.</summary>
    private static Tensor Frozen(nn.Module<Tensor, Tensor> network, Tensor x)
    {
        var ps = network.parameters().ToList();
        foreach (var p in ps) p.requires_grad = false;
        try { return network.forward(x); }
        finally { foreach (var p in ps) p.requires_grad = true; }
    }

    /// <summary>The E step over every unlabelled image at once (literal EM), looked up per minibatch.</summary>
    private EpochMemberships EStepAll(TrainingSet data)
    {
        using var z = model.EncodeImages(data.Images, data.Unlabelled);
        using var zd = z.to(model.Device);
        return new EpochMemberships(EStep(zd), data.Unlabelled, model.Device);
    }

    /// <summary>Memberships of every unlabelled image, fixed for an epoch, by image index.</summary>
    private sealed class EpochMemberships(Tensor gamma, int[] unlabelled, Device device) : IDisposable
    {
        private readonly Dictionary<int, int> position = unlabelled.Select((image, row) => (image, row)).ToDictionary(p => p.image, p => p.row);

        public Tensor For(int[] images) => gamma.index_select(0, tensor(images.Select(i => (long)position[i]).ToArray()).to(device));

        public void Dispose() => gamma.Dispose();
    }

    /// <summary>
    /// The omega M step in closed form (eq 11 and 13) from the memberships of the E steps: summed over the epoch and applied
    /// at its end (<see cref="OmegaUpdate.Epoch"/>), or a running average of the per-minibatch estimate (<see cref="OmegaUpdate.Running"/>).
    /// Nothing with <see cref="OmegaUpdate.Fixed"/>.
    /// </summary>
    private sealed class OmegaMStep : IDisposable
    {
        private readonly DnnmmModel model;
        private readonly DnnmmOptions options;
        private readonly TrainingSet data;
        private readonly Tensor gammaSum;

        public OmegaMStep(DnnmmModel model, DnnmmOptions options, TrainingSet data)
        {
            this.model = model; this.options = options; this.data = data;
            gammaSum = zeros(model.Info.Clusters, device: model.Device);
        }

        public void Add(Tensor? gamma)
        {
            if (gamma is null || options.Omega == OmegaUpdate.Fixed) return;
            var batchSum = gamma.sum(dim: 0);
            if (options.Omega == OmegaUpdate.Epoch) { gammaSum.add_(batchSum); return; }
            int nUnl = data.Unlabelled.Length;
            var est = Objective.ClosedFormOmega(batchSum.mul((double)nUnl / gamma.shape[0]),
                tensor(data.LabelledCounts, dtype: ScalarType.Float32, device: model.Device), nUnl, data.Labelled.Length, options.OmegaPrior);
            var next = model.Mixture.Omega.mul(1 - options.OmegaMomentum).add(est.mul(options.OmegaMomentum));
            model.Mixture.SetOmega(next, options.OmegaFloor);
        }

        public void EndOfEpoch()
        {
            if (options.Omega != OmegaUpdate.Epoch || data.Unlabelled.Length + data.Labelled.Length == 0) return;
            using var counts = tensor(data.LabelledCounts, dtype: ScalarType.Float32, device: model.Device);
            using var omega = Objective.ClosedFormOmega(gammaSum, counts, data.Unlabelled.Length, data.Labelled.Length, options.OmegaPrior);
            model.Mixture.SetOmega(omega, options.OmegaFloor);
        }

        public void Dispose() => gammaSum.Dispose();
    }

    /// <summary>
    /// The images of a fit, split into unlabelled and labelled, with the label counts. The images stay in their storage
    /// (bytes for data read from files) and are converted to floats a minibatch at a time (<see cref="Batch"/>).
    /// </summary>
    private sealed class TrainingSet : IDisposable
    {
        public TrainingSet(DnnmmModel model, FitInput input)
        {
            KnownLabels = input.KnownLabels;
            Unlabelled = Enumerable.Range(0, input.Images.Count).Where(i => KnownLabels[i] < 0).ToArray();
            Labelled = Enumerable.Range(0, input.Images.Count).Where(i => KnownLabels[i] >= 0).ToArray();
            Images = input.Images;
            device = model.Device;
            Classes = tensor(KnownLabels.Select(v => (long)Math.Max(v, 0)).ToArray()).to(model.Device);
            LabelledCounts = new double[model.Info.Clusters];
            foreach (int i in Labelled) LabelledCounts[KnownLabels[i]]++;
        }

        private readonly Device device;

        /// <summary>Every image, in its storage.</summary>
        public ImageSet Images { get; }

        /// <summary>The images at <paramref name="ids"/> as floats (with their noise), n x C x H x W on the model's device.</summary>
        public Tensor Batch(int[] ids)
        {
            var x = MethodCommon.BatchTensor(Images, ids);
            if (device.type == DeviceType.CPU) return x;
            var onDevice = x.to(device);
            x.Dispose();
            return onDevice;
        }
        /// <summary>The class of every image (0 where unlabelled), for indexing labelled minibatches.</summary>
        public Tensor Classes { get; }
        public int[] KnownLabels { get; }
        public int[] Unlabelled { get; }
        public int[] Labelled { get; }
        public double[] LabelledCounts { get; }

        public void Dispose()
        {
            Classes.Dispose();
        }
    }

    /// <summary>The E step: posterior memberships (eq 3), balanced when the options ask for it.</summary>
    private Tensor EStep(Tensor z) => options.BalancedEStep ? model.Mixture.BalancedPosterior(z) : model.Mixture.Posterior(z);

    /// <summary>Latent samples y, the components they were drawn from, and their weights in the terms (null: equal).</summary>
    private readonly record struct LatentSample(Tensor Y, Tensor Components, Tensor? Weights);

    private LatentSample SampleY(int n, torch.Generator gen)
    {
        var mix = model.Mixture;
        if (options.YSampling == YSampling.Categorical)
        {
            var (y0, k0) = mix.Sample(n, gen);
            return new LatentSample(y0, k0, null);
        }
        int K = mix.K;
        int per = Math.Max(1, n / K);
        var comps = arange(K, device: model.Device).repeat_interleave(per);
        var y = mix.SampleFrom(comps, gen);
        var w = mix.Omega.index_select(0, comps).mul(K);
        return new LatentSample(y, comps, w);
    }

    /// <summary>Encodes every image, predicts argmax gamma, and adds log-likelihood (eq 4) and monitoring metrics.</summary>
    private void Evaluate(TrainingSet data, int[]? truth, Dictionary<string, double> values)
    {
        using var scope = NewDisposeScope();
        var z = model.EncodeImages(data.Images).to(model.Device);
        values["log_likelihood"] = model.Mixture.LogLikelihood(z).mean().item<float>();
        var pred = TensorHelpers.ArgmaxRows(model.Mixture.Posterior(z));
        MethodCommon.AddScores(values, truth, pred, data.KnownLabels);
    }

    // ---- checkpoint: every network, both optimisers, omega, epoch, learning rate, restarts ----

    // DNNMMCK2: sealed with a SHA-256 (SealedBytes), so a damaged file is caught before it is parsed; DNNMMCK1 (no
    // checksum) is what dnnmm wrote before, still read.
    private const string Magic = "DNNMMCK2";
    private const string LegacyMagic = "DNNMMCK1";

    public byte[] Snapshot()
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Epoch); w.Write(LearningRate); w.Write(Restarts);
            var omega = model.Mixture.OmegaArray();
            w.Write(omega.Length);
            foreach (var v in omega) w.Write(v);
            model.G.save(w); model.E.save(w); model.D.save(w);
            optGE.save_state_dict(w); optD.save_state_dict(w);
            // The warm-up memberships (after the optimisers, so that older checkpoints without them still load).
            foreach (var m in new[] { initial, refined })
            {
                w.Write(m?.Length ?? 0);
                foreach (int v in m ?? Array.Empty<int>()) w.Write(v);
            }
            // The teacher encoder of --teacher-ema, last (a checkpoint without it resumes with a copy of E).
            teacher?.save(w);
        }
        return SealedBytes.Seal(ms.ToArray());
    }

    /// <summary>Restores a snapshot (sealed, or a legacy unsealed checkpoint); <paramref name="path"/> names it in errors.</summary>
    private void Restore(byte[] bytes, string path = "checkpoint")
    {
        byte[] content = SealedBytes.HasMagic(bytes, LegacyMagic) ? bytes : SealedBytes.Open(bytes, Magic, path, "checkpoint");
        try
        {
            using var r = new BinaryReader(new MemoryStream(content));
            string magic = r.ReadString();
            if (magic != Magic && magic != LegacyMagic) throw new InvalidDataException("not a DNN-MM checkpoint");
            int epoch = r.ReadInt32(); double lr = r.ReadDouble(); int restarts = r.ReadInt32();
            if (epoch < 0 || restarts < 0 || !(lr > 0) || double.IsInfinity(lr))
                throw new InvalidDataException($"epoch {epoch}, learning rate {lr}, restarts {restarts}");
            int k = r.ReadInt32();
            if (k != model.Info.Clusters) throw new DnnmmInputException($"{path}: the checkpoint has {k} clusters, the model {model.Info.Clusters}");
            var omega = new float[k];
            for (int i = 0; i < k; i++) omega[i] = r.ReadSingle();
            Epoch = epoch; Restarts = restarts;
            using (var t = tensor(omega)) model.Mixture.SetOmega(t);
            TorchState.LoadModule(model.G, r); TorchState.LoadModule(model.E, r); TorchState.LoadModule(model.D, r);
            if (Math.Abs(lr - LearningRate) > 0) { LearningRate = lr; (optGE, optD) = RebuildOptimisers(lr); }
            TorchState.LoadAdam(optGE, r); TorchState.LoadAdam(optD, r);
            if (r.BaseStream.Position < r.BaseStream.Length)
            {
                int[]? ReadMemberships()
                {
                    int n = r.ReadInt32();
                    // four bytes each: a count the rest of the file cannot hold is damage, not an allocation to try
                    if (n < 0 || 4L * n > r.BaseStream.Length - r.BaseStream.Position) throw new InvalidDataException($"{n} warm-up memberships");
                    if (n == 0) return null;
                    var m = new int[n];
                    for (int i = 0; i < n; i++) m[i] = r.ReadInt32();
                    if (m.Any(v => v < -1 || v >= k)) throw new InvalidDataException("a warm-up membership out of range");
                    return m;
                }
                initial = ReadMemberships();
                refined = ReadMemberships();
            }
            if (teacher is not null)
            {
                if (r.BaseStream.Position < r.BaseStream.Length) TorchState.LoadModule(teacher, r);
                else CopyIntoTeacher(1);
            }
        }
        catch (Exception e) when (e is not DnnmmInputException and not OutOfMemoryException)
        {
            // TorchSharp's messages can quote names read from the file: only a printable digest is shown.
            throw new DnnmmInputException($"{path}: damaged checkpoint ({SealedBytes.Describe(e)})");
        }
    }

    /// <summary>
    /// Checks that the checkpoint at <paramref name="path"/> is whole (its seal, for a sealed one) without loading it:
    /// a damaged file is a one-line <see cref="DnnmmInputException"/> naming it.
    /// </summary>
    public static void Verify(string path)
    {
        if (!File.Exists(path)) throw new DnnmmInputException($"{path}: no checkpoint");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DnnmmInputException($"{path}: cannot read the checkpoint ({SealedBytes.Describe(e)})");
        }
        if (!SealedBytes.HasMagic(bytes, LegacyMagic)) SealedBytes.Open(bytes, Magic, path, "checkpoint");
    }

    public void Load(string path)
    {
        if (!File.Exists(path)) throw new DnnmmInputException($"{path}: no checkpoint to resume from");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DnnmmInputException($"{path}: cannot read the checkpoint ({SealedBytes.Describe(e)})");
        }
        Restore(bytes, path);
    }

    /// <summary>
    /// Loads only the networks and omega of a checkpoint's bytes (for prediction and sampling); <paramref name="path"/>
    /// names them in errors.
    /// </summary>
    public static void LoadWeights(DnnmmModel model, byte[] bytes, string path)
    {
        using var t = new MinMaxEmTrainer(model, new DnnmmOptions(), 0);
        t.Restore(bytes, path);
    }

    public void Dispose()
    {
        optGE.Dispose(); optD.Dispose();
        teacher?.Dispose();
    }
}
