"""Training gradients of a plain GPT-2 (Hugging Face names and layouts) against Kiln's.

Usage: gpt2_grad.py PARAMS_DIR GRADS_DIR '[[ids...], [ids...]]'
PARAMS_DIR and GRADS_DIR are Hugging Face exports: the model, and a "model" whose tensors are
Kiln's gradients of the mean next-token cross-entropy over the given rows. Prints one JSON object:
the loss and, per tensor, the largest absolute difference between PyTorch's gradient and Kiln's.
"""
import json, math, struct, sys
import torch


def read(d):
    raw = open(d + "/model.safetensors", "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(raw[8 + n + b: 8 + n + e]), dtype=torch.float32).reshape(info["shape"])
    return out


d, gd, rows = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
cfg = json.load(open(d + "/config.json"))
w = {k: v.clone().requires_grad_(True) for k, v in read(d).items()}
kiln = read(gd)
ids = torch.tensor(rows)
B, T1 = ids.shape
x_ids, y_ids = ids[:, :-1], ids[:, 1:]
T = T1 - 1
D, H, L = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]
eps = cfg["layer_norm_epsilon"]


def ln(x, p):
    return torch.nn.functional.layer_norm(x, (D,), w[p + ".weight"], w[p + ".bias"], eps)


def conv1d(x, p):  # HF Conv1D: x @ W[in, out] + b
    return x @ w[p + ".weight"] + w[p + ".bias"]


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


x = w["transformer.wte.weight"][x_ids] + w["transformer.wpe.weight"][torch.arange(T)]
mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
for i in range(L):
    p = "transformer.h.%d" % i
    q, k, v = conv1d(ln(x, p + ".ln_1"), p + ".attn.c_attn").split(D, dim=2)
    q, k, v = (z.view(B, T, H, D // H).transpose(1, 2) for z in (q, k, v))
    a = (q @ k.transpose(-1, -2)) / math.sqrt(D // H)
    a = torch.softmax(a.masked_fill(~mask, float("-inf")), dim=-1)
    y = (a @ v).transpose(1, 2).reshape(B, T, D)
    x = x + conv1d(y, p + ".attn.c_proj")
    x = x + conv1d(gelu_new(conv1d(ln(x, p + ".ln_2"), p + ".mlp.c_fc")), p + ".mlp.c_proj")
x = ln(x, "transformer.ln_f")
head = w.get("lm_head.weight", w["transformer.wte.weight"])
loss = torch.nn.functional.cross_entropy((x @ head.T).reshape(-1, head.shape[0]), y_ids.reshape(-1))
loss.backward()
diff = {k: (w[k].grad - kiln[k]).abs().max().item() for k in w}
scale = max(g.grad.abs().max().item() for g in w.values())
print(json.dumps({"loss": loss.item(), "max_grad": scale, "diff": diff}))
