package dev.kiln.eval;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.GeneratedToken;
import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.model.TokenStream;
import dev.kiln.core.progress.Progress;
import dev.kiln.core.tokenizer.StreamingDetokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Generates {@code n} completions per problem with a {@link LanguageModel} and appends them to a
 * samples file ({@code {"task_id", "completion"}} per line, human-eval format).
 *
 * <p>Stop rules per format: human-eval's {@code \nclass, \ndef, \n#, \nif, \nprint}; HumanEval-X
 * Java stops once the braces opened by the prompt (method and class) are closed; MultiPL-E uses the
 * problem's {@code stop_tokens}. Models with step-level decoding are driven in batches (many {@link
 * DecodeSession}s advanced by one {@link LanguageModel#step} call); others (remote endpoints) get
 * {@code batchSize} concurrent {@link LanguageModel#generate} calls.
 *
 * <p>A prompt that leaves no room in a local model's context is never cut: its samples are written
 * with an empty completion and {@code "error": "prompt too long: ..."} (the prompt's token count
 * and the context), which the evaluator counts as failed and lists in {@code summary.json} under
 * {@code prompt_too_long}; {@link #promptTooLong()} names them after a run.
 *
 * <p>Resumable: samples already in the file are kept and only the missing ones are generated, each
 * appended as soon as it is complete, so a run that fails (e.g. the endpoint went down) continues
 * where it stopped. Sample {@code j} of problem {@code i} uses seed {@code seed + 1_000_003 * i +
 * j}, so results do not depend on batching.
 *
 * <pre>{@code
 * try (LanguageModel m = LanguageModels.open("http://127.0.0.1:8080/v1")) {
 *     SampleGenerator.builder().setModel(m).setProblems(HumanEval.python())
 *             .optSamplesPerProblem(10).optTemperature(0.8).optTopP(0.95)
 *             .build()
 *             .generate(Path.of("out/samples.jsonl"));
 * }
 * }</pre>
 */
public final class SampleGenerator {

    /** How the {@code error} of a sample whose prompt does not fit the context begins. */
    public static final String PROMPT_TOO_LONG = "prompt too long";

    private final LanguageModel model;
    private final ProblemSet problems;
    private final int n;
    private final double temperature;
    private final double topP;
    private final int maxTokens;
    private final long seed;
    private final int batchSize;
    private final java.util.Set<String> promptTooLong = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private SampleGenerator(Builder b) {
        this.model = b.model;
        this.problems = b.problems;
        this.n = b.n;
        this.temperature = b.temperature;
        this.topP = b.topP;
        this.maxTokens = b.maxTokens;
        this.seed = b.seed;
        this.batchSize = b.batchSize;
    }

    /** A builder; the model and the problems are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Task ids whose prompt did not fit the model's context in the last {@link #generate} call, in set order. */
    public List<String> promptTooLong() {
        List<String> out = new ArrayList<>();
        for (Problem p : problems.problems()) {
            if (promptTooLong.contains(p.taskId())) {
                out.add(p.taskId());
            }
        }
        return out;
    }

    /** The sample row for a prompt of {@code tokens} tokens that does not fit the context. */
    private Sample tooLong(Problem p, int tokens) {
        promptTooLong.add(p.taskId());
        Sample s = Sample.of(p.taskId(), "");
        s.row()
                .put(
                        "error",
                        PROMPT_TOO_LONG + ": " + tokens + " tokens, the model's context is " + model.contextLength()
                                + " tokens");
        return s;
    }

    /** One completion to produce. */
    private record Job(Problem problem, int problemIndex, int sampleIndex) {}

    /**
     * Generates the samples missing from {@code samplesFile} (created if absent) and returns all
     * samples of the file.
     */
    public List<Sample> generate(Path samplesFile) throws IOException {
        Map<String, Integer> have = new HashMap<>();
        if (Files.exists(samplesFile)) {
            for (Sample s : Samples.read(samplesFile)) {
                have.merge(s.taskId(), 1, Integer::sum);
            }
        } else if (samplesFile.toAbsolutePath().getParent() != null) {
            Files.createDirectories(samplesFile.toAbsolutePath().getParent());
        }
        List<Job> jobs = new ArrayList<>();
        List<Problem> list = problems.problems();
        for (int i = 0; i < list.size(); i++) {
            Problem p = list.get(i);
            for (int j = have.getOrDefault(p.taskId(), 0); j < n; j++) {
                jobs.add(new Job(p, i, j));
            }
        }
        try (Progress progress = Progress.builder()
                .setTask("generate " + problems.language().id())
                .optTotal(jobs.size())
                .optUnit("samples")
                .build()) {
            if (model.supportsStepDecoding()) {
                for (int from = 0; from < jobs.size(); from += batchSize) {
                    List<Job> batch = jobs.subList(from, Math.min(jobs.size(), from + batchSize));
                    Sample[] out = decodeBatch(batch);
                    for (int k = 0; k < batch.size(); k++) {
                        Samples.append(samplesFile, out[k]);
                        progress.advance(1);
                    }
                }
            } else {
                generateConcurrently(jobs, samplesFile, progress);
            }
        }
        return Samples.read(samplesFile);
    }

    private SamplingParams sampling(Job job) {
        return new SamplingParams(temperature, topP, 0, seed + 1_000_003L * job.problemIndex() + job.sampleIndex());
    }

    /** Stop strings of a problem (for HumanEval-X, in addition to the structural stop on closed braces). */
    static List<String> stops(Problem p) {
        return p.stopTokens();
    }

    /** Per-sample decoding state for the batched path. */
    private final class Slot {
        final Job job;
        final DecodeSession session;
        final StreamingDetokenizer detok;
        final StringBuilder text = new StringBuilder();
        final BraceTracker braces;
        final int limit;
        final int promptTokens;
        boolean done;

        Slot(Job job) {
            this.job = job;
            int[] ids = model.tokenizer().encode(job.problem().prompt());
            int room = model.contextLength() - ids.length;
            this.promptTokens = ids.length;
            this.limit = Math.min(maxTokens, room);
            this.session = room <= 0 ? null : model.open(ids, sampling(job));
            this.detok = new StreamingDetokenizer(model.tokenizer(), stops(job.problem()));
            if (job.problem().stopsOnClosedBraces()) {
                braces = new BraceTracker();
                braces.feed(job.problem().prompt());
            } else {
                braces = null;
            }
        }

        void accept(String delta) {
            if (braces != null) {
                int end = braces.feedUntilClosed(delta);
                if (end >= 0) {
                    text.append(delta, 0, end);
                    done = true;
                    return;
                }
            }
            text.append(delta);
        }
    }

    private Sample[] decodeBatch(List<Job> batch) {
        OptionalInt eot = model.tokenizer().endOfTextId();
        List<Slot> slots = new ArrayList<>(batch.size());
        try {
            for (Job j : batch) {
                Slot s = new Slot(j);
                slots.add(s);
                if (s.limit <= 0) {
                    s.done = true;
                }
            }
            List<Slot> active = new ArrayList<>();
            while (true) {
                active.clear();
                for (Slot s : slots) {
                    if (!s.done) {
                        active.add(s);
                    }
                }
                if (active.isEmpty()) {
                    break;
                }
                List<DecodeSession> sessions = new ArrayList<>(active.size());
                for (Slot s : active) {
                    sessions.add(s.session);
                }
                int[] next = model.step(sessions);
                for (int k = 0; k < active.size(); k++) {
                    Slot s = active.get(k);
                    int id = next[k];
                    if (eot.isPresent() && id == eot.getAsInt()) {
                        s.accept(s.detok.finish());
                        s.done = true;
                        continue;
                    }
                    s.accept(s.detok.push(id));
                    if (s.detok.stopped()) {
                        s.done = true;
                    } else if (!s.done && s.session.generatedCount() >= s.limit) {
                        s.accept(s.detok.finish());
                        s.done = true;
                    }
                }
            }
            Sample[] out = new Sample[slots.size()];
            for (int k = 0; k < slots.size(); k++) {
                Slot s = slots.get(k);
                Problem p = s.job.problem();
                out[k] = s.session == null ? tooLong(p, s.promptTokens) : Sample.of(p.taskId(), s.text.toString());
            }
            return out;
        } finally {
            for (Slot s : slots) {
                if (s.session != null) {
                    s.session.close();
                }
            }
        }
    }

    private void generateConcurrently(List<Job> jobs, Path samplesFile, Progress progress) throws IOException {
        try (ExecutorService pool = Executors.newFixedThreadPool(
                Math.max(1, batchSize), Thread.ofVirtual().factory())) {
            List<Future<?>> futures = new ArrayList<>();
            for (Job job : jobs) {
                futures.add(pool.submit(() -> {
                    Sample sample = generateOne(job);
                    synchronized (this) {
                        try {
                            Samples.append(samplesFile, sample);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    progress.advance(1);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    pool.shutdownNow();
                    Throwable c = e.getCause();
                    if (c instanceof UncheckedIOException u) {
                        throw u.getCause();
                    }
                    if (c instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IOException("generation failed: " + c, c);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating", e);
        }
    }

    /** One completion through {@link LanguageModel#generate}, with the structural stop applied client-side. */
    private Sample generateOne(Job job) {
        Problem p = job.problem();
        // A remote endpoint counts its own tokens and rejects a prompt that does not fit.
        SamplingParams sp = sampling(job);
        GenerationRequest req = GenerationRequest.builder()
                .setPrompt(p.prompt())
                .optMaxTokens(maxTokens)
                .optTemperature(sp.temperature())
                .optTopP(sp.topP())
                .optSeed(sp.seed())
                .optStop(stops(p))
                .build();
        BraceTracker braces = null;
        if (p.stopsOnClosedBraces()) {
            braces = new BraceTracker();
            braces.feed(p.prompt());
        }
        StringBuilder text = new StringBuilder();
        try (TokenStream s = model.generate(req)) {
            while (s.hasNext()) {
                GeneratedToken t = s.next();
                if (braces != null) {
                    int end = braces.feedUntilClosed(t.text());
                    if (end >= 0) {
                        text.append(t.text(), 0, end);
                        s.cancel();
                        break;
                    }
                }
                text.append(t.text());
            }
        }
        return Sample.of(p.taskId(), text.toString());
    }

    /** Builder; values are checked when set. */
    public static final class Builder {
        private LanguageModel model;
        private ProblemSet problems;
        private int n = 1;
        private double temperature = 0;
        private double topP = 1;
        private int maxTokens = 512;
        private long seed = 0;
        private int batchSize = 16;

        private Builder() {}

        /** The model that completes the prompts (required). */
        public Builder setModel(LanguageModel model) {
            requireArgument(model != null, "model must not be null");
            this.model = model;
            return this;
        }

        /** The problems whose prompts are completed (required). */
        public Builder setProblems(ProblemSet problems) {
            requireArgument(problems != null, "problems must not be null");
            this.problems = problems;
            return this;
        }

        /** Samples per problem (default 1). */
        public Builder optSamplesPerProblem(int n) {
            requireArgument(n >= 1 && n <= 100_000, "samples per problem must be in [1, 100000], got %s", n);
            this.n = n;
            return this;
        }

        /** Sampling temperature (default 0: greedy). */
        public Builder optTemperature(double t) {
            requireArgument(t >= 0 && !Double.isInfinite(t), "temperature must be a finite number >= 0, got %s", t);
            this.temperature = t;
            return this;
        }

        /** Nucleus sampling mass, in (0, 1]. */
        public Builder optTopP(double p) {
            requireArgument(p > 0 && p <= 1, "top_p must be in (0, 1], got %s", p);
            this.topP = p;
            return this;
        }

        /** Maximum new tokens per completion (default 512). */
        public Builder optMaxTokens(int maxTokens) {
            requireArgument(maxTokens >= 1, "max tokens must be >= 1, got %s", maxTokens);
            this.maxTokens = maxTokens;
            return this;
        }

        /** The base seed; each sample's seed derives from it and the sample's index, so runs repeat. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Sessions decoded together (or concurrent requests for remote models; default 16). */
        public Builder optBatchSize(int batchSize) {
            requireArgument(batchSize >= 1 && batchSize <= 4096, "batch size must be in [1, 4096], got %s", batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /** @throws IllegalStateException when the model or the problems were not set */
        public SampleGenerator build() {
            if (model == null || problems == null) {
                throw new IllegalStateException("setModel(...) and setProblems(...) are required");
            }
            return new SampleGenerator(this);
        }
    }
}
