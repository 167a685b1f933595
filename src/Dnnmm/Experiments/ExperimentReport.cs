using System.Text;
using Dnnmm.Infrastructure;

namespace Dnnmm.Experiments;

/// <summary>A picture to show in a report (e.g. a t-SNE plot or a grid of generated images).</summary>
/// <param name="Path">A PNG file; left out of the report when it does not exist.</param>
public sealed record ReportPicture(string Title, string Path);

/// <summary>What a report says about how its results were made.</summary>
/// <param name="Command">The command line that ran the grid.</param>
/// <param name="Machine">The machine it ran on, in words.</param>
/// <param name="Pictures">Further pictures to show after the plots.</param>
/// <param name="Notes">Free text shown under the header; null: none.</param>
public sealed record ReportInfo(string Title, string Command, string Machine, IReadOnlyList<ReportPicture> Pictures, string? Notes = null,
    string Reference = ExperimentReport.DefaultReference);

/// <summary>
/// The report of an experiment grid, in one folder: results.csv, summary.md (header, tables, paired tests, links to
/// the plots), summary.html (the tables only), plots/*.png (<see cref="ExperimentPlots"/>) and report.html, one
/// self-contained page (inline CSS, every picture embedded as a data URI) with all of it.
/// </summary>
public static class ExperimentReport
{
    /// <summary>The reference method of the paired tests.</summary>
    public const string DefaultReference = "dnnmm";

    /// <summary>
    /// Writes the report of <paramref name="rows"/> into <paramref name="outDir"/> (created when missing; every file
    /// written atomically). With no rows the report says that no runs have finished yet.
    /// </summary>
    public static void Write(string outDir, IReadOnlyList<ResultRow> rows, ReportInfo info)
    {
        ArgumentNullException.ThrowIfNull(outDir);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(info);
        Directory.CreateDirectory(outDir);
        ResultsCsv.Write(Path.Combine(outDir, "results.csv"), rows);
        var plots = ExperimentPlots.Write(rows, Path.Combine(outDir, "plots"));
        var pictures = (info.Pictures ?? Array.Empty<ReportPicture>()).Where(p => File.Exists(p.Path)).ToList();

        AtomicFile.WriteAllText(Path.Combine(outDir, "summary.md"), SummaryMarkdown(outDir, rows, info, plots, pictures));
        AtomicFile.WriteAllText(Path.Combine(outDir, "summary.html"),
            Page(info.Title, $"<h1>{H(info.Title)}</h1>\n" + SummaryTables.Html(rows, info.Reference)));
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.html"), ReportHtml(rows, info, plots, pictures));
    }

    private static string SummaryMarkdown(string outDir, IReadOnlyList<ResultRow> rows, ReportInfo info,
        IReadOnlyList<string> plots, IReadOnlyList<ReportPicture> pictures)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(OneLine(info.Title)).Append("\n\n");
        sb.Append("Command:\n\n```\n").Append(info.Command).Append("\n```\n\n");
        sb.Append("Machine: ").Append(OneLine(info.Machine)).Append("\n\n");
        if (!string.IsNullOrWhiteSpace(info.Notes)) sb.Append(info.Notes.Trim()).Append("\n\n");
        sb.Append(Counts(rows)).Append("\n\n");
        sb.Append(SummaryTables.Markdown(rows, info.Reference)).Append('\n');
        if (plots.Count > 0)
        {
            sb.Append("## Plots\n\n");
            foreach (var p in plots)
                sb.Append("![").Append(Path.GetFileNameWithoutExtension(p)).Append("](").Append(Link(outDir, p)).Append(")\n\n");
        }
        if (pictures.Count > 0)
        {
            sb.Append("## Pictures\n\n");
            foreach (var p in pictures)
                sb.Append("![").Append(OneLine(p.Title)).Append("](").Append(Link(outDir, p.Path)).Append(")\n\n");
        }
        return sb.ToString();
    }

    private static string ReportHtml(IReadOnlyList<ResultRow> rows, ReportInfo info, IReadOnlyList<string> plots,
        IReadOnlyList<ReportPicture> pictures)
    {
        var sb = new StringBuilder();
        sb.Append("<h1>").Append(H(info.Title)).Append("</h1>\n");
        sb.Append("<p><b>Command</b></p>\n<pre>").Append(H(info.Command)).Append("</pre>\n");
        sb.Append("<p><b>Machine</b>: ").Append(H(info.Machine)).Append("</p>\n");
        if (!string.IsNullOrWhiteSpace(info.Notes)) sb.Append("<p class=\"notes\">").Append(H(info.Notes.Trim())).Append("</p>\n");
        sb.Append("<p>").Append(H(Counts(rows))).Append("</p>\n");
        sb.Append(SummaryTables.Html(rows, info.Reference));
        if (plots.Count > 0)
        {
            sb.Append("<h2>Plots</h2>\n<div class=\"plots\">\n");
            foreach (var p in plots) sb.Append(Figure(Path.GetFileNameWithoutExtension(p), p));
            sb.Append("</div>\n");
        }
        if (pictures.Count > 0)
        {
            sb.Append("<h2>Pictures</h2>\n<div class=\"pictures\">\n");
            foreach (var p in pictures) sb.Append(Figure(p.Title, p.Path));
            sb.Append("</div>\n");
        }
        return Page(info.Title, sb.ToString());
    }

    private static string Counts(IReadOnlyList<ResultRow> rows) =>
        rows.Count == 0
            ? "No finished runs yet."
            : $"{rows.Count} finished runs: {rows.Select(r => r.Dataset).Distinct().Count()} dataset(s), " +
              $"{rows.Select(r => r.Method).Distinct().Count()} method(s), {rows.Select(r => r.Alpha).Distinct().Count()} alpha(s).";

    private static string Figure(string title, string pngPath) =>
        $"<figure><img alt=\"{H(title)}\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(pngPath))}\">" +
        $"<figcaption>{H(title)}</figcaption></figure>\n";

    private const string Css = """
        body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1400px; padding: 0 1em; color: #222; }
        h1 { font-size: 1.6em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; }
        pre { background: #f4f4f4; padding: 0.6em; white-space: pre-wrap; word-break: break-all; }
        table { border-collapse: collapse; margin: 0.8em 0 1.4em; font-size: 0.92em; }
        caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; white-space: nowrap; }
        th { background: #f0f0f0; }
        td.best { background: #eef6ee; } td.sig { background: #fff3e0; }
        figure { display: inline-block; margin: 0.5em; vertical-align: top; }
        figure img { max-width: 100%; border: 1px solid #ddd; }
        figcaption { text-align: center; font-size: 0.9em; color: #555; }
        """;

    private static string Page(string title, string body) =>
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + H(title) + "</title>\n<style>\n" +
        Css + "\n</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";

    private static string Link(string outDir, string path) =>
        Path.GetRelativePath(Path.GetFullPath(outDir), Path.GetFullPath(path)).Replace('\\', '/').Replace(" ", "%20")
            .Replace("(", "%28").Replace(")", "%29");

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");

    private static string H(string s) => SummaryTables.HtmlText(s);
}
