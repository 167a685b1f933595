using System.Globalization;
using Dnnmm.Infrastructure;

namespace Dnnmm.Data;

/// <summary>
/// The paper's data protocol: load a source, keep the requested classes (labels remapped to
/// 0..K-1 in the order given), skip the first <see cref="DataOptions.Offset"/> images of each class and
/// take the FIRST <see cref="DataOptions.PerClass"/> (or the class's <see cref="DataOptions.ClassSizes"/> or
/// <see cref="DataOptions.Imbalance"/> size) in file order (so the image selection is deterministic and does
/// not depend on the seed), add Gaussian pixel noise (std <see cref="DataOptions.NoiseStd"/>, clamped to [0, 1]) and choose
/// a stratified labelled subset (round(alpha * n_c) per class, at least 1 when alpha &gt; 0).
/// The seed governs only the noise and the labelled subset, through two separate random streams
/// derived from it. The same options always give the same result. A held-out test set
/// (<see cref="PrepareTest"/>) is read apart from the training images.
/// </summary>
public static class DataPipeline
{
    /// <summary>Random stream numbers passed to <see cref="DeriveSeed"/>.</summary>
    public const int NoiseStream = 1, LabelStream = 2, TestNoiseStream = 3;

    public static PreparedData Prepare(DataOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        var s = Select(o, testSplit: false);
        // Noise is not stored: each image's noise is drawn from (seed, image) whenever it is read (ImageSet.WithNoise).
        var images = s.Images.WithNoise(o.NoiseStd, DeriveSeed(o.Seed, NoiseStream));
        // A flat folder's labelled images are the ones its labels file names; with classes, a stratified draw of alpha.
        var labelled = s.Flat
            ? s.Images.Labels.Select(y => y >= 0).ToArray()
            : ChooseLabelled(s.Images.Labels, s.Images.ClassNames.Length, LabelledPerClass(o, s), new Random(DeriveSeed(o.Seed, LabelStream)));
        return new PreparedData(images, labelled, o, s.Available, s.Spec, s.Src.Detail, s.Src.SplitText);
    }

    /// <summary>
    /// The held-out test images the options name, or null when they name none: every image of the training classes in
    /// <see cref="DataOptions.TestSplit"/> of the same source, or in <see cref="DataOptions.TestData"/> (read with
    /// <see cref="DataOptions.Split"/>; classes matched by name). The selection options (per class, class sizes,
    /// imbalance, offset, alpha) do not apply; image size and channels do, and with <see cref="DataOptions.NoiseStd"/>
    /// the test images get the same noise protocol from their own stream of the seed (<see cref="TestNoiseStream"/>).
    /// Kept apart from <see cref="Prepare"/> so that training never sees these images.
    /// </summary>
    /// <param name="o">The run's data options.</param>
    /// <param name="training">The training images (from <see cref="Prepare"/>): their class names are the classes looked
    /// for, and the test images must have their shape. Null: the classes of <see cref="DataOptions.Classes"/>.</param>
    /// <exception cref="OptionException">naming testSplit or testData: a source without that split, a class missing
    /// from the test data, a shape that differs from the training images, unreadable test data.</exception>
    public static ImageSet? PrepareTest(DataOptions o, ImageSet? training = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        if (!o.HasTestSet) return null;
        string option = o.TestSplit != null ? "testSplit" : "testData";
        string value = o.TestSplit ?? o.TestData!;
        if (o.Clusters != null || training is { AllLabelled: false })
            throw DataOptions.Invalid(option,
                $"'{value}': the training images are a flat folder without classes; a test set is scored against the classes of the training data");
        try
        {
            var spec = DatasetSpec.Parse(o.TestData ?? o.Data);
            bool imageKind = spec.Kind is DatasetKind.Folder or DatasetKind.CelebA;
            bool square = training != null && training.Height == training.Width;
            var t = new DataOptions
            {
                Data = o.TestData ?? o.Data, Split = o.TestSplit ?? o.Split,
                Classes = training?.ClassNames ?? o.Classes,
                NoiseStd = o.NoiseStd, Seed = o.Seed,
                ImageSize = imageKind ? o.ImageSize ?? (square ? training!.Height : null) : null,
                Channels = imageKind ? o.Channels ?? training?.Channels : null,
            };
            if (o.TestData != null)
            {
                var trainSpec = DatasetSpec.Parse(o.Data);
                if (trainSpec.Path == spec.Path)
                    throw DataOptions.Invalid(option, $"'{value}' is the training data ({trainSpec.Display}, split {o.Split}); use --test-split or other data");
            }
            var s = Select(t, testSplit: o.TestSplit != null, forTest: true);
            var images = s.Images;
            if (training != null && images.ShapeText != training.ShapeText)
                throw DataOptions.Invalid(option,
                    $"'{value}': test images are {images.ShapeText} but the training images {training.ShapeText} (C x H x W)");
            return images.WithNoise(t.NoiseStd, DeriveSeed(t.Seed, TestNoiseStream))
                .WithSource($"{s.Spec.Display}, split {s.Src.SplitText ?? t.Split}");
        }
        catch (OptionException e) when (e.Option != option)
        {
            throw DataOptions.Invalid(option, $"'{value}': {e.Option} {e.Detail}");
        }
        catch (DnnmmInputException e) when (e is not OptionException)
        {
            throw DataOptions.Invalid(option, $"'{value}': {e.Message}");
        }
    }

    /// <summary>
    /// The selected images of the options' source (no noise yet), what each class had, and the source; <paramref name="Flat"/>:
    /// a flat folder, whose labels (from its labels file, -1 elsewhere) are the labelled images.
    /// </summary>
    private sealed record Selection(ImageSet Images, int[] Available, DatasetSpec Spec, Source Src, bool Flat = false);

    /// <summary>
    /// Loads the source, keeps the requested classes (labels remapped to 0..K-1 in the order given) and, of each class,
    /// skips the first <see cref="DataOptions.Offset"/> images and takes its size (<see cref="DataOptions.Sizes"/>).
    /// With <paramref name="testSplit"/> the split must select images (an error naming testSplit otherwise).
    /// </summary>
    private static Selection Select(DataOptions o, bool testSplit, bool forTest = false)
    {
        var spec = DatasetSpec.Parse(o.Data);
        if (spec.Kind == DatasetKind.Folder && !testSplit && ImageFolderReader.IsFlat(spec.Path))
        {
            if (forTest)
                throw new DnnmmInputException($"{spec.Display} is a flat folder (no class sub-folders): a test set needs classes to score against");
            return SelectFlat(o, spec);
        }
        if (o.Clusters is int clusters)
            throw DataOptions.Invalid("clusters", $"{clusters} is only for a flat folder (folder:<dir> with the images directly inside, no class sub-folders); {spec.Display} has classes, and K is their number");
        if (o.Labels != null)
            throw DataOptions.Invalid("labels", $"'{o.Labels}' is only for a flat folder (folder:<dir> with the images directly inside, no class sub-folders); {spec.Display} has classes");
        bool imageKind = spec.Kind is DatasetKind.Folder or DatasetKind.CelebA;
        if (!imageKind && o.ImageSize != null)
            throw DataOptions.Invalid("imageSize", $"{o.ImageSize} is only used with folder: and celeba: data, not {spec.Display}");
        if (!imageKind && o.Channels != null)
            throw DataOptions.Invalid("channels", $"{o.Channels} is only used with folder: and celeba: data, not {spec.Display}");
        if (testSplit && spec.Kind == DatasetKind.Folder)
            throw DataOptions.Invalid("testSplit", $"'{o.Split}': {spec.Display} has no splits (a folder is read as given); use --test-data <spec>");
        int channels = o.Channels ?? DataOptions.DefaultChannels;

        var src = OpenSource(spec, o, channels);
        if (testSplit && !src.SplitApplies)
            throw DataOptions.Invalid("testSplit", $"'{o.Split}': {spec.Display} has no splits ({src.SplitText}); use --test-data <spec>");

        // Resolve the requested classes against the source's classes.
        int[] sel = src.Selected ?? ResolveClasses(o, spec, src);
        var available = sel.Select(k => src.Counts[k]).ToArray();
        for (int j = 0; j < sel.Length; j++)
            if (available[j] == 0)
                throw DataOptions.Invalid("classes", $"'{src.Names[sel[j]]}' has no images in {Where(spec, o, src)}");
        var sizes = o.Sizes(sel.Length);
        CheckCounts(o, sizes, available, j => src.Names[sel[j]], Where(spec, o, src));

        var selectedNames = sel.Select(k => src.Names[k]).ToArray();
        var set = src.Load(name =>
        {
            int j = Array.IndexOf(selectedNames, name);
            return j < 0 ? null : new ClassSlice(o.Offset, sizes?[j]);
        });

        // Of each selected class in file order: skip Offset images, take its size (unless the source did); remap labels.
        var remap = new int[set.ClassNames.Length];
        Array.Fill(remap, -1);
        for (int j = 0; j < selectedNames.Length; j++)
        {
            int k = Array.IndexOf(set.ClassNames, selectedNames[j]);
            if (k < 0) throw new InvalidOperationException($"class '{selectedNames[j]}' missing from the loaded set");
            remap[k] = j;
        }
        var slices = Enumerable.Range(0, sel.Length)
            .Select(j => src.Sliced ? new ClassSlice(0, null) : new ClassSlice(o.Offset, sizes?[j])).ToArray();
        var seen = new int[sel.Length];
        var idx = new List<int>(set.Count);
        var labels = new List<int>(set.Count);
        for (int i = 0; i < set.Count; i++)
        {
            int j = remap[set.Labels[i]];
            if (j < 0 || !slices[j].Contains(seen[j]++)) continue;
            idx.Add(i);
            labels.Add(j);
        }
        bool identity = idx.Count == set.Count;
        var images = (identity ? set : set.Subset(idx)).WithLabels(labels.ToArray(), selectedNames,
            spec.Kind == DatasetKind.Mnist ? "mnist (shipped)" : spec.Display);
        return new Selection(images, available, spec, src);
    }

    /// <summary>
    /// A flat folder: every image directly inside it, in file order, with K = <see cref="DataOptions.Clusters"/> clusters
    /// and the labels of <see cref="DataOptions.Labels"/> (-1 for the images it does not name). The options that select
    /// images by class (classes, per class, class sizes, imbalance, offset, alpha) are errors here. The labels file is
    /// read before any image is decoded. K may exceed the number of images here (a trained model predicting a few images);
    /// training checks it (<see cref="CheckClusterCount"/>).
    /// </summary>
    private static Selection SelectFlat(DataOptions o, DatasetSpec spec)
    {
        var files = ImageFolderReader.IndexFlat(spec.Path);
        string flat = $"{spec.Display} is a flat folder (no class sub-folders; label images with --labels)";
        if (o.Classes != null) throw DataOptions.Invalid("classes", $"'{string.Join(",", o.Classes)}' needs class sub-folders: {flat}");
        if (o.PerClass is int pc) throw DataOptions.Invalid("perClass", $"{pc} needs class sub-folders: {flat}");
        if (o.ClassSizes != null) throw DataOptions.Invalid("classSizes", $"'{string.Join(",", o.ClassSizes)}' needs class sub-folders: {flat}");
        if (o.Imbalance is double r) throw DataOptions.Invalid("imbalance", $"{DataOptions.Num(r)} needs class sub-folders: {flat}");
        if (o.Offset != 0) throw DataOptions.Invalid("offset", $"{o.Offset} needs class sub-folders: {flat}");
        if (o.Alpha != 0) throw DataOptions.Invalid("alpha", $"{DataOptions.Num(o.Alpha)} needs class sub-folders: {flat}");
        if (o.LabelledPerClass is int lpc) throw DataOptions.Invalid("labelledPerClass", $"{lpc} needs class sub-folders: {flat}");
        if (o.Clusters is not int k)
            throw DataOptions.Invalid("clusters",
                $"is required for a flat folder: {spec.Display} has {files.Count} images and no class sub-folders; give the number of clusters K (at least 2)");

        var labels = o.Labels is null
            ? new LabelsCsv.Result(Enumerable.Repeat(-1, files.Count).ToArray(),
                Enumerable.Range(0, k).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray())
            : LabelsCsv.Read(o.Labels, spec.Path, files, k);
        int channels = o.Channels ?? DataOptions.DefaultChannels;
        var images = ImageFolderReader.LoadFiles(files, channels, o.ImageSize, root: spec.Path, source: spec.Display)
            .WithLabels(labels.Labels, labels.ClassNames);
        var counts = new int[k];
        foreach (int y in labels.Labels) if (y >= 0) counts[y]++;
        var src = new Source
        {
            Names = labels.ClassNames, Counts = counts, Load = _ => images,
            SplitText = "not used (the folder is read as given)", SplitApplies = false,
            Detail = $"a flat folder of {files.Count} PNG/JPEG images, K = {k} clusters (--clusters), "
                     + (o.Labels is null ? "no labels" : $"{labels.LabelledCount} labelled by {o.Labels}")
                     + (o.ImageSize is int s ? $", resized to {s}x{s}" : "")
                     + (channels == 1 ? ", converted to luminance" : ""),
        };
        return new Selection(images, counts, spec, src, Flat: true);
    }

    /// <summary>
    /// K clusters need at least K images to train on: an error naming clusters (a flat folder) or classes otherwise.
    /// </summary>
    public static void CheckClusterCount(PreparedData data)
    {
        int k = data.ClassCount, n = data.Images.Count;
        if (k <= n) return;
        if (data.Options.Clusters != null)
            throw DataOptions.Invalid("clusters", $"{k} is more than the {n} images in {data.Spec?.Display ?? data.Images.Source}");
        throw DataOptions.Invalid("classes", $"{k} classes need at least {k} images to train on, not {n}");
    }

    /// <summary>Offset and sizes within what each class has; errors name offset, classSizes or perClass.</summary>
    private static void CheckCounts(DataOptions o, int[]? sizes, int[] available, Func<int, string> name, string where)
    {
        for (int j = 0; j < available.Length; j++)
        {
            if (o.Offset >= available[j])
                throw DataOptions.Invalid("offset",
                    $"{o.Offset} is past the end of class '{name(j)}': it has only {available[j]} images in {where}");
            if (sizes == null || sizes[j] <= available[j] - o.Offset) continue;
            string after = o.Offset > 0 ? $" after the first {o.Offset} (--offset)" : "";
            string have = $"has only {available[j] - o.Offset} images in {where}{after}";
            if (o.ClassSizes != null)
                throw DataOptions.Invalid("classSizes", $"{sizes[j]} is too many: class '{name(j)}' {have}");
            if (o.Imbalance is double r && sizes[j] != o.PerClass)
                throw DataOptions.Invalid("perClass",
                    $"{o.PerClass} is too many: with --imbalance {DataOptions.Num(r)} class '{name(j)}' needs {sizes[j]} images but {have}");
            throw DataOptions.Invalid("perClass", $"{o.PerClass} is too many: class '{name(j)}' {have}");
        }
    }

    /// <summary>
    /// Labelled images per class of n images: 0 when alpha = 0, else round(alpha * n) (midpoint away
    /// from zero) but at least 1 and at most n.
    /// </summary>
    public static int LabelledCount(int n, double alpha)
    {
        if (n <= 0 || alpha <= 0) return 0;
        if (alpha >= 1) return n;
        int m = (int)Math.Round(alpha * n, MidpointRounding.AwayFromZero);
        return Math.Clamp(m, 1, n);
    }

    /// <summary>
    /// The labelled images of a class of n: <see cref="DataOptions.LabelledPerClass"/> when given (every class of the
    /// selection must have that many: an error naming labelledPerClass otherwise), else <see cref="LabelledCount"/> of alpha.
    /// </summary>
    private static Func<int, int> LabelledPerClass(DataOptions o, Selection s)
    {
        if (o.LabelledPerClass is not int perClass) return n => LabelledCount(n, o.Alpha);
        var counts = new int[s.Images.ClassNames.Length];
        foreach (int y in s.Images.Labels) counts[y]++;
        for (int k = 0; k < counts.Length; k++)
            if (counts[k] < perClass)
                throw DataOptions.Invalid("labelledPerClass", $"{perClass} is more than the {counts[k]} images of class '{s.Images.ClassNames[k]}'");
        return _ => perClass;
    }

    /// <summary>
    /// A stratified labelled mask: for each class in label order, <see cref="LabelledCount"/> of its
    /// images chosen uniformly at random without replacement.
    /// </summary>
    public static bool[] ChooseLabelled(IReadOnlyList<int> labels, int classCount, double alpha, Random rng) =>
        ChooseLabelled(labels, classCount, n => LabelledCount(n, alpha), rng);

    /// <summary>
    /// A stratified labelled mask: for each class in label order, take(n_c) of its n_c images chosen uniformly at random
    /// without replacement (the same draws as the alpha form for the same counts).
    /// </summary>
    public static bool[] ChooseLabelled(IReadOnlyList<int> labels, int classCount, Func<int, int> take, Random rng)
    {
        var mask = new bool[labels.Count];
        var members = new List<int>[classCount];
        for (int c = 0; c < classCount; c++) members[c] = new List<int>();
        for (int i = 0; i < labels.Count; i++) members[labels[i]].Add(i);
        for (int c = 0; c < classCount; c++)
        {
            var m = members[c];
            int count = take(m.Count);
            for (int i = 0; i < count; i++)
            {
                int j = rng.Next(i, m.Count);
                (m[i], m[j]) = (m[j], m[i]);
                mask[m[i]] = true;
            }
        }
        return mask;
    }

    /// <summary>Adds N(0, std^2) noise to every pixel (Marsaglia polar method) and clamps to [0, 1], in place.</summary>
    public static void AddGaussianNoise(Span<float> pixels, double std, Random rng)
    {
        if (std <= 0) return;
        for (int i = 0; i < pixels.Length; i += 2)
        {
            double u, v, s;
            do
            {
                u = 2.0 * rng.NextDouble() - 1.0;
                v = 2.0 * rng.NextDouble() - 1.0;
                s = u * u + v * v;
            } while (s >= 1.0 || s == 0.0);
            double f = std * Math.Sqrt(-2.0 * Math.Log(s) / s);
            pixels[i] = Math.Clamp((float)(pixels[i] + f * u), 0f, 1f);
            if (i + 1 < pixels.Length)
                pixels[i + 1] = Math.Clamp((float)(pixels[i + 1] + f * v), 0f, 1f);
        }
    }

    /// <summary>A seed for an independent random stream derived from the user's seed (SplitMix64 mixing).</summary>
    public static int DeriveSeed(int seed, int stream)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xD1B54A32D192ED03UL + 0x632BE59BD9B4E019UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    // ---- sources ----

    private sealed class Source
    {
        public required string[] Names;
        public required int[] Counts;
        /// <summary>Already-resolved selection (celeba: its classes are the selection).</summary>
        public int[]? Selected;
        /// <summary>Whether class indices written as numbers are accepted.</summary>
        public bool IndicesAllowed;
        /// <summary>Loads the images; a source that decodes per image (folder, celeba) loads only the slice of each class
        /// name (null = not selected) and sets <see cref="Sliced"/>; the others load every image.</summary>
        public required Func<Func<string, ClassSlice?>, ImageSet> Load;
        public bool Sliced;
        public string? Detail;
        /// <summary>What the split meant for this source (null = the split name).</summary>
        public string? SplitText;
        /// <summary>Whether the split selected the images (idx, cifar10; celeba with a partition file).</summary>
        public bool SplitApplies = true;
    }

    private static Source OpenSource(DatasetSpec spec, DataOptions o, int channels)
    {
        switch (spec.Kind)
        {
            case DatasetKind.Mnist:
            case DatasetKind.Idx:
            {
                var (imgFile, labFile) = IdxReader.FindFiles(spec.Path, o.Split);
                var set = IdxReader.Load(imgFile, labFile, spec.Path);
                return new Source
                {
                    Names = set.ClassNames, Counts = CountLabels(set), IndicesAllowed = true, Load = _ => set,
                    Detail = $"{Path.GetFileName(imgFile)}, {Path.GetFileName(labFile)}",
                };
            }
            case DatasetKind.Cifar10:
            {
                var files = Cifar10BinaryReader.FindBatchFiles(spec.Path, o.Split);
                var set = Cifar10BinaryReader.Load(files, Cifar10BinaryReader.ReadClassNames(spec.Path), spec.Path);
                return new Source
                {
                    Names = set.ClassNames, Counts = CountLabels(set), IndicesAllowed = true, Load = _ => set,
                    Detail = string.Join(", ", files.Select(Path.GetFileName)),
                };
            }
            case DatasetKind.Folder:
            {
                var index = ImageFolderReader.IndexClasses(spec.Path);
                return new Source
                {
                    Names = index.ClassNames.ToArray(), Counts = index.Counts,
                    Load = slice => ImageFolderReader.Load(index, k => slice(index.ClassNames[k]), channels, o.ImageSize),
                    Sliced = true,
                    SplitText = "not used (the folder is read as given)", SplitApplies = false,
                    Detail = "one sub-folder of PNG/JPEG images per class"
                             + (o.ImageSize is int s ? $", resized to {s}x{s}" : "")
                             + (channels == 1 ? ", converted to luminance" : ""),
                };
            }
            default:
            {
                var attrs = CelebAReader.ReadAttributes(spec.Path);
                var classes = o.Classes ?? CelebAReader.DefaultClasses;
                if (classes.Count > attrs.AttributeNames.Count)
                    throw DataOptions.Invalid("classes",
                        $"lists {classes.Count} classes but {spec.Display} has only {attrs.AttributeNames.Count} attributes");
                var resolved = NameLookup.DistinctIndices(classes, c => attrs.IndexOf(c.Trim()),
                    c => DataOptions.Invalid("classes",
                        $"'{c}' is not an attribute of {spec.Display} (attributes: {string.Join(", ", attrs.AttributeNames)})"),
                    a => DataOptions.Invalid("classes", $"'{attrs.AttributeNames[a]}' is given twice"));
                var index = CelebAReader.IndexClasses(attrs, resolved.Select(a => attrs.AttributeNames[a]).ToList(), o.Split);
                int size = o.ImageSize ?? DataOptions.DefaultCelebAImageSize;
                return new Source
                {
                    Names = index.ClassNames.ToArray(), Counts = index.Counts,
                    Selected = Enumerable.Range(0, index.ClassNames.Count).ToArray(),
                    Load = slice => CelebAReader.Load(index, k => slice(index.ClassNames[k]), size, channels),
                    Sliced = true,
                    SplitApplies = index.SplitUsed,
                    SplitText = index.SplitUsed ? $"{o.Split} ({index.SplitNote})" : $"not used ({index.SplitNote})",
                    Detail = $"{CelebAReader.AttributeFileName} ({attrs.RowCount} rows), "
                             + $"{CelebAReader.ImageFolderName}/ centre-cropped to a square and resized to {size}x{size}"
                             + (channels == 1 ? ", luminance" : ""),
                };
            }
        }
    }

    private static int[] ResolveClasses(DataOptions o, DatasetSpec spec, Source src)
    {
        if (o.Classes == null)
            return Enumerable.Range(0, src.Names.Length).Where(k => src.Counts[k] > 0).ToArray();
        if (o.Classes.Count > src.Names.Length)
            throw DataOptions.Invalid("classes",
                $"lists {o.Classes.Count} classes but {spec.Display} has only {src.Names.Length} ({string.Join(", ", src.Names)})");
        return NameLookup.DistinctIndices(o.Classes.Select(c => c.Trim()).ToList(), c => FindClass(src, c),
            c => DataOptions.Invalid("classes", $"'{c}' is not a class of {spec.Display} (classes: {string.Join(", ", src.Names)})"),
            k => DataOptions.Invalid("classes", $"'{src.Names[k]}' is given twice"));
    }

    /// <summary>A class by name (exact, else the only case-insensitive match), else by index when allowed; -1 if none.</summary>
    private static int FindClass(Source src, string c)
    {
        int k = Array.FindIndex(src.Names, n => string.Equals(n, c, StringComparison.Ordinal));
        if (k < 0)
        {
            var ci = Enumerable.Range(0, src.Names.Length)
                .Where(i => string.Equals(src.Names[i], c, StringComparison.OrdinalIgnoreCase)).ToList();
            if (ci.Count == 1) k = ci[0];
        }
        if (k < 0 && src.IndicesAllowed
            && int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n < src.Names.Length)
            k = n;
        return k;
    }

    private static int[] CountLabels(ImageSet set)
    {
        var c = new int[set.ClassNames.Length];
        foreach (int l in set.Labels) if (l >= 0) c[l]++;
        return c;
    }

    private static string Where(DatasetSpec spec, DataOptions o, Source src) =>
        src.SplitApplies ? $"{spec.Display} ({o.Split})" : spec.Display;
}
