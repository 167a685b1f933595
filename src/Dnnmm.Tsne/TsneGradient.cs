namespace Dnnmm.Tsne;

/// <summary>KL(P||Q) and its gradient with respect to the embedding, exact and Barnes-Hut.</summary>
internal static class TsneGradient
{
    /// <summary>
    /// Exact gradient dC/dy_i = 4 sum_j (a p_ij - q_ij)(y_i - y_j)/(1 + |y_i - y_j|^2) with a = <paramref name="exaggeration"/>,
    /// q_ij = (1+|y_i-y_j|^2)^-1 / Z. One pass over the pairs: with w_ij = (1+|y_i-y_j|^2)^-1 the gradient is
    /// 4 (sum_j a p_ij w_ij (y_i - y_j) - (1/Z) sum_j w_ij^2 (y_i - y_j)), and KL = sum p_ij log(p_ij / w_ij) + log Z (sum p = 1).
    /// Returns KL(P||Q) (un-exaggerated P) when <paramref name="computeKl"/>, else NaN.
    /// <paramref name="p"/>: n*n row-major, zero diagonal, summing to 1. <paramref name="rowScratch"/>: 3n scratch.
    /// </summary>
    public static double Exact(double[] p, double[] y, int n, int dims, double exaggeration, double[] grad,
        double[] rowScratch, bool computeKl)
    {
        // grad receives the attractive part, rep (n*dims) the repulsive part before 1/Z.
        var rep = new double[n * dims];
        Parallel.For(0, n, i =>
        {
            long off = (long)i * n;
            double z = 0.0, kl = 0.0, psum = 0.0;
            if (dims == 2)
            {
                double xi = y[2 * i], yi = y[2 * i + 1];
                double ax = 0, ay = 0, rx = 0, ry = 0;
                for (int j = 0; j < n; j++)
                {
                    if (j == i) continue;
                    double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
                    double w = 1.0 / (1.0 + dx * dx + dy * dy);
                    double pij = p[off + j];
                    z += w;
                    double a = exaggeration * pij * w, r = w * w;
                    ax += a * dx; ay += a * dy;
                    rx += r * dx; ry += r * dy;
                    if (computeKl && pij > 0.0) { kl += pij * Math.Log(pij / w); psum += pij; }
                }
                grad[2 * i] = ax; grad[2 * i + 1] = ay;
                rep[2 * i] = rx; rep[2 * i + 1] = ry;
            }
            else
            {
                Span<double> g = stackalloc double[2 * dims];
                g.Clear();
                for (int j = 0; j < n; j++)
                {
                    if (j == i) continue;
                    double d2 = 0.0;
                    for (int c = 0; c < dims; c++)
                    {
                        double d = y[i * dims + c] - y[j * dims + c];
                        d2 += d * d;
                    }
                    double w = 1.0 / (1.0 + d2);
                    double pij = p[off + j];
                    z += w;
                    double a = exaggeration * pij * w, r = w * w;
                    for (int c = 0; c < dims; c++)
                    {
                        double d = y[i * dims + c] - y[j * dims + c];
                        g[c] += a * d;
                        g[dims + c] += r * d;
                    }
                    if (computeKl && pij > 0.0) { kl += pij * Math.Log(pij / w); psum += pij; }
                }
                for (int c = 0; c < dims; c++)
                {
                    grad[i * dims + c] = g[c];
                    rep[i * dims + c] = g[dims + c];
                }
            }
            rowScratch[i] = z;
            rowScratch[n + i] = kl;
            rowScratch[2 * n + i] = psum;
        });
        double zTotal = 0.0, klTotal = 0.0, pTotal = 0.0;
        for (int i = 0; i < n; i++)
        {
            zTotal += rowScratch[i];
            klTotal += rowScratch[n + i];
            pTotal += rowScratch[2 * n + i];
        }
        double invZ = 1.0 / zTotal;
        for (int e = 0; e < n * dims; e++) grad[e] = 4.0 * (grad[e] - rep[e] * invZ);
        return computeKl ? klTotal + pTotal * Math.Log(zTotal) : double.NaN;
    }

    /// <summary>
    /// Barnes-Hut gradient in 2-d: attractive forces over the sparse P exactly, repulsive forces and Z from the quadtree.
    /// Returns KL(P||Q) over the non-zeros of P with the estimated Z when <paramref name="computeKl"/>, else NaN.
    /// <paramref name="rowZ"/> and <paramref name="rowKl"/>: n scratch each.
    /// </summary>
    public static double BarnesHut(TsneSparseP p, double[] y, int n, double theta, double exaggeration, double[] grad,
        TsneQuadTree tree, double[] rowZ, double[] rowKl, bool computeKl)
    {
        tree.Build(y, n);
        double theta2 = theta * theta;
        Parallel.For(0, n, i =>
        {
            rowZ[i] = tree.Repulsion(i, y[2 * i], y[2 * i + 1], theta2, out double fx, out double fy);
            grad[2 * i] = fx;
            grad[2 * i + 1] = fy;
        });
        double z = 0.0;
        for (int i = 0; i < n; i++) z += rowZ[i];
        double invZ = 1.0 / z;
        double logZ = Math.Log(z);

        var rowStart = p.RowStart;
        var cols = p.Columns;
        var vals = p.Values;
        Parallel.For(0, n, i =>
        {
            double xi = y[2 * i], yi = y[2 * i + 1];
            double ax = 0.0, ay = 0.0, kl = 0.0;
            for (int e = rowStart[i]; e < rowStart[i + 1]; e++)
            {
                int j = cols[e];
                double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
                double q = 1.0 / (1.0 + dx * dx + dy * dy);
                double m = exaggeration * vals[e] * q;
                ax += m * dx;
                ay += m * dy;
                if (computeKl && vals[e] > 0.0) kl += vals[e] * (Math.Log(vals[e] / q) + logZ);
            }
            grad[2 * i] = 4.0 * (ax - grad[2 * i] * invZ);
            grad[2 * i + 1] = 4.0 * (ay - grad[2 * i + 1] * invZ);
            rowKl[i] = kl;
        });
        if (!computeKl) return double.NaN;
        double total = 0.0;
        for (int i = 0; i < n; i++) total += rowKl[i];
        return total;
    }
}
