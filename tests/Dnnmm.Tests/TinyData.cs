using Dnnmm.Data;

namespace Dnnmm.Tests;

/// <summary>Small synthetic images for training tests: class c is a bright bar at a class-specific place, plus noise.</summary>
public static class TinyData
{
    public static ImageSet Make(int classes = 3, int perClass = 24, int side = 16, int seed = 5)
    {
        var rng = new Random(seed);
        int n = classes * perClass, size = side * side;
        var px = new float[n * size];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % classes;
            labels[i] = c;
            int row0 = (c * side) / classes;
            for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                bool on = y >= row0 && y < row0 + side / classes;
                float v = (on ? 0.85f : 0.1f) + (float)(rng.NextDouble() - 0.5) * 0.1f;
                px[i * size + y * side + x] = Math.Clamp(v, 0f, 1f);
            }
        }
        return new ImageSet(px, labels, Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(), 1, side, side, "tiny");
    }

    /// <summary>The first sizes[c] images of each class c of <see cref="Make"/> (an imbalanced set).</summary>
    public static ImageSet Imbalanced(params int[] sizes)
    {
        var all = Make(sizes.Length, sizes.Max());
        var seen = new int[sizes.Length];
        return all.Subset(Enumerable.Range(0, all.Count).Where(i => seen[all.Labels[i]]++ < sizes[all.Labels[i]]).ToList());
    }

    public static bool[] Labelled(ImageSet s, int perClass)
    {
        var seen = new int[s.ClassNames.Length];
        return s.Labels.Select(y => seen[y]++ < perClass).ToArray();
    }
}
