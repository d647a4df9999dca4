"""A plain GPT-2 written against Hugging Face's parameter names and layouts, as a reference for Kiln.

Usage:
  gpt2_ref.py forward EXPORT_DIR ID [ID ...]
      prints the logits ([T, vocab]) of one row as JSON
  gpt2_ref.py grad PARAMS_DIR GRADS_DIR '[[ids...], [ids...]]'
      PARAMS_DIR and GRADS_DIR are Hugging Face exports: the model, and a "model" whose tensors are
      Kiln's gradients of the mean next-token cross-entropy over the rows. Prints the loss, the
      largest gradient and, per tensor, the largest absolute difference from PyTorch's gradient.
Reads model.safetensors itself (8-byte header length, JSON header, raw little-endian data).
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


def logits(w, cfg, ids):
    """Logits [B, T, vocab] of token ids [B, T]."""
    D, H, L = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]
    eps = cfg["layer_norm_epsilon"]
    B, T = ids.shape

    def ln(x, p):
        return torch.nn.functional.layer_norm(x, (D,), w[p + ".weight"], w[p + ".bias"], eps)

    def conv1d(x, p):  # HF Conv1D: x @ W[in, out] + b
        return x @ w[p + ".weight"] + w[p + ".bias"]

    def gelu_new(x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))

    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][torch.arange(T)]
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
    return x @ head.T


mode = sys.argv[1]
if mode == "forward":
    d = sys.argv[2]
    ids = torch.tensor([[int(x) for x in sys.argv[3:]]])
    with torch.no_grad():
        print(json.dumps(logits(read(d), json.load(open(d + "/config.json")), ids)[0].tolist()))
elif mode == "grad":
    d, gd, rows = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    w = {k: v.clone().requires_grad_(True) for k, v in read(d).items()}
    kiln = read(gd)
    ids = torch.tensor(rows)
    out = logits(w, json.load(open(d + "/config.json")), ids[:, :-1])
    loss = torch.nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), ids[:, 1:].reshape(-1))
    loss.backward()
    diff = {k: (w[k].grad - kiln[k]).abs().max().item() for k in w}
    scale = max(t.grad.abs().max().item() for t in w.values())
    print(json.dumps({"loss": loss.item(), "max_grad": scale, "diff": diff}))
else:
    sys.exit("unknown mode " + mode)
