using Dnnmm.Infrastructure;

namespace Dnnmm.Tests.Infrastructure;

public class ProcessMemoryTests
{
    [Fact]
    public void KilobyteFieldsOfProcStatusParse()
    {
        Assert.Equal(2457836L * 1024, ProcessMemory.ParseKb("\t 2457836 kB"));
        Assert.Null(ProcessMemory.ParseKb(" 12 MB"));
        Assert.Null(ProcessMemory.ParseKb(" -3 kB"));
        Assert.Null(ProcessMemory.ParseKb(""));
        Assert.Equal("2.34 GiB", ProcessMemory.Gib(2457836L * 1024));
    }

    [Fact]
    public void ThePeakIsAtLeastTheResidentSetOnLinux()
    {
        if (!File.Exists("/proc/self/status")) return;
        var now = ProcessMemory.ResidentBytes();
        var peak = ProcessMemory.PeakResidentBytes();
        Assert.NotNull(now);
        Assert.NotNull(peak);
        Assert.True(peak >= now && now > 1_000_000);
    }
}
