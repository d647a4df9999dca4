// The npm `tokenizers` (Hugging Face's Rust library) side of tokenizer-file.sh.
//   node hf-file.js train-bpe FILE VOCAB OUT_JSON   BPE like Kiln's code pre-tokenizer: Digits(individual) + ByteLevel
//   node hf-file.js encode TOKENIZER_JSON FILE ROUNDS  encodeBatch over chunks of 200 lines: tokens/s (median), checksum
//   node hf-file.js count-lines TOKENIZER_JSON FILE    tokens of every line without its newline, and an id checksum
const fs = require("fs");
const { Tokenizer, BPE, sequencePreTokenizer, digitsPreTokenizer, byteLevelPreTokenizer } = require("tokenizers");

function chunks(file) {
  const text = fs.readFileSync(file, "utf8");
  const out = [];
  let start = 0, lines = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10 && ++lines === 200) { out.push(text.slice(start, i + 1)); start = i + 1; lines = 0; }
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

(async () => {
  const [mode, a, b, c] = process.argv.slice(2);
  if (mode === "train-bpe") {
    const tok = new Tokenizer(BPE.empty());
    tok.setPreTokenizer(sequencePreTokenizer([digitsPreTokenizer(true), byteLevelPreTokenizer(false, true)]));
    if (Number(b) !== 30000) throw new Error("the npm package trains with its default vocabulary, 30000");
    const t0 = process.hrtime.bigint();
    tok.train([a]);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    tok.save(c, true);
    console.log(`hf_train_seconds=${secs.toFixed(2)} vocab=${tok.getVocabSize(true)}`);
  } else if (mode === "encode") {
    const tok = Tokenizer.fromFile(a);
    const texts = chunks(b);
    const rates = [];
    let tokens = 0n, checksum = 0n;
    for (let r = 0; r < Number(c); r++) {
      const t0 = process.hrtime.bigint();
      const enc = await tok.encodeBatch(texts, { addSpecialTokens: false });
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      let n = 0;
      const ids = enc.map((e) => e.getIds());
      if (r === 0) {
        for (const a of ids) for (const id of a) { checksum = BigInt.asIntN(64, checksum * 31n + BigInt(id)); }
      }
      for (const a of ids) n += a.length;
      tokens = BigInt(n);
      rates.push(n / secs);
    }
    rates.sort((x, y) => x - y);
    console.log(`hf_tokens=${tokens} checksum=${checksum} hf_tokens_per_s=${rates[Math.floor(rates.length / 2)].toFixed(0)}`
      + ` (median of ${rates.length}; rounds ${rates.map((x) => x.toFixed(0)).join(", ")})`);
  } else if (mode === "count-lines") {
    const tok = Tokenizer.fromFile(a);
    const lines = fs.readFileSync(b, "utf8").split("\n");
    if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    const enc = await tok.encodeBatch(lines, { addSpecialTokens: false });
    let tokens = 0, checksum = 0n;
    for (const e of enc) {
      for (const id of e.getIds()) { checksum = BigInt.asIntN(64, checksum * 31n + BigInt(id)); tokens++; }
    }
    console.log(`hf_line_tokens=${tokens} checksum=${checksum}`);
  } else {
    throw new Error("unknown mode " + mode);
  }
})();
