#!/usr/bin/env python3
"""A PyTorch twin of Recap's CLIP pretraining, kept as a standing check of the Java trainer.

It trains the tiny CLIP of the `vit` (preset vit-tiny) and `text-transformer` (preset text-tiny)
plugins on the same WebDataset shards, with the same recipe as Recap's defaults (which follow
OpenCLIP), and prints the loss per epoch and held-out retrieval R@1 / R@5. ClipTwinBench (test
scope, workers) writes the shards, runs Recap's trainer and this script with the same seeds and
schedule, and prints both side by side (docs/benchmarks.md, "CLIP against its PyTorch twin").

What is the same as Recap:
  model   image: pre-LN ViT, patch 8, width 128, depth 4, heads 4, MLP 4x (exact GELU), class
          token, learned positional embedding, ln_pre / ln_post, pooled at the class token;
          text: causal pre-LN transformer, width 128, depth 2, heads 4, MLP 4x, context 32,
          final LN, pooled at the first end-of-text token; linear projections without bias to
          128, L2 normalization, logit scale initialized to ln(1/0.07), clamped to [0, ln 100]
          after every update; symmetric InfoNCE.
  init    the plugins' scheme, tensor by tensor (normal with the same standard deviations,
          zero biases, unit norm gains).
  tokens  Recap's built-in word tokenizer: lower-cased words and single punctuation marks, the
          4092 most frequent (ties alphabetical) after <pad> <unk> <start> <end>, trained on the
          training captions; <start> ... <end>, zero padded to 32. With --vocab, the vocabulary
          Recap saved is checked to be identical.
  optim   AdamW (0.9, 0.98), eps 1e-6, weight decay 0.2 on every tensor of 2+ dimensions (norm
          gains, biases, the class embedding and the logit scale are 1-D or 0-D), no gradient
          clipping; linear warm-up to the peak then cosine to 0 (Recap's CosineSchedule).
  data    key.png + key.txt of every sample; CLIP's mean/std normalization; training images
          through a random resized crop of --min-scale..1 of the area (aspect 3/4..4/3, as
          torchvision's RandomResizedCrop) resampled bilinearly to 64 px, no flip (--flip to
          flip); held-out images only resized. Retrieval counts a hit when the retrieved
          caption is identical to the true one, ties against the correct answer, R@K the mean
          of image->text and text->image, as Recap's evaluate stage reports it.
What differs: the order of samples (a full permutation per epoch here, Recap's shard order plus a
256-sample shuffle buffer there) and the random draws of the crops and of the initialization.
--init (Recap's initial parameters) and --order (Recap's batches, key for key) remove the last two
but the crops; without a crop (--min-scale 1.0) the twin then follows Recap step for step.

The one-step check (--compare DIR, DIR written by ClipTwinStepDump): Recap's initial parameters
(OpenCLIP's names, mapped onto this twin's), Recap's batch (the pixels as Recap's loader normalized
them, checked against this script's decoding and normalization of the same samples; the token ids,
checked against this script's tokenizer), then per step the loss, every tensor's gradient and the
parameters after torch's AdamW, each against Recap's; and torch's AdamW applied to Recap's own
gradients from Recap's initial parameters (the optimizer alone).

Usage (Debian's python3-torch; its netlib BLAS is ~1 GFLOP/s, so put OpenBLAS first, e.g.
unpacked from libopenblas0-openmp with `apt-get download` + `dpkg -x`):
  OMP_NUM_THREADS=1 LD_LIBRARY_PATH=<openblas-openmp dir> /usr/bin/python3 clip_twin.py \
      --train 'DIR/train-*.tar' --heldout DIR/heldout.tar --seed 1 --epochs 3 --batch 256 \
      --lr 1e-3 --warmup 12 [--vocab DIR/tokenizer/vocab.txt]
The last line printed is `RESULT {json}`: epochLoss (mean step loss per epoch), stepLoss,
r1, r5, i2t/t2i recall, heldout pairs and unique captions, seconds.
  OMP_NUM_THREADS=1 /usr/bin/python3 clip_twin.py --compare DIR [--train 'SHARDS/train-*.tar']
prints the one-step check per tensor and ends with `RESULT {json}` of the worst relative L2
differences (gradients, parameters, replayed optimizer) per step.
"""
import argparse
import glob
import io
import json
import math
import re
import struct
import tarfile
import time
from collections import Counter

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

CLIP_MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(3, 1, 1)
CLIP_STD = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(3, 1, 1)
SPECIALS = ["<pad>", "<unk>", "<start>", "<end>"]
WORD = re.compile(r"[^\W_]+|[^\s\w]|_")  # Java: [\p{L}\p{N}]+|[^\s\p{L}\p{N}]


# ---------------------------------------------------------------- data

def read_shards(paths, with_keys=False):
    """(images uint8 [N, H, W, 3], captions[, keys]) of every sample with an image and a key.txt, in shard order."""
    images, captions, keys = [], [], []
    for path in paths:
        samples = {}
        with tarfile.open(path) as tar:
            for member in tar:
                if not member.isfile():
                    continue
                key, _, ext = member.name.rpartition(".")
                samples.setdefault(key, {})[ext] = tar.extractfile(member).read()
        for key, files in samples.items():
            img = files.get("png") or files.get("jpg") or files.get("jpeg")
            txt = files.get("txt")
            if img is None or txt is None:
                continue
            images.append(np.asarray(Image.open(io.BytesIO(img)).convert("RGB")))
            captions.append(txt.decode("utf-8").strip())
            keys.append(key)
    return (np.stack(images), captions, keys) if with_keys else (np.stack(images), captions)


def words(text):
    return WORD.findall(text.lower())


class WordTokenizer:
    def __init__(self, corpus, max_vocab=4096, context=32):
        counts = Counter(w for c in corpus for w in words(c))
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: max_vocab - len(SPECIALS)]
        self.vocab = SPECIALS + [w for w, _ in ranked]
        self.ids = {w: i for i, w in enumerate(self.vocab)}
        self.context = context

    def encode(self, text):
        out = [0] * self.context
        out[0] = 2
        n = 1
        for w in words(text):
            if n == self.context - 1:
                break
            out[n] = self.ids.get(w, 1)
            n += 1
        out[n] = 3
        return out


def normalize(images_uint8):
    """uint8 [B, H, W, 3] -> float [B, 3, H, W], CLIP-normalized."""
    x = torch.from_numpy(images_uint8).permute(0, 3, 1, 2).float() / 255.0
    return (x - CLIP_MEAN) / CLIP_STD


def random_resized_crop(x, size, min_scale, flip, gen):
    """torchvision's RandomResizedCrop(size, scale=(min_scale, 1), ratio=(3/4, 4/3)) on one CHW image."""
    _, h, w = x.shape
    area = h * w
    box = (0, 0, h, w)
    for _ in range(10):
        target = area * (min_scale + (1 - min_scale) * torch.rand(1, generator=gen).item())
        log_ratio = math.log(3 / 4) + (math.log(4 / 3) - math.log(3 / 4)) * torch.rand(1, generator=gen).item()
        ratio = math.exp(log_ratio)
        cw = int(round(math.sqrt(target * ratio)))
        ch = int(round(math.sqrt(target / ratio)))
        if 0 < cw <= w and 0 < ch <= h:
            top = int(torch.randint(0, h - ch + 1, (1,), generator=gen))
            left = int(torch.randint(0, w - cw + 1, (1,), generator=gen))
            box = (top, left, ch, cw)
            break
    top, left, ch, cw = box
    crop = x[:, top:top + ch, left:left + cw].unsqueeze(0)
    if (ch, cw) != (size, size):
        crop = F.interpolate(crop, size=(size, size), mode="bilinear", align_corners=False)
    crop = crop.squeeze(0)
    if flip and torch.rand(1, generator=gen).item() < 0.5:
        crop = crop.flip(-1)
    return crop


# ---------------------------------------------------------------- model (the plugins' layout and init)

class Block(nn.Module):
    def __init__(self, width, heads, attn_std, out_std, fc_std, proj_std, causal_len=None):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(width)
        self.in_proj_weight = nn.Parameter(torch.randn(3 * width, width) * attn_std)
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * width))
        self.out_proj = nn.Linear(width, width)
        self.ln_2 = nn.LayerNorm(width)
        self.c_fc = nn.Linear(width, 4 * width)
        self.c_proj = nn.Linear(4 * width, width)
        with torch.no_grad():
            for lin, std in ((self.out_proj, out_std), (self.c_fc, fc_std), (self.c_proj, proj_std)):
                lin.weight.normal_(0, std)
                lin.bias.zero_()
        if causal_len is not None:
            self.register_buffer("mask", torch.full((causal_len, causal_len), float("-inf")).triu(1))
        else:
            self.mask = None

    def attn(self, x):
        b, n, w = x.shape
        hd = w // self.heads
        q, k, v = F.linear(x, self.in_proj_weight, self.in_proj_bias).split(w, dim=-1)
        q, k, v = (t.reshape(b, n, self.heads, hd).transpose(1, 2) for t in (q, k, v))
        a = (q * (1.0 / math.sqrt(hd))) @ k.transpose(-1, -2)
        if self.mask is not None:
            a = a + self.mask
        return self.out_proj((a.softmax(-1) @ v).transpose(1, 2).reshape(b, n, w))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.c_proj(F.gelu(self.c_fc(self.ln_2(x))))


class Vit(nn.Module):
    """vit-tiny as plugins/vit builds it: LinearLayer N(0, 0.02), in_proj N(0, width^-0.5)."""

    def __init__(self, patch=8, width=128, depth=4, heads=4, image=64):
        super().__init__()
        scale = width ** -0.5
        self.conv1 = nn.Conv2d(3, width, patch, patch, bias=False)
        with torch.no_grad():
            self.conv1.weight.normal_(0, math.sqrt(1.0 / (3.0 * patch * patch)))
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((image // patch) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.blocks = nn.ModuleList([Block(width, heads, scale, 0.02, 0.02, 0.02) for _ in range(depth)])
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
    """text-tiny as plugins/text-transformer builds it (OpenCLIP's text init)."""

    def __init__(self, vocab, context=32, width=128, depth=2, heads=4):
        super().__init__()
        attn_std = width ** -0.5
        proj_std = attn_std * (2 * depth) ** -0.5
        fc_std = (2 * width) ** -0.5
        self.token_embedding = nn.Parameter(0.02 * torch.randn(vocab, width))
        self.positional_embedding = nn.Parameter(0.01 * torch.randn(context, width))
        self.blocks = nn.ModuleList([Block(width, heads, attn_std, proj_std, fc_std, proj_std, causal_len=context)
                                     for _ in range(depth)])
        self.ln_final = nn.LayerNorm(width)

    def forward(self, tokens):
        x = F.embedding(tokens, self.token_embedding) + self.positional_embedding
        for blk in self.blocks:
            x = blk(x)
        x = self.ln_final(x)
        eot = (tokens == 3).int().argmax(dim=1)  # first end-of-text
        return x[torch.arange(x.shape[0]), eot]


class Clip(nn.Module):
    def __init__(self, vocab, embed=128):
        super().__init__()
        self.visual = Vit()
        self.text = TextTransformer(vocab)
        self.image_projection = nn.Parameter(128 ** -0.5 * torch.randn(128, embed))
        self.text_projection = nn.Parameter(128 ** -0.5 * torch.randn(128, embed))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def encode_images(self, images):
        return F.normalize(self.visual(images) @ self.image_projection, dim=-1)

    def encode_texts(self, tokens):
        return F.normalize(self.text(tokens) @ self.text_projection, dim=-1)

    def forward(self, images, tokens):
        logits = self.logit_scale.exp() * self.encode_images(images) @ self.encode_texts(tokens).t()
        labels = torch.arange(images.shape[0])
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2


def read_order(path, keys, epochs):
    """Per epoch, the list of Recap's batches (index tensors into the training samples) from an --order file."""
    index = {k: i for i, k in enumerate(keys)}
    batches = [[] for _ in range(epochs)]
    for line in open(path, encoding="utf-8"):
        epoch, names = line.rstrip("\n").split("\t")
        batches[int(epoch) - 1].append(torch.tensor([index[k] for k in names.split(" ")]))
    return batches


def learning_rate(step, peak, warmup, total):
    """Recap's CosineSchedule (floor 0), OpenCLIP's cosine_lr."""
    if step < warmup:
        return peak * (step + 1) / warmup
    if step >= total:
        return 0.0
    return 0.5 * peak * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))


# ---------------------------------------------------------------- retrieval (as RetrievalMetrics)

def recall(similarity, captions, ks=(1, 5, 10)):
    """i2t and t2i recall@K, one caption per image; a caption identical to the true one counts."""
    ids = {}
    cap = np.array([ids.setdefault(c, len(ids)) for c in captions])
    n = len(captions)
    same = cap[:, None] == cap[None, :]  # [image, text]: the image carries the text's caption
    sim = similarity
    best_i2t = np.where(same, sim, -np.inf).max(axis=1)
    rank_i2t = ((~same) & (sim >= best_i2t[:, None])).sum(axis=1)
    best_t2i = np.where(same, sim, -np.inf).max(axis=0)
    rank_t2i = ((~same) & (sim >= best_t2i[None, :])).sum(axis=0)
    i2t = [float((rank_i2t < k).mean()) for k in ks]
    t2i = [float((rank_t2i < k).mean()) for k in ks]
    return i2t, t2i, n, len(ids)


# ---------------------------------------------------------------- Recap's parameters (ClipTwinStepDump, --init)

def read_safetensors(path):
    """name -> float32 tensor of a safetensors file (F32 only: what Recap writes)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} is {entry['dtype']}, only F32 is read here")
        begin, end = entry["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[begin:end], dtype="<f4").reshape(entry["shape"]).copy())
    return out


def twin_name(openclip):
    """OpenCLIP's state-dict name (what Recap exports) -> this twin's parameter name."""
    name = re.sub(r"transformer\.resblocks\.(\d+)\.(?:attn\.|mlp\.)?", r"blocks.\1.", openclip)
    if name == "visual.proj":
        return "image_projection"
    if name.startswith("visual.") or name in ("text_projection", "logit_scale"):
        return name
    return "text." + name.replace("token_embedding.weight", "token_embedding")


def load_recap(model, tensors, source):
    """Sets every parameter of the twin from Recap's tensors (OpenCLIP names); fails on a missing, extra or misshapen one."""
    params = dict(model.named_parameters())
    mapped = {twin_name(k): v for k, v in tensors.items()}
    missing = sorted(set(params) - set(mapped))
    extra = sorted(set(mapped) - set(params))
    if missing or extra:
        raise SystemExit(f"{source}: tensors do not match the twin's parameters: missing {missing}, extra {extra}")
    with torch.no_grad():
        for name, p in params.items():
            if tuple(mapped[name].shape) != tuple(p.shape):
                raise SystemExit(f"{source}: {name} has shape {tuple(mapped[name].shape)}, the twin {tuple(p.shape)}")
            p.copy_(mapped[name])


def adamw(model, lr):
    """The twin's optimizer: AdamW (0.9, 0.98), eps 1e-6, weight decay 0.2 on tensors of 2+ dimensions."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.2}, {"params": rest, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.98), eps=1e-6)


def differences(ours, theirs, base=None):
    """Per tensor (name, max |ours - theirs|, max |theirs|, relative L2), worst relative first: ||ours - theirs|| over
    ||theirs||, or with base (the parameters before training) over ||theirs - base||, how far Recap's moved."""
    rows = []
    for name, ref in theirs.items():
        mine = ours[twin_name(name)].detach()
        diff = (mine - ref).abs().max().item()
        scale = ref if base is None else ref - base[name]
        rel = ((mine - ref).norm() / scale.norm().clamp_min(1e-30)).item()
        rows.append((name, diff, ref.abs().max().item(), rel))
    return sorted(rows, key=lambda r: -r[3])


def report(title, rows, show=4):
    worst = rows[0]
    total_rel = math.sqrt(sum(r[3] ** 2 for r in rows) / len(rows))
    print(f"{title}: {len(rows)} tensors, worst relative L2 {worst[3]:.3g} ({worst[0]}, max abs diff {worst[1]:.3g} "
          f"of max |value| {worst[2]:.3g}); rms of the relative L2s {total_rel:.3g}")
    for name, diff, top, rel in rows[1:show]:
        print(f"    {name}: relative L2 {rel:.3g}, max abs diff {diff:.3g} of {top:.3g}")
    return worst[3]


def compare(directory, shards):
    """The one-step check: Recap's initial parameters and batch (ClipTwinStepDump) through the twin."""
    steps_log = json.load(open(f"{directory}/steps.json"))
    lr = steps_log["lr"]
    recap_steps = steps_log["steps"]
    batch = read_safetensors(f"{directory}/batch.safetensors")
    pixels, tokens = batch["pixels"], batch["tokens"].long()
    keys = open(f"{directory}/keys.txt", encoding="utf-8").read().splitlines()
    init = read_safetensors(f"{directory}/init.safetensors")
    vocab = init["token_embedding.weight"].shape[0]
    print(f"compare {directory}: batch {len(keys)}, vocabulary {vocab}, lr {lr}, {len(recap_steps)} Recap steps "
          f"({steps_log['precision']}), torch {torch.__version__}", flush=True)

    # the same pixels after the same normalization, the same tokens (the twin's tokenizer trained on the same shards)
    paths = sorted(glob.glob(shards))
    if paths:
        images, captions, names = read_shards(paths, with_keys=True)
        index = {k: i for i, k in enumerate(names)}
        rows = [index[k] for k in keys]
        mine = normalize(images[rows])
        print(f"pixels: max |recap - twin normalize| = {(mine - pixels).abs().max().item():.3g} over {tuple(pixels.shape)}")
        tok = WordTokenizer(captions)
        recap_vocab = open(f"{directory}/tokenizer/vocab.txt", encoding="utf-8").read().splitlines()
        mine_tokens = torch.tensor([tok.encode(captions[i]) for i in rows])
        print(f"tokens: vocabulary identical {tok.vocab == recap_vocab}, "
              f"token ids identical {bool((mine_tokens == tokens).all())}")

    torch.manual_seed(0)
    model = Clip(vocab)
    load_recap(model, init, "init.safetensors")
    opt = adamw(model, lr)

    # optimizer alone: the twin's AdamW fed Recap's gradients from Recap's initial parameters
    replay = Clip(vocab)
    load_recap(replay, init, "init.safetensors")
    replay_opt = adamw(replay, lr)

    worst = {}
    for k, logged in enumerate(recap_steps, start=1):
        loss = model(pixels, tokens)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
        recap_grads = read_safetensors(f"{directory}/grads-step-{k}.safetensors")
        print(f"step {k}: loss recap {logged['loss']:.7f}, twin {loss.item():.7f} (diff {logged['loss'] - loss.item():.3g})")
        worst[f"grad {k}"] = report(f"  gradients at step {k}", differences(grads, recap_grads))
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        recap_params = read_safetensors(f"{directory}/params-step-{k}.safetensors")
        worst[f"params {k}"] = report(f"  parameters after step {k} (relative to Recap's distance from the start)",
                                      differences(dict(model.named_parameters()), recap_params, init))
        # the replay: Recap's gradient of this step, the twin's AdamW
        rg = {twin_name(n): g for n, g in recap_grads.items()}
        for n, p in replay.named_parameters():
            p.grad = rg[n].clone()
        replay_opt.step()
        with torch.no_grad():
            replay.logit_scale.clamp_(0, math.log(100))
        worst[f"replay {k}"] = report(f"  twin's AdamW on Recap's gradients, after step {k}, against Recap",
                                      differences(dict(replay.named_parameters()), recap_params, init), show=2)
    print("RESULT " + json.dumps(worst), flush=True)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", help="glob of the training shards")
    ap.add_argument("--heldout", help="held-out shard for retrieval")
    ap.add_argument("--vocab", help="Recap's saved vocab.txt, to check the tokenizer is identical")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=12)
    ap.add_argument("--min-scale", type=float, default=0.9)
    ap.add_argument("--flip", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--init", help="start from Recap's initial parameters (a safetensors file under OpenCLIP's names, "
                                   "e.g. ClipTwinStepDump's init.safetensors) instead of the twin's own initialization")
    ap.add_argument("--order", help="follow Recap's batches (ClipTwinBench's recap-order-seedN.tsv: per step the epoch, "
                                    "a tab, the keys) instead of a full permutation per epoch")
    ap.add_argument("--compare", metavar="DIR", help="the one-step check against ClipTwinStepDump's output in DIR "
                                                     "(--train: its shards, to check pixels and tokens)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    started = time.time()
    if args.compare:
        compare(args.compare, args.train or f"{args.compare}/data/train-*.tar")
        return
    if not args.train or not args.heldout:
        ap.error("--train and --heldout are required (or --compare DIR)")

    train_paths = sorted(glob.glob(args.train))
    if not train_paths:
        raise SystemExit(f"--train {args.train}: no shard matches")
    images, captions, keys = read_shards(train_paths, with_keys=True)
    tokenizer = WordTokenizer(captions)
    if args.vocab:
        with open(args.vocab, encoding="utf-8") as f:
            recap_vocab = f.read().splitlines()
        if recap_vocab != tokenizer.vocab:
            diff = next(i for i, (a, b) in enumerate(zip(recap_vocab + [None] * 9999, tokenizer.vocab + [None] * 9999)) if a != b)
            raise SystemExit(f"{args.vocab}: Recap's vocabulary differs from the twin's at id {diff} "
                             f"({recap_vocab[diff:diff + 3]} vs {tokenizer.vocab[diff:diff + 3]}); the tokenizers disagree")
    tokens = torch.tensor([tokenizer.encode(c) for c in captions])
    pixels = normalize(images)
    n = len(captions)
    print(f"twin: {n} training pairs from {len(train_paths)} shards, vocabulary {len(tokenizer.vocab)}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)", flush=True)

    torch.manual_seed(args.seed)
    model = Clip(len(tokenizer.vocab))
    if args.init:
        load_recap(model, read_safetensors(args.init), args.init)
    opt = adamw(model, args.lr)
    steps_per_epoch = math.ceil(n / args.batch)
    total = steps_per_epoch * args.epochs
    gen = torch.Generator().manual_seed(args.seed * 7919 + 1)
    recap_batches = read_order(args.order, keys, args.epochs) if args.order else None
    if recap_batches is not None and sum(len(b) for b in recap_batches) != total:
        raise SystemExit(f"--order {args.order}: {sum(len(b) for b in recap_batches)} batches, the schedule has {total} steps")
    step = 0
    epoch_loss, step_loss = [], []
    for epoch in range(args.epochs):
        order = torch.randperm(n, generator=gen)
        losses = []
        for s in range(len(recap_batches[epoch]) if recap_batches is not None else steps_per_epoch):
            idx = recap_batches[epoch][s] if recap_batches is not None else order[s * args.batch:(s + 1) * args.batch]
            batch = torch.stack([random_resized_crop(pixels[i], 64, args.min_scale, args.flip, gen) for i in idx.tolist()])
            lr = learning_rate(step, args.lr, args.warmup, total)
            for g in opt.param_groups:
                g["lr"] = lr
            loss = model(batch, tokens[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                model.logit_scale.clamp_(0, math.log(100))
            losses.append(loss.item())
            step_loss.append(loss.item())
            step += 1
        epoch_loss.append(sum(losses) / len(losses))
        print(f"twin seed {args.seed} epoch {epoch + 1}: mean loss {epoch_loss[-1]:.4f} "
              f"(last step {losses[-1]:.4f}, {time.time() - started:.0f} s)", flush=True)
    print(f"twin seed {args.seed} step losses: {' '.join(f'{l:.4f}' for l in step_loss)}", flush=True)

    held_images, held_captions = read_shards([args.heldout])
    model.eval()
    with torch.no_grad():
        img = torch.cat([model.encode_images(normalize(held_images[i:i + 256])) for i in range(0, len(held_captions), 256)])
        held_tokens = torch.tensor([tokenizer.encode(c) for c in held_captions])
        txt = torch.cat([model.encode_texts(held_tokens[i:i + 256]) for i in range(0, len(held_captions), 256)])
    i2t, t2i, pairs, unique = recall((img @ txt.t()).numpy(), held_captions)
    result = {"seed": args.seed, "epochLoss": epoch_loss, "stepLoss": step_loss, "i2t": i2t, "t2i": t2i,
              "r1": (i2t[0] + t2i[0]) / 2, "r5": (i2t[1] + t2i[1]) / 2, "heldoutPairs": pairs,
              "uniqueCaptions": unique, "logitScale": float(model.logit_scale.exp()), "seconds": time.time() - started}
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
