using Dnnmm.Data;
using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Data;

public class DatasetSpecTests
{
    [Theory]
    [InlineData("idx:/a/b", DatasetKind.Idx, "/a/b")]
    [InlineData("cifar10:/a/b/", DatasetKind.Cifar10, "/a/b")]
    [InlineData("folder:/x", DatasetKind.Folder, "/x")]
    [InlineData("CelebA:/c", DatasetKind.CelebA, "/c")]
    public void ParsesSchemes(string text, DatasetKind kind, string path)
    {
        var s = DatasetSpec.Parse(text);
        Assert.Equal(kind, s.Kind);
        Assert.Equal(path, s.Path);
        Assert.Equal(text, s.Text);
    }

    [Fact]
    public void RelativePathsBecomeAbsolute()
    {
        var s = DatasetSpec.Parse("folder:some/dir");
        Assert.True(Path.IsPathRooted(s.Path));
        Assert.Equal(Path.GetFullPath("some/dir"), s.Path);
        Assert.Equal($"folder:{s.Path}", s.Display);
    }

    [Theory]
    [InlineData("cifar100:/x")]
    [InlineData("/just/a/path")]
    [InlineData("mnistx")]
    public void UnknownSchemeNamesTheSpecAndTheValidForms(string text)
    {
        AssertOptionError(() => DatasetSpec.Parse(text), "data", $"'{text}' is not a known data source", DatasetSpec.ValidForms);
    }

    [Fact]
    public void EmptyPathIsAnError()
    {
        AssertOptionError(() => DatasetSpec.Parse("idx:"), "data", "'idx:' has no folder");
    }

    [Fact]
    public void ShippedMnistResolvesToTheProductDataFolder()
    {
        string? repoMnist = null;
        for (var d = new DirectoryInfo(Environment.CurrentDirectory); d != null; d = d.Parent)
        {
            string cand = Path.Combine(d.FullName, "data", "mnist");
            if (File.Exists(Path.Combine(cand, "train-images-idx3-ubyte.gz"))) { repoMnist = cand; break; }
        }
        Assert.NotNull(repoMnist);
        var s = DatasetSpec.Parse("mnist");
        Assert.Equal(DatasetKind.Mnist, s.Kind);
        Assert.Equal("mnist (shipped)", s.Display);
        // either the copy next to the program (when the build copies it) or the repository's own folder
        string nextToProgram = Path.Combine(AppContext.BaseDirectory, "data", "mnist");
        Assert.Contains(s.Path, new[] { Path.GetFullPath(nextToProgram), repoMnist });
        foreach (var f in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(repoMnist!, f)), File.ReadAllBytes(Path.Combine(s.Path, f)));
    }
}
