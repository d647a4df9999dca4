// Trains Hugging Face's byte-level BPE (Rust, via the `tokenizers` npm package) like Kiln's code
// pre-tokenizer: Digits(individual) + ByteLevel(regex), default BpeTrainer (vocab 30,000).
// usage: node hf-train.js TRAIN_DIR HELDOUT_DIR OUT_JSON
const fs = require("fs");
const path = require("path");
const { Tokenizer, BPE, sequencePreTokenizer, digitsPreTokenizer, byteLevelPreTokenizer } =
  require("tokenizers");

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

(async () => {
  const [trainDir, heldDir, out] = process.argv.slice(2);
  const tok = new Tokenizer(BPE.empty());
  tok.setPreTokenizer(sequencePreTokenizer([digitsPreTokenizer(true), byteLevelPreTokenizer(false, true)]));
  const files = walk(trainDir);
  const t0 = process.hrtime.bigint();
  tok.train(files);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  tok.save(out, true);
  console.log(`hf_train_seconds=${secs.toFixed(2)} vocab=${tok.getVocabSize(true)}`);
  let tokens = 0, bytes = 0;
  const held = walk(heldDir);
  for (let i = 0; i < held.length; i += 256) {
    const texts = held.slice(i, i + 256).map((f) => fs.readFileSync(f, "utf8"));
    const enc = await tok.encodeBatch(texts, { addSpecialTokens: false });
    for (const e of enc) tokens += e.getIds().length;
    for (const t of texts) bytes += Buffer.byteLength(t, "utf8");
  }
  console.log(`hf_tokens=${tokens} bytes=${bytes} bytes_per_token=${(bytes / tokens).toFixed(4)}`);
})();
