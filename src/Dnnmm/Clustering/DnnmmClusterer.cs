using System.Globalization;
using Dnnmm.Data;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;
using Dnnmm.Runs;

namespace Dnnmm.Clustering;

/// <summary>
/// DNN-MM (Pande &amp; Awate, ICPR 2020) as a clusterer a C# program uses in a few lines, in the manner of scikit-learn's
/// estimators: <see cref="Fit(ImageSet, int[])"/> on images with the labels you have (none, or some: -1 for the
/// unlabelled), then <see cref="Predict(ImageSet)"/>, <see cref="PredictProbabilities(ImageSet)"/>,
/// <see cref="ScoreSamples(ImageSet)"/> (each image's log-likelihood) and <see cref="Sample"/> (generated images of a
/// cluster); <see cref="Save"/> writes a run folder that <see cref="Load"/> and <c>dnnmm predict --model</c> read.
/// Images come as a float array (N x C x H x W, or N x H x W for grey images; pixels in [0, 1]), as an
/// <see cref="ImageSet"/> from the dataset readers (<see cref="DataPipeline"/>, <see cref="ImageFolderReader"/>,
/// <see cref="IdxReader"/>, ...), or as image files (PNG/JPEG paths, decoded as <see cref="DnnmmClustererOptions.Channels"/>
/// and <see cref="DnnmmClustererOptions.ImageSize"/> say when fitting, and to the model's image shape when predicting).
/// Bad input (a wrong shape, a label outside -1..K-1, a missing file) throws a one-line <see cref="DnnmmInputException"/>;
/// an out-of-range option an <see cref="OptionException"/> naming it.
/// </summary>
public sealed class DnnmmClusterer : IDisposable
{
    private DnnmmMethod? method;
    private List<EpochRow> history = new();

    /// <summary>An unfitted clusterer; the options are checked here.</summary>
    /// <exception cref="OptionException">an option out of range (K below 2, ...).</exception>
    public DnnmmClusterer(DnnmmClustererOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    private DnnmmClusterer(DnnmmClustererOptions options, DnnmmMethod method, List<EpochRow> history)
    {
        Options = options; this.method = method; this.history = history;
    }

    /// <summary>The options it was made (or loaded) with.</summary>
    public DnnmmClustererOptions Options { get; }

    /// <summary>The number of clusters K.</summary>
    public int Clusters => Options.Clusters;

    /// <summary>Whether <see cref="Fit(ImageSet, int[])"/> has run (or the clusterer was loaded).</summary>
    public bool IsFitted => method is not null;

    /// <summary>Channels, height and width of the images the fitted model takes.</summary>
    public ImageShape ImageShape => Fitted.Model.Info.Shape;

    /// <summary>Dimension d of the latent space.</summary>
    public int LatentDim => Fitted.LatentDim;

    /// <summary>The learned mixture weights omega_k (one per cluster, summing to 1).</summary>
    public float[] Omega => Fitted.Omega;

    /// <summary>The figures of every epoch of the last fit (loss terms, log-likelihood, omega).</summary>
    public IReadOnlyList<EpochRow> History => history;

    /// <summary>Called after every epoch of <see cref="Fit(ImageSet, int[])"/> (for progress displays).</summary>
    public Action<EpochRow>? OnEpoch { get; set; }

    // ---- fit ----

    /// <summary>
    /// Fits the model to the images: DNN-MM's MinMax+EM training on all of them, with <paramref name="labels"/> for the
    /// labelled ones. A second call starts again from scratch.
    /// </summary>
    /// <param name="images">The images (their own labels, if any, are not used).</param>
    /// <param name="labels">One per image: a cluster index 0..K-1 for a labelled image, -1 for an unlabelled one; null: none labelled.</param>
    /// <returns>This clusterer, fitted.</returns>
    /// <exception cref="DnnmmInputException">labels of another length or outside -1..K-1, fewer images than K, a shape the networks cannot take.</exception>
    public DnnmmClusterer Fit(ImageSet images, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        int n = images.Count, k = Clusters;
        if (n < k) throw DnnmmClustererOptions.Invalid("clusters", $"{k} is more than the {n} images to fit");
        var y = labels ?? Enumerable.Repeat(-1, n).ToArray();
        if (y.Length != n) throw new DnnmmInputException($"labels: {y.Length} labels for {n} images (one per image, -1 = unlabelled)");
        for (int i = 0; i < n; i++)
            if (y[i] < -1 || y[i] >= k)
                throw new DnnmmInputException($"labels[{i}] = {y[i]} is outside -1..{k - 1} (-1: unlabelled, else a cluster index below K = {k})");
        var names = Enumerable.Range(0, k).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        var set = images.WithLabels((int[])y.Clone(), names);
        var input = new FitInput(set, y.Select(v => v >= 0).ToArray());
        var modelOptions = Options.ModelOptions();
        modelOptions.Validate(input);

        var fresh = new DnnmmMethod(modelOptions, Options.Seed);
        var rows = new List<EpochRow>();
        try
        {
            fresh.Fit(input, new FitContext
            {
                OnEpoch = r =>
                {
                    var row = new EpochRow(r.Epoch, r.Seconds, r.Values, r.Omega ?? Array.Empty<float>());
                    rows.Add(row);
                    OnEpoch?.Invoke(row);
                },
            });
        }
        catch
        {
            fresh.Dispose();
            throw;
        }
        method?.Dispose();
        method = fresh;
        history = rows;
        return this;
    }

    /// <summary>Fits images given as an N x C x H x W array (C = 1 or 3, pixels in [0, 1]); see <see cref="Fit(ImageSet, int[])"/>.</summary>
    public DnnmmClusterer Fit(float[,,,] images, int[]? labels = null) => Fit(FromArray(images), labels);

    /// <summary>Fits grey images given as an N x H x W array (pixels in [0, 1]); see <see cref="Fit(ImageSet, int[])"/>.</summary>
    public DnnmmClusterer Fit(float[,,] images, int[]? labels = null) => Fit(FromArray(images), labels);

    /// <summary>
    /// Fits PNG/JPEG files, decoded to <see cref="DnnmmClustererOptions.Channels"/> channels and resized to
    /// <see cref="DnnmmClustererOptions.ImageSize"/>; labels are in the order of the files. See <see cref="Fit(ImageSet, int[])"/>.
    /// </summary>
    public DnnmmClusterer Fit(IReadOnlyList<string> files, int[]? labels = null) =>
        Fit(ReadImages(files, Options.Channels, Options.ImageSize), labels);

    // ---- predict ----

    /// <summary>The cluster of each image (argmax of <see cref="PredictProbabilities(ImageSet)"/>).</summary>
    public int[] Predict(ImageSet images) => Fitted.Predict(Checked(images));
    /// <summary>The cluster of each image of an N x C x H x W array.</summary>
    public int[] Predict(float[,,,] images) => Predict(FromArray(images));
    /// <summary>The cluster of each grey image of an N x H x W array.</summary>
    public int[] Predict(float[,,] images) => Predict(FromArray(images));
    /// <summary>The cluster of each file, decoded to the model's image shape.</summary>
    public int[] Predict(IReadOnlyList<string> files) => Predict(ReadForModel(files));

    /// <summary>The posterior membership probabilities gamma_nk (eq 3 of the paper): N x K, each row summing to 1.</summary>
    public float[,] PredictProbabilities(ImageSet images) => Fitted.PredictProbabilities(Checked(images));
    /// <summary>Membership probabilities of an N x C x H x W array.</summary>
    public float[,] PredictProbabilities(float[,,,] images) => PredictProbabilities(FromArray(images));
    /// <summary>Membership probabilities of grey images in an N x H x W array.</summary>
    public float[,] PredictProbabilities(float[,,] images) => PredictProbabilities(FromArray(images));
    /// <summary>Membership probabilities of files, decoded to the model's image shape.</summary>
    public float[,] PredictProbabilities(IReadOnlyList<string> files) => PredictProbabilities(ReadForModel(files));

    /// <summary>
    /// Each image's log-likelihood under the fitted mixture, log sum_k omega_k N(E(x); mu_k, I) (eq 4 of the paper), as
    /// scikit-learn's score_samples: higher is more typical of the data the model was fitted to.
    /// </summary>
    public double[] ScoreSamples(ImageSet images) => Fitted.ScoreSamples(Checked(images));
    /// <summary>Log-likelihoods of an N x C x H x W array.</summary>
    public double[] ScoreSamples(float[,,,] images) => ScoreSamples(FromArray(images));
    /// <summary>Log-likelihoods of grey images in an N x H x W array.</summary>
    public double[] ScoreSamples(float[,,] images) => ScoreSamples(FromArray(images));
    /// <summary>Log-likelihoods of files, decoded to the model's image shape.</summary>
    public double[] ScoreSamples(IReadOnlyList<string> files) => ScoreSamples(ReadForModel(files));

    /// <summary>
    /// <paramref name="n"/> images generated from cluster <paramref name="cluster"/>, G(mu_k + eps): n x C x H x W, pixels in
    /// [0, 1]. The same seed gives the same images; null: <see cref="DnnmmClustererOptions.Seed"/>.
    /// </summary>
    /// <exception cref="DnnmmInputException">a cluster outside 0..K-1, or n below 1.</exception>
    public float[,,,] Sample(int cluster, int n, int? seed = null)
    {
        var m = Fitted;
        if (cluster < 0 || cluster >= Clusters) throw new DnnmmInputException($"cluster {cluster} is outside 0..{Clusters - 1}");
        if (n < 1) throw new DnnmmInputException($"n = {n}: at least one image");
        var flat = m.Sample(cluster, n, seed ?? Options.Seed);
        var s = ImageShape;
        var result = new float[n, s.Channels, s.Height, s.Width];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(float));
        return result;
    }

    // ---- save and load ----

    /// <summary>
    /// Writes the fitted model as a run folder, each file atomically: options.json, model.json, checkpoint.bin, metrics.json
    /// and metrics.csv (the history), samples.png (one row of generated images per cluster) and summary.json. <see cref="Load"/>
    /// reads it back, and so does <c>dnnmm predict --model &lt;dir&gt; --data &lt;spec&gt;</c> (and sample, viz).
    /// </summary>
    /// <param name="dir">The folder (created if missing).</param>
    /// <param name="overwrite">Replace the run files in a folder that is not empty (other files stay); false: such a folder is an error.</param>
    /// <exception cref="DnnmmInputException">a file in place of the folder, or a folder that is not empty without <paramref name="overwrite"/>.</exception>
    public void Save(string dir, bool overwrite = false)
    {
        var m = Fitted;
        var folder = new RunFolder(dir);
        if (File.Exists(dir)) throw new DnnmmInputException($"{dir}: is a file, not a folder");
        if (folder.Exists && Directory.EnumerateFileSystemEntries(dir).Any() && !overwrite)
            throw new DnnmmInputException($"{dir}: folder is not empty; Save(dir, overwrite: true) replaces the model in it");
        folder.PrepareNew(force: true);
        var modelOptions = Options.ModelOptions();
        var run = new TrainRunOptions { Data = new DataOptions { Data = DatasetSpec.InMemory, Seed = Options.Seed } }.With(modelOptions);
        folder.WriteOptions(Json.Serialize(run));
        m.Save(folder);
        folder.WriteMetrics(history);
        var s = ImageShape;
        if (m.CanSample)
            folder.WriteSamples(TrainRun.SampleGridPng(m, new ImageSet(Array.Empty<float>(), Array.Empty<int>(), Array.Empty<string>(),
                s.Channels, s.Height, s.Width, "shape"), Options.Seed));
        var last = history.LastOrDefault();
        folder.WriteSummary(new TrainSummary(m.Name, last?.Epoch ?? 0, history.Sum(r => r.Seconds), null, null, null,
            last is not null && last.Values.TryGetValue("log_likelihood", out var ll) ? ll : null, m.Omega, Path.GetFullPath(dir)));
    }

    /// <summary>
    /// A fitted clusterer from a run folder written by <see cref="Save"/> or by <c>dnnmm train</c> (method dnnmm), on
    /// <paramref name="device"/>: it predicts and samples exactly as the saved one did.
    /// </summary>
    /// <exception cref="DnnmmInputException">no such folder, no saved model in it, or a model of another method.</exception>
    public static DnnmmClusterer Load(string dir, string device = "cpu")
    {
        var folder = new RunFolder(dir).RequireExists();
        var run = folder.HasOptions ? folder.ReadOptions<TrainRunOptions>() : new TrainRunOptions();
        if (run.Method != DnnmmMethod.Entry.Name)
            throw new DnnmmInputException($"{dir}: a '{run.Method}' model; DnnmmClusterer loads dnnmm models (TrainRun.LoadMethod loads any method)");
        var trained = run.Get<DnnmmOptions>();
        var m = DnnmmMethod.Load(folder, trained, device);
        var shape = m.Model.Info.Shape;
        var options = new DnnmmClustererOptions
        {
            Clusters = m.Clusters, Seed = run.Data.Seed, Device = device, Channels = shape.Channels, ImageSize = shape.Height,
            Model = trained,
        };
        return new DnnmmClusterer(options, m, folder.ReadMetrics());
    }

    // ---- images ----

    /// <summary>
    /// An unlabelled image set from an N x C x H x W array (C = 1 or 3). Errors: no images, other channels, a pixel that is
    /// not a finite number in [0, 1] (divide 8-bit values by 255).
    /// </summary>
    public static ImageSet FromArray(float[,,,] images)
    {
        ArgumentNullException.ThrowIfNull(images);
        int n = images.GetLength(0), c = images.GetLength(1), h = images.GetLength(2), w = images.GetLength(3);
        if (c != 1 && c != 3) throw new DnnmmInputException($"images are {n}x{c}x{h}x{w} (N x C x H x W): C must be 1 or 3");
        return FromFlat(images, n, c, h, w);
    }

    /// <summary>An unlabelled set of grey images from an N x H x W array; see <see cref="FromArray(float[,,,])"/>.</summary>
    public static ImageSet FromArray(float[,,] images)
    {
        ArgumentNullException.ThrowIfNull(images);
        return FromFlat(images, images.GetLength(0), 1, images.GetLength(1), images.GetLength(2));
    }

    /// <summary>
    /// An unlabelled image set from PNG/JPEG files (grey or colour), decoded to <paramref name="channels"/> channels and,
    /// with <paramref name="imageSize"/>, resized to that square size (else all must share one size).
    /// </summary>
    /// <exception cref="DnnmmInputException">no files, a missing or undecodable file, sizes that differ without a resize.</exception>
    public static ImageSet ReadImages(IReadOnlyList<string> files, int channels = DataOptions.DefaultChannels, int? imageSize = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        return ImageFolderReader.LoadFiles(files, channels, imageSize);
    }

    private static ImageSet FromFlat(Array images, int n, int c, int h, int w)
    {
        if (n == 0 || h == 0 || w == 0) throw new DnnmmInputException($"images are {n}x{c}x{h}x{w}: no pixels");
        var px = new float[images.Length];
        Buffer.BlockCopy(images, 0, px, 0, px.Length * sizeof(float));
        for (int i = 0; i < px.Length; i++)
            if (!(px[i] >= 0f && px[i] <= 1f))
                throw new DnnmmInputException(
                    $"pixel {px[i].ToString(CultureInfo.InvariantCulture)} of image {i / (c * h * w)} is not in [0, 1] (divide 8-bit values by 255)");
        var labels = new int[n];
        Array.Fill(labels, -1);
        return new ImageSet(px, labels, Array.Empty<string>(), c, h, w, "array");
    }

    private ImageSet ReadForModel(IReadOnlyList<string> files)
    {
        var s = ImageShape;
        return ReadImages(files, s.Channels, s.Height);
    }

    private ImageSet Checked(ImageSet images)
    {
        ArgumentNullException.ThrowIfNull(images);
        MethodCommon.CheckShape(images, ImageShape);
        return images;
    }

    private DnnmmMethod Fitted => method ?? throw new InvalidOperationException("the clusterer is not fitted: call Fit or Load first");

    /// <summary>Frees the networks (libtorch memory).</summary>
    public void Dispose()
    {
        method?.Dispose();
        method = null;
    }
}
