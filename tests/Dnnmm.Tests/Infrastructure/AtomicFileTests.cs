using Dnnmm.Infrastructure;

namespace Dnnmm.Tests.Infrastructure;

public class AtomicFileTests
{
    [Fact]
    public void WritesTheBytesAndLeavesNoTemporaryFile()
    {
        using var dir = new TempDir();
        string path = dir.File("x.txt");
        AtomicFile.WriteAllText(path, "one");
        AtomicFile.WriteAllText(path, "two");
        Assert.Equal("two", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AnExistingFolderAsTheTargetIsAOneLineInputErrorAndKeepsTheFolder()
    {
        using var dir = new TempDir();
        string folder = dir.Sub("out");
        File.WriteAllText(Path.Combine(folder, "keep.txt"), "k");
        var e = Assert.Throws<DnnmmInputException>(() => AtomicFile.WriteAllText(folder, "x"));
        Assert.Contains("is a folder", e.Message);
        Assert.Equal("k", File.ReadAllText(Path.Combine(folder, "keep.txt")));
        Assert.Single(Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories));
    }
}
