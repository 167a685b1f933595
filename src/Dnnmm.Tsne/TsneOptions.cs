namespace Dnnmm.Tsne;

/// <summary>How the t-SNE gradient is computed.</summary>
public enum TsneMethod
{
    /// <summary><see cref="Exact"/> up to <see cref="TsneOptions.ExactMaxPoints"/> points (or whenever
    /// <see cref="TsneOptions.Dimensions"/> is not 2), <see cref="BarnesHut"/> above.</summary>
    Auto,

    /// <summary>Dense P over all pairs and the exact O(N^2) gradient (van der Maaten &amp; Hinton 2008).
    /// Holds N^2 doubles (32 MB at N = 2000).</summary>
    Exact,

    /// <summary>Sparse P over the 3*perplexity nearest neighbours and a quadtree for the repulsive forces
    /// (van der Maaten 2014). Two output dimensions only.</summary>
    BarnesHut,
}

/// <summary>How the embedding is initialised.</summary>
public enum TsneInitialization
{
    /// <summary>Y ~ N(0, (1e-4)^2), drawn from <see cref="TsneOptions.Seed"/>.</summary>
    Random,

    /// <summary>Projection on the leading principal components, scaled so that the first coordinate has
    /// standard deviation 1e-4 (as scikit-learn's init="pca").</summary>
    Pca,
}

/// <summary>Options of <see cref="TsneEmbedding"/>. Defaults follow scikit-learn's TSNE. Out-of-range values make
/// <see cref="TsneEmbedding"/> throw <see cref="ArgumentException"/>.</summary>
public sealed record TsneOptions
{
    /// <summary>Largest N for which <see cref="TsneMethod.Auto"/> chooses the exact method.</summary>
    public const int ExactMaxPoints = 2000;

    /// <summary>Output dimensions. Barnes-Hut supports 2 only.</summary>
    public int Dimensions { get; init; } = 2;

    /// <summary>Effective number of neighbours; must be below N (exact) and is capped by N-1 neighbours (Barnes-Hut).</summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>Total number of gradient steps, the early-exaggeration phase included.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Step size; null means "auto": max(N / EarlyExaggeration / 4, 50), as in scikit-learn.</summary>
    public double? LearningRate { get; init; } = null;

    /// <summary>Factor on P during the first <see cref="ExaggerationIterations"/> steps.</summary>
    public double EarlyExaggeration { get; init; } = 12;

    /// <summary>Length of the early-exaggeration phase (momentum 0.5); momentum 0.8 afterwards.</summary>
    public int ExaggerationIterations { get; init; } = 250;

    /// <summary>Barnes-Hut accuracy: a cell of width w at distance d is summarised when w / d &lt; Theta. 0 = exact forces.</summary>
    public double Theta { get; init; } = 0.5;

    /// <summary>Seed of the random initialisation.</summary>
    public int Seed { get; init; } = 1;

    public TsneMethod Method { get; init; } = TsneMethod.Auto;

    public TsneInitialization Initialization { get; init; } = TsneInitialization.Random;

    /// <summary>Gradient steps between two KL-divergence evaluations / progress reports (the last step is always reported).</summary>
    public int ReportEvery { get; init; } = 50;

    /// <summary>The method actually used for <paramref name="n"/> points.</summary>
    public TsneMethod ResolveMethod(int n) => Method switch
    {
        TsneMethod.Auto => n <= ExactMaxPoints || Dimensions != 2 ? TsneMethod.Exact : TsneMethod.BarnesHut,
        _ => Method,
    };

    /// <summary>The learning rate actually used for <paramref name="n"/> points.</summary>
    public double ResolveLearningRate(int n) => LearningRate ?? Math.Max(n / EarlyExaggeration / 4.0, 50.0);
}

/// <summary>Result of <see cref="TsneEmbedding.Fit(float[], int, int, TsneOptions, IProgress{ValueTuple{int, double}}?)"/>.</summary>
/// <param name="Embedding">N x Dimensions coordinates.</param>
/// <param name="KlDivergence">KL(P||Q) after the last step, with the un-exaggerated P. Exact for the exact method;
/// for Barnes-Hut it is taken over the sparse P with the quadtree estimate of the normalisation Z.</param>
/// <param name="Method">The method used (Auto resolved).</param>
/// <param name="LearningRate">The learning rate used (auto resolved).</param>
public sealed record TsneResult(double[,] Embedding, double KlDivergence, TsneMethod Method, double LearningRate);
