namespace Dnnmm.Experiments;

/// <summary>
/// One finished run of an experiment grid: one row of results.csv.
/// </summary>
/// <param name="Dataset">The grid's name for the dataset (e.g. "mnist5").</param>
/// <param name="Classes">The classes used, joined with ';' (e.g. "0;1;2;3;4").</param>
/// <param name="Method">The grid's name for the method (e.g. "dnnmm", "dnnmm-no-gan", "clustergan").</param>
/// <param name="Alpha">The labelled fraction.</param>
/// <param name="Seed">The seed of the run (data noise, labelled subset, initialisation).</param>
/// <param name="LogLikelihood">Mean latent log-likelihood where the method defines one (DNN-MM), else null.</param>
/// <param name="Seconds">Training time of the run.</param>
/// <param name="OptionsHash">First 12 hex digits of the SHA-256 of the run's options.json.</param>
public sealed record ResultRow(string Dataset, string Classes, string Method, double Alpha, int Seed,
    double Acc, double Ari, double Nmi, double? LogLikelihood, double Seconds, string OptionsHash);
