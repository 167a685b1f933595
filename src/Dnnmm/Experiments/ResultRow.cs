namespace Dnnmm.Experiments;

/// <summary>The images a score is computed on.</summary>
public enum ScoredImages
{
    /// <summary>The unlabelled training images only (at alpha 0 that is every training image).</summary>
    Unlabelled,
    /// <summary>The held-out test images, never seen in training.</summary>
    Test,
    /// <summary>Every training image, the labelled ones included.</summary>
    All,
}

/// <summary>ACC, ARI and NMI of one run on one set of images (NaN where a score is missing).</summary>
public readonly record struct Scores(double Acc, double Ari, double Nmi)
{
    /// <summary>The scores where there is an ACC (a missing ARI or NMI is NaN), else null.</summary>
    public static Scores? Of(double? acc, double? ari, double? nmi) =>
        acc is double a ? new Scores(a, ari ?? double.NaN, nmi ?? double.NaN) : null;
}

/// <summary>
/// One finished run of an experiment grid: one row of results.csv.
/// </summary>
/// <param name="Dataset">The grid's name for the dataset (e.g. "mnist5").</param>
/// <param name="Classes">The classes used, joined with ';' (e.g. "0;1;2;3;4").</param>
/// <param name="Method">The grid's name for the method (e.g. "dnnmm", "dnnmm-no-gan", "clustergan").</param>
/// <param name="Alpha">The labelled fraction.</param>
/// <param name="Seed">The seed of the run (data noise, labelled subset, initialisation).</param>
/// <param name="Acc">ACC on every training image, the labelled ones included (as are <paramref name="Ari"/> and <paramref name="Nmi"/>).</param>
/// <param name="LogLikelihood">Mean latent log-likelihood where the method defines one (DNN-MM), else null.</param>
/// <param name="Seconds">Training time of the run.</param>
/// <param name="OptionsHash">First 12 hex digits of the SHA-256 of the run's options.json.</param>
public sealed record ResultRow(string Dataset, string Classes, string Method, double Alpha, int Seed,
    double Acc, double Ari, double Nmi, double? LogLikelihood, double Seconds, string OptionsHash)
{
    /// <summary>Scores on the unlabelled training images only; null when none or all are labelled, or in an old results.csv.</summary>
    public Scores? Unlabelled { get; init; }
    /// <summary>Scores on the held-out test images; null when the run had no test split.</summary>
    public Scores? Test { get; init; }
    /// <summary>The learned mixture weights omega_k (empty for a method without them).</summary>
    public float[] Omega { get; init; } = Array.Empty<float>();
    /// <summary>The share of each class among the training images (empty in an old results.csv).</summary>
    public float[] ClassProportions { get; init; } = Array.Empty<float>();
    /// <summary>Sample purity of the generated images under the dataset's reference classifier; null: not scored (no reference, or a method without samples).</summary>
    public double? SamplePurity { get; init; }
    /// <summary>FID-like Fréchet distance in the reference classifier's feature space (not comparable to Inception FID); null: not scored.</summary>
    public double? Frechet { get; init; }

    /// <summary>
    /// The scores on <paramref name="images"/>, or null where the row has none. Unlabelled at alpha 0, where no image is
    /// labelled, are the scores on all images.
    /// </summary>
    public Scores? On(ScoredImages images) => images switch
    {
        ScoredImages.All => new Scores(Acc, Ari, Nmi),
        ScoredImages.Unlabelled when Unlabelled is null && Alpha == 0 => new Scores(Acc, Ari, Nmi),
        ScoredImages.Unlabelled => Unlabelled,
        _ => Test,
    };

    /// <summary>Equal when every field is, the weight lists compared element by element.</summary>
    public bool Equals(ResultRow? other) =>
        other is not null && Fields().Equals(other.Fields()) &&
        Omega.AsSpan().SequenceEqual(other.Omega) && ClassProportions.AsSpan().SequenceEqual(other.ClassProportions);

    public override int GetHashCode() => Fields().GetHashCode();

    private (string, string, string, double, int, double, double, double, double?, double, string, Scores?, Scores?, (double?, double?)) Fields() =>
        (Dataset, Classes, Method, Alpha, Seed, Acc, Ari, Nmi, LogLikelihood, Seconds, OptionsHash, Unlabelled, Test, (SamplePurity, Frechet));
}
