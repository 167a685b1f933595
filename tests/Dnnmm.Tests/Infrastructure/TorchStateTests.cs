using Dnnmm.Infrastructure;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Dnnmm.Tests.Infrastructure;

public class TorchStateTests
{
    private static nn.Module<Tensor, Tensor> Net() =>
        Compute.SeededInit(1, () => nn.Sequential(("conv", nn.Conv2d(1, 3, 3)), ("bn", nn.BatchNorm2d(3)), ("flat", nn.Flatten()), ("fc", nn.Linear(12, 2))));

    private static byte[] Saved(Action<BinaryWriter> save)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) save(w);
        return ms.ToArray();
    }

    private static (nn.Module<Tensor, Tensor> Net, Adam Opt) Stepped(bool amsgrad)
    {
        var net = Net();
        var opt = optim.Adam(net.parameters(), 0.01, amsgrad: amsgrad);
        using var x = ones(2, 1, 4, 4);
        net.forward(x).sum().backward();
        opt.step();
        return (net, opt);
    }

    [Fact]
    public void TheWalkOfASavedModuleEndsWhereTheSaveEnded()
    {
        var net = Net();
        var bytes = Saved(w => { net.save(w); w.Write(12345); });
        using var r = new BinaryReader(new MemoryStream(bytes));
        TorchState.WalkModule(net, r);
        Assert.Equal(12345, r.ReadInt32());
        Assert.Equal(bytes.Length, r.BaseStream.Position);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheWalkOfASavedAdamStateEndsWhereTheSaveEnded(bool amsgrad)
    {
        var (net, opt) = Stepped(amsgrad);
        var bytes = Saved(w => { opt.save_state_dict(w); w.Write(777); });
        using var r = new BinaryReader(new MemoryStream(bytes));
        TorchState.WalkAdam(opt, r);
        Assert.Equal(777, r.ReadInt32());
        net.Dispose();
    }

    [Fact]
    public void LoadingRestoresTheSavedWeights()
    {
        var (a, opt) = Stepped(false);
        var bytes = Saved(w => { a.save(w); opt.save_state_dict(w); });
        var b = Net(); // the same initial weights, then a step on other images
        var opt2 = optim.Adam(b.parameters(), 0.01);
        using (var x = full(2, 1, 4, 4, -3.0f)) { b.forward(x).sum().backward(); opt2.step(); }
        Assert.False(a.state_dict()["fc.weight"].allclose(b.state_dict()["fc.weight"], 0, 0));
        using var r = new BinaryReader(new MemoryStream(bytes));
        TorchState.LoadModule(b, r);
        TorchState.LoadAdam(opt2, r);
        Assert.Equal(bytes.Length, r.BaseStream.Position);
        foreach (var (name, t) in a.state_dict())
            Assert.True(t.allclose(b.state_dict()[name], 0, 0), name);
    }

    /// <summary>The header bytes of the first tensor: after the count (1 byte) and the name (length byte + chars).</summary>
    private static int FirstRankAt(nn.Module module)
    {
        string first = module.state_dict().Keys.First();
        return 1 + 1 + first.Length + 1; // count, name, dtype
    }

    [Fact]
    public void AHugeRankIsDamageNotAnAllocation()
    {
        var net = Net();
        var bytes = Saved(w => net.save(w)).ToList();
        int at = FirstRankAt(net);
        Assert.Equal(4, bytes[at]); // the conv weight's rank
        // rank 2^28 (LEB128 80 80 80 80 01): TorchSharp alone would allocate a 2 GiB long[]
        bytes.RemoveAt(at);
        bytes.InsertRange(at, new byte[] { 0x80, 0x80, 0x80, 0x80, 0x01 });
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var r = new BinaryReader(new MemoryStream(bytes.ToArray()));
        Assert.Throws<InvalidDataException>(() => TorchState.LoadModule(net, r));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void AnotherShapeOrATruncatedStateIsDamage()
    {
        var net = Net();
        var bytes = Saved(w => net.save(w));
        int at = FirstRankAt(net);
        var before = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var other = (byte[])bytes.Clone();
        other[at + 1] = 5; // 5 output channels where the module has 3
        using (var r = new BinaryReader(new MemoryStream(other)))
            Assert.Throws<InvalidDataException>(() => TorchState.LoadModule(net, r));
        using (var r = new BinaryReader(new MemoryStream(bytes[..^3])))
            Assert.Throws<EndOfStreamException>(() => TorchState.LoadModule(net, r));
        // nothing was read into the module
        foreach (var (name, t) in net.state_dict()) Assert.True(t.allclose(before[name], 0, 0), name);
    }
}
