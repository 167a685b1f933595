
namespace Dnnmm.Cli.Commands;

/// <summary>The options that choose a dataset and the paper's protocol, shared by every command that reads data.</summary>
public sealed class DataOptionsBinder
{
    private static readonly DataOptions Defaults = new();

    public readonly Option<string> Data = new("--data") { Description = "dataset: mnist (shipped), idx:<dir>, cifar10:<dir>, folder:<dir>, celeba:<dir>", DefaultValueFactory = _ => Defaults.Data };
    public readonly Option<string> Split = new("--split") { Description = "train or test (idx and cifar10 specs)", DefaultValueFactory = _ => Defaults.Split };
    public readonly Option<string?> Classes = new("--classes") { Description = "comma-separated class names (or indices); celeba: attribute names; default: all" };
    public readonly Option<int?> PerClass = new("--per-class") { Description = "images per class (the first N of each class); default: all" };
    public readonly Option<double> Alpha = new("--alpha") { Description = "supervision level: fraction of labelled images per class, in [0, 1]", DefaultValueFactory = _ => Defaults.Alpha };
    public readonly Option<double> Noise = new("--noise-std") { Description = "std of additive Gaussian pixel noise (pixels in [0, 1], clamped)", DefaultValueFactory = _ => Defaults.NoiseStd };
    public readonly Option<int> Seed = new("--seed") { Description = "seed for noise, labelled subset and training", DefaultValueFactory = _ => Defaults.Seed };
    public readonly Option<int?> Channels = new("--channels") { Description = "1 (grey) or 3 (RGB) for folder and celeba specs (default 3)" };
    public readonly Option<int?> ImageSize = new("--image-size") { Description = "resize side (celeba: default 64; folder: optional)" };

    public void AddTo(Command c)
    {
        c.Add(Data); c.Add(Split); c.Add(Classes); c.Add(PerClass); c.Add(Alpha); c.Add(Noise); c.Add(Seed); c.Add(ImageSize); c.Add(Channels);
    }

    public DataOptions Read(ParseResult p)
    {
        var classes = p.GetValue(Classes);
        return Defaults with
        {
            Data = p.GetValue(Data)!,
            Split = p.GetValue(Split)!,
            Classes = string.IsNullOrWhiteSpace(classes) ? null : classes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            PerClass = p.GetValue(PerClass),
            Alpha = p.GetValue(Alpha),
            NoiseStd = p.GetValue(Noise),
            Seed = p.GetValue(Seed),
            ImageSize = p.GetValue(ImageSize),
            Channels = p.GetValue(Channels),
        };
    }
}
