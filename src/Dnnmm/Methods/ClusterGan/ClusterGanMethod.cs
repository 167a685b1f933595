using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Evaluation;
using Dnnmm.Methods.Dnnmm;

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
public sealed class ClusterGanMethod : IClusteringMethod, ILatentEncoder, ISavableMethod
{
    private readonly ClusterGanOptions o;
    private readonly int seed;
    private ClusterGanGenerator? g;
    private ClusterGanConvNet? d, e;
    private Device device = CPU;
    private ImageShape shape;
    private KMeansResult? centroids;
    private string[] classNames = Array.Empty<string>();

    public ClusterGanMethod(ClusterGanOptions options, int seed)
    {
        o = options; this.seed = seed;
    }

    public string Name => "clustergan";
    public int Clusters { get; private set; }
    public bool CanSample => true;
    public ClusterGanGenerator G => g ?? throw NotFitted();
    public ClusterGanConvNet D => d ?? throw NotFitted();
    public ClusterGanConvNet E => e ?? throw NotFitted();
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
        o.Validate(input);
        Compute.ConfigureThreads(o.Threads);
        device = Compute.ResolveDevice(o.Device);
        shape = MethodCommon.ShapeOf(input.Images);
        classNames = input.Images.ClassNames;
        int K = Clusters = input.Clusters;
        int latent = o.LatentDim(K);
        torch.manual_seed(seed);
        g?.Dispose(); d?.Dispose(); e?.Dispose();
        g = new ClusterGanGenerator(latent, shape, o.Width, o.Hidden);
        d = new ClusterGanConvNet("clustergan_critic", shape, o.Width, o.Hidden, 1);
        e = new ClusterGanConvNet("clustergan_encoder", shape, o.Width, o.Hidden, latent);
        g.to(device); d.to(device); e.to(device);
        using var optD = torch.optim.Adam(d.parameters(), o.LearningRate, o.Beta1, o.Beta2);
        using var optGE = torch.optim.Adam(g.parameters().Concat(e.parameters()), o.LearningRate, o.Beta1, o.Beta2);

        using var xAll = MethodCommon.ToTensor(input.Images);
        using var yAll = tensor(input.KnownLabels.Select(v => (long)Math.Max(v, 0)).ToArray());
        int n = input.Images.Count;
        int[] lab = MethodCommon.LabelledIndices(input);
        bool semi = lab.Length > 0 && o.LabelledWeight > 0;
        int B = Math.Min(o.BatchSize, n);
        int steps = (n + B - 1) / B;
        var labCycler = semi ? new BatchCycler(lab, new Random(Seeds.Mix(seed, 0, 3))) : null;
        int bl = Math.Min(o.LabelledBatchSize, lab.Length);
        long criticSteps = 0;

        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            using var gen = new torch.Generator((ulong)Seeds.Mix(seed, epoch, 1));
            var rng = new Random(Seeds.Mix(seed, epoch, 2));
            int[] order = Batches.Shuffle(MethodCommon.Range(n), rng);
            var sums = new Dictionary<string, double>
            {
                ["loss_d"] = 0, ["wasserstein"] = 0, ["gradient_penalty"] = 0,
                ["adversarial_g"] = 0, ["noise_reconstruction"] = 0, ["category_ce"] = 0,
            };
            if (semi) sums["labelled_ce"] = 0;
            int gSteps = 0;
            for (int step = 0; step < steps; step++)
            {
                ctx.Cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                // Critic step on a full batch of real images (the last one wraps around).
                var ids = new long[B];
                for (int j = 0; j < B; j++) ids[j] = order[(step * B + j) % n];
                var real = xAll.index_select(0, tensor(ids)).to(device);
                var cats = randint(0, K, new long[] { B }, generator: gen, dtype: ScalarType.Int64);
                var z = Latent(cats, o.NoiseDim, o.NoiseStd, K, gen).to(device);
                Tensor fake;
                using (no_grad()) fake = g.forward(z);
                var eps = rand(new long[] { 1 }, generator: gen).to(device);
                var wLoss = ClusterGanLosses.CriticLoss(d.forward(real), d.forward(fake));
                var gp = ClusterGanLosses.GradientPenalty(d.forward, real, fake, eps, o.GradientPenalty);
                var lossD = wLoss.add(gp);
                if (!TensorHelpers.IsFinite(lossD)) throw Diverged(epoch);
                optD.zero_grad();
                lossD.backward();
                optD.step();
                sums["loss_d"] += lossD.item<float>();
                sums["wasserstein"] -= wLoss.item<float>();
                sums["gradient_penalty"] += gp.item<float>();
                criticSteps++;

                // Generator and encoder step after every CriticSteps critic steps.
                if (criticSteps % o.CriticSteps == 0)
                {
                    var cats2 = randint(0, K, new long[] { B }, generator: gen, dtype: ScalarType.Int64);
                    var z2 = Latent(cats2, o.NoiseDim, o.NoiseStd, K, gen).to(device);
                    var fake2 = g.forward(z2);
                    var enc = e.forward(fake2);
                    var adv = ClusterGanLosses.GeneratorLoss(d.forward(fake2));
                    var rec = ClusterGanLosses.NoiseReconstruction(z2.narrow(1, 0, o.NoiseDim), enc.narrow(1, 0, o.NoiseDim));
                    var ce = ClusterGanLosses.CategoryCrossEntropy(enc.narrow(1, o.NoiseDim, K), cats2.to(device));
                    var lossGE = adv.add(rec.mul(o.BetaN)).add(ce.mul(o.BetaC));
                    if (semi)
                    {
                        var lidx = tensor(labCycler!.Next(bl));
                        var xl = xAll.index_select(0, lidx).to(device);
                        var yl = yAll.index_select(0, lidx).to(device);
                        var lce = ClusterGanLosses.CategoryCrossEntropy(e.forward(xl).narrow(1, o.NoiseDim, K), yl);
                        lossGE = lossGE.add(lce.mul(o.LabelledWeight));
                        sums["labelled_ce"] += lce.item<float>();
                    }
                    if (!TensorHelpers.IsFinite(lossGE)) throw Diverged(epoch);
                    optGE.zero_grad();
                    lossGE.backward();
                    optGE.step();
                    sums["adversarial_g"] += adv.item<float>();
                    sums["noise_reconstruction"] += rec.item<float>();
                    sums["category_ce"] += ce.item<float>();
                    gSteps++;
                }
                ctx.OnStep?.Invoke(step + 1, steps, Averages(sums, step + 1, Math.Max(1, gSteps)));
            }
            var values = Averages(sums, steps, Math.Max(1, gSteps));
            values["generator_steps"] = gSteps;
            bool last = epoch == o.Epochs, monitor = ctx.Monitors(epoch, last);
            // the last epoch always fits the k-means readout, scored or not
            if (monitor || last)
                Evaluate(xAll, input, monitor ? ctx.MonitorLabels : null, values, epoch);
            ctx.OnEpoch?.Invoke(new EpochReport(epoch, o.Epochs, sw.Elapsed.TotalSeconds, values));
        }
    }

    private static readonly HashSet<string> GeneratorTerms = new() { "adversarial_g", "noise_reconstruction", "category_ce", "labelled_ce" };

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
        using var logits = encoded.narrow(1, o.NoiseDim, Clusters);
        var p = logits.softmax(1);
        if (o.BetaN == 0) return p;
        using var _ = p;
        using var zn = encoded.narrow(1, 0, o.NoiseDim);
        return cat(new[] { zn, p }, 1);
    }

    /// <summary>Runs the k-means readout on the training images and both readouts' scores.</summary>
    private void Evaluate(Tensor xAll, FitInput input, int[]? truth, Dictionary<string, double> values, int epoch)
    {
        using var enc = Encode(xAll);
        using var feats = KMeansFeatures(enc);
        using var logits = enc.narrow(1, o.NoiseDim, Clusters);
        int[] argmax = TensorHelpers.ArgmaxRows(logits);
        var km = KMeansClustering.Fit(feats, Clusters, Seeds.Mix(seed, epoch, 4), o.KMeansRestarts);
        centroids = km.Relabel(KMeansClustering.MatchTo(argmax, km.Labels, Clusters));
        if (truth is null) return;
        var kmScores = new Dictionary<string, double>();
        MethodCommon.AddScores(kmScores, truth, centroids.Labels, input.KnownLabels);
        var amScores = new Dictionary<string, double>();
        MethodCommon.AddScores(amScores, truth, argmax, input.KnownLabels);
        values["acc_kmeans"] = kmScores["acc"];
        values["acc_argmax"] = amScores["acc"];
        foreach (var (k, v) in o.Readout == ClusterGanReadout.Kmeans ? kmScores : amScores) values[k] = v;
    }

    private Tensor EncodeImages(ImageSet images)
    {
        MethodCommon.CheckShape(images, shape);
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

    /// <summary>Length of the readout space (known after the first <see cref="Encode"/>; dim z_n + K before).</summary>
    public int LatentDim { get; private set; }

    private int[] ReadOut(Tensor enc)
    {
        if (o.Readout == ClusterGanReadout.Argmax)
        {
            using var logits = enc.narrow(1, o.NoiseDim, Clusters);
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
        if (o.Readout == ClusterGanReadout.Kmeans) return MethodCommon.OneHot(ReadOut(enc), Clusters);
        using var logits = enc.narrow(1, o.NoiseDim, Clusters);
        using var p = logits.softmax(1);
        return TensorHelpers.ToMatrix(p);
    }

    /// <summary>n images G([z_n, one-hot(cluster)]) (cluster indices of both readouts follow z_c).</summary>
    public float[] Sample(int cluster, int n, int seed)
    {
        if (cluster < 0 || cluster >= Clusters)
            throw new DnnmmInputException($"--cluster {cluster} is outside [0, {Clusters - 1}]");
        if (n < 1) throw new DnnmmInputException($"--n {n} must be at least 1");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var gen = new torch.Generator((ulong)seed);
        var cats = full(new long[] { n }, cluster, dtype: ScalarType.Int64);
        var z = Latent(cats, o.NoiseDim, o.NoiseStd, Clusters, gen).to(device);
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
        ModelFile.Save(runDir, ModelFile.Info(Name, shape, Clusters, classNames), w =>
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
                m.shape = info.Shape;
                m.classNames = info.ClassNames;
                int K = m.Clusters = info.Clusters;
                int latent = options.LatentDim(K);
                m.g = new ClusterGanGenerator(latent, m.shape, options.Width, options.Hidden);
                m.e = new ClusterGanConvNet("clustergan_encoder", m.shape, options.Width, options.Hidden, latent);
                m.g.load(r); m.e.load(r);
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
        g?.Dispose(); d?.Dispose(); e?.Dispose();
    }
}
