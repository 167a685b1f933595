using System.Globalization;
using System.Text;
using Dnnmm.Evaluation;

namespace Dnnmm.Cli.Commands;

public static class PredictCommand
{
    public static Command Build()
    {
        var cmd = new Command("predict", "cluster, membership probabilities and (for a mixture model such as dnnmm) log-likelihood of every image, as CSV");
        var data = new DataOptionsBinder();
        var model = new Option<string>("--model") { Description = "run folder of a trained model (any --method)", Required = true };
        var outFile = OutputFileOption.Checked(new Option<string>("--out") { Description = "CSV file to write", Required = true });
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
        data.AddTo(cmd);
        cmd.Add(model); cmd.Add(outFile); cmd.Add(device);
        cmd.SetAction(p =>
        {
            using var method = TrainRun.LoadMethod(p.GetValue(model)!, p.GetValue(device)!);
            var prepared = DataPipeline.Prepare(data.Read(p));
            var probs = method.PredictProbabilities(prepared.Images);
            // log p(x) under the model, like scikit-learn's score_samples, where the method is a mixture density.
            var logLik = (method as IMixtureModel)?.ScoreSamples(prepared.Images);
            int n = probs.GetLength(0), k = probs.GetLength(1);
            var sb = new StringBuilder("index,class,cluster");
            for (int j = 0; j < k; j++) sb.Append(",p_").Append(j);
            if (logLik is not null) sb.Append(",log_likelihood");
            sb.Append('\n');
            var pred = new int[n];
            for (int i = 0; i < n; i++)
            {
                int best = 0;
                for (int j = 1; j < k; j++) if (probs[i, j] > probs[i, best]) best = j;
                pred[i] = best;
                sb.Append(i).Append(',').Append(prepared.Images.ClassNames[prepared.Images.Labels[i]]).Append(',').Append(best);
                for (int j = 0; j < k; j++) sb.Append(',').Append(probs[i, j].ToString("G6", CultureInfo.InvariantCulture));
                if (logLik is not null) sb.Append(',').Append(logLik[i].ToString("G8", CultureInfo.InvariantCulture));
                sb.Append('\n');
            }
            AtomicFile.WriteAllText(p.GetValue(outFile)!, sb.ToString());
            var s = ClusteringMetrics.Score(prepared.Images.Labels, pred);
            p.InvocationConfiguration.Output.WriteLine(
                FormattableString.Invariant($"{n} images -> {p.GetValue(outFile)}  (against the dataset's classes: ACC {s.Acc:F4} ARI {s.Ari:F4} NMI {s.Nmi:F4}") +
                (logLik is null || n == 0 ? ")" : FormattableString.Invariant($"; mean log-likelihood {logLik.Average():F4})")));
            return 0;
        });
        return cmd;
    }
}
