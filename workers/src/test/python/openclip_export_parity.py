"""Loads what `recap export --format openclip` wrote into a plain PyTorch CLIP with OpenCLIP's layout and
compares its embeddings with Recap's.

The model below is built from open_clip_config.json the way open_clip/model.py and transformer.py build
theirs (CLIP with a VisionTransformer and a TextTransformer: conv1 without bias, class and positional
embeddings, ln_pre, pre-LN residual blocks with a packed in_proj, mlp.c_fc / c_proj with GELU or QuickGELU,
ln_post, visual.proj; token and positional embeddings, a causal mask, ln_final, pooling at the end-of-text
token, text_projection; logit_scale). open_clip_model.safetensors is read with the format's own layout
(an 8-byte header length, a JSON header, raw little-endian data) and loaded with load_state_dict(strict=True),
so a missing, extra or misshapen tensor fails here as it would in OpenCLIP.

Usage (needs python3-torch; ExportParityDump exports the runs and writes Recap's embeddings of one batch):
  mvn -q -o -pl workers -am test-compile dependency:build-classpath \\
      -Dmdep.outputFile=/tmp/cp-workers.txt -Dmdep.includeScope=test
  java -cp "$(cat /tmp/cp-workers.txt):workers/target/classes:workers/target/test-classes" -Dai.djl.offline=true \\
      dev.recap.worker.train.ExportParityDump /tmp/parity target/recap/plugins [a trained run's model/ ...]
  /usr/bin/python3 workers/src/test/python/openclip_export_parity.py /tmp/parity/*/
"""
import json
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    tensors = OrderedDict()
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads, mlp_ratio, act):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        hidden = int(width * mlp_ratio)
        self.mlp = nn.Sequential(OrderedDict([("c_fc", nn.Linear(width, hidden)), ("gelu", act()),
                                              ("c_proj", nn.Linear(hidden, width))]))

    def forward(self, x, mask=None):  # x: [N, B, W], sequence first
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, mlp_ratio, act):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads, mlp_ratio, act) for _ in range(layers)])

    def forward(self, x, mask=None):
        for block in self.resblocks:
            x = block(x, mask)
        return x


class VisionTransformer(nn.Module):
    def __init__(self, cfg, embed_dim, act):
        super().__init__()
        width, patch = cfg["width"], cfg["patch_size"]
        grid = cfg["image_size"] // patch
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(torch.zeros(width))
        self.positional_embedding = nn.Parameter(torch.zeros(grid * grid + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, cfg["layers"], width // cfg.get("head_width", 64), cfg.get("mlp_ratio", 4.0), act)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(torch.zeros(width, embed_dim))

    def forward(self, x):
        x = self.conv1(x)
        b, w = x.shape[:2]
        x = x.reshape(b, w, -1).permute(0, 2, 1)
        x = torch.cat([self.class_embedding.expand(b, 1, w), x], dim=1) + self.positional_embedding
        x = self.ln_pre(x)
        x = self.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        return self.ln_post(x[:, 0]) @ self.proj


class CLIP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        act = QuickGELU if cfg.get("quick_gelu", False) else nn.GELU
        embed_dim, text = cfg["embed_dim"], cfg["text_cfg"]
        self.visual = VisionTransformer(cfg["vision_cfg"], embed_dim, act)
        width, context = text["width"], text["context_length"]
        self.transformer = Transformer(width, text["layers"], text["heads"], text.get("mlp_ratio", 4.0), act)
        self.token_embedding = nn.Embedding(text["vocab_size"], width)
        self.positional_embedding = nn.Parameter(torch.zeros(context, width))
        self.ln_final = nn.LayerNorm(width)
        self.text_projection = nn.Parameter(torch.zeros(width, embed_dim))
        self.logit_scale = nn.Parameter(torch.zeros([]))
        self.register_buffer("attn_mask", torch.full((context, context), float("-inf")).triu_(1), persistent=False)
        self.pool_type, self.eos_id = text.get("pool_type", "argmax"), text.get("eos_id")

    def encode_image(self, images):
        return F.normalize(self.visual(images), dim=-1)

    def encode_text(self, tokens):
        x = self.token_embedding(tokens) + self.positional_embedding
        x = self.transformer(x.permute(1, 0, 2), self.attn_mask).permute(1, 0, 2)
        x = self.ln_final(x)
        # OpenCLIP's text_global_pool: argmax (CLIP's end-of-text is its largest id) or eos (first eos_id)
        idx = tokens.argmax(dim=-1) if self.pool_type == "argmax" else (tokens == self.eos_id).int().argmax(dim=-1)
        return F.normalize(x[torch.arange(x.shape[0]), idx] @ self.text_projection, dim=-1)


def load_dump(directory):
    out = {}
    for line in open(f"{directory}/manifest.tsv"):
        name, file, dtype, shape = line.rstrip("\n").split("\t")
        dims = [int(d) for d in shape.split(",")] if shape else []
        out[name] = torch.from_numpy(np.fromfile(f"{directory}/{file}", dtype="<i8" if dtype == "int64" else "<f4")
                                     .reshape(dims).copy())
    return out


def check(directory):
    config = json.load(open(f"{directory}/export/open_clip_config.json"))
    model = CLIP(config["model_cfg"])
    model.load_state_dict(read_safetensors(f"{directory}/export/open_clip_model.safetensors"), strict=True)
    model.eval()
    dump = load_dump(directory)
    with torch.no_grad():
        image = model.encode_image(dump["images"])
        text = model.encode_text(dump["tokens"])
    cfg = config["model_cfg"]
    print(f"{directory}: vision {cfg['vision_cfg']}, text {cfg['text_cfg']}, quick_gelu {cfg.get('quick_gelu', False)}")
    worst = 0.0
    for name, ours, theirs in [("image embeddings", dump["image_embeddings"], image),
                               ("text embeddings", dump["text_embeddings"], text),
                               ("logit scale", dump["logit_scale"], model.logit_scale.detach())]:
        diff = (ours - theirs).abs().max().item()
        worst = max(worst, diff)
        print(f"  {name}: shape {tuple(theirs.shape)}, max |recap - openclip layout| = {diff:.3g}")
    cosine = (dump["image_embeddings"] @ dump["text_embeddings"].T - image @ text.T).abs().max().item()
    print(f"  image-text cosines: max difference {cosine:.3g}")
    assert worst < 1e-4, f"{directory}: embeddings differ by {worst}"
    return worst


if __name__ == "__main__":
    dirs = sys.argv[1:] or ["target/export-parity/quick-gelu"]
    worst = max(check(d.rstrip("/")) for d in dirs)
    print(f"OK: {len(dirs)} export(s) loaded strictly into OpenCLIP's layout; largest difference {worst:.3g}")
