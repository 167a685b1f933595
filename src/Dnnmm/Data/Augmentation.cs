
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

    /// <summary>
    /// One random view of every image under a policy: an affine move (<see cref="RandomAffine"/>), a horizontal flip
    /// with probability 1/2, a cutout square filled with the image's mean, brightness and contrast jitter (colour
    /// images) and Gaussian pixel noise, clamped to [0, 1]. Every draw comes from <paramref name="rng"/> (a seeded
    /// <see cref="Random"/>), so a view is reproducible from the seed.
    /// </summary>
    public static Tensor View(Tensor x, ViewPolicy policy, Random rng)
    {
        if (x.dim() != 4) throw new ArgumentException("x must be N x C x H x W");
        int n = (int)x.shape[0], c = (int)x.shape[1], h = (int)x.shape[2], w = (int)x.shape[3];
        using var scope = NewDisposeScope();
        var v = policy.Shift > 0 || policy.Rotation > 0 ? RandomAffine(x, policy.Shift, policy.Rotation, rng) : x.alias();
        if (policy.Flip)
        {
            var flip = new float[n];
            for (int i = 0; i < n; i++) flip[i] = rng.NextDouble() < 0.5 ? 1 : 0;
            var m = tensor(flip, new long[] { n, 1, 1, 1 }, device: x.device);
            v = v.flip(3).mul(m).add(v.mul(m.neg().add(1)));
        }
        if (policy.Cutout > 0)
        {
            int side = Math.Max(1, (int)Math.Round(policy.Cutout * Math.Min(h, w)));
            var keep = new float[n * h * w];
            Array.Fill(keep, 1f);
            for (int i = 0; i < n; i++)
            {
                // The square's centre anywhere in the image (the square may be clipped at the border), as in cutout.
                int cy = rng.Next(h), cx = rng.Next(w);
                for (int r = Math.Max(0, cy - side / 2); r < Math.Min(h, cy - side / 2 + side); r++)
                    for (int col = Math.Max(0, cx - side / 2); col < Math.Min(w, cx - side / 2 + side); col++)
                        keep[(i * h + r) * w + col] = 0;
            }
            var k = tensor(keep, new long[] { n, 1, h, w }, device: x.device);
            var mean = v.mean(new long[] { 1, 2, 3 }, keepdim: true);
            v = v.mul(k).add(mean.mul(k.neg().add(1)));
        }
        if (policy.ColourJitter > 0 && c == 3)
        {
            var bright = new float[n];
            var contrast = new float[n];
            for (int i = 0; i < n; i++)
            {
                bright[i] = (float)((rng.NextDouble() * 2 - 1) * policy.ColourJitter / 2);
                contrast[i] = (float)(1 + (rng.NextDouble() * 2 - 1) * policy.ColourJitter);
            }
            var mean = v.mean(new long[] { 1, 2, 3 }, keepdim: true);
            v = v.sub(mean).mul(tensor(contrast, new long[] { n, 1, 1, 1 }, device: x.device)).add(mean)
                .add(tensor(bright, new long[] { n, 1, 1, 1 }, device: x.device));
        }
        if (policy.Noise > 0)
        {
            using var gen = new torch.Generator((ulong)rng.NextInt64(1, long.MaxValue));
            var eps = randn(x.shape, generator: gen).to(x.device);
            v = v.add(eps.mul(policy.Noise));
        }
        return v.clamp(0, 1).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// How one view of an image is drawn (<see cref="Augmentation.View"/>): shift as a fraction of the side, rotation
/// in degrees, horizontal flips, a cutout square's side as a fraction of the image side, brightness/contrast jitter
/// (colour images only) and the standard deviation of added pixel noise.
/// </summary>
public sealed record ViewPolicy(double Shift = 0, double Rotation = 0, bool Flip = false, double Cutout = 0, double ColourJitter = 0, double Noise = 0)
{
    /// <summary>No change at all.</summary>
    public bool IsIdentity => Shift == 0 && Rotation == 0 && !Flip && Cutout == 0 && ColourJitter == 0 && Noise == 0;
}

