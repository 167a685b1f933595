using Dnnmm.Infrastructure;
using Dnnmm.Methods;
using Dnnmm.Visualisation;

namespace Dnnmm.Tests.Visualisation;

public class TensorBoardLogTests
{
    /// <summary>The records of a TFRecord file (u64 length, u32 masked CRC, data, u32 masked CRC), parsed as events.</summary>
    internal static List<Tensorboard.Event> ReadEvents(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Tensorboard.Event>();
        int i = 0;
        while (i < bytes.Length)
        {
            long len = BitConverter.ToInt64(bytes, i);
            Assert.InRange(len, 1, bytes.Length - i - 16);
            events.Add(Tensorboard.Event.Parser.ParseFrom(bytes, i + 12, (int)len));
            i += 16 + (int)len;
        }
        Assert.Equal(bytes.Length, i);
        return events;
    }

    [Fact]
    public void WritesOneScalarPerValueAndOmegaWithTheEpochAsStep()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("tb");
        var log = new TensorBoardLog(dir);
        Assert.False(Directory.Exists(dir)); // nothing is created before the first epoch
        log.Write(new EpochReport(1, 2, 3.5, new Dictionary<string, double> { ["likelihood"] = -12.5, ["acc"] = 0.75, ["bad"] = double.NaN }, new[] { 0.25f, 0.75f }));
        log.Write(new EpochReport(2, 2, 3.0, new Dictionary<string, double> { ["likelihood"] = -11, ["acc"] = 0.8 }, null));
        Assert.NotNull(log.EventFile);
        Assert.Single(Directory.GetFiles(dir));
        var events = ReadEvents(log.EventFile!);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var scalars = events.Skip(1).SelectMany(e => e.Summary.Value.Select(v => (e.Step, v.Tag, v.SimpleValue))).ToList();
        Assert.Equal(new (long, string, float)[]
        {
            (1, "loss/likelihood", -12.5f), (1, "metrics/acc", 0.75f), (1, "omega/0", 0.25f), (1, "omega/1", 0.75f), (1, "time/epoch_seconds", 3.5f),
            (2, "loss/likelihood", -11f), (2, "metrics/acc", 0.8f), (2, "time/epoch_seconds", 3f),
        }, scalars);
        // wall times are Unix seconds (what TensorBoard expects)
        double now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.All(events.Skip(1), e => Assert.InRange(e.WallTime, now - 600, now + 600));
    }

    [Fact]
    public void AFileInPlaceOfTheFolderIsBadInput()
    {
        using var dir = new TempDir();
        string file = dir.File("tb");
        File.WriteAllText(file, "");
        Assert.Throws<DnnmmInputException>(() => new TensorBoardLog(file));
    }
}
