#!/usr/bin/env python3
"""Load a dnnmm model exported with `dnnmm export` into PyTorch.

    dnnmm export --model runs/main --out model.safetensors     # writes model.safetensors and model.dnnmm.json
    python3 tools/load_dnnmm.py model.safetensors              # loads it and checks it against the export

From Python:

    import sys; sys.path.insert(0, "tools")
    from load_dnnmm import load
    model, desc = load("model.safetensors")     # a torch.nn.Module in evaluation mode
    x = torch.rand(16, *desc["imageShape"])      # images N x C x H x W, floats in [0, 1]
    model.predict(x)                             # clusters (argmax of the posterior memberships)
    model.predict_proba(x)                       # N x K posterior memberships gamma_nk
    model.score_samples(x)                       # per-image log-likelihood log sum_k omega_k N(E(x); mu_k, I)
    model.encoder(x)                             # latent codes E(x), N x d
    model.sample(cluster=0, n=8)                 # G(mu_k + eps), N x C x H x W

The modules below are the dnnmm networks with the same parameter names as the export (its state dict), so
`load_state_dict(..., strict=True)` takes every tensor. Needs PyTorch only; the safetensors package is used when
installed, otherwise the file is read here (the format is an 8-byte header length, a JSON header and raw data).
"""

import argparse
import json
import math
import struct
import sys
from collections import OrderedDict

import torch
from torch import nn

FORMAT = "dnnmm-safetensors"
_DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32}


def read_safetensors(path):
    """The tensors (name -> CPU tensor) and the __metadata__ of a safetensors file."""
    try:
        from safetensors import safe_open  # the reference reader, when installed

        with safe_open(path, framework="pt") as f:
            return {k: f.get_tensor(k) for k in f.keys()}, dict(f.metadata() or {})
    except ImportError:
        pass
    if sys.byteorder != "little":
        raise RuntimeError("reading safetensors without the safetensors package needs a little-endian machine")
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    body = data[8 + n :]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        dtype = _DTYPES[e["dtype"]]
        flat = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(e["shape"]).clone()
    return tensors, metadata


class ConvNet(nn.Module):
    """Encoder and discriminator: stride-2 4x4 convolutions (width, 2 width, ...) with LeakyReLU(0.2), then a linear head."""

    def __init__(self, channels, width, stages, base_side, outputs):
        super().__init__()
        layers = OrderedDict()
        c_in, c = channels, width
        for i in range(1, stages + 1):
            layers[f"conv{i}"] = nn.Conv2d(c_in, c, 4, stride=2, padding=1)
            layers[f"lrelu{i}"] = nn.LeakyReLU(0.2)
            c_in, c = c, c * 2
        layers["flatten"] = nn.Flatten()
        self.trunk = nn.Sequential(layers)
        self.head = nn.Linear(c_in * base_side * base_side, outputs)

    def forward(self, x):
        return self.head(self.trunk(x))


class Generator(nn.Module):
    """G: a linear projection to c0 x b x b with BatchNorm and ReLU, then stride-2 transposed convolutions to the image."""

    def __init__(self, latent_dim, channels, width, stages, base_side):
        super().__init__()
        self.c0, self.b = width << (stages - 1), base_side
        units = self.c0 * base_side * base_side
        self.project = nn.Sequential(OrderedDict(fc=nn.Linear(latent_dim, units), bn=nn.BatchNorm1d(units), relu=nn.ReLU()))
        layers = OrderedDict()
        c = self.c0
        for i in range(1, stages):
            layers[f"deconv{i}"] = nn.ConvTranspose2d(c, c // 2, 4, stride=2, padding=1)
            layers[f"bn{i}"] = nn.BatchNorm2d(c // 2)
            layers[f"relu{i}"] = nn.ReLU()
            c //= 2
        layers[f"deconv{stages}"] = nn.ConvTranspose2d(c, channels, 4, stride=2, padding=1)
        layers["sigmoid"] = nn.Sigmoid()
        self.upsample = nn.Sequential(layers)

    def forward(self, y):
        return self.upsample(self.project(y).view(-1, self.c0, self.b, self.b))


class Mixture(nn.Module):
    """The latent prior sum_k omega_k N(y; mu_k, I): fixed means, identity covariance, learned weights."""

    def __init__(self, clusters, latent_dim):
        super().__init__()
        self.register_buffer("means", torch.zeros(clusters, latent_dim))
        self.register_buffer("omega", torch.full((clusters,), 1.0 / clusters))

    def log_joint(self, z):
        d = self.means.shape[1]
        sq = torch.cdist(z, self.means).pow(2)
        return torch.log(self.omega) - 0.5 * sq - 0.5 * d * math.log(2 * math.pi)

    def posterior(self, z):
        return torch.softmax(self.log_joint(z), dim=1)

    def log_likelihood(self, z):
        return torch.logsumexp(self.log_joint(z), dim=1)


class DnnmmModel(nn.Module):
    """DNN-MM: generator, encoder, discriminator and the latent mixture, named as in the export."""

    def __init__(self, desc):
        super().__init__()
        a = desc["architecture"]
        channels = desc["imageShape"][0]
        k, d = desc["clusters"], desc["latentDim"]
        self.generator = Generator(d, channels, a["networkWidth"], a["stages"], a["baseSide"])
        self.encoder = ConvNet(channels, a["networkWidth"], a["stages"], a["baseSide"], d)
        self.discriminator = ConvNet(channels, a["networkWidth"], a["stages"], a["baseSide"], 1)
        self.mixture = Mixture(k, d)
        self.class_names = list(desc.get("classNames", []))

    @torch.no_grad()
    def predict_proba(self, x):
        return self.mixture.posterior(self.encoder(x))

    @torch.no_grad()
    def predict(self, x):
        return self.predict_proba(x).argmax(dim=1)

    @torch.no_grad()
    def score_samples(self, x):
        return self.mixture.log_likelihood(self.encoder(x))

    @torch.no_grad()
    def sample(self, cluster, n, generator=None):
        mu = self.mixture.means[cluster].expand(n, -1)
        return self.generator(mu + torch.randn(mu.shape, generator=generator))


def sidecar_for(weights_path):
    return (weights_path[: -len(".safetensors")] if weights_path.endswith(".safetensors") else weights_path) + ".dnnmm.json"


def load(weights_path, sidecar_path=None):
    """The model (evaluation mode, CPU) and its description (the JSON sidecar) of a dnnmm export."""
    with open(sidecar_path or sidecar_for(weights_path), encoding="utf-8") as f:
        desc = json.load(f)
    if desc.get("format") != FORMAT:
        raise ValueError(f"{sidecar_path or sidecar_for(weights_path)}: not a dnnmm export description")
    tensors, _ = read_safetensors(weights_path)
    model = DnnmmModel(desc)
    model.load_state_dict(tensors, strict=True)
    return model.eval(), desc


@torch.no_grad()
def check(model, desc):
    """Largest differences between this model's outputs and the exporter's, for y = the means (no data needed)."""
    c = desc["check"]
    x = model.generator(model.mixture.means)
    z = model.encoder(x)
    k = x.shape[0]
    t = lambda v: torch.tensor(v, dtype=torch.float32)
    return {
        "generatedMean": (x.reshape(k, -1).mean(dim=1) - t(c["generatedMean"])).abs().max().item(),
        "generatedFirstPixels": (x.reshape(k, -1)[:, :8] - t(c["generatedFirstPixels"])).abs().max().item(),
        "encoded": (z - t(c["encoded"])).abs().max().item(),
        "posterior": (model.mixture.posterior(z) - t(c["posterior"])).abs().max().item(),
        "discriminatorLogit": (model.discriminator(x).reshape(-1) - t(c["discriminatorLogit"])).abs().max().item(),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description="Load a dnnmm export into PyTorch and check it against the exporter's outputs.")
    ap.add_argument("weights", help="the .safetensors file written by dnnmm export")
    ap.add_argument("--sidecar", help="the JSON description (default: <name>.dnnmm.json beside the weights)")
    ap.add_argument("--tolerance", type=float, default=1e-4, help="largest accepted difference (default 1e-4)")
    args = ap.parse_args(argv)
    model, desc = load(args.weights, args.sidecar)
    n = sum(p.numel() for p in model.parameters())
    print(f"dnnmm model: K = {desc['clusters']}, latent dimension {desc['latentDim']}, images {'x'.join(map(str, desc['imageShape']))}, "
          f"{n} parameters, omega {[round(w, 4) for w in model.mixture.omega.tolist()]}")
    diffs = check(model, desc)
    worst = max(diffs.values())
    print("check against the exporter (largest differences): " + ", ".join(f"{k} {v:.2e}" for k, v in diffs.items()))
    if worst > args.tolerance:
        print(f"error: the PyTorch model differs from the exported one by {worst:.2e} (> {args.tolerance})", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
