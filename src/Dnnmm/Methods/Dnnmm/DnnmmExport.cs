using System.Text.Json;
using System.Text.Json.Nodes;
using Dnnmm.Infrastructure;
using static TorchSharp.torch.nn;

namespace Dnnmm.Methods.Dnnmm;

/// <summary>
/// A DNN-MM model as safetensors with PyTorch state-dict names, and back. The tensors are the state dicts of the three
/// networks under <c>generator.</c>, <c>encoder.</c> and <c>discriminator.</c> (parameters and BatchNorm buffers, e.g.
/// <c>encoder.trunk.conv1.weight</c>, <c>generator.project.bn.running_mean</c>), and the latent mixture as
/// <c>mixture.means</c> (K x d) and <c>mixture.omega</c> (K). tools/load_dnnmm.py defines the same modules in PyTorch.
/// </summary>
public static class DnnmmExport
{
    /// <summary>The sidecar's "format" value.</summary>
    public const string Format = "dnnmm-safetensors";
    public const int FormatVersion = 1;

    /// <summary>Every parameter and buffer of the model and the mixture, copied to the CPU.</summary>
    public static Dictionary<string, Tensor> Tensors(DnnmmModel model)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (prefix, net) in Networks(model))
            foreach (var (name, t) in net.state_dict())
                result[$"{prefix}.{name}"] = t.detach().cpu().clone();
        result["mixture.means"] = model.Mixture.Means.detach().cpu().clone();
        result["mixture.omega"] = model.Mixture.Omega.detach().cpu().clone();
        return result;
    }

    /// <summary>
    /// The sidecar: architecture (enough to rebuild the networks), K, d, image shape, class names, means, omega, the
    /// model record (model.json) and the method options, and a check: for y = mu_k, the generator's G(y) (pixel mean and
    /// first pixels), E(G(y)), the posterior of E(G(y)) and D's logit, so that a loader can verify its networks.
    /// </summary>
    public static JsonObject Description(DnnmmModel model, DnnmmOptions options)
    {
        var info = model.Info;
        var (side, stages) = info.Shape.ConvLayout();
        int k = info.Clusters, d = info.LatentDim, pixels = info.Shape.Size;
        var means = model.ComponentMeans();
        var omega = model.Mixture.OmegaArray();

        // The check: everything computed from the means alone, networks in evaluation mode.
        var generated = model.Generate(means);
        float[] encoded, posterior, logits;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var x = tensor(generated, new long[] { k, info.Channels, info.Height, info.Width }).to(model.Device);
            model.E.eval(); model.D.eval();
            var z = model.E.forward(x);
            encoded = z.cpu().data<float>().ToArray();
            posterior = model.Mixture.Posterior(z).cpu().data<float>().ToArray();
            logits = model.D.forward(x).cpu().data<float>().ToArray();
            model.E.train(); model.D.train();
        }

        JsonArray Rows(float[] flat, int cols) => new(Enumerable.Range(0, flat.Length / cols)
            .Select(r => (JsonNode)new JsonArray(flat.Skip(r * cols).Take(cols).Select(v => (JsonNode)JsonValue.Create(v)).ToArray())).ToArray());
        JsonArray Values(IEnumerable<float> v) => new(v.Select(x => (JsonNode)JsonValue.Create(x)).ToArray());
        JsonArray Ints(params int[] v) => new(v.Select(x => (JsonNode)JsonValue.Create(x)).ToArray());

        long baseChannels = (long)info.NetWidth << (stages - 1);
        return new JsonObject
        {
            ["format"] = Format,
            ["formatVersion"] = FormatVersion,
            ["method"] = "dnnmm",
            ["clusters"] = k,
            ["latentDim"] = d,
            ["imageShape"] = Ints(info.Channels, info.Height, info.Width),
            ["classNames"] = new JsonArray(info.ClassNames.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
            ["means"] = Rows(means, d),
            ["omega"] = Values(omega),
            ["architecture"] = new JsonObject
            {
                ["name"] = "dnnmm-dcgan",
                ["networkWidth"] = info.NetWidth,
                ["baseSide"] = side,
                ["stages"] = stages,
                ["generatorBaseChannels"] = baseChannels,
                ["generator"] = "project: fc = Linear(d, c0*b*b), bn = BatchNorm1d(c0*b*b), ReLU; view as c0 x b x b; upsample: "
                    + "(deconv_i = ConvTranspose2d(c, c/2, 4, stride 2, padding 1), bn_i = BatchNorm2d(c/2), ReLU) for i = 1..stages-1, "
                    + "deconv_stages = ConvTranspose2d(c, channels, 4, stride 2, padding 1), Sigmoid; c0 = networkWidth * 2^(stages-1), b = baseSide",
                ["encoderDepth"] = info.EncoderDepth,
                ["encoder"] = "trunk: (conv_i = Conv2d(c_in, c, 4, stride 2, padding 1), LeakyReLU(0.2), then (conv_i_j = Conv2d(c, c, 3, stride 1, padding 1), "
                    + "LeakyReLU(0.2)) for j = 2..encoderDepth) for i = 1..stages with c = networkWidth, 2 networkWidth, ...; Flatten; head = Linear(c_last*b*b, latentDim)",
                ["discriminator"] = "as the encoder with encoderDepth 1 and head = Linear(c_last*b*b, 1): a logit, D(x) = sigmoid(logit)",
                ["mixture"] = "p(y) = sum_k omega_k N(y; means_k, I); posterior gamma_k(x) = softmax_k(log omega_k - |E(x) - means_k|^2 / 2)",
                ["input"] = "images N x channels x height x width, floats in [0, 1]",
                ["batchNorm"] = "evaluation mode (running statistics) for prediction and sampling",
            },
            ["modelInfo"] = JsonSerializer.SerializeToNode(info, Json.Options),
            ["options"] = JsonSerializer.SerializeToNode(options, Json.Options),
            ["check"] = new JsonObject
            {
                ["input"] = "y = means (one latent point per cluster)",
                ["generatedMean"] = Values(Enumerable.Range(0, k).Select(r => (float)generated.Skip(r * pixels).Take(pixels).Average())),
                ["generatedFirstPixels"] = Rows(Enumerable.Range(0, k).SelectMany(r => generated.Skip(r * pixels).Take(8)).ToArray(), 8),
                ["encoded"] = Rows(encoded, d),
                ["posterior"] = Rows(posterior, k),
                ["discriminatorLogit"] = Values(logits),
            },
        };
    }

    /// <summary>
    /// A DNN-MM model from an exported safetensors file and its sidecar (<see cref="ExportFiles.SidecarFor"/>): the
    /// networks are built from the sidecar's model record and every tensor is loaded by name (a missing, extra or
    /// mis-shaped tensor is a one-line <see cref="DnnmmInputException"/>). It predicts, scores and samples as the
    /// exported model did.
    /// </summary>
    public static DnnmmMethod Import(string weightsPath, string device = "cpu")
    {
        string sidecar = ExportFiles.SidecarFor(weightsPath);
        var file = Safetensors.Read(weightsPath);
        if (!File.Exists(sidecar)) throw new DnnmmInputException($"{weightsPath}: its description {sidecar} was not found (dnnmm export writes both)");
        JsonObject desc;
        DnnmmModelInfo info;
        DnnmmOptions options;
        try
        {
            desc = JsonNode.Parse(File.ReadAllText(sidecar))?.AsObject() ?? throw new DnnmmInputException($"{sidecar}: empty");
            if ((string?)desc["format"] != Format || (string?)desc["method"] != "dnnmm")
                throw new DnnmmInputException($"{sidecar}: not the description of an exported dnnmm model");
            info = desc["modelInfo"].Deserialize<DnnmmModelInfo>(Json.Options) ?? throw new DnnmmInputException($"{sidecar}: no modelInfo");
            options = desc["options"]?.Deserialize<DnnmmOptions>(Json.Options) ?? new DnnmmOptions();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new DnnmmInputException($"{sidecar}: unreadable ({e.Message.Split('\n')[0]})");
        }

        var model = new DnnmmModel(info, Compute.ResolveDevice(device));
        var tensors = file.ToTensors();
        try
        {
            var expected = Tensors(model);
            try
            {
                var missing = expected.Keys.Except(tensors.Keys).ToList();
                var extra = tensors.Keys.Except(expected.Keys).ToList();
                if (missing.Count > 0 || extra.Count > 0)
                    throw new DnnmmInputException($"{weightsPath}: does not fit the model of {sidecar}" +
                        (missing.Count > 0 ? $"; missing {string.Join(", ", missing.Take(3))}" : "") + (extra.Count > 0 ? $"; unexpected {string.Join(", ", extra.Take(3))}" : ""));
                foreach (var (name, t) in expected)
                    if (!t.shape.SequenceEqual(tensors[name].shape) || t.dtype != tensors[name].dtype)
                        throw new DnnmmInputException($"{weightsPath}: tensor {name} is {tensors[name].dtype} [{string.Join(", ", tensors[name].shape)}], the model needs {t.dtype} [{string.Join(", ", t.shape)}]");
            }
            finally
            {
                foreach (var t in expected.Values) t.Dispose();
            }
            foreach (var (prefix, net) in Networks(model))
            {
                var own = tensors.Where(kv => kv.Key.StartsWith(prefix + ".", StringComparison.Ordinal))
                    .ToDictionary(kv => kv.Key[(prefix.Length + 1)..], kv => kv.Value);
                net.load_state_dict(own, strict: true);
            }
            using (no_grad())
            {
                // Copied bit for bit (SetOmega would renormalise).
                model.Mixture.Means.copy_(tensors["mixture.means"]);
                model.Mixture.Omega.copy_(tensors["mixture.omega"]);
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        return DnnmmMethod.FromModel(model, options with { Device = device });
    }

    private static IEnumerable<(string Prefix, Module<Tensor, Tensor> Net)> Networks(DnnmmModel model)
    {
        yield return ("generator", model.G);
        yield return ("encoder", model.E);
        yield return ("discriminator", model.D);
    }
}
