using Dnnmm.Infrastructure;
using Dnnmm.Experiments;

namespace Dnnmm.Tests.Experiments;

public class ResultsCsvTests
{
    private static readonly ResultRow[] Rows =
    {
        new("mnist5", "0;1;2;3;4", "dnnmm", 0.01, 1, 0.98371234567891, 0.9612345678, 0.9512345, -14.123456789, 123.456, "0123456789ab"),
        new("mnist5", "0;1;2;3;4", "clustergan", 0.5, 2, 1.0 / 3, 2.0 / 3, 0.1 + 0.2, null, 0.001, "ba9876543210"),
        new("odd, \"name\"\nnext", "a,b", "m\"x", 1e-7, -3, 0, -0.5, 1, double.NegativeInfinity, 1e10, ""),
    };

    [Fact]
    public void WriteThenReadGivesTheSameRows()
    {
        using var dir = new TempDir();
        string path = dir.File("results.csv");
        ResultsCsv.Write(path, Rows);
        Assert.Equal(Rows, ResultsCsv.Read(path));
        Assert.StartsWith(ResultsCsv.Header + "\n", File.ReadAllText(path));
    }

    [Fact]
    public void FieldsWithCommasQuotesOrNewlinesAreQuoted()
    {
        Assert.Equal("plain", Csv.Field("plain"));
        Assert.Equal("\"a,b\"", Csv.Field("a,b"));
        Assert.Equal("\"say \"\"hi\"\"\"", Csv.Field("say \"hi\""));
        Assert.Equal("\"two\nlines\"", Csv.Field("two\nlines"));
        var text = ResultsCsv.ToText(Rows.Skip(1).Take(1));
        Assert.Equal(ResultsCsv.Header + "\n" +
            "mnist5,0;1;2;3;4,clustergan,0.5,2,0.3333333333333333,0.6666666666666666,0.30000000000000004,,0.001,ba9876543210\n", text);
    }

    [Fact]
    public void CrLfAndAMissingLastLineEndAreAccepted()
    {
        // (The third row has a newline inside a quoted field, which is kept as it is.)
        var text = ResultsCsv.ToText(Rows.Take(2)).Replace("\n", "\r\n").TrimEnd();
        Assert.Equal(Rows.Take(2), ResultsCsv.Parse(text, "x.csv"));
        Assert.Empty(ResultsCsv.Parse(ResultsCsv.Header, "x.csv"));
    }

    [Theory]
    [InlineData("dataset,classes,method\n", "line 1: wrong header")]
    [InlineData("", "line 1: empty file")]
    [InlineData("H\nmnist5,c,dnnmm,0.1,1,0.9,0.8,0.7,,12\n", "line 2: 10 fields, expected 11")]
    [InlineData("H\nmnist5,c,dnnmm,0.1,1,0.9,0.8,0.7,,12,h\n\nmnist5,c,dnnmm,0.1,2,0.9,oops,0.7,,12,h\n", "line 4: ari 'oops' is not a number")]
    [InlineData("H\n\"a\nb\",c,dnnmm,0.1,1.5,0.9,0.8,0.7,,12,h\n", "line 2: seed '1.5' is not an integer")]
    [InlineData("H\n\"a\nb\",c,dnnmm,0.1,1,0.9,0.8,0.7,,12,h\nx,c,dnnmm,0.1,1,0.9,0.8,0.7,x,12,h\n", "line 4: log_likelihood 'x' is not a number")]
    [InlineData("H\n\"open,c\n", "line 2: a quoted field is not closed")]
    public void MalformedFilesGiveOneLineErrorsNamingFileAndLine(string text, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("bad.csv");
        File.WriteAllText(path, text.Replace("H\n", ResultsCsv.Header + "\n"));
        var e = Assert.Throws<DnnmmInputException>(() => ResultsCsv.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AMissingFileIsAnInputError()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DnnmmInputException>(() => ResultsCsv.Read(dir.File("none.csv")));
        Assert.Contains("none.csv", e.Message);
    }
}
