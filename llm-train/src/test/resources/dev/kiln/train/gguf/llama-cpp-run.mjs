// Runs GGUF files in llama.cpp through node-llama-cpp (prebuilt CPU binaries) and prints JSON.
// usage: node llama-cpp-run.mjs <node-llama-cpp install dir> <request.json>
// request: {"threads": n, "runs": [{
//             "model": path, "context": n, "kvCache": "F32" | "F16" (default F32: Kiln's cache is float32),
//             "generate": [{"prompt": [ids], "tokens": n}],   greedy (temperature 0) continuations
//             "tokenize": [text, ...],                         ids, special-token text not parsed
//             "decode": {"prompt": [ids], "tokens": n, "repeats": r}   optional: decode tokens/s
//           }]}
// answer:  {"runs": [{"generated": [[ids]], "tokenized": [[ids]], "decodeTokensPerSecond": [..],
//                     "decodeTokensPerCpuSecond": [..]}]}   (CPU: the process's user + system time)
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
const answer = { runs: [] };
for (const run of req.runs) {
  const model = await llama.loadModel({ modelPath: run.model, gpuLayers: 0 });
  const out = { generated: [], tokenized: [], decodeTokensPerSecond: [], decodeTokensPerCpuSecond: [] };
  if ((run.generate ?? []).length > 0 || run.decode) {
    const size = run.context ?? 256;
    const kv = run.kvCache ?? "F32";
    const context = await model.createContext({
      contextSize: size, threads, sequences: 1, batchSize: size, flashAttention: false,
      experimentalKvCacheKeyType: kv, experimentalKvCacheValueType: kv,
    });
    const seq = context.getSequence();
    // Greedy continuation of prompt; the clock starts after the first token (prefill done).
    const greedy = async (prompt, n) => {
      await seq.clearHistory();
      const ids = [];
      let start = 0n;
      let cpu = null;
      for await (const t of seq.evaluate(prompt, { temperature: 0, yieldEogToken: true })) {
        ids.push(t);
        if (ids.length === 1) {
          start = process.hrtime.bigint();
          cpu = process.cpuUsage();
        }
        if (ids.length >= n) break;
      }
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      return { ids, rate: (ids.length - 1) / seconds, cpuRate: (ids.length - 1) / cpuSeconds };
    };
    for (const g of run.generate ?? []) {
      out.generated.push((await greedy(g.prompt, g.tokens)).ids);
    }
    for (let r = 0; r < (run.decode?.repeats ?? 0); r++) {
      const r = await greedy(run.decode.prompt, run.decode.tokens);
      out.decodeTokensPerSecond.push(r.rate);
      out.decodeTokensPerCpuSecond.push(r.cpuRate);
    }
    await context.dispose();
  }
  for (const text of run.tokenize ?? []) {
    out.tokenized.push(Array.from(model.tokenize(text, false)));
  }
  await model.dispose();
  answer.runs.push(out);
}
await llama.dispose();
process.stdout.write(JSON.stringify(answer) + "\n");
