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
        new("imb5", "0;1;2;3;4", "dnnmm", 0.1, 3, 0.97, 0.93, 0.91, -13.5, 60, "0123456789ab")
        {
            Unlabelled = new Scores(0.9712345678901, 0.92, 0.9), Test = new Scores(0.96, 0.915, 0.89),
            Omega = new[] { 0.5f, 0.26f, 0.13f, 0.07f, 0.04f }, ClassProportions = new[] { 1000f / 1937, 500f / 1937, 250f / 1937, 125f / 1937, 62f / 1937 },
            SamplePurity = 0.8712345678901, Frechet = 12.345678901234,
        },
    };

    /// <summary>The header of results.csv before the unlabelled-only and test scores, omega and class proportions.</summary>
    private const string OldHeader = "dataset,classes,method,alpha,seed,acc,ari,nmi,log_likelihood,seconds,options_hash";

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
            "mnist5,0;1;2;3;4,clustergan,0.5,2,0.3333333333333333,0.6666666666666666,0.30000000000000004,,0.001,ba9876543210,,,,,,,,,,\n", text);
    }

    [Fact]
    public void TheNewColumnsComeLastAndAreEmptyWhenNull()
    {
        Assert.StartsWith(OldHeader + ",", ResultsCsv.Header);
        Assert.EndsWith(",acc_unlabelled,ari_unlabelled,nmi_unlabelled,acc_test,ari_test,nmi_test,omega,class_proportions,purity,frechet", ResultsCsv.Header);
        var line = ResultsCsv.ToText(Rows.Skip(3)).Split('\n')[1].Split(',');
        Assert.Equal(new[] { "0.9712345678901", "0.92", "0.9", "0.96", "0.915", "0.89", "0.5;0.26;0.13;0.07;0.04" }, line[11..18]);
        Assert.Equal(Rows[3].ClassProportions, line[18].Split(';').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(new[] { "0.8712345678901", "12.345678901234" }, line[19..21]);
    }

    [Fact]
    public void AnOldResultsFileStillReadsWithNullScoresAndNoWeights()
    {
        var rows = ResultsCsv.Parse(OldHeader + "\nmnist5,0;1;2;3;4,dnnmm,0.1,1,0.98,0.96,0.95,-14.5,120,abc\n", "old.csv");
        var r = Assert.Single(rows);
        Assert.Equal(new ResultRow("mnist5", "0;1;2;3;4", "dnnmm", 0.1, 1, 0.98, 0.96, 0.95, -14.5, 120, "abc"), r);
        Assert.Null(r.Unlabelled);
        Assert.Null(r.Test);
        Assert.Empty(r.Omega);
        Assert.Empty(r.ClassProportions);
        Assert.Null(r.SamplePurity);
        Assert.Null(r.Frechet);
        // A file with the columns before purity and frechet (the header of the previous version) reads too.
        var previous = ResultsCsv.Parse(OldHeader + ",acc_unlabelled,ari_unlabelled,nmi_unlabelled,acc_test,ari_test,nmi_test,omega,class_proportions\n" +
            "m,c,dnnmm,0.1,1,0.9,0.8,0.7,,12,h,0.85,0.8,0.75,,,,0.5;0.5,0.5;0.5\n", "previous.csv");
        Assert.Null(Assert.Single(previous).SamplePurity);
        Assert.Equal(new Scores(0.85, 0.8, 0.75), previous[0].Unlabelled);
        // A file with only some of the later columns reads too.
        var some = ResultsCsv.Parse(OldHeader + ",acc_unlabelled,omega\nm,c,dnnmm,0.1,1,0.9,0.8,0.7,,12,h,0.85,0.5;0.5\n", "some.csv");
        Assert.Equal(new Scores(0.85, double.NaN, double.NaN), some[0].Unlabelled);
        Assert.Equal(new[] { 0.5f, 0.5f }, some[0].Omega);
        Assert.Null(some[0].Test);
    }

    [Fact]
    public void RowsAreEqualByTheirWeightsValues()
    {
        var a = Rows[3];
        var b = a with { Omega = a.Omega.ToArray(), ClassProportions = a.ClassProportions.ToArray() };
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, a with { Omega = new[] { 0.5f, 0.26f, 0.13f, 0.07f, 0.05f } });
        Assert.NotEqual(a, a with { Test = null });
        Assert.NotEqual(a, a with { SamplePurity = 0.5 });
        Assert.NotEqual(a, a with { Frechet = null });
    }

    [Fact]
    public void ScoresOnUnlabelledImagesFallBackToAllImagesOnlyAtAlphaZero()
    {
        var r = Rows[3];
        Assert.Equal(new Scores(0.9712345678901, 0.92, 0.9), r.On(ScoredImages.Unlabelled));
        Assert.Equal(new Scores(0.96, 0.915, 0.89), r.On(ScoredImages.Test));
        Assert.Equal(new Scores(0.97, 0.93, 0.91), r.On(ScoredImages.All));
        var unsupervised = new ResultRow("m", "c", "dnnmm", 0, 1, 0.6, 0.5, 0.4, null, 1, "h");
        Assert.Equal(new Scores(0.6, 0.5, 0.4), unsupervised.On(ScoredImages.Unlabelled));
        Assert.Null(unsupervised.On(ScoredImages.Test));
        Assert.Null(Rows[0].On(ScoredImages.Unlabelled)); // alpha 0.01 without unlabelled-only scores (an old file)
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
    [InlineData("H,acc_test,acc_tst\n", "line 1: wrong header")]
    [InlineData("H,omega,omega\n", "line 1: wrong header")]
    [InlineData("H,omega\nm,c,dnnmm,0.1,1,0.9,0.8,0.7,,12,h,0.5;x\n", "line 2: omega '0.5;x' is not a ';'-separated list of numbers")]
    [InlineData("H,acc_test\nm,c,dnnmm,0.1,1,0.9,0.8,0.7,,12,h,y\n", "line 2: acc_test 'y' is not a number")]
    public void MalformedFilesGiveOneLineErrorsNamingFileAndLine(string text, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("bad.csv");
        // "H" is the old header (the later columns are optional), followed by any of the later columns.
        File.WriteAllText(path, text.StartsWith('H') ? OldHeader + text[1..] : text);
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
