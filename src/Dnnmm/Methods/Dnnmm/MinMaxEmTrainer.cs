using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Dnnmm.Infrastructure;
using Dnnmm.Evaluation;

namespace Dnnmm.Methods.Dnnmm;

/// <summary>
/// MinMax+EM learning of DNN-MM (eq 10-13). Each step: the E step fixes the memberships gamma of an
/// unlabelled minibatch with the current encoder; the discriminator takes a step on the adversarial
/// term; generator and encoder take a step on likelihood - lambda1 consistency + lambda2 adversarial;
/// the M step updates omega in closed form (per epoch or as a running average).
/// </summary>
public sealed class MinMaxEmTrainer : IDisposable
{
    private const int MaxRestarts = 3;

    private readonly DnnmmModel model;
    private readonly DnnmmOptions o;
    private readonly int seed;
    private Adam optGE, optD;

    public MinMaxEmTrainer(DnnmmModel model, DnnmmOptions options, int seed)
    {
        this.model = model; o = options; this.seed = seed;
        LearningRate = o.LearningRate;
        (optGE, optD) = MakeOptimisers(LearningRate);
    }

    /// <summary>The current learning rate (halved after each divergence).</summary>
    public double LearningRate { get; private set; }
    /// <summary>Last completed epoch.</summary>
    public int Epoch { get; private set; }
    public int Restarts { get; private set; }

    private (Adam, Adam) MakeOptimisers(double lr)
    {
        var ge = model.G.parameters().Concat(model.E.parameters());
        return (torch.optim.Adam(ge, lr, o.Beta1, o.Beta2), torch.optim.Adam(model.D.parameters(), lr, o.Beta1, o.Beta2));
    }

    public void Fit(FitInput input, FitContext ctx)
    {
        var dev = model.Device;
        int K = model.Info.Clusters;
        var all = model.ToTensor(input.Images);
        int[] unl = Enumerable.Range(0, input.Images.Count).Where(i => input.KnownLabels[i] < 0).ToArray();
        int[] lab = Enumerable.Range(0, input.Images.Count).Where(i => input.KnownLabels[i] >= 0).ToArray();
        using var xAll = all.to(dev);
        all.Dispose();
        using var labelsAll = tensor(input.KnownLabels.Select(v => (long)Math.Max(v, 0)).ToArray()).to(dev);
        var labelledCounts = new double[K];
        foreach (int i in lab) labelledCounts[input.KnownLabels[i]]++;

        if (ctx.Resume)
        {
            if (ctx.Folder is null) throw new ArgumentException("resume needs a run folder");
            Load(ctx.Folder.Checkpoint);
            ctx.Log?.Invoke($"resumed from epoch {Epoch} (learning rate {LearningRate:g3})");
        }
        int[]? initial = InitialMemberships(xAll, input, unl, lab, ctx);
        byte[] lastGood = Snapshot();

        while (Epoch < o.Epochs)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            int epoch = Epoch + 1;
            var sw = Stopwatch.StartNew();
            var terms = RunEpoch(epoch, xAll, labelsAll, unl, lab, labelledCounts, epoch <= o.WarmupEpochs ? initial : null, ctx);
            if (terms is null)
            {
                Restarts++;
                if (Restarts > MaxRestarts)
                    throw new DnnmmTrainingException(
                        $"training diverged (a loss became NaN or infinite) {Restarts} times; last learning rate {LearningRate:g3}; try a smaller --lr");
                double lr = LearningRate / 2;
                Restore(lastGood);
                LearningRate = lr;
                (optGE, optD) = RebuildOptimisers(lr);
                ctx.Log?.Invoke($"epoch {epoch}: a loss became NaN/inf; restored epoch {Epoch} and halved the learning rate to {lr:g3} (restart {Restarts} of {MaxRestarts})");
                continue;
            }
            Epoch = epoch;
            var values = new Dictionary<string, double>(terms);
            Evaluate(xAll, input, ctx.Monitors(epoch, last: epoch == o.Epochs) ? ctx.MonitorLabels : null, values);
            lastGood = Snapshot();
            ctx.Folder?.WriteCheckpoint(lastGood);
            ctx.OnEpoch?.Invoke(new EpochReport(epoch, o.Epochs, sw.Elapsed.TotalSeconds, values, model.Mixture.OmegaArray()));
        }
    }

    private (Adam, Adam) RebuildOptimisers(double lr)
    {
        optGE.Dispose(); optD.Dispose();
        return MakeOptimisers(lr);
    }

    /// <summary>
    /// The warm-up memberships of <see cref="MembershipInit.KMeans"/> (-1 for labelled images), or null when not
    /// used. Deterministic in the seed, so a resumed run computes the same memberships.
    /// </summary>
    private int[]? InitialMemberships(Tensor xAll, FitInput input, int[] unl, int[] lab, FitContext ctx)
    {
        bool use = o.Init == MembershipInit.KMeans || (o.Init == MembershipInit.Auto && lab.Length == 0);
        if (!use || o.WarmupEpochs == 0 || unl.Length == 0 || Epoch >= o.WarmupEpochs) return null;
        var sw = Stopwatch.StartNew();
        var assign = KMeansMemberships(xAll, input.KnownLabels, model.Info.Clusters, Seeds.Mix(seed, 0, 3));
        foreach (int i in lab) assign[i] = -1;
        ctx.Log?.Invoke($"k-means memberships for the {o.WarmupEpochs} warm-up epochs ({sw.Elapsed.TotalSeconds:F1}s)");
        return assign;
    }

    /// <summary>
    /// The component of every image from k-means on the pixels (k-means++, 10 restarts). When some images are
    /// labelled (knownLabels[i] >= 0) the clusters are renumbered to the classes they best match on those images
    /// (Hungarian method), so that cluster k is component k; otherwise the numbering is k-means's own.
    /// </summary>
    public static int[] KMeansMemberships(Tensor images, int[] knownLabels, int k, int seed)
    {
        using var flat = images.reshape(images.shape[0], -1);
        var assign = KMeansClustering.Fit(flat, k, seed).Labels;
        var lab = Enumerable.Range(0, knownLabels.Length).Where(i => knownLabels[i] >= 0).ToArray();
        if (lab.Length == 0) return assign;
        var map = KMeansClustering.MatchTo(lab.Select(i => knownLabels[i]).ToArray(), lab.Select(i => assign[i]).ToArray(), k);
        return assign.Select(c => map[c]).ToArray();
    }

    /// <summary>
    /// One epoch of MinMax+EM steps; null when a loss turned NaN/inf. With <paramref name="initial"/> (warm-up with
    /// k-means memberships) the unlabelled likelihood term takes those crisp memberships at full weight instead of
    /// the E step's posteriors.
    /// </summary>
    private Dictionary<string, double>? RunEpoch(int epoch, Tensor xAll, Tensor labelsAll, int[] unl, int[] lab,
        double[] labelledCounts, int[]? initial, FitContext ctx)
    {
        var dev = model.Device;
        int K = model.Info.Clusters;
        using var gen = new torch.Generator((ulong)Seeds.Mix(seed, epoch, 1));
        var rng = new Random(Seeds.Mix(seed, epoch, 2));
        int[] unlOrder = Batches.Shuffle(unl, rng);
        int[] labOrder = Batches.Shuffle(lab, rng);
        int B = o.BatchSize;
        int driving = unl.Length > 0 ? unl.Length : lab.Length;
        int steps = Math.Max(1, (driving + B - 1) / B);
        int labPos = 0;
        int nUnl = unl.Length, nLab = lab.Length;

        // Literal EM: memberships of all unlabelled images fixed once per epoch (not needed while the warm-up uses k-means's).
        Tensor? epochGamma = null;
        if (o.EStep == EStepSchedule.Epoch && nUnl > 0 && initial is null)
        {
            using var idx = tensor(unl.Select(i => (long)i).ToArray()).to(dev);
            using var xu = xAll.index_select(0, idx);
            using var z = model.Encode(xu);
            using var zd = z.to(dev);
            epochGamma = Memberships(zd);
        }
        var unlPosition = new Dictionary<int, int>();
        if (epochGamma is not null) for (int i = 0; i < nUnl; i++) unlPosition[unl[i]] = i;

        using var gammaSum = zeros(K, device: dev);
        var sums = new Dictionary<string, double>
        {
            ["likelihood"] = 0, ["labelled_likelihood"] = 0, ["consistency"] = 0, ["adversarial_g"] = 0, ["loss_d"] = 0,
        };
        try
        {
            for (int step = 0; step < steps; step++)
            {
                ctx.Cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                Tensor? xu = null, xl = null, yl = null, gamma = null;
                if (nUnl > 0)
                {
                    int s0 = step * B, s1 = Math.Min(nUnl, s0 + B);
                    if (s0 >= nUnl) { s0 = 0; s1 = Math.Min(nUnl, B); }
                    var ids = unlOrder[s0..s1];
                    var idx = tensor(ids.Select(i => (long)i).ToArray()).to(dev);
                    xu = xAll.index_select(0, idx);
                    if (initial is not null)
                        gamma = nn.functional.one_hot(tensor(ids.Select(i => (long)initial[i]).ToArray()).to(dev), K).to_type(ScalarType.Float32);
                    else if (epochGamma is not null)
                        gamma = epochGamma.index_select(0, tensor(ids.Select(i => (long)unlPosition[i]).ToArray()).to(dev));
                }
                if (nLab > 0)
                {
                    int bl = Math.Min(o.LabelledBatchSize, nLab);
                    var ids = new long[bl];
                    for (int j = 0; j < bl; j++)
                    {
                        if (labPos == nLab) { labOrder = Batches.Shuffle(lab, rng); labPos = 0; }
                        ids[j] = labOrder[labPos++];
                    }
                    var idx = tensor(ids).to(dev);
                    xl = xAll.index_select(0, idx);
                    yl = labelsAll.index_select(0, idx);
                }

                // Latent samples y for the consistency and adversarial terms.
                var (y, w) = SampleY(B, gen);
                bool useGan = o.Lambda2 > 0, useCons = o.Lambda1 > 0;
                Tensor? fake = (useGan || useCons) ? model.G.forward(y) : null;

                // Discriminator: min over theta_D of lambda2 * adversarial term.
                if (useGan)
                {
                    var real = xu is null ? xl! : xl is null ? xu : cat(new[] { xu, xl }, 0);
                    var lossD = Objective.AdversarialTermDiscriminator(model.D.forward(real), model.D.forward(fake!.detach()), o.GanLoss, w)
                        .mul(o.Lambda2);
                    if (!TensorHelpers.IsFinite(lossD)) return null;
                    optD.zero_grad();
                    lossD.backward();
                    optD.step();
                    sums["loss_d"] += lossD.item<float>();
                }

                // E step (incremental EM): gamma fixed from the current encoder, then the M step on theta_E, theta_G.
                Tensor objective = zeros(1, device: dev).squeeze();
                double unlabelledWeight = o.WarmupEpochs > 0 && initial is null ? o.UnlabelledWeight * Math.Min(1.0, (epoch - 1) / (double)o.WarmupEpochs) : o.UnlabelledWeight;
                if (xu is not null && unlabelledWeight > 0)
                {
                    var zu = model.E.forward(xu);
                    if (gamma is null)
                        using (no_grad()) gamma = Memberships(zu.detach());
                    var lik = Objective.LikelihoodTerm(model.Mixture, zu, gamma);
                    objective = objective + lik.mul(unlabelledWeight);
                    sums["likelihood"] += lik.item<float>();
                }
                else if (xu is not null && gamma is null && o.Omega != OmegaUpdate.Fixed)
                {
                    using (no_grad()) gamma = model.Mixture.Posterior(model.E.forward(xu));
                }
                if (xl is not null && o.LabelledWeight > 0)
                {
                    var lik = Objective.LabelledLikelihoodTerm(model.Mixture, model.E.forward(xl), yl!);
                    objective = objective + lik.mul(o.LabelledWeight);
                    sums["labelled_likelihood"] += lik.item<float>();
                }
                if (useCons)
                {
                    var cons = Objective.ConsistencyTerm(y, model.E.forward(fake!), w);
                    objective = objective - cons.mul(o.Lambda1);
                    sums["consistency"] += cons.item<float>();
                }
                if (useGan)
                {
                    var adv = Objective.AdversarialTermGenerator(model.D.forward(fake!), w);
                    objective = objective - adv.mul(o.Lambda2);
                    sums["adversarial_g"] += adv.item<float>();
                }
                if (objective.requires_grad)
                {
                    var loss = objective.neg();
                    if (!TensorHelpers.IsFinite(loss)) return null;
                    optGE.zero_grad();
                    loss.backward();
                    optGE.step();
                }

                // M step for omega (closed form).
                if (gamma is not null && o.Omega != OmegaUpdate.Fixed)
                {
                    var batchSum = gamma.sum(dim: 0);
                    if (o.Omega == OmegaUpdate.Epoch) gammaSum.add_(batchSum);
                    else
                    {
                        var est = Objective.ClosedFormOmega(batchSum.mul((double)nUnl / gamma.shape[0]),
                            tensor(labelledCounts, dtype: ScalarType.Float32, device: dev), nUnl, nLab);
                        var next = model.Mixture.Omega.mul(1 - o.OmegaMomentum).add(est.mul(o.OmegaMomentum));
                        model.Mixture.SetOmega(next, o.OmegaFloor);
                    }
                }
                ctx.OnStep?.Invoke(step + 1, steps, Stats.Averages(sums, step + 1));
            }
        }
        finally
        {
            epochGamma?.Dispose();
        }

        if (o.Omega == OmegaUpdate.Epoch && nUnl + nLab > 0)
        {
            using var counts = tensor(labelledCounts, dtype: ScalarType.Float32, device: dev);
            using var omega = Objective.ClosedFormOmega(gammaSum, counts, nUnl, nLab);
            model.Mixture.SetOmega(omega, o.OmegaFloor);
        }
        return Stats.Averages(sums, steps);
    }

    /// <summary>The E step: posterior memberships (eq 3), balanced when the options ask for it.</summary>
    private Tensor Memberships(Tensor z) => o.BalancedEStep ? model.Mixture.BalancedPosterior(z) : model.Mixture.Posterior(z);

    private (Tensor Y, Tensor? Weights) SampleY(int n, torch.Generator gen)
    {
        var mix = model.Mixture;
        if (o.YSampling == YSampling.Categorical)
            return (mix.Sample(n, gen).Y, null);
        int K = mix.K;
        int per = Math.Max(1, n / K);
        var comps = arange(K, device: model.Device).repeat_interleave(per);
        var y = mix.SampleFrom(comps, gen);
        var w = mix.Omega.index_select(0, comps).mul(K);
        return (y, w);
    }

    /// <summary>Encodes every image, predicts argmax gamma, and adds log-likelihood (eq 4) and monitoring metrics.</summary>
    private void Evaluate(Tensor xAll, FitInput input, int[]? truth, Dictionary<string, double> values)
    {
        using var scope = NewDisposeScope();
        var z = model.Encode(xAll).to(model.Device);
        values["log_likelihood"] = model.Mixture.LogLikelihood(z).mean().item<float>();
        var pred = model.Mixture.Posterior(z).argmax(1).cpu().data<long>().Select(v => (int)v).ToArray();
        if (truth is null) return;
        var s = ClusteringMetrics.Score(truth, pred);
        values["acc"] = s.Acc; values["ari"] = s.Ari; values["nmi"] = s.Nmi;
        var unl = Enumerable.Range(0, truth.Length).Where(i => input.KnownLabels[i] < 0).ToArray();
        if (unl.Length > 0 && unl.Length < truth.Length)
            values["acc_unlabelled"] = ClusteringMetrics.Accuracy(unl.Select(i => truth[i]).ToArray(), unl.Select(i => pred[i]).ToArray());
    }

    // ---- checkpoint: every network, both optimisers, omega, epoch, learning rate, restarts ----

    private const string Magic = "DNNMMCK1";

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
        }
        return ms.ToArray();
    }

    private void Restore(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes));
        if (r.ReadString() != Magic) throw new DnnmmInputException("checkpoint: not a DNN-MM checkpoint");
        Epoch = r.ReadInt32(); double lr = r.ReadDouble(); Restarts = r.ReadInt32();
        int k = r.ReadInt32();
        if (k != model.Info.Clusters) throw new DnnmmInputException($"checkpoint has {k} clusters, the model {model.Info.Clusters}");
        var omega = new float[k];
        for (int i = 0; i < k; i++) omega[i] = r.ReadSingle();
        using (var t = tensor(omega)) model.Mixture.SetOmega(t);
        model.G.load(r); model.E.load(r); model.D.load(r);
        if (Math.Abs(lr - LearningRate) > 0) { LearningRate = lr; (optGE, optD) = RebuildOptimisers(lr); }
        optGE.load_state_dict(r); optD.load_state_dict(r);
    }

    public void Load(string path)
    {
        if (!File.Exists(path)) throw new DnnmmInputException($"{path}: no checkpoint to resume from");
        try { Restore(File.ReadAllBytes(path)); }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidDataException)
        {
            throw new DnnmmInputException($"{path}: unreadable checkpoint ({e.Message.Split('\n')[0]})");
        }
    }

    /// <summary>Loads only the networks and omega of a checkpoint (for prediction and sampling).</summary>
    public static void LoadWeights(DnnmmModel model, string path)
    {
        using var t = new MinMaxEmTrainer(model, new DnnmmOptions(), 0);
        t.Load(path);
    }

    public void Dispose()
    {
        optGE.Dispose(); optD.Dispose();
    }
}
