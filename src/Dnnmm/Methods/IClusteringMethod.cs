using Dnnmm.Infrastructure;
using Dnnmm.Data;

namespace Dnnmm.Methods;

/// <summary>
/// What a clustering method learns from: the images, and the labels it may use (-1 where an image
/// is unlabelled). The number of clusters K equals the number of classes.
/// </summary>
public sealed class FitInput
{
    public FitInput(ImageSet images, bool[] labelled)
    {
        if (labelled.Length != images.Count) throw new ArgumentException("labelled mask length != image count");
        Images = images;
        KnownLabels = images.Labels.Select((y, i) => labelled[i] ? y : -1).ToArray();
        Clusters = images.ClassNames.Length;
    }

    public ImageSet Images { get; }
    /// <summary>The class of each labelled image, -1 for unlabelled images.</summary>
    public int[] KnownLabels { get; }
    public int Clusters { get; }
    public int LabelledCount => KnownLabels.Count(y => y >= 0);
}

/// <summary>Per-epoch figures a method reports while it trains.</summary>
public sealed record EpochReport(
    int Epoch, int Epochs, double Seconds, IReadOnlyDictionary<string, double> Values, float[]? Omega = null);

/// <summary>Hooks a caller gives to <see cref="IClusteringMethod.Fit"/>.</summary>
public sealed class FitContext
{
    /// <summary>True labels of every image, used only to monitor ACC/ARI/NMI per epoch (never to train).</summary>
    public int[]? MonitorLabels { get; init; }
    /// <summary>
    /// Score against <see cref="MonitorLabels"/> every this many epochs only (and always in the last epoch), for
    /// methods whose per-epoch evaluation is costly (k-means on 10,000 embeddings takes as long as a DynAE epoch).
    /// </summary>
    public int MonitorEvery { get; init; } = 1;

    /// <summary>Whether to score this epoch: there are labels to score against, and it is a monitored epoch or the last one.</summary>
    public bool Monitors(int epoch, bool last) =>
        MonitorLabels is not null && (last || MonitorEvery <= 1 || epoch % MonitorEvery == 0);
    /// <summary>Called after every epoch.</summary>
    public Action<EpochReport>? OnEpoch { get; init; }
    /// <summary>Called after every optimisation step with (step, steps per epoch, current loss terms).</summary>
    public Action<int, int, IReadOnlyDictionary<string, double>>? OnStep { get; init; }
    /// <summary>Messages worth showing a user (learning-rate halving, restarts).</summary>
    public Action<string>? Log { get; init; }
    /// <summary>The run folder for the model and its checkpoints (one per completed epoch, written atomically); null: none.</summary>
    public RunFolder? Folder { get; init; }
    /// <summary>Continue from the checkpoint in <see cref="Folder"/>.</summary>
    public bool Resume { get; init; }
    public CancellationToken Cancellation { get; init; }
}

/// <summary>
/// The one interface DNN-MM and every baseline implement, in the spirit of scikit-learn's
/// estimators, so that experiments treat them alike.
/// </summary>
public interface IClusteringMethod : IDisposable
{
    string Name { get; }
    int Clusters { get; }
    void Fit(FitInput input, FitContext context);
    /// <summary>Cluster index per image.</summary>
    int[] Predict(ImageSet images);
    /// <summary>Membership probabilities, N x K.</summary>
    float[,] PredictProbabilities(ImageSet images);
    /// <summary>Whether <see cref="Sample"/> can generate images.</summary>
    bool CanSample { get; }
    /// <summary>n generated images of cluster k, floats in [0, 1], n x C x H x W.</summary>
    float[] Sample(int cluster, int n, int seed);
}

/// <summary>
/// The hyper-parameters of one clustering method (one record per method, every default in it):
/// what a run needs to know before training starts.
/// </summary>
public interface IMethodOptions
{
    /// <summary>Epochs the method reports at most (for progress displays).</summary>
    int Epochs { get; }
    /// <summary>
    /// Throws a one-line <see cref="DnnmmInputException"/> for data the method cannot use, or an <see cref="OptionException"/>
    /// naming an out-of-range option by its JSON name.
    /// </summary>
    void Validate(FitInput input);
}
