using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dnnmm.Infrastructure;
using Dnnmm.Data;
using Dnnmm.Evaluation;
using Dnnmm.Methods;
using Dnnmm.Tsne;

namespace Dnnmm.Visualisation;

/// <summary>Options of <see cref="LatentPlots.TsneScatter"/>.</summary>
public sealed record TsneScatterOptions
{
    /// <summary>The t-SNE options (perplexity, iterations, method, seed, ...).</summary>
    public TsneOptions Tsne { get; init; } = new();

    /// <summary>At most this many images are embedded (a random subset drawn with <see cref="TsneOptions.Seed"/>).</summary>
    public int MaxPoints { get; init; } = 5000;

    /// <summary>k of the trustworthiness (lowered to the largest valid k, below n / 2, for tiny sets).</summary>
    public int TrustworthinessK { get; init; } = 10;

    /// <summary>Dataset name for the titles (e.g. "mnist (shipped)"); null: the image set's source.</summary>
    public string? Dataset { get; init; }

    /// <summary>Supervision level for the titles; null: not shown.</summary>
    public double? Alpha { get; init; }

    public int Width { get; init; } = 900;
    public int Height { get; init; } = 700;

    /// <summary>Marker diameter in pixels; null: 5 up to 1,000 points, 4 up to 3,000, 3 above.</summary>
    public float? MarkerSize { get; init; }

    /// <summary>
    /// Checks the options for <paramref name="n"/> points (after the <see cref="MaxPoints"/> cut); throws a
    /// <see cref="DnnmmInputException"/> whose one-line message names the CLI option.
    /// </summary>
    public void Validate(int n)
    {
        var t = Tsne;
        if (MaxPoints < 3) throw new DnnmmInputException($"--max-points {MaxPoints}: must be at least 3");
        if (n < 3) throw new DnnmmInputException($"--data: t-SNE needs at least 3 images, got {n}");
        if (!(t.Perplexity > 0) || double.IsInfinity(t.Perplexity))
            throw new DnnmmInputException($"--perplexity {Num(t.Perplexity)}: must be a positive number");
        if (t.Perplexity >= n)
            throw new DnnmmInputException($"--perplexity {Num(t.Perplexity)}: must be less than the number of points ({n}); lower it or use more images");
        if (t.Iterations < 1) throw new DnnmmInputException($"--iterations {t.Iterations}: must be at least 1");
        if (t.LearningRate is double lr && (!(lr > 0) || double.IsInfinity(lr)))
            throw new DnnmmInputException($"--learning-rate {Num(lr)}: must be a positive number or auto");
        if (!(t.Theta >= 0) || double.IsInfinity(t.Theta))
            throw new DnnmmInputException($"--theta {Num(t.Theta)}: must be a number >= 0");
        if (t.Dimensions != 2) throw new DnnmmInputException($"t-SNE dimensions {t.Dimensions}: the scatter plots need 2");
        if (!Enum.IsDefined(t.Method)) throw new DnnmmInputException($"--method {t.Method}: must be auto, exact or barnes-hut");
        if (TrustworthinessK < 1) throw new DnnmmInputException($"trustworthiness k {TrustworthinessK}: must be at least 1");
        if (Width < 100 || Height < 100) throw new DnnmmInputException($"picture size {Width}x{Height}: must be at least 100x100");
    }

    private static string Num(double v) => v.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What <see cref="LatentPlots.TsneScatter"/> made.</summary>
/// <param name="Indices">The image indices embedded, ascending.</param>
/// <param name="Embedding">Their t-SNE coordinates, Indices.Length x 2.</param>
/// <param name="Classes">True class of each embedded image.</param>
/// <param name="Clusters">Predicted cluster (argmax posterior) of each embedded image.</param>
/// <param name="ClassNames">Names of the classes.</param>
/// <param name="Acc">Clustering accuracy over ALL the images given (not only the embedded ones).</param>
/// <param name="Trustworthiness">Trustworthiness of the embedding against the latent codes, with <paramref name="TrustworthinessK"/> neighbours.</param>
/// <param name="Tsne">The t-SNE result (final KL divergence, method and learning rate used).</param>
/// <param name="TsneSeconds">Time of the t-SNE fit alone.</param>
/// <param name="ByClassPng">Scatter coloured by true class.</param>
/// <param name="ByClusterPng">Scatter coloured by predicted cluster (each cluster in the colour of the class it is matched to).</param>
public sealed record TsneScatterResult(int[] Indices, double[,] Embedding, int[] Classes, int[] Clusters, string[] ClassNames,
    double Acc, double Trustworthiness, int TrustworthinessK, TsneResult Tsne, double TsneSeconds, byte[] ByClassPng, byte[] ByClusterPng)
{
    /// <summary>index,x,y,class,cluster: one row per embedded image (class by name, cluster by index).</summary>
    public string ToCsv()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("index,x,y,class,cluster\n");
        for (int i = 0; i < Indices.Length; i++)
            sb.Append(Indices[i].ToString(inv)).Append(',')
              .Append(Embedding[i, 0].ToString("R", inv)).Append(',')
              .Append(Embedding[i, 1].ToString("R", inv)).Append(',')
              .Append(Csv.Field(ClassNames[Classes[i]])).Append(',')
              .Append(Clusters[i].ToString(inv)).Append('\n');
        return sb.ToString();
    }
}

/// <summary>Pictures of a clustering method's latent space, as PNG bytes (independent of the CLI).</summary>
public static class LatentPlots
{
    /// <summary>
    /// Encodes <paramref name="images"/> with the method's encoder (it must implement <see cref="ILatentEncoder"/>),
    /// embeds the codes of at most <see cref="TsneScatterOptions.MaxPoints"/> of them with t-SNE, and draws two
    /// scatter plots: coloured by true class and by predicted cluster, with legends and titles giving the dataset,
    /// alpha and ACC. Also measures the trustworthiness of the embedding.
    /// </summary>
    public static TsneScatterResult TsneScatter(IClusteringMethod method, ImageSet images, TsneScatterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(images);
        var o = options ?? new TsneScatterOptions();
        if (method is not ILatentEncoder encoder)
            throw new DnnmmInputException($"method {method.Name} has no latent codes (it does not implement ILatentEncoder)");
        if (!images.AllLabelled)
            throw new DnnmmInputException(
                $"{images.Source}: {images.Labels.Count(l => l < 0)} of the {images.Count} images have no class (a flat folder); the t-SNE pictures colour and score by class");
        int n = Math.Min(images.Count, Math.Max(o.MaxPoints, 0));
        o.Validate(n);

        var indices = Enumerable.Range(0, images.Count).ToArray();
        if (n < images.Count)
        {
            new Random(o.Tsne.Seed).Shuffle(indices);
            indices = indices[..n];
            Array.Sort(indices);
        }
        var predAll = method.Predict(images);
        double acc = ClusteringMetrics.Accuracy(images.Labels, predAll);

        var subset = n < images.Count ? images.Subset(indices) : images;
        var codes = encoder.Encode(subset);
        int d = encoder.LatentDim;
        if (codes.Length != (long)n * d)
            throw new InvalidOperationException($"{method.Name} returned {codes.Length} latent values for {n} images of dimension {d}");

        var sw = Stopwatch.StartNew();
        var tsne = TsneEmbedding.Fit(codes, n, d, o.Tsne);
        double seconds = sw.Elapsed.TotalSeconds;
        var y = tsne.Embedding;

        int k = Math.Min(o.TrustworthinessK, (n - 1) / 2);
        var low = new float[n * 2];
        for (int i = 0; i < n; i++) { low[2 * i] = (float)y[i, 0]; low[2 * i + 1] = (float)y[i, 1]; }
        double trust = k >= 1 ? Trustworthiness.Compute(codes, low, n, d, 2, k) : double.NaN;

        var classes = indices.Select(i => images.Labels[i]).ToArray();
        var clusters = indices.Select(i => predAll[i]).ToArray();
        var names = images.ClassNames;
        int nClasses = names.Length;

        var xs = new double[n];
        var ys = new double[n];
        for (int i = 0; i < n; i++) { xs[i] = y[i, 0]; ys[i] = y[i, 1]; }
        var classColours = Enumerable.Range(0, nClasses).Select(PlotStyle.GroupColour).ToArray();

        // Each cluster takes the colour of the class that the ACC matching assigns it, so a perfect clustering
        // gives two identical pictures; unmatched clusters get colours after the classes'.
        int nClusters = Math.Max(method.Clusters, clusters.Length > 0 ? clusters.Max() + 1 : 0);
        var map = ClusteringMetrics.BestMap(images.Labels, predAll);
        var clusterColours = new ScottPlot.Color[nClusters];
        var clusterNames = new string[nClusters];
        int extra = nClasses;
        for (int c = 0; c < nClusters; c++)
        {
            if (map.TryGetValue(c, out int cls))
            {
                clusterColours[c] = classColours[cls];
                clusterNames[c] = $"cluster {c} (class {names[cls]})";
            }
            else
            {
                clusterColours[c] = PlotStyle.GroupColour(extra++);
                clusterNames[c] = $"cluster {c}";
            }
        }

        string dataset = o.Dataset ?? images.Source;
        string head = dataset + (o.Alpha is double a ? $", alpha = {a.ToString(CultureInfo.InvariantCulture)}" : "");
        string accText = $"ACC {acc.ToString("F4", CultureInfo.InvariantCulture)}";
        float marker = o.MarkerSize ?? (n <= 1000 ? 5f : n <= 3000 ? 4f : 3f);
        var byClass = Scatter(xs, ys, classes, names, classColours, $"{head}: t-SNE of E(x) by true class ({accText})", o.Width, o.Height, marker);
        var byCluster = Scatter(xs, ys, clusters, clusterNames, clusterColours, $"{head}: t-SNE of E(x) by predicted cluster ({accText})", o.Width, o.Height, marker);
        return new TsneScatterResult(indices, y, classes, clusters, names, acc, trust, k, tsne, seconds, byClass, byCluster);
    }

    /// <summary>
    /// A 2-D scatter plot as PNG bytes: point i drawn in the colour of group groups[i], one legend entry per group that
    /// has points (named by <paramref name="groupNames"/>), legend to the right of the data.
    /// </summary>
    public static byte[] Scatter(double[] xs, double[] ys, int[] groups, IReadOnlyList<string> groupNames,
        IReadOnlyList<ScottPlot.Color>? colours, string title, int width = 900, int height = 700, float markerSize = 4f,
        string xLabel = "t-SNE 1", string yLabel = "t-SNE 2")
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(groupNames);
        if (xs.Length != ys.Length || xs.Length != groups.Length)
            throw new ArgumentException($"xs, ys and groups differ in length ({xs.Length}, {ys.Length}, {groups.Length})");
        using var plot = new ScottPlot.Plot();
        PlotStyle.Apply(plot);
        for (int g = 0; g < groupNames.Count; g++)
        {
            var idx = Enumerable.Range(0, groups.Length).Where(i => groups[i] == g).ToArray();
            if (idx.Length == 0) continue;
            var colour = colours is not null && g < colours.Count ? colours[g] : PlotStyle.GroupColour(g);
            var sp = plot.Add.ScatterPoints(idx.Select(i => xs[i]).ToArray(), idx.Select(i => ys[i]).ToArray(), colour.WithAlpha(0.75));
            sp.MarkerSize = markerSize;
            sp.MarkerShape = ScottPlot.MarkerShape.FilledCircle;
            sp.MarkerLineWidth = 0;
            // The legend's items are made by hand so that their symbols are large whatever the marker size
            // (ScottPlot's legend overrides would resize the plotted markers too).
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem
            {
                LabelText = groupNames[g], MarkerShape = ScottPlot.MarkerShape.FilledCircle, MarkerSize = 10,
                MarkerFillColor = colour, MarkerLineWidth = 0, LineWidth = 0,
            });
        }
        plot.Title(WrapTitle(title, width), 14);
        plot.XLabel(xLabel, 12);
        plot.YLabel(yLabel, 12);
        plot.ShowLegend(ScottPlot.Edge.Right);
        plot.Legend.FontSize = 12;
        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }

    /// <summary>
    /// The title broken into lines that fit over the data area of a figure <paramref name="width"/> pixels wide (the
    /// legend takes the right; about 9 pixels a character at the titles' 14 points, so 6/10 of the width / 9): at the
    /// last ": " or ", " that fits, else at a space; a centred title wider than the figure would lose its start and end.
    /// </summary>
    public static string WrapTitle(string title, int width)
    {
        ArgumentNullException.ThrowIfNull(title);
        int max = Math.Max(20, width * 6 / 10 / 9);
        var lines = new List<string>();
        string rest = title;
        while (rest.Length > max)
        {
            int cut = new[] { rest.LastIndexOf(": ", max, StringComparison.Ordinal), rest.LastIndexOf(", ", max, StringComparison.Ordinal) }.Max();
            if (cut > 0) cut += 1; // keep the ':' or ',' on the first line
            else cut = rest.LastIndexOf(' ', max);
            if (cut <= 0) break;
            lines.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }
        lines.Add(rest);
        return string.Join('\n', lines);
    }
}

/// <summary>Shared look of the ScottPlot figures.</summary>
internal static class PlotStyle
{
    private static readonly ScottPlot.IPalette Ten = new ScottPlot.Palettes.Category10();
    private static readonly ScottPlot.IPalette Twenty = new ScottPlot.Palettes.Category20();

    /// <summary>Category10 colours for the first 10 groups, then Category20's lighter ones.</summary>
    public static ScottPlot.Color GroupColour(int g) =>
        g < 10 ? Ten.GetColor(g) : Twenty.GetColor(2 * ((g - 10) % 10) + 1);

    public static void Apply(ScottPlot.Plot plot)
    {
        plot.FigureBackground.Color = ScottPlot.Colors.White;
        plot.DataBackground.Color = ScottPlot.Colors.White;
        plot.Grid.MajorLineColor = ScottPlot.Colors.Black.WithAlpha(0.08);
    }
}
