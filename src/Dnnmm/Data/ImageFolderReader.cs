using SkiaSharp;
using Dnnmm.Infrastructure;

namespace Dnnmm.Data;

/// <summary>
/// Reads a folder of PNG/JPEG images (.png, .jpg, .jpeg, any case; other files and names starting with '.' are
/// ignored; files sorted ordinal by name), either with one sub-folder per class (classes sorted ordinal by folder
/// name) or flat: the images directly inside and no sub-folders, an unlabelled set (every label -1). Images are
/// decoded with SkiaSharp (grey or colour PNG/JPEG alike) to 3 channels (RGB) or 1 channel (luminance 0.299 R +
/// 0.587 G + 0.114 B). All images must have the same size unless a resize size is given; then every image is resized
/// to size x size (aspect ratio not kept).
/// </summary>
public static class ImageFolderReader
{
    public static IReadOnlyList<string> Extensions { get; } = new[] { ".png", ".jpg", ".jpeg" };

    /// <summary>The classes of an image folder and their image files, before any decoding.</summary>
    public sealed class ImageFolderIndex
    {
        public ImageFolderIndex(string directory, IReadOnlyList<string> classNames, IReadOnlyList<IReadOnlyList<string>> files)
        {
            Directory = directory; ClassNames = classNames; Files = files;
        }

        public string Directory { get; }
        public IReadOnlyList<string> ClassNames { get; }
        /// <summary>Full paths of the image files of each class, sorted ordinal by name.</summary>
        public IReadOnlyList<IReadOnlyList<string>> Files { get; }
        public int[] Counts => Files.Select(f => f.Count).ToArray();
    }

    /// <summary>
    /// Whether the folder is flat: it has no sub-folders (other than hidden ones), so its images are the ones directly
    /// inside it and have no classes. Error: missing folder.
    /// </summary>
    public static bool IsFlat(string dir)
    {
        if (File.Exists(dir))
            throw new DnnmmInputException($"image folder {dir}: is a file, not a folder");
        if (!Directory.Exists(dir))
            throw new DnnmmInputException($"image folder {dir}: not found");
        return !new DirectoryInfo(dir).EnumerateDirectories().Any(d => !d.Name.StartsWith('.'));
    }

    /// <summary>
    /// The image files directly inside a flat folder (full paths, sorted ordinal by name). Errors: missing folder, no images.
    /// </summary>
    public static IReadOnlyList<string> IndexFlat(string dir)
    {
        if (!IsFlat(dir))
            throw new DnnmmInputException($"image folder {dir}: has class sub-folders, not a flat folder of images");
        var files = ImageFiles(new DirectoryInfo(dir));
        if (files.Length == 0)
            throw new DnnmmInputException($"image folder {dir}: no .png/.jpg/.jpeg images and no class sub-folders");
        return files;
    }

    /// <summary>
    /// Decodes image files (any folders) into an unlabelled set: every label -1, no class names, <see cref="ImageSet.Files"/>
    /// the paths relative to <paramref name="root"/> (or as given when it is null). The images must share a size unless
    /// <paramref name="resize"/> is given.
    /// </summary>
    public static ImageSet LoadFiles(IReadOnlyList<string> paths, int channels = 3, int? resize = null, string? root = null, string? source = null)
    {
        DataOptions.CheckDecoding(channels, resize, null);
        if (paths.Count == 0) throw new DnnmmInputException("no image files given");
        var labels = new int[paths.Count];
        Array.Fill(labels, -1);
        var px = DecodeAll(paths, channels, resize, resize, crop: false, out int h, out int w);
        var names = paths.Select(p => root is null ? p : Path.GetRelativePath(root, p)).ToArray();
        return ImageSet.FromBytes(px, labels, Array.Empty<string>(), channels, h, w, source ?? root ?? "files", names);
    }

    /// <summary>Lists the class folders and their image files. Errors: missing folder, no class folders, an empty class folder.</summary>
    public static ImageFolderIndex IndexClasses(string dir)
    {
        if (!Directory.Exists(dir))
            throw new DnnmmInputException($"image folder {dir}: not found");
        var classDirs = new DirectoryInfo(dir).GetDirectories()
            .Where(d => !d.Name.StartsWith('.'))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToList();
        if (classDirs.Count == 0)
            throw new DnnmmInputException($"image folder {dir}: no class sub-folders (expected one folder of images per class, or a flat folder of images with --clusters)");
        var names = new List<string>();
        var files = new List<IReadOnlyList<string>>();
        foreach (var cd in classDirs)
        {
            var f = ImageFiles(cd);
            if (f.Length == 0)
                throw new DnnmmInputException($"image folder {cd.FullName}: class folder has no .png/.jpg/.jpeg images");
            names.Add(cd.Name);
            files.Add(f);
        }
        return new ImageFolderIndex(Path.GetFullPath(dir), names, files);
    }

    /// <summary>Loads every image of every class.</summary>
    public static ImageSet Load(string dir, int channels = 3, int? resize = null) =>
        Load(IndexClasses(dir), null, null, channels, resize);

    /// <summary>
    /// Loads the images of the given classes (null = all), at most <paramref name="perClass"/> per class
    /// (the first ones by file name), so only those files are decoded. The result keeps all the folder's
    /// class names (labels index <see cref="ImageFolderIndex.ClassNames"/>) and folder order.
    /// </summary>
    public static ImageSet Load(ImageFolderIndex index, IReadOnlyList<string>? classes = null, int? perClass = null,
        int channels = 3, int? resize = null)
    {
        DataOptions.CheckDecoding(channels, resize, perClass);

        var chosen = new bool[index.ClassNames.Count];
        if (classes == null) Array.Fill(chosen, true);
        else
            foreach (var c in classes)
            {
                int k = IndexOf(index.ClassNames, c);
                if (k < 0)
                    throw new DnnmmInputException(
                        $"image folder {index.Directory}: no class folder '{c}' (classes: {string.Join(", ", index.ClassNames)})");
                chosen[k] = true;
            }

        return Load(index, k => chosen[k] ? new ClassSlice(0, perClass) : null, channels, resize);
    }

    /// <summary>
    /// Loads, of each class k (an index into <see cref="ImageFolderIndex.ClassNames"/>), the images that
    /// <paramref name="slice"/>(k) names (null = none), so only those files are decoded. Labels index all the folder's classes.
    /// </summary>
    public static ImageSet Load(ImageFolderIndex index, Func<int, ClassSlice?> slice, int channels = 3, int? resize = null)
    {
        DataOptions.CheckDecoding(channels, resize, null);
        var paths = new List<string>();
        var labels = new List<int>();
        for (int k = 0; k < index.ClassNames.Count; k++)
        {
            if (slice(k) is not ClassSlice sl) continue;
            var f = index.Files[k];
            int end = sl.End(f.Count);
            for (int i = sl.Skip; i < end; i++) { paths.Add(f[i]); labels.Add(k); }
        }

        if (paths.Count == 0) throw new DnnmmInputException($"image folder {index.Directory}: no images selected");
        var px = DecodeAll(paths, channels, resize, resize, crop: false, out int h, out int w);
        return ImageSet.FromBytes(px, labels.ToArray(), index.ClassNames.ToArray(), channels, h, w, index.Directory,
            paths.Select(p => Path.GetRelativePath(index.Directory, p)).ToArray());
    }

    /// <summary>The image files directly inside a folder (not hidden), full paths sorted ordinal by name.</summary>
    private static string[] ImageFiles(DirectoryInfo dir) =>
        dir.GetFiles()
            .Where(fi => !fi.Name.StartsWith('.') && IsImageName(fi.Name))
            .Select(fi => fi.FullName)
            .OrderBy(p => Path.GetFileName(p), StringComparer.Ordinal)
            .ToArray();

    internal static bool IsImageName(string name)
    {
        string ext = Path.GetExtension(name);
        return Extensions.Any(e => string.Equals(e, ext, StringComparison.OrdinalIgnoreCase));
    }

    private static int IndexOf(IReadOnlyList<string> list, string s)
    {
        for (int i = 0; i < list.Count; i++) if (string.Equals(list[i], s, StringComparison.Ordinal)) return i;
        return -1;
    }

    /// <summary>
    /// Decodes the files in parallel into N x C x H x W bytes. With a target size every image is
    /// (optionally centre-cropped to a square, then) resized to it; without one all must share the
    /// size of the first.
    /// </summary>
    internal static ImageBytes DecodeAll(IReadOnlyList<string> paths, int channels, int? height, int? width, bool crop,
        out int h, out int w)
    {
        if (paths.Count == 0)
            throw new InvalidOperationException("no images to decode");
        if (height is int th && width is int tw) { h = th; w = tw; }
        else
        {
            var (fw, fh) = SkiaImages.ReadSize(paths[0]);
            if (crop) fw = fh = Math.Min(fw, fh);
            h = fh; w = fw;
        }
        int H = h, W = w;
        int size = channels * H * W;
        MemoryBudget.CheckImages(paths, channels, H, W);
        var px = ImageBytes.Allocate(paths.Count, size);
        bool resize = height != null;
        var errors = new Exception?[paths.Count];
        Parallel.For(0, paths.Count, (i, state) =>
        {
            try
            {
                using var bmp = SkiaImages.DecodeRgba(paths[i]);
                SKBitmap view = crop ? SkiaImages.CenterCropSquare(bmp) : bmp;
                try
                {
                    if (!resize && (view.Width != W || view.Height != H))
                        throw new DnnmmInputException(
                            $"image file {paths[i]}: size {view.Width}x{view.Height} differs from {W}x{H} of {paths[0]} (set --image-size to resize all images)");
                    SKBitmap final = resize ? SkiaImages.Resize(view, W, H) : view;
                    try { SkiaImages.WritePlanar(final, channels, px.Image(i)); }
                    finally { if (!ReferenceEquals(final, view)) final.Dispose(); }
                }
                finally { if (!ReferenceEquals(view, bmp)) view.Dispose(); }
            }
            catch (Exception e)
            {
                errors[i] = e;
                state.Stop();
            }
        });
        foreach (var e in errors)
            if (e != null)
            {
                if (e is DnnmmInputException) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
                throw new InvalidOperationException($"decoding {paths[Array.IndexOf(errors, e)]}: {e.Message}", e);
            }
        return px;
    }
}
