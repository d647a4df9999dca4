#!/usr/bin/env bash
# Tunes the quickstart's training settings on this machine: each run trains for a fixed wall-clock
# budget (steps planned from 12 timed steps, median of the last 6, as the quickstart does) on a
# quickstart's curated data and reports validation loss in bits per byte, which does not depend on
# the tokenizer.
#
# usage: quickstart-sweep.sh QSDIR NAME BUDGET_S D_MODEL LAYERS SEQ BATCH THREADS LR [VOCAB]
#   QSDIR  a finished `./llm quickstart --workdir QSDIR` (its data/ is reused; a VOCAB or SEQ other
#          than the quickstart's builds its own tokenizer and shards under QSDIR/sweep/)
# e.g.  for l in 2 4; do benchmarks/compare/quickstart-sweep.sh kiln-quickstart L$l 300 128 $l 256 8 2 4e-3; done
set -euo pipefail
if [ $# -lt 9 ] || [ ! -f "${1:-}/tokenizer.json" ] || [ ! -d "${1:-}/data" ]; then
  echo "usage: $0 QSDIR NAME BUDGET_S D_MODEL LAYERS SEQ BATCH THREADS LR [VOCAB]" >&2
  echo "  QSDIR must be a finished quickstart work directory (with data/ and tokenizer.json); got '${1:-}'" >&2
  exit 2
fi
qs=$(cd "$1" && pwd) name=$2 budget=$3 d=$4 L=$5 seq=$6 bs=$7 thr=$8 lr=$9 vocab=${10:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
llm="$root/llm"
heads=$(( d / 32 )); [ $heads -lt 1 ] && heads=1
kv=$(( heads / 2 )); [ $kv -lt 1 ] && kv=1
data="$qs"
if [ -n "$vocab" ] || [ "$seq" != 256 ]; then
  data="$qs/sweep/data-v${vocab:-q}-s$seq"; mkdir -p "$data"
  if [ -n "$vocab" ] && [ ! -f "$data/tokenizer.json" ]; then
    "$llm" tokenizer train --input "$qs/data" --vocab-size "$vocab" --output "$data/tokenizer.json" >"$data/tok.log" 2>&1
  elif [ ! -f "$data/tokenizer.json" ]; then cp "$qs/tokenizer.json" "$data/"; fi
  [ -d "$data/shards" ] || "$llm" tokenize --input "$qs/data" --tokenizer "$data/tokenizer.json" --seq-len "$seq" \
      --output "$data/shards" --fim-rate 0.5 --fim-mode psm --val-fraction 0.05 --seed 42 >"$data/shards.log" 2>&1
fi
ids=$(python3 -c "import json;j=json.load(open('$data/tokenizer.json'));v=len(j['model']['vocab']);print(v+len([t for t in j['added_tokens'] if t['id']>=v]))")
dir="$qs/sweep/run-$name"; rm -rf "$dir"; mkdir -p "$dir"
yaml() { cat >"$dir/train.yaml" <<Y
model: {arch: llama, vocab_size: $ids, context_length: $seq, d_model: $d, heads: $heads, kv_heads: $kv, layers: $L}
data: {shards: $data/shards, tokenizer: $data/tokenizer.json, batch_size: $bs}
optimizer: {lr: $lr, weight_decay: 0.1, grad_clip: 1.0}
scheduler: {warmup_steps: $2, min_lr: $(python3 -c "print($lr/10)")}
max_steps: $1
eval_interval: $3
eval_batches: 16
save_interval: $1
keep_last: 1
save_folder: checkpoints
seed: 42
threads: {intra_op: $thr, inter_op: 1}
metrics: {sinks: 'jsonl', log_interval: 1}
Y
}
train() { # config log: a failed run shows its last lines, not just an exit status
  "$llm" train --config "$dir/train.yaml" --no-resume >"$1" 2>&1 || { echo "$name: llm train failed ($1):" >&2; tail -n 5 "$1" >&2; exit 1; }
}
yaml 12 1 0; train "$dir/cal.log"
ms=$(python3 -c "
import json,statistics
ms=[json.loads(l)['step_ms'] for l in open('$dir/metrics.jsonl') if '\"step_ms\"' in l]
print(statistics.median(ms[6:]))")
steps=$(python3 -c "print(max(20,int($budget*1000*0.95/$ms)))")
warm=$(( steps / 10 )); [ $warm -gt 100 ] && warm=100; [ $warm -lt 1 ] && warm=1
rm -rf "$dir/checkpoints" "$dir/metrics.jsonl" "$dir/result.json"
yaml "$steps" "$warm" "$steps"
t0=$(date +%s); train "$dir/train.log"; t1=$(date +%s)
# text bytes per validation token (FIM sentinels count none), as the quickstart reports it
jdk=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java; [ -x "$jdk" ] || jdk=java
bpt=$("$jdk" -cp "$root/examples/target/lib/*:$root/examples/target/kiln-cli.jar" "$root/benchmarks/compare/ValBytesPerToken.java" \
  "$data/tokenizer.json" "$data/shards")
python3 - "$dir" "$name" "$ms" "$steps" $((t1 - t0)) "$bpt" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'P'
import json,sys,math
d,name,ms,steps,wall,bpt,load=sys.argv[1:8]
val=[json.loads(l)['val_loss'] for l in open(d+'/metrics.jsonl') if 'val_loss' in l][-1]
print(f"{name}: {float(ms):.0f} ms/step, {steps} steps in {wall} s, val loss {val:.3f} nats/token,"
      f" {val/math.log(2)/float(bpt):.3f} bits/byte (load {load})")
P
