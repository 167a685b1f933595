using static TorchSharp.torch;
using Dnnmm.Methods;
using Dnnmm.Methods.Dnnmm;

namespace Dnnmm.Tests.Methods.Dnnmm;

public class ScoreSamplesTests
{
    [Fact]
    public void ScoreSamplesIsTheMixtureLogLikelihoodOfTheEncodingsInEveryBatch()
    {
        var train = TinyData.Make();
        using var m = new DnnmmMethod(new DnnmmOptions { Epochs = 1, BatchSize = 16, LabelledBatchSize = 8, NetworkWidth = 8, Threads = 1 }, 1);
        m.Fit(new FitInput(train, TinyData.Labelled(train, 2)), new FitContext());
        // Unequal weights, so that omega enters the sum; more images than one batch of 500.
        using (var w = tensor(new[] { 0.6f, 0.3f, 0.1f })) m.Model.Mixture.SetOmega(w);
        var data = TinyData.Make(perClass: 210, seed: 8);
        IMixtureModel mixture = m;

        var scores = mixture.ScoreSamples(data);

        Assert.Equal(new[] { 0.6f, 0.3f, 0.1f }, mixture.Omega);
        var expected = GmmLikelihoodReference.LogLikelihoods(m.Encode(data), m.LatentDim, m.Model.ComponentMeans(), mixture.Omega);
        Assert.Equal(data.Count, scores.Length);
        for (int i = 0; i < scores.Length; i++)
            Assert.True(Math.Abs(scores[i] - expected[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])),
                $"image {i}: {scores[i]} vs reference {expected[i]}");
        // The -(d/2) log(2 pi) constant is in: no image is likelier than the peak of one unit Gaussian.
        Assert.All(scores, s => Assert.True(s <= -0.5 * m.LatentDim * Math.Log(2 * Math.PI) + 1e-4));
    }
}
