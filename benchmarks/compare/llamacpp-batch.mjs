// Greedy decode speed of a GGUF model in llama.cpp (node-llama-cpp's prebuilt CPU build): one
// sequence alone, then N sequences batched in one context (node-llama-cpp batches the pending
// evaluations of a context's sequences into one llama_decode per step). Prints JSON.
// usage: node llamacpp-batch.mjs <node-llama-cpp install dir> <request.json>
// request: {"model": path, "threads": n, "context": tokens per sequence, "tokens": n,
//           "prompts": [[ids], ...] (one per sequence; the single run uses the first),
//           "mode": "single" | "batched"}
// answer:  {"tokensPerSecond": x, "generated": [[ids], ...]}
// Tokens per second count every token after each sequence's first (prefill excluded), over the
// time from the last first token to the end.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [installDir, requestFile] = process.argv.slice(2);
const req = JSON.parse(readFileSync(requestFile, "utf8"));
const lib = await import(pathToFileURL(join(installDir, "node_modules", "node-llama-cpp", "dist", "index.js")).href);
const { getLlama, LlamaLogLevel } = lib;

const threads = req.threads ?? 2;
const llama = await getLlama({
  gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true, progressLogs: false,
  logLevel: LlamaLogLevel.error, maxThreads: threads,
});
const model = await llama.loadModel({ modelPath: req.model, gpuLayers: 0 });
const prompts = req.mode === "single" ? req.prompts.slice(0, 1) : req.prompts;
const n = prompts.length;
const context = await model.createContext({
  contextSize: req.context, sequences: n, threads, batchSize: Math.max(512, n), flashAttention: false,
  experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32",
});
const firsts = new Array(n);
const ends = new Array(n);
const generated = prompts.map(() => []);
const run = async (i) => {
  const seq = context.getSequence();
  for await (const t of seq.evaluate(prompts[i], { temperature: 0, yieldEogToken: true })) {
    generated[i].push(t);
    if (generated[i].length === 1) firsts[i] = process.hrtime.bigint();
    if (generated[i].length >= req.tokens) break;
  }
  ends[i] = process.hrtime.bigint();
};
await Promise.all(prompts.map((_, i) => run(i)));
const start = firsts.reduce((a, b) => (a > b ? a : b));
const end = ends.reduce((a, b) => (a > b ? a : b));
const counted = generated.reduce((s, g) => s + g.length - 1, 0);
await context.dispose();
await model.dispose();
await llama.dispose();
process.stdout.write(JSON.stringify({ tokensPerSecond: counted / (Number(end - start) / 1e9), generated }) + "\n");
