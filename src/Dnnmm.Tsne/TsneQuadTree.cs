namespace Dnnmm.Tsne;

/// <summary>
/// A 2-d space-partitioning tree over the embedding, rebuilt every iteration, for the Barnes-Hut repulsive forces.
/// Flat arrays (no per-node objects); nodes are built by in-place partitioning of a permutation of the points,
/// so each node owns a contiguous range of it. Leaves hold one point, or several when they coincide
/// (depth limit); leaf points are always summed exactly.
/// </summary>
internal sealed class TsneQuadTree
{
    private const int MaxDepth = 48;
    /// <summary>An upper bound on the traversal stack: one popped node pushes at most four children.</summary>
    public const int StackSize = 4 * MaxDepth + 8;

    private double[] _cx = [], _cy = [], _half = [], _comX = [], _comY = [];
    private int[] _count = [], _first = [], _nChild = [], _start = [];
    private int _nodes;
    private int[] _perm = [];
    private double[] _px = [], _py = [];
    private int _n;

    public int NodeCount => _nodes;

    public void Build(double[] y, int n)
    {
        _n = n;
        if (_perm.Length < n)
        {
            _perm = new int[n];
            _px = new double[n];
            _py = new double[n];
        }
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity;
        double maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            _perm[i] = i;
            double x = y[2 * i], v = y[2 * i + 1];
            _px[i] = x;
            _py[i] = v;
            if (x < minX) minX = x;
            if (x > maxX) maxX = x;
            if (v < minY) minY = v;
            if (v > maxY) maxY = v;
        }
        double half = Math.Max(maxX - minX, maxY - minY) / 2.0;
        half = half * (1.0 + 1e-6) + 1e-12;
        EnsureCapacity(Math.Max(16, 2 * n));
        _nodes = 1;
        SetNode(0, (minX + maxX) / 2.0, (minY + maxY) / 2.0, half);
        BuildNode(0, 0, n, 0);
    }

    private void EnsureCapacity(int capacity)
    {
        if (_cx.Length >= capacity) return;
        int c = Math.Max(capacity, 2 * _cx.Length);
        Array.Resize(ref _cx, c);
        Array.Resize(ref _cy, c);
        Array.Resize(ref _half, c);
        Array.Resize(ref _comX, c);
        Array.Resize(ref _comY, c);
        Array.Resize(ref _count, c);
        Array.Resize(ref _first, c);
        Array.Resize(ref _nChild, c);
        Array.Resize(ref _start, c);
    }

    private void SetNode(int node, double cx, double cy, double half)
    {
        _cx[node] = cx;
        _cy[node] = cy;
        _half[node] = half;
    }

    // Moves the points of [s, e) with key < pivot to the front; returns the first index of the rest.
    private int Partition(int s, int e, double[] key, double pivot)
    {
        int i = s, j = e - 1;
        while (true)
        {
            while (i <= j && key[i] < pivot) i++;
            while (i <= j && key[j] >= pivot) j--;
            if (i >= j) return i;
            (_perm[i], _perm[j]) = (_perm[j], _perm[i]);
            (_px[i], _px[j]) = (_px[j], _px[i]);
            (_py[i], _py[j]) = (_py[j], _py[i]);
            i++;
            j--;
        }
    }

    private void BuildNode(int node, int s, int e, int depth)
    {
        int count = e - s;
        _count[node] = count;
        _start[node] = s;
        if (count <= 1 || depth >= MaxDepth)
        {
            _first[node] = -1;
            _nChild[node] = 0;
            double sx = 0, sy = 0;
            for (int t = s; t < e; t++) { sx += _px[t]; sy += _py[t]; }
            _comX[node] = sx / count;
            _comY[node] = sy / count;
            return;
        }
        double cx = _cx[node], cy = _cy[node], h = _half[node] / 2.0;
        int mx = Partition(s, e, _px, cx);
        int my1 = Partition(s, mx, _py, cy);
        int my2 = Partition(mx, e, _py, cy);
        Span<int> bounds = [s, my1, mx, my2, e];
        int nonEmpty = 0;
        for (int q = 0; q < 4; q++) if (bounds[q + 1] > bounds[q]) nonEmpty++;
        EnsureCapacity(_nodes + nonEmpty);
        int first = _nodes;
        _nodes += nonEmpty;
        _first[node] = first;
        _nChild[node] = nonEmpty;
        int c = first;
        for (int q = 0; q < 4; q++)
        {
            if (bounds[q + 1] == bounds[q]) continue;
            // q: 0 = (x<, y<), 1 = (x<, y>=), 2 = (x>=, y<), 3 = (x>=, y>=)
            SetNode(c, q < 2 ? cx - h : cx + h, (q & 1) == 0 ? cy - h : cy + h, h);
            c++;
        }
        c = first;
        double wx = 0, wy = 0;
        for (int q = 0; q < 4; q++)
        {
            if (bounds[q + 1] == bounds[q]) continue;
            BuildNode(c, bounds[q], bounds[q + 1], depth + 1);
            wx += _comX[c] * _count[c];
            wy += _comY[c] * _count[c];
            c++;
        }
        _comX[node] = wx / count;
        _comY[node] = wy / count;
    }

    /// <summary>
    /// Repulsive term for point i at (x, y): returns sum_j (1+d_ij^2)^-1 over j != i (the point's share of Z), and
    /// adds sum_j (1+d_ij^2)^-2 (y_i - y_j) to (fx, fy). A cell of width w whose centre of mass lies at distance d is
    /// summarised when w^2 &lt; theta^2 d^2 and the point is not inside it.
    /// </summary>
    public double Repulsion(int i, double x, double y, double theta2, out double fx, out double fy)
    {
        Span<int> stack = stackalloc int[StackSize];
        int sp = 0;
        stack[sp++] = 0;
        double sumQ = 0, ax = 0, ay = 0;
        var px = _px;
        var py = _py;
        var perm = _perm;
        while (sp > 0)
        {
            int node = stack[--sp];
            int first = _first[node];
            if (first < 0)
            {
                int s = _start[node], e = s + _count[node];
                for (int t = s; t < e; t++)
                {
                    if (perm[t] == i) continue;
                    double dx = x - px[t], dy = y - py[t];
                    double q = 1.0 / (1.0 + dx * dx + dy * dy);
                    sumQ += q;
                    double q2 = q * q;
                    ax += q2 * dx;
                    ay += q2 * dy;
                }
                continue;
            }
            double cdx = x - _comX[node], cdy = y - _comY[node];
            double d2 = cdx * cdx + cdy * cdy;
            double half = _half[node];
            double w2 = 4.0 * half * half;
            bool inside = Math.Abs(x - _cx[node]) <= half && Math.Abs(y - _cy[node]) <= half;
            if (!inside && w2 < theta2 * d2)
            {
                double q = 1.0 / (1.0 + d2);
                double cq = _count[node] * q;
                sumQ += cq;
                double m = cq * q;
                ax += m * cdx;
                ay += m * cdy;
            }
            else
            {
                int end = first + _nChild[node];
                for (int c = first; c < end; c++) stack[sp++] = c;
            }
        }
        fx = ax;
        fy = ay;
        return sumQ;
    }
}
