namespace Dnnmm.Evaluation;

/// <summary>
/// The Hungarian (Kuhn-Munkres) algorithm for the linear assignment problem, in the
/// shortest-augmenting-path form with row and column potentials: O(R^2 C) for an R x C
/// matrix with R &lt;= C (a taller matrix is solved transposed).
/// </summary>
public static class Hungarian
{
    /// <summary>
    /// Minimum-cost assignment. Returns, for each row, its column; every column is used at most
    /// once. When there are more rows than columns, the rows left over get -1.
    /// </summary>
    /// <param name="cost">Finite costs, rows x columns.</param>
    /// <exception cref="ArgumentException">A cost is NaN or infinite.</exception>
    public static int[] Solve(double[,] cost) => Solve(cost, out _, out _);

    /// <summary>
    /// Minimum-cost assignment, also giving an optimal dual solution: row potentials u and
    /// column potentials v with u[i] + v[j] &lt;= cost[i, j] everywhere and equality on assigned
    /// pairs. On the longer side (columns, or rows for a tall matrix) potentials are &lt;= 0 and
    /// 0 where unmatched. Then sum(u) + sum(v) equals the minimum cost, which certifies optimality.
    /// </summary>
    public static int[] Solve(double[,] cost, out double[] rowPotentials, out double[] columnPotentials)
    {
        ArgumentNullException.ThrowIfNull(cost);
        int rows = cost.GetLength(0), cols = cost.GetLength(1);
        foreach (double c in cost)
        {
            if (!double.IsFinite(c))
                throw new ArgumentException("Assignment costs must be finite.", nameof(cost));
        }

        if (rows <= cols)
            return SolveWide(cost, rows, cols, transposed: false, out rowPotentials, out columnPotentials);

        // More rows than columns: assign each column to a row in the transpose, then invert.
        int[] colToRow = SolveWide(cost, cols, rows, transposed: true, out columnPotentials, out rowPotentials);
        var rowToCol = new int[rows];
        Array.Fill(rowToCol, -1);
        for (int j = 0; j < cols; j++)
            rowToCol[colToRow[j]] = j;
        return rowToCol;
    }

    /// <summary>
    /// Maximum-total assignment (for example, of a contingency table of counts). Same shape
    /// rules as <see cref="Solve(double[,])"/>.
    /// </summary>
    public static int[] SolveMaximum(double[,] profit)
    {
        ArgumentNullException.ThrowIfNull(profit);
        var negated = new double[profit.GetLength(0), profit.GetLength(1)];
        for (int i = 0; i < profit.GetLength(0); i++)
            for (int j = 0; j < profit.GetLength(1); j++)
                negated[i, j] = -profit[i, j];
        return Solve(negated);
    }

    /// <summary>Sum of matrix[i, assignment[i]] over the rows that have a column (not -1).</summary>
    public static double TotalCost(double[,] matrix, int[] assignment)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(assignment);
        if (assignment.Length != matrix.GetLength(0))
            throw new ArgumentException("The assignment must have one entry per matrix row.", nameof(assignment));
        double total = 0;
        for (int i = 0; i < assignment.Length; i++)
        {
            if (assignment[i] >= 0)
                total += matrix[i, assignment[i]];
        }
        return total;
    }

    /// <summary>
    /// Core solver for n &lt;= m: n "rows" to m "columns", reading cost[i, j] or, when
    /// transposed, cost[j, i]. Arrays are 1-based internally, index 0 being a virtual column.
    /// </summary>
    private static int[] SolveWide(double[,] cost, int n, int m, bool transposed, out double[] uOut, out double[] vOut)
    {
        var u = new double[n + 1];
        var v = new double[m + 1];
        var match = new int[m + 1];  // match[j]: row (1-based) holding column j, 0 if free
        var way = new int[m + 1];    // previous column on the shortest alternating path
        var minv = new double[m + 1];
        var used = new bool[m + 1];

        for (int i = 1; i <= n; i++)
        {
            match[0] = i;
            int j0 = 0;
            Array.Fill(minv, double.PositiveInfinity);
            Array.Clear(used);
            do
            {
                // Grow the alternating tree by the cheapest reduced-cost edge (Dijkstra step).
                used[j0] = true;
                int i0 = match[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= m; j++)
                {
                    if (used[j]) continue;
                    double c = transposed ? cost[j - 1, i0 - 1] : cost[i0 - 1, j - 1];
                    double cur = c - u[i0] - v[j];
                    if (cur < minv[j])
                    {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if (minv[j] < delta)
                    {
                        delta = minv[j];
                        j1 = j;
                    }
                }
                for (int j = 0; j <= m; j++)
                {
                    if (used[j])
                    {
                        u[match[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (match[j0] != 0);

            // Augment along the path back to the virtual column 0.
            do
            {
                int j1 = way[j0];
                match[j0] = match[j1];
                j0 = j1;
            } while (j0 != 0);
        }

        var result = new int[n];
        for (int j = 1; j <= m; j++)
        {
            if (match[j] != 0)
                result[match[j] - 1] = j - 1;
        }
        uOut = u[1..];
        vOut = v[1..];
        return result;
    }
}
