"""A plain GPT-2 forward written against Hugging Face's parameter names and layouts.

Usage: gpt2_forward.py EXPORT_DIR ID [ID ...]  -> prints the logits ([T, vocab]) as JSON.
Reads model.safetensors itself (8-byte header length, JSON header, raw little-endian data).
"""
import json, math, struct, sys
import torch

d = sys.argv[1]
ids = torch.tensor([int(x) for x in sys.argv[2:]])
cfg = json.load(open(d + "/config.json"))
raw = open(d + "/model.safetensors", "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
w = {}
for name, info in header.items():
    if name == "__metadata__":
        continue
    b, e = info["data_offsets"]
    buf = bytearray(raw[8 + n + b: 8 + n + e])
    w[name] = torch.frombuffer(buf, dtype=torch.float32).reshape(info["shape"])

D, H, L = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]
eps = cfg["layer_norm_epsilon"]
T = ids.shape[0]


def ln(x, p):
    return torch.nn.functional.layer_norm(x, (D,), w[p + ".weight"], w[p + ".bias"], eps)


def conv1d(x, p):  # HF Conv1D: x @ W[in, out] + b
    return x @ w[p + ".weight"] + w[p + ".bias"]


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


with torch.no_grad():
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][torch.arange(T)]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for i in range(L):
        p = "transformer.h.%d" % i
        q, k, v = conv1d(ln(x, p + ".ln_1"), p + ".attn.c_attn").split(D, dim=1)
        q, k, v = (z.view(T, H, D // H).transpose(0, 1) for z in (q, k, v))
        a = (q @ k.transpose(-1, -2)) / math.sqrt(D // H)
        a = torch.softmax(a.masked_fill(~mask, float("-inf")), dim=-1)
        y = (a @ v).transpose(0, 1).reshape(T, D)
        x = x + conv1d(y, p + ".attn.c_proj")
        x = x + conv1d(gelu_new(conv1d(ln(x, p + ".ln_2"), p + ".mlp.c_fc")), p + ".mlp.c_proj")
    x = ln(x, "transformer.ln_f")
    head = w.get("lm_head.weight", w["transformer.wte.weight"])
    print(json.dumps((x @ head.T).tolist()))
