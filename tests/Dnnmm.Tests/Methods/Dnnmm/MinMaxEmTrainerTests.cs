using Dnnmm.Infrastructure;
using Dnnmm.Evaluation;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Runs;

namespace Dnnmm.Tests.Methods.Dnnmm;

public class MinMaxEmTrainerTests
{
    // The paper's equations as written: learned omega (eq 11) and no warm-up of the unlabelled likelihood term.
    private static DnnmmOptions Tiny(int epochs = 3) => new()
    {
        Epochs = epochs, BatchSize = 16, LabelledBatchSize = 8, NetworkWidth = 8, LearningRate = 1e-3, Threads = 1,
        WarmupEpochs = 0, Omega = OmegaUpdate.Epoch, BalancedEStep = false,
    };

    private static (List<EpochReport> Reports, DnnmmMethod Method) Train(DnnmmOptions o, int seed = 1, string? dir = null, bool resume = false,
        double noise = 0)
    {
        var data = TinyData.Make().WithNoise(noise, 7);
        var reports = new List<EpochReport>();
        var m = new DnnmmMethod(o, seed);
        m.Fit(new FitInput(data, TinyData.Labelled(data, 2)),
            new FitContext { MonitorLabels = data.Labels, OnEpoch = reports.Add, Folder = dir is null ? null : new RunFolder(dir), Resume = resume });
        return (reports, m);
    }

    [Fact]
    public void AFewStepsRaiseTheLikelihoodAndTheLogLikelihood()
    {
        var (r, m) = Train(Tiny(4));
        using var _ = m;
        Assert.Equal(4, r.Count);
        Assert.True(r[^1].Values["likelihood"] > r[0].Values["likelihood"],
            $"likelihood term {r[0].Values["likelihood"]} -> {r[^1].Values["likelihood"]}");
        Assert.True(r[^1].Values["log_likelihood"] > r[0].Values["log_likelihood"]);
        Assert.True(r[^1].Values["consistency"] < r[0].Values["consistency"]);
        Assert.InRange(r[^1].Omega!.Sum(), 0.999, 1.001);
    }

    [Fact]
    public void TheDefaultsLearnOmegaAndWarmUpTheUnlabelledLikelihood()
    {
        var d = new DnnmmOptions();
        Assert.Equal((OmegaUpdate.Epoch, OmegaInit.Data), (d.Omega, d.OmegaInit));
        var (r, m) = Train(Tiny(2) with { WarmupEpochs = d.WarmupEpochs, Omega = d.Omega, OmegaInit = d.OmegaInit });
        using var _ = m;
        Assert.InRange(r[^1].Omega!.Sum(), 0.999, 1.001);
        Assert.Equal(0.0, r[0].Values["likelihood"]);
        Assert.NotEqual(0.0, r[1].Values["likelihood"]);
    }

    [Fact]
    public void FixedOmegaStaysUniform()
    {
        var (r, m) = Train(Tiny(2) with { Omega = OmegaUpdate.Fixed, BalancedEStep = true });
        using var _ = m;
        Assert.All(r[^1].Omega!, w => Assert.Equal(1.0 / 3, w, 1e-6));
    }

    [Fact]
    public void LearnedOmegaRecoversImbalancedProportionsFromUniform()
    {
        // 32 / 16 / 8 images, a stratified eighth of them labelled (4 / 2 / 1), omega started uniform: each epoch's M step
        // (the E step's memberships and the labelled counts) moves it to the true shares.
        var data = TinyData.Imbalanced(32, 16, 8);
        var truth = new[] { 32 / 56.0, 16 / 56.0, 8 / 56.0 };
        var d = new DnnmmOptions();
        var o = Tiny(30) with { LearningRate = 3e-3, Omega = d.Omega, OmegaInit = OmegaInit.Uniform, OmegaFrom = d.OmegaFrom, BalancedEStep = d.BalancedEStep, WarmupEpochs = 4 };
        var reports = new List<EpochReport>();
        using var m = new DnnmmMethod(o, 1);
        var seen = new int[3];
        var labelled = data.Labels.Select(y => seen[y]++ < new[] { 4, 2, 1 }[y]).ToArray();
        m.Fit(new FitInput(data, labelled), new FitContext { MonitorLabels = data.Labels, OnEpoch = reports.Add });
        var omega = reports[^1].Omega!;
        Assert.True(omega.Select((w, k) => Math.Abs(w - truth[k])).Max() < 0.03, $"omega {string.Join(", ", omega)} vs {string.Join(", ", truth)}");
        Assert.True(Math.Abs(reports[0].Omega![0] - truth[0]) > Math.Abs(omega[0] - truth[0]));
        Assert.True(reports[^1].Values["acc_unlabelled"] > 0.9, "ACC per epoch: " + string.Join(", ", reports.Select(r => r.Values["acc_unlabelled"].ToString("F3"))));
    }

    [Fact]
    public void UniformOmegaOnImbalancedDataIsWrong()
    {
        // The same data with omega fixed: the weights stay 1/3, far from the truth (the reason omega is learned by default).
        var data = TinyData.Imbalanced(32, 16, 8);
        var reports = new List<EpochReport>();
        using var m = new DnnmmMethod(Tiny(2) with { Omega = OmegaUpdate.Fixed }, 1);
        m.Fit(new FitInput(data, new bool[data.Count]), new FitContext { OnEpoch = reports.Add });
        Assert.True(Math.Abs(reports[^1].Omega![0] - 32 / 56.0) > 0.2);
    }

    [Fact]
    public void OmegaInitFromDataStartsAtTheLabelledShares()
    {
        var data = TinyData.Imbalanced(24, 12, 6);
        // A running M step with a negligible step size leaves omega where it started.
        var o = Tiny(1) with { OmegaInit = OmegaInit.Data, OmegaFloor = 0, Omega = OmegaUpdate.Running, OmegaMomentum = 1e-6 };
        var reports = new List<EpochReport>();
        using var m = new DnnmmMethod(o, 1);
        // 4 / 2 / 1 labelled: the shares 4/7, 2/7, 1/7 are where omega starts.
        var labelled = data.Labels.Select((y, i) => i < 21 && new[] { 4, 2, 1 }[y] > data.Labels.Take(i).Count(v => v == y)).ToArray();
        m.Fit(new FitInput(data, labelled), new FitContext { OnEpoch = reports.Add });
        Assert.Equal(new[] { 4 / 7f, 2 / 7f, 1 / 7f }, reports[^1].Omega!, (a, b) => Math.Abs(a - b) < 0.02);
    }

    [Fact]
    public void ThePaperVariantIsTheLiteralAlgorithm()
    {
        var p = DnnmmOptions.ForVariant("paper");
        Assert.Equal((EStepSchedule.Epoch, false, OmegaUpdate.Epoch, OmegaInit.Uniform, OmegaStatistics.Posterior),
            (p.EStep, p.BalancedEStep, p.Omega, p.OmegaInit, p.OmegaFrom));
        Assert.Equal((MembershipInit.None, 0, 0.0, 1.0), (p.Init, p.WarmupEpochs, p.OmegaFloor, p.OmegaPrior));
        Assert.Equal(new DnnmmOptions(), DnnmmOptions.ForVariant("default"));
        Assert.Equal("variant", Assert.Throws<OptionException>(() => DnnmmOptions.ForVariant("nope")).Option);
    }

    [Fact]
    public void ARunawayMinMaxGameIsCaughtLikeANaN()
    {
        static Dictionary<string, double> E(double d, double g = 1.5, double c = 1.6) => new() { ["loss_d"] = d, ["adversarial_g"] = g, ["consistency"] = c };
        var history = new List<IReadOnlyDictionary<string, double>> { E(1.19), E(1.17), E(1.21) };
        // CelebA, epoch 13: the discriminator's loss jumped to 3118.
        Assert.Contains("loss_d", MinMaxEmTrainer.Exploded(history, E(3117.9)));
        Assert.Null(MinMaxEmTrainer.Exploded(history, E(1.3)));
        // A large first consistency term falling is normal; too little history decides nothing.
        Assert.Null(MinMaxEmTrainer.Exploded(new List<IReadOnlyDictionary<string, double>> { E(0.8, c: 26.5), E(1.1, c: 16.1) }, E(1.2, c: 5.2)));
        Assert.Null(MinMaxEmTrainer.Exploded(history.Take(1).ToList(), E(3117.9)));
        // Small terms never count, however they move.
        Assert.Null(MinMaxEmTrainer.Exploded(new List<IReadOnlyDictionary<string, double>> { E(0.1), E(0.1) }, E(5)));
    }

    [Fact]
    public void ALikelihoodSpikeIsCaughtLikeANaN()
    {
        static Dictionary<string, double> L(double l) => new() { ["likelihood"] = l };
        // CIFAR-10-5, alpha 0.1, seed 2: epoch 1 without the unlabelled term (0), then -16.2, -15.9, and -289.7.
        var history = new List<IReadOnlyDictionary<string, double>> { L(0), L(-16.2), L(-15.85) };
        Assert.Contains("likelihood", MinMaxEmTrainer.Exploded(history, L(-289.71)));
        Assert.Null(MinMaxEmTrainer.Exploded(history, L(-18.7)));
        // The epoch without the term does not count as history: one computed epoch decides nothing.
        Assert.Null(MinMaxEmTrainer.Exploded(history.Take(2).ToList(), L(-289.71)));
    }

    [Fact]
    public void GradientsBelowTheClipAreUntouchedAndAboveItTheRunChanges()
    {
        var (plain, m1) = Train(Tiny(2) with { MaxGradNorm = 0 });
        m1.Dispose();
        var (loose, m2) = Train(Tiny(2) with { MaxGradNorm = 1e12 });
        m2.Dispose();
        var (tight, m3) = Train(Tiny(2) with { MaxGradNorm = 1e-3 });
        m3.Dispose();
        Assert.Equal(plain[^1].Values["log_likelihood"], loose[^1].Values["log_likelihood"]);
        Assert.Equal(plain[^1].Values["grad_norm_e"], loose[^1].Values["grad_norm_e"]);
        Assert.True(plain[^1].Values["grad_norm_e"] > 1e-3);
        Assert.True(plain[^1].Values["grad_norm_e_max"] >= plain[^1].Values["grad_norm_e"]);
        Assert.NotEqual(plain[^1].Values["log_likelihood"], tight[^1].Values["log_likelihood"]);
    }

    [Fact]
    public void UnderClippingTheEncoderStillLearnsNothingFromTheGenerativeTerms()
    {
        // Each network is clipped on its own: with the consistency term into the generator only, the encoder's run is
        // that of the no-GAN ablation also when the clip binds (a clip over E and G together would couple them).
        var o = Tiny(2) with { ConsistencyEncoder = ConsistencyEncoder.None, MaxGradNorm = 0.05 };
        var (full, m1) = Train(o);
        m1.Dispose();
        var (noGan, m2) = Train(o.WithAblation("no-gan"));
        m2.Dispose();
        Assert.Equal(noGan[^1].Values["log_likelihood"], full[^1].Values["log_likelihood"]);
        Assert.Equal(noGan[^1].Values["acc"], full[^1].Values["acc"]);
        Assert.True(full[^1].Values["grad_norm_e_max"] > 0.05); // the clip did bind
    }

    [Fact]
    public void GanEveryStepsTheGeneratorLessAndLeavesTheEncoderAlone()
    {
        var o = Tiny(2) with { ConsistencyEncoder = ConsistencyEncoder.None };
        var (every, m1) = Train(o);
        var (third, m3) = Train(o with { GanEvery = 3 });
        var (noGan, m0) = Train(o.WithAblation("no-gan"));
        using var _1 = m1; using var _3 = m3; m0.Dispose();
        // The encoder learns nothing from G or D here, whichever steps they take.
        Assert.Equal(noGan[^1].Values["log_likelihood"], third[^1].Values["log_likelihood"]);
        Assert.Equal(every[^1].Values["log_likelihood"], third[^1].Values["log_likelihood"]);
        // The generator took fewer steps, so it differs; its terms are averaged over the steps that computed them.
        var y = new float[m1.Model.LatentDim];
        Assert.NotEqual(m1.Model.Generate(y), m3.Model.Generate(y));
        Assert.True(third[^1].Values["loss_d"] > 0.1 && third[^1].Values["adversarial_g"] > 0.1);
    }

    [Fact]
    public void SameSeedGivesTheSameMetrics()
    {
        var (a, ma) = Train(Tiny(2), seed: 4);
        var (b, mb) = Train(Tiny(2), seed: 4);
        ma.Dispose(); mb.Dispose();
        Assert.Equal(a[^1].Values["log_likelihood"], b[^1].Values["log_likelihood"]);
        Assert.Equal(a[^1].Values["acc"], b[^1].Values["acc"]);
        Assert.Equal(a[^1].Omega, b[^1].Omega);
    }

    [Fact]
    public void CheckpointRoundTripGivesIdenticalPredictions()
    {
        using var dir = new TempDir();
        var (_, m) = Train(Tiny(1), dir: dir.Path);
        using var _m = m;
        var data = TinyData.Make();
        var p1 = m.PredictProbabilities(data);
        using var loaded = DnnmmMethod.Load(new RunFolder(dir.Path), new DnnmmOptions());
        var p2 = loaded.PredictProbabilities(data);
        Assert.Equal(p1.Cast<float>(), p2.Cast<float>());
        Assert.Equal(m.Sample(1, 4, 9), loaded.Sample(1, 4, 9));
    }

    [Fact]
    public void ResumeEqualsAnUninterruptedRun()
    {
        using var dir = new TempDir();
        var (full, mf) = Train(Tiny(3), seed: 2);
        mf.Dispose();
        // "killed" after 2 epochs: train 2, then resume the 3-epoch run from the checkpoint.
        var (_, m2) = Train(Tiny(2), seed: 2, dir: dir.Path);
        m2.Dispose();
        var (rest, m3) = Train(Tiny(3), seed: 2, dir: dir.Path, resume: true);
        m3.Dispose();
        Assert.Single(rest);
        Assert.Equal(3, rest[0].Epoch);
        Assert.Equal(full[^1].Values["log_likelihood"], rest[0].Values["log_likelihood"]);
        Assert.Equal(full[^1].Values["consistency"], rest[0].Values["consistency"]);
        Assert.Equal(full[^1].Omega, rest[0].Omega);
    }

    [Fact]
    public void ResumeOnNoisyImagesEqualsAnUninterruptedRun()
    {
        // the noise is drawn per image at every read: a resumed run reads the same noisy minibatches
        using var dir = new TempDir();
        var (full, mf) = Train(Tiny(3), seed: 2, noise: 0.2);
        mf.Dispose();
        var (_, m2) = Train(Tiny(2), seed: 2, dir: dir.Path, noise: 0.2);
        m2.Dispose();
        var (rest, m3) = Train(Tiny(3), seed: 2, dir: dir.Path, resume: true, noise: 0.2);
        m3.Dispose();
        Assert.Equal(full[^1].Values["log_likelihood"], rest[0].Values["log_likelihood"]);
        Assert.Equal(full[^1].Values["consistency"], rest[0].Values["consistency"]);
        // and the noise matters: without it the run differs
        var (clean, mc) = Train(Tiny(3), seed: 2);
        mc.Dispose();
        Assert.NotEqual(clean[^1].Values["log_likelihood"], full[^1].Values["log_likelihood"]);
    }

    [Theory]
    [InlineData("augment")]
    [InlineData("confident")]
    [InlineData("complement")]
    [InlineData("gan-every")]
    [InlineData("sn-hinge-ttur")]
    [InlineData("pseudo-posterior")]
    [InlineData("teacher")]
    [InlineData("deep-encoder")]
    public void ResumeEqualsAnUninterruptedRunWithTheNewTerms(string what)
    {
        var o = what switch
        {
            "sn-hinge-ttur" => Tiny(3) with { SpectralNorm = true, GanLoss = GanLoss.Hinge, DLrRatio = 2 },
            "gan-every" => Tiny(3) with { GanEvery = 2, MaxGradNorm = 0.5 },
            "augment" => Tiny(3) with { Augment = AugmentMode.Consistency },
            "confident" => Tiny(3) with { ConsistencyEncoder = ConsistencyEncoder.Confident, ConsistencyConfidence = 0.5 },
            "pseudo-posterior" => Tiny(3) with { PseudoThreshold = 0.6, PosteriorWeight = 0.5 },
            "teacher" => Tiny(3) with { TeacherEma = 0.9 },
            "deep-encoder" => Tiny(3) with { EncoderDepth = 2, TeacherEma = 0.9 },
            _ => Tiny(3) with { ConsistencyEncoder = ConsistencyEncoder.None, ComplementWeight = 0.5 },
        };
        using var dir = new TempDir();
        var (full, mf) = Train(o, seed: 2);
        mf.Dispose();
        var (_, m2) = Train(o with { Epochs = 2 }, seed: 2, dir: dir.Path);
        m2.Dispose();
        var (rest, m3) = Train(o, seed: 2, dir: dir.Path, resume: true);
        m3.Dispose();
        Assert.Equal(full[^1].Values["log_likelihood"], rest[0].Values["log_likelihood"]);
        Assert.Equal(full[^1].Values["likelihood"], rest[0].Values["likelihood"]);
        Assert.Equal(full[^1].Omega, rest[0].Omega);
        if (what == "complement") Assert.True(full[^1].Values["complement"] < 0);
        if (what == "confident") Assert.InRange(full[^1].Values["confident_share"], 0, 1);
        if (what == "teacher")
        {
            // the teacher's memberships are not the encoder's: the run differs from one without it
            var (plain, mp) = Train(Tiny(3), seed: 2);
            mp.Dispose();
            Assert.NotEqual(plain[^1].Values["likelihood"], full[^1].Values["likelihood"]);
        }
        if (what == "pseudo-posterior")
        {
            Assert.InRange(full[^1].Values["pseudo_share"], 0, 1);
            Assert.True(full[^1].Values["posterior"] <= 0);           // a mean log probability, over kept and zero rows
            Assert.True(full[^1].Values["labelled_posterior"] < 0);
        }
        if (what == "deep-encoder")
        {
            // model.json carries the depth, so a loaded model rebuilds the deeper encoder and takes its weights
            using var loaded = DnnmmMethod.Load(new RunFolder(dir.Path), new DnnmmOptions());
            Assert.Equal(2, loaded.Model.Info.EncoderDepth);
            Assert.Contains("trunk.conv2_2.weight", loaded.Model.E.named_parameters().Select(p => p.name));
            Assert.DoesNotContain("trunk.conv2_2.weight", loaded.Model.D.named_parameters().Select(p => p.name));
        }
        if (what == "sn-hinge-ttur")
        {
            // a loaded model rebuilds the normalised discriminator from model.json, with its u buffers
            using var loaded = DnnmmMethod.Load(new RunFolder(dir.Path), new DnnmmOptions());
            Assert.True(loaded.Model.Info.SpectralNorm);
            using var fresh = new DnnmmModel(loaded.Model.Info, TorchSharp.torch.CPU);
            var u = loaded.Model.D.buffers().ToList();
            var u0 = fresh.D.buffers().ToList();
            Assert.Equal(3, u.Count);
            Assert.False(u[0].allclose(u0[0]));   // the trained u came back from the checkpoint, not a fresh draw
        }
    }

    [Theory]
    [InlineData(ConsistencyEncoder.None, false)]
    [InlineData(ConsistencyEncoder.All, true)]
    public void TheConsistencyTermTeachesTheEncoderOnlyWhenAsked(ConsistencyEncoder into, bool encoderLearns)
    {
        // Only the consistency term: no likelihood terms, no GAN, no complement. With "none" its gradient reaches the
        // generator alone and the encoder keeps its initial weights; with "all" (the paper) the encoder moves too.
        var o = Tiny(1) with { UnlabelledWeight = 0, LabelledWeight = 0, Lambda2 = 0, Lambda1 = 1, ConsistencyEncoder = into };
        var data = TinyData.Make();
        var (_, m) = Train(o);
        using var _m = m;
        using var fresh = new DnnmmModel(m.Model.Info, TorchSharp.torch.CPU);
        var trained = m.Model.Encode(data);
        var initial = fresh.Encode(data);
        Assert.Equal(encoderLearns, !trained.SequenceEqual(initial));
        // The generator learns in both cases.
        Assert.NotEqual(fresh.Generate(new float[m.Model.LatentDim]), m.Model.Generate(new float[m.Model.LatentDim]));
    }

    [Fact]
    public void AugmentedViewsChangeTheRunAndDependOnTheSeedOnly()
    {
        var o = Tiny(1) with { Augment = AugmentMode.Consistency };
        var (a, ma) = Train(o, seed: 3); ma.Dispose();
        var (b, mb) = Train(o, seed: 3); mb.Dispose();
        var (plain, mp) = Train(Tiny(1) with { Augment = AugmentMode.None }, seed: 3); mp.Dispose();
        Assert.Equal(a[0].Values["likelihood"], b[0].Values["likelihood"]);
        Assert.NotEqual(plain[0].Values["likelihood"], a[0].Values["likelihood"]);
    }

    [Fact]
    public void WarmupLeavesTheUnlabelledTermOutOfTheFirstEpoch()
    {
        var (r, m) = Train(Tiny(2) with { WarmupEpochs = 2 });
        m.Dispose();
        Assert.Equal(0.0, r[0].Values["likelihood"]);
        Assert.NotEqual(0.0, r[1].Values["likelihood"]);
    }

    [Fact]
    public void UnsupervisedRunWorksWithoutLabels()
    {
        var data = TinyData.Make();
        using var m = new DnnmmMethod(Tiny(1), 1);
        var reports = new List<EpochReport>();
        m.Fit(new FitInput(data, new bool[data.Count]), new FitContext { MonitorLabels = data.Labels, OnEpoch = reports.Add });
        Assert.Single(reports);
        Assert.Equal(data.Count, m.Predict(data).Length);
    }

    [Fact]
    public void KMeansMembershipsAreNumberedAsTheLabelledClasses()
    {
        var data = TinyData.Make();
        var labelled = TinyData.Labelled(data, 2);
        var known = data.Labels.Select((y, i) => labelled[i] ? y : -1).ToArray();
        using var x = TorchSharp.torch.tensor(data.Pixels, new long[] { data.Count, 1, data.Height, data.Width });
        // The bars are separable: k-means finds the classes, and the labelled images fix the numbering.
        Assert.Equal(data.Labels, MinMaxEmTrainer.KMeansMemberships(x, known, 3, seed: 7));
        // Without labels the partition is the same, up to k-means's own numbering.
        var free = MinMaxEmTrainer.KMeansMemberships(x, new int[data.Count].Select(_ => -1).ToArray(), 3, seed: 7);
        Assert.Equal(1.0, ClusteringMetrics.Accuracy(data.Labels, free));
    }

    [Fact]
    public void UnsupervisedDefaultsTrainOnKMeansMembershipsFromTheFirstEpoch()
    {
        var data = TinyData.Make();
        var unlabelled = new bool[data.Count];
        List<EpochReport> Run(MembershipInit init)
        {
            var reports = new List<EpochReport>();
            using var m = new DnnmmMethod(Tiny(1) with { WarmupEpochs = 2, Omega = OmegaUpdate.Fixed, Init = init }, 1);
            m.Fit(new FitInput(data, unlabelled), new FitContext { MonitorLabels = data.Labels, OnEpoch = reports.Add });
            return reports;
        }
        // Auto = k-means without labels: the likelihood term is on at full weight in the first warm-up epoch.
        Assert.NotEqual(0.0, Run(MembershipInit.Auto)[0].Values["likelihood"]);
        // None: the term ramps up from 0, as with labels.
        Assert.Equal(0.0, Run(MembershipInit.None)[0].Values["likelihood"]);
    }

    [Fact]
    public void KMeansInitNeedsWarmupEpochs()
    {
        var e = Assert.Throws<OptionException>(() => (new DnnmmOptions() with { Init = MembershipInit.KMeans, WarmupEpochs = 0 }).Validate(3));
        Assert.Equal("init", e.Option);
        Assert.Contains("kmeans needs at least one warm-up epoch", e.Message);
    }

    [Fact]
    public void WithoutTheGanTermsTheGeneratorIsUntrainedAndCannotSample()
    {
        var noGan = Tiny(1) with { Lambda1 = 0, Lambda2 = 0 };
        Assert.True(new DnnmmMethod(Tiny(1), 1).CanSample);
        Assert.False(new DnnmmMethod(noGan, 1).CanSample);
        using var dir = new TempDir();
        var (_, m) = Train(noGan, dir: dir.Path);
        m.Dispose();
        File.WriteAllText(dir.File(RunFolder.OptionsFile), Json.Serialize(new TrainRunOptions().With(noGan)));
        using var loaded = (DnnmmMethod)TrainRun.LoadMethod(dir.Path);
        Assert.False(loaded.CanSample);
    }
}
