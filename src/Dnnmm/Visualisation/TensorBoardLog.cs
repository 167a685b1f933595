using Dnnmm.Infrastructure;
using Dnnmm.Methods;

namespace Dnnmm.Visualisation;

/// <summary>
/// Writes the per-epoch figures of a training (<see cref="EpochReport"/>) as TensorBoard scalars, through TorchSharp's
/// torch.utils.tensorboard.SummaryWriter. Tags: loss/&lt;term&gt; for the loss terms, metrics/&lt;name&gt; for everything
/// else a method reports (acc, ari, nmi, log_likelihood, ...), omega/&lt;k&gt; for the mixture weights and
/// time/epoch_seconds; the step is the epoch. The folder and its event file are created at the first write, so a
/// training that fails on bad input leaves nothing behind.
/// </summary>
public sealed class TensorBoardLog
{
    /// <summary>Keys written under loss/ (the terms of the MinMax+EM objective).</summary>
    public static readonly IReadOnlySet<string> LossKeys =
        new HashSet<string> { "likelihood", "labelled_likelihood", "consistency", "adversarial_g", "loss_d" };

    private readonly string dir;
    private TorchSharp.Modules.SummaryWriter? writer;

    /// <summary>Checks that <paramref name="logDir"/> can be a folder (it is not a file); creates nothing yet.</summary>
    public TensorBoardLog(string logDir)
    {
        if (string.IsNullOrWhiteSpace(logDir)) throw new DnnmmInputException("--tensorboard: a folder is required");
        if (File.Exists(logDir)) throw new DnnmmInputException($"--tensorboard {logDir}: is a file, not a folder");
        dir = logDir;
    }

    /// <summary>The log folder.</summary>
    public string Directory => dir;

    /// <summary>The event file written to (null before the first write).</summary>
    public string? EventFile { get; private set; }

    /// <summary>The tag a value of a report is written under.</summary>
    public static string Tag(string key) => (LossKeys.Contains(key) ? "loss/" : "metrics/") + key;

    /// <summary>Appends one epoch's scalars (non-finite values are skipped).</summary>
    public void Write(EpochReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (writer is null)
        {
            var before = System.IO.Directory.Exists(dir)
                ? System.IO.Directory.GetFiles(dir, "events.out.tfevents.*").ToHashSet() : new HashSet<string>();
            writer = torch.utils.tensorboard.SummaryWriter(dir);
            EventFile = System.IO.Directory.GetFiles(dir, "events.out.tfevents.*").FirstOrDefault(f => !before.Contains(f));
        }
        long wall = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        int step = report.Epoch;
        foreach (var (key, value) in report.Values)
            if (double.IsFinite(value)) writer.add_scalar(Tag(key), (float)value, step, wall);
        if (report.Omega is not null)
            for (int k = 0; k < report.Omega.Length; k++)
                writer.add_scalar($"omega/{k}", report.Omega[k], step, wall);
        writer.add_scalar("time/epoch_seconds", (float)report.Seconds, step, wall);
    }
}
