namespace Dnnmm.Data;

/// <summary>Resolving a list of names (classes, attributes) against the names a source has.</summary>
internal static class NameLookup
{
    /// <summary>
    /// The index of each name, in order, by <paramref name="find"/> (-1 = no such name). A name that is not found is
    /// <paramref name="unknown"/>(name); two names that resolve to one index are <paramref name="twice"/>(index).
    /// </summary>
    public static int[] DistinctIndices(IReadOnlyList<string> names, Func<string, int> find,
        Func<string, Exception> unknown, Func<int, Exception> twice)
    {
        var indices = new int[names.Count];
        for (int j = 0; j < indices.Length; j++)
        {
            int k = find(names[j]);
            if (k < 0) throw unknown(names[j]);
            if (Array.IndexOf(indices, k, 0, j) >= 0) throw twice(k);
            indices[j] = k;
        }
        return indices;
    }
}
