using SkiaSharp;
using Dnnmm.Infrastructure;
using Dnnmm.Methods;

namespace Dnnmm.Visualisation;

/// <summary>One panel of <see cref="TrainingCurves"/>: a title and the metric keys drawn in it.</summary>
/// <param name="Omega">Draw the mixture weights omega_k (one line per component) instead of keys.</param>
/// <param name="UnitRange">Fix the y axis to [0, 1] (for ACC, ARI, NMI).</param>
public sealed record CurvePanel(string Title, IReadOnlyList<string> Keys, string YLabel, bool Omega = false, bool UnitRange = false);

/// <summary>
/// Training curves per epoch from a run's metrics.json (a list of <see cref="EpochRow"/>): the loss terms, the
/// clustering metrics, the log-likelihood and the mixture weights, as PNG bytes (independent of the CLI).
/// </summary>
public static class TrainingCurves
{
    /// <summary>The loss terms of MinMax+EM (each in its own panel: their scales differ by orders of magnitude).</summary>
    public static readonly IReadOnlyList<CurvePanel> LossPanels = new[]
    {
        new CurvePanel("likelihood term", new[] { "likelihood", "labelled_likelihood" }, "mean log omega N(E(x); mu, I)"),
        new CurvePanel("consistency term", new[] { "consistency" }, "mean ||y - E(G(y))||^2"),
        new CurvePanel("adversarial losses", new[] { "adversarial_g", "loss_d" }, "G: -log D(G(y)); D: BCE"),
    };

    /// <summary>The clustering metrics, the latent log-likelihood, omega, and the sample scores of runs with a reference classifier.</summary>
    public static readonly IReadOnlyList<CurvePanel> MetricPanels = new[]
    {
        new CurvePanel("clustering metrics", new[] { "acc", "ari", "nmi", "acc_unlabelled" }, "score", UnitRange: true),
        new CurvePanel("log-likelihood of E(x)", new[] { "log_likelihood" }, "mean log P(E(x))"),
        new CurvePanel("mixture weights omega", Array.Empty<string>(), "omega_k", Omega: true),
        new CurvePanel("sample purity (reference classifier)", new[] { "sample_purity" }, "purity", UnitRange: true),
        new CurvePanel("Fréchet distance (reference features, FID-like)", new[] { "frechet" }, "distance"),
    };

    /// <summary><see cref="LossPanels"/> then <see cref="MetricPanels"/>.</summary>
    public static IReadOnlyList<CurvePanel> AllPanels => LossPanels.Concat(MetricPanels).ToArray();

    /// <summary>Every panel of <see cref="AllPanels"/> that has data, in a grid of 3 columns, under an optional title.</summary>
    public static byte[] ToPng(IReadOnlyList<EpochRow> rows, string? title = null, int panelWidth = 480, int panelHeight = 340) =>
        ToPng(rows, AllPanels, title, 3, panelWidth, panelHeight);

    /// <summary>The loss panels only.</summary>
    public static byte[] LossesPng(IReadOnlyList<EpochRow> rows, string? title = null, int panelWidth = 480, int panelHeight = 340) =>
        ToPng(rows, LossPanels, title, 3, panelWidth, panelHeight);

    /// <summary>The metric panels only.</summary>
    public static byte[] MetricsPng(IReadOnlyList<EpochRow> rows, string? title = null, int panelWidth = 480, int panelHeight = 340) =>
        ToPng(rows, MetricPanels, title, 3, panelWidth, panelHeight);

    /// <summary>Whether a panel has anything to draw for these rows.</summary>
    public static bool HasData(IReadOnlyList<EpochRow> rows, CurvePanel panel) =>
        panel.Omega ? rows.Any(r => r.Omega is { Length: > 0 }) : panel.Keys.Any(k => rows.Any(r => r.Values.ContainsKey(k)));

    /// <summary>
    /// The panels that have data (others are left out), <paramref name="columns"/> per row, each
    /// <paramref name="panelWidth"/> x <paramref name="panelHeight"/>, with a title band on top when a title is given.
    /// Throws <see cref="DnnmmInputException"/> when there are no rows or nothing to draw.
    /// </summary>
    public static byte[] ToPng(IReadOnlyList<EpochRow> rows, IReadOnlyList<CurvePanel> panels, string? title, int columns,
        int panelWidth = 480, int panelHeight = 340)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(panels);
        if (rows.Count == 0) throw new DnnmmInputException("metrics: no epochs to plot");
        if (columns < 1) throw new ArgumentException("columns must be at least 1", nameof(columns));
        if (panelWidth < 100 || panelHeight < 100) throw new ArgumentException("panels must be at least 100 x 100 pixels");
        var used = panels.Where(p => HasData(rows, p)).ToList();
        if (used.Count == 0) throw new DnnmmInputException("metrics: none of the plotted values (" +
            string.Join(", ", panels.SelectMany(p => p.Omega ? new[] { "omega" } : p.Keys)) + ") is in the rows");

        var pngs = used.Select(p => PanelPng(rows, p, panelWidth, panelHeight)).ToList();
        int cols = Math.Min(columns, pngs.Count), gridRows = (pngs.Count + cols - 1) / cols;
        int band = string.IsNullOrEmpty(title) ? 0 : 34;
        var info = new SKImageInfo(cols * panelWidth, band + gridRows * panelHeight, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        if (band > 0)
        {
            using var font = new SKFont(SKTypeface.Default, TitleSize(title!, info.Width));
            using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText(title!, info.Width / 2f, 24, SKTextAlign.Center, font, paint);
        }
        for (int i = 0; i < pngs.Count; i++)
        {
            using var bmp = SKBitmap.Decode(pngs[i]);
            canvas.DrawBitmap(bmp, (i % cols) * panelWidth, band + (i / cols) * panelHeight);
        }
        using var img = surface.Snapshot();
        using var data = img.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The title's font size: 18, or smaller (down to 8) so that the title fits the width with a margin.</summary>
    internal static float TitleSize(string title, int width)
    {
        const float full = 18, least = 8;
        using var font = new SKFont(SKTypeface.Default, full);
        float w = font.MeasureText(title), room = width - 16;
        return w <= room ? full : Math.Max(least, full * room / w);
    }

    /// <summary>One panel as PNG bytes: a line with markers per key (or per omega component) against the epoch.</summary>
    public static byte[] PanelPng(IReadOnlyList<EpochRow> rows, CurvePanel panel, int width = 480, int height = 340)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(panel);
        using var plot = new ScottPlot.Plot();
        PlotStyle.Apply(plot);
        var series = new List<(string Name, double[] X, double[] Y)>();
        if (panel.Omega)
        {
            int k = rows.Max(r => r.Omega?.Length ?? 0);
            for (int c = 0; c < k; c++)
            {
                var rs = rows.Where(r => r.Omega is not null && c < r.Omega.Length).ToArray();
                series.Add(($"omega_{c}", rs.Select(r => (double)r.Epoch).ToArray(), rs.Select(r => (double)r.Omega[c]).ToArray()));
            }
        }
        else
        {
            foreach (var key in panel.Keys)
            {
                var rs = rows.Where(r => r.Values.TryGetValue(key, out var v) && double.IsFinite(v)).ToArray();
                if (rs.Length > 0) series.Add((key, rs.Select(r => (double)r.Epoch).ToArray(), rs.Select(r => r.Values[key]).ToArray()));
            }
        }
        for (int s = 0; s < series.Count; s++)
        {
            var (name, x, y) = series[s];
            var sc = plot.Add.Scatter(x, y, PlotStyle.GroupColour(s));
            sc.LegendText = name;
            sc.LineWidth = 2;
            sc.MarkerSize = x.Length <= 60 ? 5 : 0;
        }
        plot.Title(panel.Title, 14);
        plot.XLabel("epoch", 12);
        plot.YLabel(panel.YLabel, 12);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (panel.UnitRange) plot.Axes.SetLimitsY(0, 1.02);
        if (rows.Count == 1)
        {
            double e = rows[0].Epoch;
            plot.Axes.SetLimitsX(e - 1, e + 1);
        }
        if (series.Count > 0)
        {
            plot.ShowLegend(EmptiestCorner(series.Select(q => (q.X, q.Y)).ToList(), panel.UnitRange ? (0, 1.02) : null));
            plot.Legend.FontSize = 10;
        }
        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }

    /// <summary>
    /// The corner of the data area that the curves (sampled along their segments) cross least, preferring lower right,
    /// then upper right, lower left, upper left: where the legend hides the least.
    /// </summary>
    internal static ScottPlot.Alignment EmptiestCorner(IReadOnlyList<(double[] X, double[] Y)> series, (double Lo, double Hi)? yRange = null)
    {
        var pts = new List<(double X, double Y)>();
        foreach (var (x, y) in series)
        {
            for (int i = 0; i < x.Length; i++)
            {
                pts.Add((x[i], y[i]));
                if (i + 1 < x.Length)
                    for (int t = 1; t < 10; t++)
                        pts.Add((x[i] + (x[i + 1] - x[i]) * t / 10.0, y[i] + (y[i + 1] - y[i]) * t / 10.0));
            }
        }
        if (pts.Count == 0) return ScottPlot.Alignment.LowerRight;
        double x0 = pts.Min(p => p.X), x1 = pts.Max(p => p.X);
        double y0 = yRange?.Lo ?? pts.Min(p => p.Y), y1 = yRange?.Hi ?? pts.Max(p => p.Y);
        double w = x1 > x0 ? x1 - x0 : 1, h = y1 > y0 ? y1 - y0 : 1;
        var corners = new[]
        {
            (ScottPlot.Alignment.LowerRight, Right: true, Upper: false),
            (ScottPlot.Alignment.UpperRight, Right: true, Upper: true),
            (ScottPlot.Alignment.LowerLeft, Right: false, Upper: false),
            (ScottPlot.Alignment.UpperLeft, Right: false, Upper: true),
        };
        var best = corners[0].Item1;
        int bestCount = int.MaxValue;
        foreach (var (align, right, upper) in corners)
        {
            int count = pts.Count(p =>
            {
                double u = (p.X - x0) / w, v = (p.Y - y0) / h;
                return (right ? u >= 0.5 : u <= 0.5) && (upper ? v >= 0.55 : v <= 0.45);
            });
            if (count < bestCount) { bestCount = count; best = align; }
        }
        return best;
    }
}
