"""What Kiln's plain PyTorch reference models share: a safetensors reader and writer written from the
format (8-byte little-endian header length, JSON header, raw little-endian tensors; no safetensors
package needed) and the command line's forward/grad modes. The test copies this file next to the
model script (gpt2_ref.py, llama_ref.py), which imports it.
"""
import json, os, struct, sys
import torch

DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2)}


def read_file(path):
    """Tensors of one .safetensors file as float32, by name."""
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        dt, _ = DTYPES[info["dtype"]]
        buf = bytearray(raw[8 + n + b: 8 + n + e])
        if dt == torch.bfloat16:
            t = torch.frombuffer(buf, dtype=torch.int16).to(torch.int32).bitwise_and(0xFFFF).bitwise_left_shift(16)
            t = t.view(torch.float32)
        else:
            t = torch.frombuffer(buf, dtype=dt).to(torch.float32)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def read(d):
    """Tensors of a Hugging Face model directory: model.safetensors, or the shards of its index."""
    if os.path.exists(d + "/model.safetensors"):
        return read_file(d + "/model.safetensors")
    index = json.load(open(d + "/model.safetensors.index.json"))
    out = {}
    for f in sorted(set(index["weight_map"].values())):
        out.update(read_file(d + "/" + f))
    return out


def write_file(path, tensors, dtype):
    """Writes tensors as one .safetensors file in F32 or BF16."""
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        if dtype == "BF16":
            data = t.to(torch.bfloat16).view(torch.int16).numpy().tobytes()
        else:
            data = t.to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main(logits, modes=None):
    """Runs the mode named by argv[1] with a model's logits(w, cfg, ids[B, T]) -> [B, T, vocab]:
      forward DIR ID [ID ...]                 logits [T, vocab] of one row as JSON
      grad PARAMS GRADS '[[..],..]' ['[ids]']  loss, largest gradient, per-tensor max |diff| vs GRADS
                                              (and the logits of one row when ids are given)
    plus the script's own modes (name -> function of the remaining arguments).
    """
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
        cfg = json.load(open(d + "/config.json"))
        ids = torch.tensor(rows)
        out = logits(w, cfg, ids[:, :-1])
        loss = torch.nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), ids[:, 1:].reshape(-1))
        loss.backward()
        diff = {k: (w[k].grad - kiln[k]).abs().max().item() for k in w}
        scale = max(t.grad.abs().max().item() for t in w.values())
        result = {"loss": loss.item(), "max_grad": scale, "diff": diff}
        if len(sys.argv) > 5:  # also the logits of one row, to save an interpreter start
            with torch.no_grad():
                result["logits"] = logits(w, cfg, torch.tensor([json.loads(sys.argv[5])]))[0].tolist()
        print(json.dumps(result))
    elif modes and mode in modes:
        modes[mode](*sys.argv[2:])
    else:
        sys.exit("unknown mode " + mode)
