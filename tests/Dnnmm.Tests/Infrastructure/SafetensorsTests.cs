using System.Buffers.Binary;
using System.Text;
using Dnnmm.Infrastructure;
using static TorchSharp.torch;

namespace Dnnmm.Tests.Infrastructure;

public class SafetensorsTests
{
    [Fact]
    public void OneTensorGivesTheBytesTheFormatPrescribes()
    {
        // Known answer, worked out from the format: u64 LE header length, the JSON header padded with spaces to a
        // multiple of 8, then the floats 1 and 2 little-endian (0x3F800000, 0x40000000).
        using var a = tensor(new float[] { 1f, 2f });
        var bytes = Safetensors.Serialize(new Dictionary<string, Tensor> { ["a"] = a });
        const string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        Assert.Equal(54, json.Length);
        var expected = new List<byte> { 56, 0, 0, 0, 0, 0, 0, 0 };
        expected.AddRange(Encoding.ASCII.GetBytes(json + "  "));
        expected.AddRange(new byte[] { 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40 });
        Assert.Equal(expected.ToArray(), bytes);
    }

    [Fact]
    public void TensorsAndMetadataSurviveARoundTripInSortedContiguousOrder()
    {
        using var w = tensor(new float[] { 1.5f, -2f, 3.25f, 0f, 7f, -1e-30f }, new long[] { 2, 3 });
        using var count = tensor(42L);
        using var d = tensor(new double[] { Math.PI, -Math.E });
        using var i = tensor(new int[] { -7, 9, 11 });
        var bytes = Safetensors.Serialize(new Dictionary<string, Tensor> { ["z.weight"] = w, ["b.count"] = count, ["m.d"] = d, ["a.i"] = i },
            new Dictionary<string, string> { ["format"] = "test", ["k"] = "3" });

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + n) % 8);
        Assert.Equal((byte)'{', bytes[8]);
        var file = Safetensors.Parse(bytes);
        Assert.Equal(new[] { "a.i", "b.count", "m.d", "z.weight" }, file.Entries.Select(e => e.Name));
        Assert.Equal(new[] { "I32", "I64", "F64", "F32" }, file.Entries.Select(e => e.DType));
        Assert.Equal(new long[] { 0, 12, 20, 36 }, file.Entries.Select(e => e.Begin));
        Assert.Equal(60, file.Data.Length);
        Assert.Empty(file.Entries[1].Shape); // a scalar has shape []
        Assert.Equal("test", file.Metadata["format"]);
        Assert.Equal("3", file.Metadata["k"]);

        using var w2 = file.ToTensor("z.weight");
        Assert.Equal(new long[] { 2, 3 }, w2.shape);
        Assert.Equal(w.data<float>().ToArray(), w2.data<float>().ToArray());
        using var c2 = file.ToTensor("b.count");
        Assert.Equal(42L, c2.item<long>());
        using var d2 = file.ToTensor("m.d");
        Assert.Equal(d.data<double>().ToArray(), d2.data<double>().ToArray());
        using var i2 = file.ToTensor("a.i");
        Assert.Equal(new[] { -7, 9, 11 }, i2.data<int>().ToArray());
    }

    /// <summary>A file with a hand-written header and data section.</summary>
    private static byte[] Raw(string header, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var b = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)h.Length);
        h.CopyTo(b, 8);
        return b;
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12, "cover 8 of the 12")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "starts at byte 4, not 0")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "needs 12 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8, "outside the 8-byte data section")]
    [InlineData("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "dtype 'Q7'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "not 4")]
    [InlineData("[1,2]", 0, "not a JSON object")]
    [InlineData("{\"a\":", 0, "unreadable header")]
    public void MalformedFilesAreOneLineInputErrors(string header, int dataBytes, string message)
    {
        var e = Assert.Throws<DnnmmInputException>(() => Safetensors.Parse(Raw(header, dataBytes)));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AHeaderLengthBeyondTheFileIsRejected()
    {
        var b = Raw("{}", 0);
        BinaryPrimitives.WriteUInt64LittleEndian(b, 1000);
        Assert.Contains("does not fit", Assert.Throws<DnnmmInputException>(() => Safetensors.Parse(b)).Message);
        Assert.Contains("shorter", Assert.Throws<DnnmmInputException>(() => Safetensors.Parse(new byte[3])).Message);
    }
}
