#!/usr/bin/env python3
"""PyTorch reference for the CLIP training benchmark (docs/benchmarks.md#trainer).

The same tiny CLIP as the DJL run of ClipTrainingBench with the vit / text-transformer plugins:
  image: pre-LN ViT, patch 8, width 128, depth 4, heads 4, MLP 4x, class token, learned
         positional embedding, ln_pre / ln_post, pooled at the class token (64x64 images);
  text:  causal pre-LN transformer, width 128, depth 2, heads 4, MLP 4x, context 32, final LN,
         pooled at the end-of-text position;
  linear projections (no bias) to 128, L2 normalization, learnable logit scale (ln(1/0.07)),
  symmetric InfoNCE, AdamW(0.9, 0.98, eps 1e-6, wd 0.2 on matrices only), global-norm clip 1.0.
A plain fp32 loop on random data of the same shapes; no torch.compile, no channels_last.

--precisions fp32,bf16 runs the loop once per precision; bf16 is torch.autocast("cpu",
dtype=torch.bfloat16) around the forward and the loss (the products in bfloat16, the master
weights and the optimizer in float32), the recipe Recap's BF16_PRODUCTS follows. A bf16 matmul
reference (1024^3) is printed beside the fp32 one, for MFU.

Usage: /usr/bin/python3 src/test/python/clip_train_bench.py --threads 2 --batch 256 --steps 5 --precisions fp32,bf16
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, width, heads, causal_len=None):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(width)
        self.in_proj = nn.Linear(width, 3 * width)
        self.out_proj = nn.Linear(width, width)
        self.ln_2 = nn.LayerNorm(width)
        self.c_fc = nn.Linear(width, 4 * width)
        self.c_proj = nn.Linear(4 * width, width)
        if causal_len is not None:
            mask = torch.full((causal_len, causal_len), float("-inf")).triu(1)
            self.register_buffer("mask", mask)
        else:
            self.mask = None

    def attn(self, x):
        b, n, w = x.shape
        hd = w // self.heads
        qkv = self.in_proj(x).reshape(b, n, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * (1.0 / math.sqrt(hd)), qkv[1], qkv[2]
        a = q @ k.transpose(-1, -2)
        if self.mask is not None:
            a = a + self.mask
        a = a.softmax(-1)
        return self.out_proj((a @ v).transpose(1, 2).reshape(b, n, w))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.c_proj(F.gelu(self.c_fc(self.ln_2(x))))


class Vit(nn.Module):
    def __init__(self, patch=8, width=128, depth=4, heads=4, image=64):
        super().__init__()
        scale = width ** -0.5
        self.conv1 = nn.Conv2d(3, width, patch, patch, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((image // patch) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.blocks = nn.ModuleList([Block(width, heads) for _ in range(depth)])
        self.ln_post = nn.LayerNorm(width)

    def forward(self, images):
        x = self.conv1(images)
        b, w = x.shape[:2]
        x = x.reshape(b, w, -1).transpose(1, 2)
        x = torch.cat([self.class_embedding.expand(b, 1, w), x], 1) + self.positional_embedding
        x = self.ln_pre(x)
        for blk in self.blocks:
            x = blk(x)
        return self.ln_post(x)[:, 0]


class TextTransformer(nn.Module):
    def __init__(self, vocab, context=32, width=128, depth=2, heads=4):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.positional_embedding = nn.Parameter(0.01 * torch.randn(context, width))
        self.blocks = nn.ModuleList([Block(width, heads, causal_len=context) for _ in range(depth)])
        self.ln_final = nn.LayerNorm(width)

    def forward(self, tokens, eot_pos):
        x = self.token_embedding(tokens) + self.positional_embedding
        for blk in self.blocks:
            x = blk(x)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), eot_pos]


class Clip(nn.Module):
    def __init__(self, vocab, embed=128):
        super().__init__()
        self.visual = Vit()
        self.text = TextTransformer(vocab)
        self.image_projection = nn.Parameter(128 ** -0.5 * torch.randn(128, embed))
        self.text_projection = nn.Parameter(128 ** -0.5 * torch.randn(128, embed))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def forward(self, images, tokens, eot_pos):
        i = F.normalize(self.visual(images) @ self.image_projection, dim=-1)
        t = F.normalize(self.text(tokens, eot_pos) @ self.text_projection, dim=-1)
        logits = self.logit_scale.exp() * i @ t.t()
        labels = torch.arange(images.shape[0])
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2


def matmul_gflops(n=1024, reps=5, dtype=torch.float32):
    a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
    a @ b
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    return 2.0 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--vocab", type=int, default=64)
    ap.add_argument("--precisions", default="fp32")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"reference fp32 matmul 1024^3: {matmul_gflops():.1f} GFLOP/s")
    print(f"reference bf16 matmul 1024^3: {matmul_gflops(dtype=torch.bfloat16):.1f} GFLOP/s")
    for precision in args.precisions.split(","):
        run(args, precision.strip())
    print(f"reference fp32 matmul 1024^3 after the runs: {matmul_gflops():.1f} GFLOP/s")
    print(f"reference bf16 matmul 1024^3 after the runs: {matmul_gflops(dtype=torch.bfloat16):.1f} GFLOP/s")


def run(args, precision):
    torch.manual_seed(1)
    model = Clip(args.vocab)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "embedding" not in n]
    other = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "embedding" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.2}, {"params": other, "weight_decay": 0.0}],
                            lr=5e-4, betas=(0.9, 0.98), eps=1e-6)
    print(f"model: {sum(p.numel() for p in model.parameters())} parameters")
    b = args.batch
    data = []
    for s in range(2):
        g = torch.Generator().manual_seed(s)
        images = torch.randn(b, 3, 64, 64, generator=g)
        tokens = torch.randint(2, args.vocab, (b, 32), generator=g)
        eot = torch.randint(3, 32, (b,), generator=g)
        data.append((images, tokens, eot))

    def step(d):
        if precision == "bf16":
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = model(*d)
            loss = loss.float()
        else:
            loss = model(*d)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        return loss.item()

    step(data[0])
    step(data[1])
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    loss = 0.0
    for s in range(args.steps):
        loss = step(data[s % 2])
    sec = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    print(f"{precision.upper()} training: batch {b}, 64x64: {sec / args.steps:.3f} s/step, {b * args.steps / sec:.1f} images/s (loss {loss:.3f}); {1e3 * cpu / (b * args.steps):.2f} cpu-ms/image")


if __name__ == "__main__":
    main()
