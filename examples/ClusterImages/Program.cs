// Clusters the images of a folder: dotnet run --project examples/ClusterImages -- <folder> <clusters> [epochs] [model-dir]
using Dnnmm.Clustering;

string folder = args[0];
int clusters = int.Parse(args[1]);
int epochs = args.Length > 2 ? int.Parse(args[2]) : 20;
string modelDir = args.Length > 3 ? args[3] : "cluster-model";
string[] files = Directory.GetFiles(folder, "*.png").Concat(Directory.GetFiles(folder, "*.jpg")).Order().ToArray();

var options = new DnnmmClustererOptions { Clusters = clusters, Epochs = epochs, Channels = 3, ImageSize = 32 };
using var clusterer = new DnnmmClusterer(options);
clusterer.Fit(files);                        // no labels; or one per file: a cluster index, -1 = unknown

int[] cluster = clusterer.Predict(files);
double[] logLikelihood = clusterer.ScoreSamples(files);
for (int i = 0; i < files.Length; i++)
    Console.WriteLine($"{Path.GetFileName(files[i])}: cluster {cluster[i]}, log-likelihood {logLikelihood[i]:F2}");

float[,,,] samples = clusterer.Sample(cluster: 0, n: 4);    // 4 x 3 x 32 x 32, pixels in [0, 1]
clusterer.Save(modelDir, overwrite: true);                  // a run folder: dnnmm predict --model <dir> --data folder:<folder>
using var loaded = DnnmmClusterer.Load(modelDir);
Console.WriteLine($"omega {string.Join(" ", loaded.Omega.Select(w => w.ToString("F2")))}, "
    + $"same clusters after loading: {loaded.Predict(files).SequenceEqual(cluster)}");
