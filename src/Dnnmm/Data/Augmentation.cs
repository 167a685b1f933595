
namespace Dnnmm.Data;

/// <summary>
/// Random affine image augmentation on N x C x H x W tensors, as Keras's ImageDataGenerator with
/// width/height_shift_range and rotation_range (which DynAE's official code uses in both phases): each image is
/// rotated by an angle drawn from U(-rotation, rotation) degrees about its centre and shifted by U(-shift, shift)
/// times its width and height; pixels from outside the image repeat the nearest border pixel (Keras's
/// fill_mode "nearest").
/// </summary>
public static class Augmentation
{
    /// <summary>Rotates image i by angles[i] degrees (clockwise as displayed, row 0 at the top) and shifts it by dx[i] pixels right and dy[i] pixels down.</summary>
    public static Tensor Affine(Tensor x, float[] angles, float[] dx, float[] dy)
    {
        if (x.dim() != 4) throw new ArgumentException("x must be N x C x H x W");
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        if (angles.Length != n || dx.Length != n || dy.Length != n) throw new ArgumentException("one angle and shift per image");
        var theta = new float[n * 6];
        for (int i = 0; i < n; i++)
        {
            // affine_grid maps output coordinates (normalised to [-1, 1]) to input ones: the inverse transform.
            // Pixel aspect is kept by rotating in pixel units: scale the off-diagonal terms by h/w and w/h.
            double a = angles[i] * Math.PI / 180, c = Math.Cos(a), s = Math.Sin(a);
            theta[i * 6 + 0] = (float)c;
            theta[i * 6 + 1] = (float)(s * h / w);
            theta[i * 6 + 2] = -2f * dx[i] / w;
            theta[i * 6 + 3] = (float)(-s * w / h);
            theta[i * 6 + 4] = (float)c;
            theta[i * 6 + 5] = -2f * dy[i] / h;
        }
        using var scope = NewDisposeScope();
        var t = tensor(theta, new long[] { n, 2, 3 }, dtype: x.dtype, device: x.device);
        var grid = nn.functional.affine_grid(t, new long[] { n, x.shape[1], h, w }, align_corners: false);
        return nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false)
            .MoveToOuterDisposeScope();
    }

    /// <summary>Random rotation in U(-rotation, rotation) degrees and shifts in U(-shift, shift) x width / height.</summary>
    public static Tensor RandomAffine(Tensor x, double shift, double rotation, Random rng)
    {
        int n = (int)x.shape[0];
        long h = x.shape[2], w = x.shape[3];
        float U(double r) => (float)((rng.NextDouble() * 2 - 1) * r);
        var angles = new float[n];
        var dx = new float[n];
        var dy = new float[n];
        for (int i = 0; i < n; i++) { angles[i] = U(rotation); dx[i] = U(shift * w); dy[i] = U(shift * h); }
        return Affine(x, angles, dx, dy);
    }
}
