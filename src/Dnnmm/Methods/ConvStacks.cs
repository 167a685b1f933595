using static TorchSharp.torch.nn;

namespace Dnnmm.Methods;

/// <summary>Layer stacks the baselines' networks share, built with the names their saved state dicts use.</summary>
internal static class ConvStacks
{
    /// <summary>
    /// Stride-2 4x4 convolutions conv1 ... conv{stages} with Width, 2 Width, ... channels, each followed by
    /// an activation named <paramref name="activationName"/>1, 2, ...; returns the last one's channels.
    /// </summary>
    /// <summary>
    /// The generator pattern of DCGAN: a fully connected projection of the latent code, reshaped to a
    /// channels x side x side grid, then the upsampling stack.
    /// </summary>
    public static Tensor ProjectAndUpsample(Module<Tensor, Tensor> project, Module<Tensor, Tensor> upsample, Tensor latent, long channels, long side)
    {
        using var h = project.forward(latent);
        using var grid = h.view(-1, channels, side, side);
        return upsample.forward(grid);
    }

    public static long AddDownsampling(List<(string, Module<Tensor, Tensor>)> layers, long inChannels, int width, int stages,
        string activationName, Func<Module<Tensor, Tensor>> activation)
    {
        long ch = width;
        for (int i = 0; i < stages; i++)
        {
            layers.Add(($"conv{i + 1}", Conv2d(inChannels, ch, 4, stride: 2, padding: 1)));
            layers.Add(($"{activationName}{i + 1}", activation()));
            inChannels = ch; ch *= 2;
        }
        return inChannels;
    }
}
