using static Dnnmm.Tests.Data.TestFiles;

namespace Dnnmm.Tests.Scoring;

/// <summary>A tiny synthetic image folder for the reference classifier: class c is a bright horizontal bar at a class-specific height, with noise.</summary>
internal static class ScoringData
{
    public const int Side = 16, Classes = 3, PerClass = 16;

    /// <summary>Writes folder/c0 ... c{Classes-1}, <see cref="PerClass"/> grey 16x16 PNGs each; returns the folder.</summary>
    public static string WriteFolder(string folder, int seed = 3)
    {
        var rng = new Random(seed);
        for (int c = 0; c < Classes; c++)
        {
            string dir = Path.Combine(folder, $"c{c}");
            Directory.CreateDirectory(dir);
            for (int i = 0; i < PerClass; i++)
            {
                var noise = Enumerable.Range(0, Side * Side).Select(_ => rng.Next(-20, 21)).ToArray();
                int row0 = c * Side / Classes;
                WriteGrayPng(Path.Combine(dir, $"img{i:00}.png"), Side, Side, (x, y) =>
                    (byte)Math.Clamp((y >= row0 && y < row0 + Side / Classes ? 215 : 30) + noise[y * Side + x], 0, 255));
            }
        }
        return folder;
    }

    /// <summary>The data options of the folder (grey images).</summary>
    public static Dnnmm.Data.DataOptions Options(string folder) => new() { Data = "folder:" + folder, Channels = 1 };
}
