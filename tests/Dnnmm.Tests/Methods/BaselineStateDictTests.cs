using Dnnmm.Methods;
using Dnnmm.Methods.ClusterGan;
using Dnnmm.Methods.DynAe;

namespace Dnnmm.Tests.Methods;

/// <summary>The baselines' state-dict keys and shapes are pinned: saved models load only while they stay the same.</summary>
public class BaselineStateDictTests
{
    /// <summary>Checks the keys and shapes of a module's state dict, in order, and disposes the module.</summary>
    private static void AssertKeys(TorchSharp.torch.nn.Module module, string expected)
    {
        using var _ = module;
        var keys = module.state_dict().Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.shape)}]");
        Assert.Equal(expected.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), keys);
    }

    private static readonly ImageShape Mnist = new(1, 28, 28);

    [Fact]
    public void DynAeAutoencoderKeys()
    {
        AssertKeys(new DynAeAutoencoder(Mnist, DynAeArchitecture.Mlp, new[] { 8, 6 }, 3, 4),
            "encoder.fc1.weight [8,784]; encoder.fc1.bias [8]; encoder.fc2.weight [6,8]; encoder.fc2.bias [6];" +
            "encoder.embedding.weight [3,6]; encoder.embedding.bias [3];" +
            "decoder.fc1.weight [6,3]; decoder.fc1.bias [6]; decoder.fc2.weight [8,6]; decoder.fc2.bias [8];" +
            "decoder.out.weight [784,8]; decoder.out.bias [784]");
        AssertKeys(new DynAeAutoencoder(Mnist, DynAeArchitecture.Conv, new[] { 8, 6 }, 3, 4),
            "encoder.conv1.weight [4,1,4,4]; encoder.conv1.bias [4]; encoder.conv2.weight [8,4,4,4]; encoder.conv2.bias [8];" +
            "encoder.embedding.weight [3,392]; encoder.embedding.bias [3]; decoder.fc.weight [392,3]; decoder.fc.bias [392];" +
            "decoder.deconv1.weight [8,4,4,4]; decoder.deconv1.bias [4]; decoder.deconv2.weight [4,1,4,4]; decoder.deconv2.bias [1]");
    }

    [Fact]
    public void ClusterGanGeneratorAndEncoderKeys()
    {
        // the parameters, then the batch-norm buffers
        AssertKeys(new ClusterGanGenerator(7, Mnist, 4, 10),
            "project.fc1.weight [10,7]; project.fc1.bias [10]; project.bn1.weight [10]; project.bn1.bias [10];" +
            "project.fc2.weight [392,10]; project.fc2.bias [392]; upsample.bn2.weight [8]; upsample.bn2.bias [8];" +
            "upsample.deconv1.weight [8,4,4,4]; upsample.deconv1.bias [4]; upsample.bn3.weight [4]; upsample.bn3.bias [4];" +
            "upsample.deconv2.weight [4,1,4,4]; upsample.deconv2.bias [1];" +
            "project.bn1.running_mean [10]; project.bn1.running_var [10]; project.bn1.num_batches_tracked [];" +
            "upsample.bn2.running_mean [8]; upsample.bn2.running_var [8]; upsample.bn2.num_batches_tracked [];" +
            "upsample.bn3.running_mean [4]; upsample.bn3.running_var [4]; upsample.bn3.num_batches_tracked []");
        AssertKeys(new ClusterGanConvNet("clustergan_encoder", Mnist, 4, 10, 5),
            "body.conv1.weight [4,1,4,4]; body.conv1.bias [4]; body.conv2.weight [8,4,4,4]; body.conv2.bias [8];" +
            "body.fc1.weight [10,392]; body.fc1.bias [10]; head.weight [5,10]; head.bias [5]");
    }
}
