namespace Dnnmm.Evaluation;

/// <summary>One non-zero cell of a <see cref="ContingencyTable"/>: row (class index), column (cluster index), count.</summary>
public readonly record struct ContingencyCell(int Row, int Column, int Count);

/// <summary>
/// Counts of samples per (true class, predicted cluster), stored sparsely. Rows are the distinct
/// true labels in ascending order, columns the distinct predicted labels in ascending order.
/// </summary>
public sealed class ContingencyTable
{
    internal ContingencyTable(int[] classes, int[] clusters, int[] classSizes, int[] clusterSizes, ContingencyCell[] cells, int sampleCount)
    {
        ClassArray = classes;
        ClusterArray = clusters;
        ClassSizeArray = classSizes;
        ClusterSizeArray = clusterSizes;
        CellArray = cells;
        SampleCount = sampleCount;
        Classes = Array.AsReadOnly(classes);
        Clusters = Array.AsReadOnly(clusters);
        ClassSizes = Array.AsReadOnly(classSizes);
        ClusterSizes = Array.AsReadOnly(clusterSizes);
        NonZeroCells = Array.AsReadOnly(cells);
    }

    // Raw arrays for the metrics in this assembly; never handed out.
    internal int[] ClassArray { get; }
    internal int[] ClusterArray { get; }
    internal int[] ClassSizeArray { get; }
    internal int[] ClusterSizeArray { get; }
    internal ContingencyCell[] CellArray { get; }

    /// <summary>Distinct true labels, ascending; row i stands for Classes[i].</summary>
    public IReadOnlyList<int> Classes { get; }

    /// <summary>Distinct predicted labels, ascending; column j stands for Clusters[j].</summary>
    public IReadOnlyList<int> Clusters { get; }

    /// <summary>Row sums: samples per true class.</summary>
    public IReadOnlyList<int> ClassSizes { get; }

    /// <summary>Column sums: samples per predicted cluster.</summary>
    public IReadOnlyList<int> ClusterSizes { get; }

    /// <summary>The non-zero cells in row-major order.</summary>
    public IReadOnlyList<ContingencyCell> NonZeroCells { get; }

    /// <summary>Total number of samples.</summary>
    public int SampleCount { get; }

    /// <summary>Dense classes x clusters matrix of counts.</summary>
    public int[,] ToMatrix()
    {
        var m = new int[ClassArray.Length, ClusterArray.Length];
        foreach (var c in CellArray)
            m[c.Row, c.Column] = c.Count;
        return m;
    }

    /// <summary>Builds the table; labels may be any ints.</summary>
    /// <exception cref="ArgumentException">Null, empty or different-length label arrays.</exception>
    public static ContingencyTable Build(int[] truth, int[] predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Length != predicted.Length)
            throw new ArgumentException($"Label arrays differ in length: {truth.Length} true vs {predicted.Length} predicted.", nameof(predicted));
        if (truth.Length == 0)
            throw new ArgumentException("Label arrays are empty.", nameof(truth));

        int n = truth.Length;
        int[] classes = Compact(truth, out int[] classIndex);
        int[] clusters = Compact(predicted, out int[] clusterIndex);

        var classSizes = new int[classes.Length];
        var clusterSizes = new int[clusters.Length];
        var keys = new long[n];
        for (int s = 0; s < n; s++)
        {
            classSizes[classIndex[s]]++;
            clusterSizes[clusterIndex[s]]++;
            keys[s] = (long)classIndex[s] * clusters.Length + clusterIndex[s];
        }
        Array.Sort(keys);

        var cells = new List<ContingencyCell>();
        for (int s = 0; s < n;)
        {
            int e = s + 1;
            while (e < n && keys[e] == keys[s]) e++;
            cells.Add(new ContingencyCell((int)(keys[s] / clusters.Length), (int)(keys[s] % clusters.Length), e - s));
            s = e;
        }
        return new ContingencyTable(classes, clusters, classSizes, clusterSizes, cells.ToArray(), n);
    }

    /// <summary>Distinct values ascending, and each sample's index among them.</summary>
    private static int[] Compact(int[] labels, out int[] index)
    {
        int[] sorted = (int[])labels.Clone();
        Array.Sort(sorted);
        int distinct = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            if (i == 0 || sorted[i] != sorted[i - 1])
                sorted[distinct++] = sorted[i];
        }
        int[] values = sorted[..distinct];
        index = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
            index[i] = Array.BinarySearch(values, labels[i]);
        return values;
    }
}
