using System.CommandLine;
using Dnnmm.Infrastructure;
using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Cli.Commands;

/// <summary>Command-line options for every DNN-MM hyper-parameter; defaults come from <see cref="DnnmmOptions"/>.</summary>
public sealed class DnnmmOptionsBinder
{
    private static readonly DnnmmOptions D = new();

    public readonly Option<int> Epochs = new("--epochs") { Description = "training epochs, every method (dnnmm: passes over the unlabelled images; default per method: dnnmm 25, clustergan 100, dynae 50 clustering epochs, labelled-only 25)", DefaultValueFactory = _ => D.Epochs };
    public readonly Option<int> BatchSize = new("--batch-size") { Description = "unlabelled minibatch size", DefaultValueFactory = _ => D.BatchSize };
    public readonly Option<int> LabelledBatchSize = new("--labelled-batch-size") { Description = "labelled minibatch size (a labelled minibatch every step); dnnmm and labelled-only", DefaultValueFactory = _ => D.LabelledBatchSize };
    public readonly Option<double> Lr = new("--lr") { Description = "Adam learning rate; dnnmm and labelled-only", DefaultValueFactory = _ => D.LearningRate };
    public readonly Option<int> LatentDim = new("--latent-dim") { Description = "latent dimension d (0 = max(10, K))", DefaultValueFactory = _ => D.LatentDim };
    public readonly Option<int> Width = new("--width") { Description = "channels of the first convolution (network width); dnnmm and labelled-only", DefaultValueFactory = _ => D.Width };
    public readonly Option<MeanPlacement> Means = new("--means") { Description = "placement of the fixed means: one-hot or orthonormal", DefaultValueFactory = _ => D.Means, CustomParser = r => ParseEnum<MeanPlacement>(r) };
    public readonly Option<double> MeanScale = new("--mean-scale") { Description = "separation s of the means (mu_k = s * unit vector)", DefaultValueFactory = _ => D.MeanScale };
    public readonly Option<double> Lambda1 = new("--lambda1") { Description = "weight of the consistency term", DefaultValueFactory = _ => D.Lambda1 };
    public readonly Option<double> Lambda2 = new("--lambda2") { Description = "weight of the adversarial term", DefaultValueFactory = _ => D.Lambda2 };
    public readonly Option<double> UnlabelledWeight = new("--unlabelled-weight") { Description = "weight of the unlabelled likelihood term (0: encoder learns from labels only)", DefaultValueFactory = _ => D.UnlabelledWeight };
    public readonly Option<double> LabelledWeight = new("--labelled-weight") { Description = "weight of the labelled likelihood term", DefaultValueFactory = _ => D.LabelledWeight };
    public readonly Option<int> WarmupEpochs = new("--warmup-epochs") { Description = "warm-up epochs: the unlabelled likelihood weight ramps up from 0, or uses the --init memberships (0 = none)", DefaultValueFactory = _ => D.WarmupEpochs };
    public readonly Option<MembershipInit> Init = new("--init") { Description = "memberships of the unlabelled images in the warm-up: none, kmeans (k-means on pixels) or auto (kmeans when no image is labelled)", DefaultValueFactory = _ => D.Init, CustomParser = r => ParseEnum<MembershipInit>(r) };
    public readonly Option<EStepSchedule> EStep = new("--e-step") { Description = "E step schedule: minibatch (incremental EM) or epoch (literal EM)", DefaultValueFactory = _ => D.EStep, CustomParser = r => ParseEnum<EStepSchedule>(r) };
    public readonly Option<bool> BalancedEStep = new("--balanced-e-step") { Description = "rescale each E step's memberships (Sinkhorn-Knopp) so that the images fill the components in proportion omega", DefaultValueFactory = _ => D.BalancedEStep };
    public readonly Option<OmegaUpdate> Omega = new("--omega") { Description = "omega M step: epoch, running or fixed", DefaultValueFactory = _ => D.Omega, CustomParser = r => ParseEnum<OmegaUpdate>(r) };
    public readonly Option<double> OmegaFloor = new("--omega-floor") { Description = "lower bound of each omega_k", DefaultValueFactory = _ => D.OmegaFloor };
    public readonly Option<GanLoss> GanLoss = new("--gan-loss") { Description = "discriminator loss: bce or literal (eq 7)", DefaultValueFactory = _ => D.GanLoss, CustomParser = r => ParseEnum<GanLoss>(r) };
    public readonly Option<YSampling> YSampling = new("--y-sampling") { Description = "latent samples: categorical (k ~ Cat(omega)) or per-component (weighted by omega)", DefaultValueFactory = _ => D.YSampling, CustomParser = r => ParseEnum<YSampling>(r) };
    public readonly Option<string?> Ablation = new("--ablation") { Description = "shortcut: labelled-only (encoder on labelled images only), no-gan (no adversarial or consistency term)" };
    public readonly Option<string> Device = new("--device") { Description = "cpu or cuda (every method but kmeans)", DefaultValueFactory = _ => D.Device };
    public readonly Option<int> Threads = new("--threads") { Description = "CPU threads (0 = all cores), every method", DefaultValueFactory = _ => D.Threads };

    public void AddTo(Command c)
    {
        foreach (Option o in new Option[] { Epochs, BatchSize, LabelledBatchSize, Lr, LatentDim, Width, Means, MeanScale, Lambda1, Lambda2,
                     UnlabelledWeight, LabelledWeight, WarmupEpochs, Init, EStep, BalancedEStep, Omega, OmegaFloor, GanLoss, YSampling, Ablation, Device, Threads })
            c.Add(o);
    }

    public DnnmmOptions Read(ParseResult p)
    {
        var o = D with
        {
            Epochs = p.GetValue(Epochs), BatchSize = p.GetValue(BatchSize), LabelledBatchSize = p.GetValue(LabelledBatchSize),
            LearningRate = p.GetValue(Lr), LatentDim = p.GetValue(LatentDim), Width = p.GetValue(Width),
            Means = p.GetValue(Means), MeanScale = p.GetValue(MeanScale), Lambda1 = p.GetValue(Lambda1), Lambda2 = p.GetValue(Lambda2),
            UnlabelledWeight = p.GetValue(UnlabelledWeight), LabelledWeight = p.GetValue(LabelledWeight), WarmupEpochs = p.GetValue(WarmupEpochs),
            Init = p.GetValue(Init), EStep = p.GetValue(EStep), BalancedEStep = p.GetValue(BalancedEStep), Omega = p.GetValue(Omega), OmegaFloor = p.GetValue(OmegaFloor),
            GanLoss = p.GetValue(GanLoss), YSampling = p.GetValue(YSampling), Device = p.GetValue(Device)!, Threads = p.GetValue(Threads),
        };
        return p.GetValue(Ablation) switch
        {
            null or "" or "none" => o,
            "labelled-only" => o with { UnlabelledWeight = 0, Lambda1 = 0, Lambda2 = 0 },
            "no-gan" => o with { Lambda1 = 0, Lambda2 = 0 },
            var a => throw new DnnmmInputException($"--ablation '{a}' is not one of: none, labelled-only, no-gan"),
        };
    }

    /// <summary>Whether the user gave the option on the command line (not its default).</summary>
    public static bool Given(ParseResult p, Option o) => p.GetResult(o) is { Implicit: false };

    /// <summary>Parses a comma-separated list of positive integers (e.g. 500,500,2000).</summary>
    public static int[] ParseIntList(System.CommandLine.Parsing.ArgumentResult r)
    {
        string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int v) || v < 1)
            {
                r.AddError($"'{text}' is not a comma-separated list of positive integers");
                return Array.Empty<int>();
            }
            values.Add(v);
        }
        if (values.Count == 0) r.AddError($"'{text}' is not a comma-separated list of positive integers");
        return values.ToArray();
    }

    /// <summary>Parses kebab-case enum names (one-hot, per-component) case-insensitively.</summary>
    public static T ParseEnum<T>(System.CommandLine.Parsing.ArgumentResult r) where T : struct, Enum
    {
        string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        foreach (var v in Enum.GetValues<T>())
            if (string.Equals(Kebab(v.ToString()), text, StringComparison.OrdinalIgnoreCase) || string.Equals(v.ToString(), text, StringComparison.OrdinalIgnoreCase))
                return v;
        r.AddError($"'{text}' is not one of: {string.Join(", ", Enum.GetValues<T>().Select(v => Kebab(v.ToString())))}");
        return default;
    }

    public static string Kebab(string pascal) =>
        string.Concat(pascal.Select((ch, i) => char.IsUpper(ch) && i > 0 ? "-" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));
}
