using Dnnmm.Infrastructure;
using Dnnmm.Methods;

namespace Dnnmm.Visualisation;

/// <summary>One run of a <see cref="ProgressCurves"/> figure: its legend label and its epochs (a run folder's metrics.json).</summary>
public sealed record ProgressRun(string Label, IReadOnlyList<EpochRow> Rows);

/// <summary>
/// A metric against cumulative training time, several runs in one figure, with an optional time budget (a vertical
/// line) and target values (horizontal lines): "what does each method reach within N minutes". The time of an epoch
/// is its <see cref="EpochRow.Seconds"/>, so the x axis is the sum of the epoch times up to and including each epoch.
/// </summary>
public static class ProgressCurves
{
    /// <summary>Every epoch in order with the sum of the epoch times up to its end, and its finite value of <paramref name="key"/> (or null).</summary>
    private static IEnumerable<(int Epoch, double Seconds, double? Value)> Cumulative(IReadOnlyList<EpochRow> rows, string key)
    {
        ArgumentNullException.ThrowIfNull(rows);
        double seconds = 0;
        foreach (var r in rows.OrderBy(r => r.Epoch))
        {
            seconds += r.Seconds;
            yield return (r.Epoch, seconds, r.Values.TryGetValue(key, out var v) && double.IsFinite(v) ? v : null);
        }
    }

    /// <summary>(cumulative minutes, value) of every epoch that reports <paramref name="key"/> with a finite value.</summary>
    public static (double[] Minutes, double[] Values) Series(IReadOnlyList<EpochRow> rows, string key)
    {
        var points = Cumulative(rows, key).Where(p => p.Value.HasValue).ToArray();
        return (points.Select(p => p.Seconds / 60).ToArray(), points.Select(p => p.Value!.Value).ToArray());
    }

    /// <summary>
    /// The last value of <paramref name="key"/> reached within <paramref name="budgetSeconds"/> of cumulative epoch time,
    /// with the epoch and the time; null when no epoch with the value ends within the budget.
    /// </summary>
    public static (int Epoch, double Seconds, double Value)? WithinBudget(IReadOnlyList<EpochRow> rows, string key, double budgetSeconds)
    {
        (int, double, double)? last = null;
        foreach (var (epoch, seconds, value) in Cumulative(rows, key).TakeWhile(p => p.Seconds <= budgetSeconds))
            if (value is double v) last = (epoch, seconds, v);
        return last;
    }

    /// <summary>
    /// The figure as PNG bytes: one line per run (metric <paramref name="key"/> against cumulative minutes), a dashed
    /// vertical line at the budget and a dotted horizontal line per target. Throws <see cref="DnnmmInputException"/>
    /// when no run reports the metric.
    /// </summary>
    public static byte[] ToPng(IReadOnlyList<ProgressRun> runs, string key, double? budgetSeconds, IReadOnlyList<double> targets,
        string? title = null, int width = 760, int height = 460)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(targets);
        if (runs.Count == 0) throw new DnnmmInputException("progress: no runs to plot");
        if (width < 200 || height < 150) throw new ArgumentException("the figure must be at least 200 x 150 pixels");
        var series = runs.Select(r => (r.Label, S: Series(r.Rows, key))).ToList();
        var missing = series.Where(s => s.S.Minutes.Length == 0).Select(s => s.Label).ToList();
        if (missing.Count == runs.Count) throw new DnnmmInputException($"progress: no run reports '{key}'");
        if (missing.Count > 0) throw new DnnmmInputException($"progress: run '{missing[0]}' does not report '{key}'");

        using var plot = new ScottPlot.Plot();
        PlotStyle.Apply(plot);
        bool unit = key is "acc" or "ari" or "nmi" or "acc_unlabelled";
        for (int i = 0; i < series.Count; i++)
        {
            var (label, (x, y)) = series[i];
            var sc = plot.Add.Scatter(x, y, PlotStyle.GroupColour(i));
            sc.LegendText = label;
            sc.LineWidth = 2;
            sc.MarkerSize = x.Length <= 80 ? 4 : 0;
        }
        if (budgetSeconds is double b)
        {
            var v = plot.Add.VerticalLine(b / 60, 1.5f, ScottPlot.Colors.Black.WithAlpha(0.6), ScottPlot.LinePattern.Dashed);
            v.LegendText = $"budget {b / 60:0.#} min";
        }
        for (int i = 0; i < targets.Count; i++)
        {
            double t = targets[i];
            var h = plot.Add.HorizontalLine(t, 1.5f, PlotStyle.GroupColour(series.Count + i), ScottPlot.LinePattern.Dotted);
            h.LegendText = $"target {t.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}";
        }
        if (!string.IsNullOrEmpty(title)) plot.Title(title, 14);
        plot.XLabel("training time (minutes, cumulative epoch time)", 12);
        plot.YLabel(key, 12);
        double xMax = Math.Max(series.Max(s => s.S.Minutes.Max()), budgetSeconds / 60 ?? 0);
        plot.Axes.SetLimitsX(0, xMax * 1.03);
        if (unit) plot.Axes.SetLimitsY(0, 1.02);
        plot.ShowLegend(TrainingCurves.EmptiestCorner(series.Select(s => (s.S.Minutes, s.S.Values)).ToList(), unit ? (0, 1.02) : null));
        plot.Legend.FontSize = 11;
        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }
}
