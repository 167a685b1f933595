using System.Globalization;
using System.Text;
using Dnnmm.Evaluation;

namespace Dnnmm.Cli.Commands;

public static class PredictCommand
{
    public static Command Build()
    {
        var cmd = new Command("predict", "cluster, membership probabilities and (for a mixture model such as dnnmm) log-likelihood of every image, as CSV; "
            + "without --data, the model's own data (its options.json)");
        var data = new DataOptionsBinder();
        var model = new Option<string>("--model") { Description = "run folder of a trained model (any --method)", Required = true };
        var outFile = OutputFileOption.Checked(new Option<string>("--out") { Description = "CSV file to write", Required = true });
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
        data.AddTo(cmd);
        data.Data.Description = "dataset (default: the data the model was trained on, from its options.json): " + data.Data.Description;
        cmd.Add(model); cmd.Add(outFile); cmd.Add(device);
        cmd.SetAction(p =>
        {
            string runDir = p.GetValue(model)!;
            var info = TrainRun.ReadModelInfo(runDir);
            var options = DataOptionsFor(p, data, runDir, info);
            using var method = TrainRun.LoadMethod(runDir, p.GetValue(device)!);
            var prepared = DataPipeline.Prepare(options);
            var images = prepared.Images;
            var probs = method.PredictProbabilities(images);
            // log p(x) under the model, like scikit-learn's score_samples, where the method is a mixture density.
            var logLik = (method as IMixtureModel)?.ScoreSamples(images);
            int n = probs.GetLength(0), k = probs.GetLength(1);
            var sb = new StringBuilder("index");
            if (images.Files is not null) sb.Append(",file");
            sb.Append(",class,cluster");
            for (int j = 0; j < k; j++) sb.Append(",p_").Append(j);
            if (logLik is not null) sb.Append(",log_likelihood");
            sb.Append('\n');
            var pred = new int[n];
            for (int i = 0; i < n; i++)
            {
                int best = 0;
                for (int j = 1; j < k; j++) if (probs[i, j] > probs[i, best]) best = j;
                pred[i] = best;
                sb.Append(i);
                if (images.Files is not null) sb.Append(',').Append(Csv.Field(images.Files[i]));
                int y = images.Labels[i];
                sb.Append(',').Append(y >= 0 ? Csv.Field(images.ClassNames[y]) : "").Append(',').Append(best);
                for (int j = 0; j < k; j++) sb.Append(',').Append(probs[i, j].ToString("G6", CultureInfo.InvariantCulture));
                if (logLik is not null) sb.Append(',').Append(logLik[i].ToString("G8", CultureInfo.InvariantCulture));
                sb.Append('\n');
            }
            AtomicFile.WriteAllText(p.GetValue(outFile)!, sb.ToString());
            string from = data.GivesData(p) ? "" : $" (the model's data: {options.Data})";
            string scores;
            if (images.AllLabelled)
            {
                var s = ClusteringMetrics.Score(images.Labels, pred);
                scores = FormattableString.Invariant($"against the dataset's classes: ACC {s.Acc:F4} ARI {s.Ari:F4} NMI {s.Nmi:F4}");
                if (!images.ClassNames.SequenceEqual(info.ClassNames))
                    scores += $"; note: the model's classes are {string.Join(",", info.ClassNames)}, the data's {string.Join(",", images.ClassNames)}";
            }
            else
                scores = $"{images.Labels.Count(l => l >= 0)} of the images have a class: no ACC/ARI/NMI";
            p.InvocationConfiguration.Output.WriteLine(
                $"{n} images{from} -> {p.GetValue(outFile)}  ({scores}" +
                (logLik is null || n == 0 ? ")" : FormattableString.Invariant($"; mean log-likelihood {logLik.Average():F4})")));
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// The data to predict: without --data, the model's own data options (its options.json; the shipped MNIST for a model
    /// folder without one) with the data options given on the command line in their place. With --data: the options given,
    /// and for folder/celeba data the model's image size and channels where not given (the images are resized to what the model takes), and for a flat folder the model's K.
    /// </summary>
    private static DataOptions DataOptionsFor(ParseResult p, DataOptionsBinder binder, string runDir, SavedModelInfo info)
    {
        var folder = new RunFolder(runDir);
        var trained = folder.HasOptions ? TrainRun.ReadOptions(runDir).Data : null;
        if (!binder.GivesData(p))
            return binder.Read(p, trained);
        var o = binder.Read(p);
        var spec = DatasetSpec.Parse(o.Data);
        if (spec.Kind is not (DatasetKind.Folder or DatasetKind.CelebA)) return o;
        o = o with { ImageSize = o.ImageSize ?? (info.Height == info.Width ? info.Height : null), Channels = o.Channels ?? info.Channels };
        if (spec.Kind == DatasetKind.Folder && o.Clusters is null && ImageFolderReader.IsFlat(spec.Path))
            o = o with { Clusters = info.Clusters };
        return o;
    }
}
