"""A plain Llama / Qwen2 decoder written from Hugging Face's LlamaForCausalLM semantics, as a
reference for Kiln (no transformers needed: Debian's python3-torch only).

Usage:
  llama_ref.py forward DIR ID [ID ...]       logits [T, vocab] of one row as JSON
  llama_ref.py grad PARAMS GRADS '[[..],..]' ['[ids]']  loss, largest gradient, per-tensor max |diff| vs
                                             GRADS (and the logits of one row when ids are given)
  llama_ref.py make DIR SEED                 writes a random LlamaForCausalLM directory: BF16 tensors
                                             in two shards with model.safetensors.index.json, GQA,
                                             untied head (tokenizer.json is the caller's)
Semantics followed (transformers' modeling_llama): RMSNorm in float32 (x * rsqrt(mean(x^2) + eps) * w),
rotary embeddings with rotate_half and inv_freq = 1 / theta^(arange(0, d, 2) / d), repeat_kv for
grouped-query attention, SwiGLU down(silu(gate(x)) * up(x)), optional q/k/v biases (Qwen2).
Safetensors reading and writing and the forward/grad modes are ref_common.py's (copied next to it).
"""
import json, math, os
import torch
from ref_common import main, write_file

def rms(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def logits(w, cfg, ids):
    D, H, L = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
    KV = cfg.get("num_key_value_heads", H)
    hd = D // H
    eps = cfg.get("rms_norm_eps", 1e-6)
    theta = cfg.get("rope_theta", 10000.0)
    B, T = ids.shape
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    freqs = torch.arange(T).float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))

    def lin(x, p):
        y = x @ w[p + ".weight"].T
        return y + w[p + ".bias"] if (p + ".bias") in w else y

    x = w["model.embed_tokens.weight"][ids]
    for i in range(L):
        p = "model.layers.%d" % i
        h = rms(x, w[p + ".input_layernorm.weight"], eps)
        q = lin(h, p + ".self_attn.q_proj").view(B, T, H, hd).transpose(1, 2)
        k = lin(h, p + ".self_attn.k_proj").view(B, T, KV, hd).transpose(1, 2)
        v = lin(h, p + ".self_attn.v_proj").view(B, T, KV, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = H // KV
        k = k[:, :, None].expand(B, KV, rep, T, hd).reshape(B, H, T, hd)
        v = v[:, :, None].expand(B, KV, rep, T, hd).reshape(B, H, T, hd)
        a = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        a = torch.softmax(a.masked_fill(~mask, float("-inf")), dim=-1)
        y = (a @ v).transpose(1, 2).reshape(B, T, D)
        x = x + lin(y, p + ".self_attn.o_proj")
        h = rms(x, w[p + ".post_attention_layernorm.weight"], eps)
        g = lin(h, p + ".mlp.gate_proj")
        x = x + lin(torch.nn.functional.silu(g) * lin(h, p + ".mlp.up_proj"), p + ".mlp.down_proj")
    x = rms(x, w["model.norm.weight"], eps)
    head = w["lm_head.weight"] if "lm_head.weight" in w else w["model.embed_tokens.weight"]
    return x @ head.T


def make(d, seed):
    torch.manual_seed(seed)
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 263, "hidden_size": 48,
           "intermediate_size": 80, "num_hidden_layers": 2, "num_attention_heads": 6, "num_key_value_heads": 2,
           "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "rope_theta": 500000.0, "hidden_act": "silu",
           "tie_word_embeddings": False, "attention_bias": False, "mlp_bias": False, "rope_scaling": None,
           "bos_token_id": 0, "eos_token_id": 0, "torch_dtype": "bfloat16"}
    D, F, V, hd = 48, 80, 263, 8
    t = {"model.embed_tokens.weight": torch.randn(V, D) * 0.5}
    for i in range(2):
        p = "model.layers.%d" % i
        t[p + ".input_layernorm.weight"] = 1 + 0.1 * torch.randn(D)
        t[p + ".self_attn.q_proj.weight"] = torch.randn(6 * hd, D) * 0.2
        t[p + ".self_attn.k_proj.weight"] = torch.randn(2 * hd, D) * 0.2
        t[p + ".self_attn.v_proj.weight"] = torch.randn(2 * hd, D) * 0.2
        t[p + ".self_attn.o_proj.weight"] = torch.randn(D, D) * 0.2
        t[p + ".post_attention_layernorm.weight"] = 1 + 0.1 * torch.randn(D)
        t[p + ".mlp.gate_proj.weight"] = torch.randn(F, D) * 0.2
        t[p + ".mlp.up_proj.weight"] = torch.randn(F, D) * 0.2
        t[p + ".mlp.down_proj.weight"] = torch.randn(D, F) * 0.2
    t["model.norm.weight"] = 1 + 0.1 * torch.randn(D)
    t["lm_head.weight"] = torch.randn(V, D) * 0.5
    os.makedirs(d, exist_ok=True)
    names = list(t)
    shards = {"model-00001-of-00002.safetensors": names[: len(names) // 2],
              "model-00002-of-00002.safetensors": names[len(names) // 2:]}
    weight_map = {}
    for f, ns in shards.items():
        write_file(d + "/" + f, {n: t[n] for n in ns}, "BF16")
        weight_map.update({n: f for n in ns})
    json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, open(d + "/model.safetensors.index.json", "w"))
    json.dump(cfg, open(d + "/config.json", "w"))


main(logits, {"make": lambda d, seed: make(d, int(seed))})
