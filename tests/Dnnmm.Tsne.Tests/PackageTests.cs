namespace Dnnmm.Tsne.Tests;

/// <summary>The package stands alone, and its README example does what the README says.</summary>
public class PackageTests
{
    [Fact]
    public void TheAssemblyUsesNothingButTheFramework()
    {
        // No TorchSharp, no dnnmm layer, no other package: any .NET program can take it.
        var refs = typeof(TsneEmbedding).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.NotEmpty(refs);
        Assert.All(refs, name => Assert.True(name.StartsWith("System") || name == "netstandard" || name == "mscorlib", $"Dnnmm.Tsne references {name}"));
    }

    [Fact]
    public void TheReadmeExampleSeparatesThreeBlobs()
    {
        // The code of src/Dnnmm.Tsne/README.md, with its two printed figures asserted instead.
        int n = 300, dim = 50;
        var rng = new Random(1);
        var data = new float[n * dim];
        for (int i = 0; i < n; i++)
            for (int f = 0; f < dim; f++)
                data[i * dim + f] = (f == i % 3 ? 10f : 0f) + (float)(rng.NextDouble() - 0.5);

        TsneResult r = TsneEmbedding.Fit(data, n, dim, new TsneOptions { Perplexity = 30, Seed = 1 });
        double[,] xy = r.Embedding;
        Assert.Equal(TsneMethod.Exact, r.Method);
        Assert.Equal((n, 2), (xy.GetLength(0), xy.GetLength(1)));
        Assert.InRange(r.KlDivergence, 0, 2);

        var low = new float[n * 2];
        for (int i = 0; i < n; i++) { low[2 * i] = (float)xy[i, 0]; low[2 * i + 1] = (float)xy[i, 1]; }
        Assert.InRange(Trustworthiness.Compute(data, low, n, dim, 2, k: 10), 0.9, 1.0);
        Assert.Equal(1.0, Trustworthiness.NearestNeighbourAgreement(xy, Enumerable.Range(0, n).Select(i => i % 3).ToArray()));
    }
}
