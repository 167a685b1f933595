using Dnnmm.Infrastructure;
using Dnnmm.Visualisation;

namespace Dnnmm.Experiments;

/// <summary>
/// Plots of an experiment grid: per dataset and metric (ACC, ARI, NMI) one PNG of the metric against alpha, one line
/// with markers per method and error bars of the std over seeds, on the images the dataset's tables lead with (the
/// unlabelled images only where the runs have such scores, else all images; <see cref="SummaryTables.ScoredSets"/>),
/// and one of ACC on the test images where the runs have them. The title names the images. The alphas sit at equally
/// spaced positions labelled with their values (as in the paper's figures), and the methods are shifted a little
/// sideways so that their error bars do not hide each other.
/// </summary>
public static class ExperimentPlots
{
    /// <summary>The metrics plotted, with the suffix of their file names.</summary>
    public static readonly IReadOnlyList<(string Name, string Suffix)> Metrics = new[] { ("ACC", "acc"), ("ARI", "ari"), ("NMI", "nmi") };

    /// <summary>
    /// Writes <c>&lt;dataset&gt;-acc.png</c>, <c>-ari.png</c> and <c>-nmi.png</c> per dataset (on its leading images),
    /// and <c>-acc-test.png</c> where it has test scores, into <paramref name="folder"/> (created when missing;
    /// characters not allowed in file names become '_') and returns their paths, datasets in first-appearance order.
    /// No rows: no files.
    /// </summary>
    public static IReadOnlyList<string> Write(IEnumerable<ResultRow> rows, string folder, int width = 640, int height = 440)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(folder);
        var list = rows.ToList();
        var cells = SummaryTables.Summarise(list);
        var paths = new List<string>();
        foreach (var dataset in SummaryTables.FirstAppearance(cells.Select(c => c.Dataset)).Keys)
        {
            var mine = cells.Where(c => c.Dataset == dataset).ToList();
            var sets = SummaryTables.ScoredSets(list.Where(r => r.Dataset == dataset));
            var plots = Metrics.Select(m => (m.Name, m.Suffix, Images: sets[0])).ToList();
            if (sets.Contains(ScoredImages.Test)) plots.Add(("ACC", "acc-test", ScoredImages.Test));
            foreach (var (name, suffix, images) in plots)
            {
                string path = Path.Combine(folder, FileStem(dataset) + "-" + suffix + ".png");
                AtomicFile.WriteAllBytes(path, Png(mine, dataset, name, width, height, images));
                paths.Add(path);
            }
        }
        return paths;
    }

    /// <summary>One metric ("ACC", "ARI" or "NMI") on <paramref name="images"/> of one dataset's cells against alpha, as PNG bytes.</summary>
    public static byte[] Png(IReadOnlyList<SummaryCell> cells, string dataset, string metric, int width = 640, int height = 440,
        ScoredImages images = ScoredImages.All)
    {
        ArgumentNullException.ThrowIfNull(cells);
        Func<ScoreSummary, MeanStd> metricOf = metric switch
        {
            "ACC" => c => c.Acc,
            "ARI" => c => c.Ari,
            "NMI" => c => c.Nmi,
            _ => throw new ArgumentException($"metric '{metric}': must be ACC, ARI or NMI", nameof(metric)),
        };
        // NaN (no point) where a cell has no scores on these images.
        MeanStd get(SummaryCell c) => c.On(images) is { } s ? metricOf(s) : new MeanStd(double.NaN, 0);
        var mine = cells.Where(c => c.Dataset == dataset).ToList();
        var alphas = mine.Select(c => c.Alpha).Distinct().Order().ToList();
        var methods = SummaryTables.FirstAppearance(mine.Select(c => c.Method)).Keys.ToList();

        using var plot = new ScottPlot.Plot();
        PlotStyle.Apply(plot);
        double spread = methods.Count > 1 ? Math.Min(0.25, 0.08 * (methods.Count - 1)) : 0;
        var drawn = new List<(double[] X, double[] Y)>();
        for (int m = 0; m < methods.Count; m++)
        {
            double shift = methods.Count > 1 ? -spread / 2 + spread * m / (methods.Count - 1) : 0;
            var pts = alphas.Select((a, i) => (X: i + shift, Cell: mine.FirstOrDefault(c => c.Method == methods[m] && c.Alpha == a)))
                .Where(p => p.Cell is not null && double.IsFinite(get(p.Cell).Mean)).ToList();
            if (pts.Count == 0) continue;
            double[] x = pts.Select(p => p.X).ToArray(), y = pts.Select(p => get(p.Cell!).Mean).ToArray();
            double[] err = pts.Select(p => double.IsFinite(get(p.Cell!).Std) ? get(p.Cell!).Std : 0).ToArray();
            var colour = PlotStyle.GroupColour(m);
            var bars = plot.Add.ErrorBar(x, y, err);
            bars.Color = colour;
            bars.LineWidth = 1.5f;
            var sc = plot.Add.Scatter(x, y, colour);
            sc.LegendText = methods[m];
            sc.LineWidth = 2;
            sc.MarkerSize = 7;
            drawn.Add((x, y.Select((v, i) => v + err[i]).ToArray()));
            drawn.Add((x, y.Select((v, i) => v - err[i]).ToArray()));
        }
        plot.Title($"{dataset}: {metric} on {SummaryTables.Short(images)} against alpha", 15);
        plot.XLabel("alpha (labelled fraction)", 12);
        plot.YLabel($"{metric} ({SummaryTables.Short(images)})", 12);
        plot.Axes.Bottom.SetTicks(alphas.Select((_, i) => (double)i).ToArray(), alphas.Select(SummaryTables.Alpha).ToArray());
        plot.Axes.SetLimitsX(-0.5, Math.Max(0, alphas.Count - 1) + 0.5);
        if (drawn.Count > 0)
        {
            plot.ShowLegend(TrainingCurves.EmptiestCorner(drawn));
            plot.Legend.FontSize = 11;
        }
        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }

    /// <summary>The dataset name made safe as the start of a file name.</summary>
    public static string FileStem(string dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var bad = Path.GetInvalidFileNameChars().Concat(new[] { '/', '\\', ':', '*', '?', '"', '<', '>', '|', ' ' }).ToHashSet();
        var s = new string(dataset.Select(c => bad.Contains(c) || char.IsControl(c) ? '_' : c).ToArray());
        return s.Length == 0 || s.All(c => c == '.') ? "dataset" : s;
    }
}
