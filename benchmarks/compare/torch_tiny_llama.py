#!/usr/bin/python3
"""Reference for the llama-preset training-step comparison: the same model as Kiln's llama preset in
plain PyTorch eager (litgpt-style: one fused q/k/v projection, RMSNorm, rotate_half RoPE, grouped-query
attention with repeat_kv, SwiGLU with separate gate and up projections, tied embeddings, no biases).

Fixed settings (change both sides together): B=8, T=128, d=128, 4 query heads, 2 key/value heads,
2 layers, SwiGLU hidden 384 (8/3·d rounded up to 64), vocab 256, RMSNorm eps 1e-5, theta 10000,
AdamW(lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1, foreach=True), global-norm clipping at 1.0,
1 intra-op and 1 inter-op thread, batches built before timing, 20 warm-up + 100 timed steps.
Run with Debian's /usr/bin/python3 and python3-torch.
Prints one JSON line: {"torch": version, "ms_per_step": median of 5 blocks of 20 steps, "loss": last}.
"""
import json, math, statistics, time
import torch, torch.nn as nn, torch.nn.functional as F

torch.manual_seed(0)
torch.set_num_threads(1)
torch.set_num_interop_threads(1)
V, T, D, H, KV, L, B, FF = 256, 128, 128, 4, 2, 2, 8, 384
HD = D // H
inv_freq = 1.0 / (10000.0 ** (torch.arange(0, HD, 2).float() / HD))
emb = torch.cat([torch.outer(torch.arange(T).float(), inv_freq)] * 2, dim=-1)
COS, SIN = emb.cos(), emb.sin()


class RMSNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(D))

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5))


def rope(x):
    x1, x2 = x[..., : HD // 2], x[..., HD // 2:]
    return x * COS + torch.cat((-x2, x1), dim=-1) * SIN


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm_1, self.norm_2 = RMSNorm(), RMSNorm()
        self.attn = nn.Linear(D, (H + 2 * KV) * HD, bias=False)
        self.proj = nn.Linear(D, D, bias=False)
        self.fc_1, self.fc_2 = nn.Linear(D, FF, bias=False), nn.Linear(D, FF, bias=False)
        self.mlp_proj = nn.Linear(FF, D, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(T, T, dtype=torch.bool)))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.attn(self.norm_1(x)).split([H * HD, KV * HD, KV * HD], dim=2)
        q = rope(q.view(b, t, H, HD).transpose(1, 2))
        k = rope(k.view(b, t, KV, HD).transpose(1, 2))
        v = v.view(b, t, KV, HD).transpose(1, 2)
        k = k[:, :, None].expand(b, KV, H // KV, t, HD).reshape(b, H, t, HD)
        v = v[:, :, None].expand(b, KV, H // KV, t, HD).reshape(b, H, t, HD)
        a = (q @ k.transpose(-2, -1)) / math.sqrt(HD)
        a = F.softmax(a.masked_fill(~self.mask[:t, :t], float("-inf")), dim=-1)
        x = x + self.proj((a @ v).transpose(1, 2).contiguous().view(b, t, c))
        h = self.norm_2(x)
        return x + self.mlp_proj(F.silu(self.fc_1(h)) * self.fc_2(h))


class Llama(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(V, D)
        self.h = nn.ModuleList([Block() for _ in range(L)])
        self.ln_f = RMSNorm()
        self.lm_head = nn.Linear(D, V, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, idx, tgt):
        x = self.wte(idx)
        for blk in self.h:
            x = blk(x)
        return F.cross_entropy(self.lm_head(self.ln_f(x)).view(-1, V), tgt.view(-1))


model = Llama()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1, foreach=True)
data = torch.randint(0, V, (200_000,))
starts = torch.randint(0, len(data) - T - 1, (120, B))
batches = [(torch.stack([data[i:i + T] for i in s]), torch.stack([data[i + 1:i + T + 1] for i in s])) for s in starts]


def step(x, y):
    loss = model(x, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss


for x, y in batches[:20]:
    step(x, y)
blocks = []
for j in range(5):
    t0 = time.perf_counter()
    for x, y in batches[20 + 20 * j: 40 + 20 * j]:
        loss = step(x, y)
    blocks.append((time.perf_counter() - t0) / 20 * 1000)
print(json.dumps({"torch": torch.__version__, "ms_per_step": round(statistics.median(blocks), 2), "loss": round(loss.item(), 4)}))
