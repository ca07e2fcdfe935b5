"""Checks Recap's ViT against a PyTorch replica of OpenCLIP's VisionTransformer.

Loads the tensors OpenClipParityDump wrote (OpenCLIP names) with load_state_dict(strict=True)
into modules laid out as open_clip/transformer.py lays them out (nn.MultiheadAttention with a
packed in_proj, mlp.c_fc / mlp.c_proj, ln_pre / ln_post, conv1 without bias), runs the same
input and compares pooled (ln_post of the class token) and dense (ln_post of the patch tokens),
also on a 48x32 input whose positional embedding PyTorch resamples with F.interpolate (bilinear,
align_corners=False; OpenCLIP's own resize_pos_embed uses bicubic when loading checkpoints).

Usage (needs python3-torch):
  mvn -q -pl plugins/vit -am test-compile dependency:build-classpath \
      -Dmdep.outputFile=/tmp/cp-\${project.artifactId}.txt -Dmdep.includeScope=test
  java -cp "$(cat /tmp/cp-recap-plugin-vit.txt):plugins/vit/target/classes:plugins/vit/target/test-classes" \
      -Dai.djl.offline=true dev.recap.plugins.vit.OpenClipParityDump /tmp/parity
  /usr/bin/python3 plugins/vit/src/test/python/openclip_parity.py /tmp/parity
"""
import sys
from collections import OrderedDict

import numpy as np
import torch
from torch import nn


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads, mlp_width):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(width, mlp_width)), ("gelu", nn.GELU()), ("c_proj", nn.Linear(mlp_width, width))]))

    def forward(self, x):  # x: [N, B, W] (sequence first, as OpenCLIP's default)
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, mlp_width):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads, mlp_width) for _ in range(layers)])

    def forward(self, x):
        for block in self.resblocks:
            x = block(x)
        return x


class VisionTransformer(nn.Module):
    def __init__(self, image_size, patch, width, layers, heads, mlp_ratio):
        super().__init__()
        grid = image_size // patch
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(torch.zeros(width))
        self.positional_embedding = nn.Parameter(torch.zeros(grid * grid + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, heads, int(width * mlp_ratio))
        self.ln_post = nn.LayerNorm(width)

    def forward(self, x):
        x = self.conv1(x)
        b, w, gh, gw = x.shape
        x = x.reshape(b, w, -1).permute(0, 2, 1)
        x = torch.cat([self.class_embedding.expand(b, 1, w), x], dim=1) + self.resampled_positions(gh, gw)
        x = self.ln_pre(x)
        x = self.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        x = self.ln_post(x)
        return x[:, 0], x[:, 1:].permute(0, 2, 1).reshape(b, w, gh, gw)

    def resampled_positions(self, gh, gw):
        """The positional embedding for a gh x gw grid, bilinear with align_corners=False."""
        pos = self.positional_embedding
        grid = int(round((pos.shape[0] - 1) ** 0.5))
        if (gh, gw) == (grid, grid):
            return pos
        patches = pos[1:].reshape(1, grid, grid, -1).permute(0, 3, 1, 2)
        patches = nn.functional.interpolate(patches, size=(gh, gw), mode="bilinear", align_corners=False)
        return torch.cat([pos[:1], patches.permute(0, 2, 3, 1).reshape(gh * gw, -1)], dim=0)


def load(directory):
    tensors = {}
    for line in open(f"{directory}/manifest.tsv"):
        name, file, shape = line.rstrip("\n").split("\t")
        data = np.fromfile(f"{directory}/{file}", dtype="<f4").reshape([int(d) for d in shape.split(",")])
        tensors[name] = torch.from_numpy(data.copy())
    return tensors


def main(directory):
    tensors = load(directory)
    model = VisionTransformer(image_size=64, patch=8, width=128, layers=4, heads=4, mlp_ratio=4.0)
    state = {"visual." + k: v for k, v in model.state_dict().items()}
    weights = {k: v for k, v in tensors.items() if k.startswith("visual.")}
    missing = sorted(set(state) - set(weights))
    unexpected = sorted(set(weights) - set(state))
    assert not missing and not unexpected, f"missing {missing}, unexpected {unexpected}"
    model.load_state_dict({k[len("visual."):]: v for k, v in weights.items()}, strict=True)
    model.eval()
    with torch.no_grad():
        pooled, dense = model(tensors["input"])
        pooled2, dense2 = model(tensors["input.resampled"])
    for name, ours, theirs in [("pooled", tensors["output.pooled"], pooled), ("dense", tensors["output.dense"], dense),
                               ("pooled 48x32", tensors["output.resampled.pooled"], pooled2),
                               ("dense 48x32", tensors["output.resampled.dense"], dense2)]:
        diff = (ours - theirs).abs().max().item()
        print(f"{name}: shape {tuple(theirs.shape)}, max |recap - openclip replica| = {diff:.3g}, "
              f"max |value| = {theirs.abs().max().item():.3g}")
        assert diff < 1e-4, name
    print(f"OK: {len(weights)} tensors loaded strictly; outputs agree")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/openclip-parity")
