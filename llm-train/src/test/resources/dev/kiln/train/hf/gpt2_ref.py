"""A plain GPT-2 written against Hugging Face's parameter names and layouts, as a reference for Kiln.

Usage:
  gpt2_ref.py forward EXPORT_DIR ID [ID ...]
      prints the logits ([T, vocab]) of one row as JSON
  gpt2_ref.py grad PARAMS_DIR GRADS_DIR '[[ids...], [ids...]]'
      PARAMS_DIR and GRADS_DIR are Hugging Face exports: the model, and a "model" whose tensors are
      Kiln's gradients of the mean next-token cross-entropy over the rows. Prints the loss, the
      largest gradient and, per tensor, the largest absolute difference from PyTorch's gradient.
Reads model.safetensors with ref_common.py (copied next to it).
"""
import math
import torch
from ref_common import main


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


main(logits)
