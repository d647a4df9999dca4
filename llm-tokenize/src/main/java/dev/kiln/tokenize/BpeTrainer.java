package dev.kiln.tokenize;

import dev.kiln.core.Document;
import dev.kiln.core.progress.Progress;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.Corpus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a byte-level BPE {@link BpeTokenizer}.
 *
 * <pre>{@code
 * BpeTokenizer tok = BpeTrainer.builder()
 *     .setVocabSize(32_768)                             // counts the 256 bytes and the special tokens
 *     .optMinFrequency(2)
 *     .optPreTokenizer(PreTokenizer.code())
 *     .optSpecialTokens(SpecialTokens.codeDefaults())
 *     .build()
 *     .train(List.of(Path.of("src")));                  // files and directories of text; or Iterable<String>
 * tok.save(Path.of("tokenizer.json"));
 * }</pre>
 *
 * <h2>Algorithm</h2>
 *
 * <ol>
 *   <li><b>Word counting</b>, in parallel: each thread pre-tokenizes its share of the texts and
 *       counts distinct pieces in its own open-addressing table (64-bit counts); the tables are
 *       summed.
 *   <li><b>Merges</b>: pair counts are computed once; each pair keeps the list of words it occurs
 *       in. A merge rewrites only those words and applies the resulting count changes to the
 *       affected pairs, which sit in an indexed priority queue (no recount per merge).
 * </ol>
 *
 * <p><b>Determinism.</b> The next merge is the pair with the highest count; ties go to the pair
 * whose left token's bytes are lexicographically smaller (unsigned), then whose right token's
 * bytes are. Counts are exact sums, so the vocabulary is the same for any thread count and any
 * input order (unless the memory bound below is hit).
 *
 * <p><b>Memory bound.</b> {@link Builder#optMaxDistinctWords(int)} (default 8,000,000) caps the
 * distinct words kept: a counting thread whose table outgrows it drops its rarest words
 * (count 1, then up to 2, 4, ... until the table is half full: lossy counting), and after summing only the most frequent words are kept (ties by bytes). When
 * the cap is hit, counts of rare words are approximate and may depend on the thread count.
 *
 * <p>Special-token strings in training text are cut out (not counted), as Hugging Face's trainer
 * does, so text joined by {@code <|endoftext|>} does not teach merges of it. A merge whose bytes
 * equal an existing token reuses that token's id (as Hugging Face's trainer does), so the
 * vocabulary can end up a few ids smaller than requested; it is never larger.
 */
public final class BpeTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(BpeTrainer.class);
    private static final int BATCH_CHARS = 1 << 20;

    private final int vocabSize;
    private final long minFrequency;
    private final PreTokenizer preTokenizer;
    private final SpecialTokens specials;
    private final int threads;
    private final int maxDistinctWords;
    private final ProgressSink sink;
    private final String[] specialTexts; // longest first
    private final boolean[] specialFirst = new boolean[1 << 16];

    private BpeTrainer(Builder b) {
        this.vocabSize = b.vocabSize;
        this.minFrequency = b.minFrequency;
        this.preTokenizer = b.preTokenizer;
        this.specials = b.specials;
        this.threads = b.threads;
        this.maxDistinctWords = b.maxDistinctWords;
        this.sink = b.sink;
        List<String> sp = new ArrayList<>(specials.list());
        sp.sort((x, y) -> Integer.compare(y.length(), x.length()));
        this.specialTexts = sp.toArray(new String[0]);
        for (String t : specialTexts) {
            specialFirst[t.charAt(0)] = true;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Trains on texts (iterated once, on the calling thread; counted by the worker threads). */
    public BpeTokenizer train(Iterable<String> texts) {
        Objects.requireNonNull(texts, "texts");
        WordCounts counts;
        try (Progress p = progress("count words", "texts", -1)) {
            counts = countTexts(texts, p);
        }
        return trainOn(counts, "the texts");
    }

    /**
     * Trains on the contents of a {@link Corpus} (its stages run as the documents stream by), e.g. a
     * dataset written by {@code llm data run}: {@code train(Corpus.from(Path.of("dataset")))}.
     *
     * @throws IOException when the corpus cannot be read
     */
    public BpeTokenizer train(Corpus corpus) throws IOException {
        Objects.requireNonNull(corpus, "corpus");
        try (Stream<Document> docs = corpus.stream()) {
            Iterator<Document> it = docs.iterator();
            return train(() -> new Iterator<String>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public String next() {
                    return it.next().content();
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Trains on text files; directories are walked (every regular file, sorted). Files are read as
     * UTF-8 (malformed bytes become U+FFFD).
     *
     * @throws NoSuchFileException when an input does not exist
     * @throws IllegalArgumentException when the inputs hold no text
     */
    public BpeTokenizer train(List<Path> files) throws IOException {
        List<Path> all = expand(files);
        WordCounts counts;
        try (Progress p = progress("count words", "files", all.size())) {
            counts = countFiles(all, p);
        }
        return trainOn(counts, files.toString());
    }

    /**
     * Counts the pre-tokenized words of {@code texts} (in parallel, as {@link #train(Iterable)}
     * does). With {@link #trainFromCounts(Map)} this splits training in two, e.g. to count words on a
     * cluster (sum the maps) and merge on one machine.
     */
    public Map<String, Long> countWords(Iterable<String> texts) {
        WordCounts wc;
        try (Progress p = progress("count words", "texts", -1)) {
            wc = countTexts(texts, p);
        }
        Map<String, Long> out = new HashMap<>(Math.max(16, wc.size * 2));
        for (int e = 0; e < wc.size; e++) {
            out.merge(new String(wc.pool, wc.offs[e], wc.lens[e]), wc.counts[e], Long::sum);
        }
        return out;
    }

    /**
     * Trains on word counts (pieces as split by this trainer's pre-tokenizer, e.g. from {@link
     * #countWords}); only the merge phase runs. Counts must be positive.
     */
    public BpeTokenizer trainFromCounts(Map<String, Long> wordCounts) {
        WordCounts wc = new WordCounts();
        for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
            String w = e.getKey();
            long c = e.getValue();
            if (c <= 0) {
                throw new IllegalArgumentException("word '" + w + "' has count " + c + ", counts must be positive");
            }
            if (!w.isEmpty()) {
                char[] cs = w.toCharArray();
                wc.add(cs, 0, cs.length, c);
            }
        }
        return trainOn(wc, "the word counts");
    }

    /** Regular files of {@code inputs}, directories walked, sorted within each directory. */
    static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (Stream<Path> s = Files.walk(in)) {
                    out.addAll(s.filter(Files::isRegularFile).sorted().collect(Collectors.toList()));
                }
            } else if (Files.isRegularFile(in)) {
                out.add(in);
            } else {
                throw new NoSuchFileException(in.toString(), null, "training input does not exist");
            }
        }
        return out;
    }

    private Progress progress(String task, String unit, long total) {
        Progress.Builder b = Progress.builder().setTask(task).optUnit(unit).optTotal(total);
        if (sink != null) {
            b.optSink(sink);
        }
        return b.build();
    }

    // ---------------------------------------------------------------- counting

    private final class Counter {
        final WordCounts counts = new WordCounts();

        private void countWords(int from, int to) {
            int p = from;
            while (p < to) {
                int q = preTokenizer.next(view, p, to);
                counts.add(buf, p, q, 1);
                p = q;
            }
        }

        /** Length of the (longest) special token at {@code i}, or 0. */
        private int specialAt(char[] cs, int i, int n) {
            char c = cs[i];
            if (!specialFirst[c]) {
                return 0;
            }
            int s = BpeTokenizer.matchSpecial(specialTexts, cs, i, n);
            return s < 0 ? 0 : specialTexts[s].length();
        }

        private final CharArrayView view = new CharArrayView();
        private char[] buf = new char[1 << 16];

        void count(String text) {
            int n = text.length();
            if (buf.length < n) {
                buf = new char[Math.max(n, buf.length * 2)];
            }
            text.getChars(0, n, buf, 0);
            view.reset(buf, n);
            int segment = 0;
            if (specialTexts.length > 0) {
                for (int i = 0; i < n; i++) {
                    int len = specialAt(buf, i, n);
                    if (len > 0) {
                        countWords(segment, i);
                        i += len - 1;
                        segment = i + 1;
                    }
                }
            }
            countWords(segment, n);
            if (counts.size > maxDistinctWords) {
                // lossy counting: drop the rarest words until the table is at most half full
                for (long t = 1; counts.size > maxDistinctWords / 2 && t < Long.MAX_VALUE / 2; t *= 2) {
                    counts.pruneAtMost(t);
                }
            }
        }
    }

    private WordCounts countTexts(Iterable<String> texts, Progress progress) {
        if (threads == 1) {
            Counter c = new Counter();
            for (String t : texts) {
                c.count(t);
                progress.advance(1, t.length());
            }
            return c.counts;
        }
        BlockingQueue<List<String>> queue = new ArrayBlockingQueue<>(threads * 2);
        List<String> poison = new ArrayList<>();
        Counter[] counters = new Counter[threads];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Counter c = counters[t] = new Counter();
            Thread th = new Thread(
                    () -> {
                        try {
                            while (true) {
                                List<String> batch = queue.take();
                                if (batch == poison) {
                                    return;
                                }
                                for (String s : batch) {
                                    c.count(s);
                                    progress.advance(1, s.length());
                                }
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                            queue.clear();
                        }
                    },
                    "kiln-bpe-count-" + t);
            th.setDaemon(true);
            th.start();
            workers.add(th);
        }
        try {
            List<String> batch = new ArrayList<>();
            long chars = 0;
            for (String s : texts) {
                if (failure.get() != null) {
                    break;
                }
                batch.add(s);
                chars += s.length();
                if (chars >= BATCH_CHARS) {
                    queue.put(batch);
                    batch = new ArrayList<>();
                    chars = 0;
                }
            }
            if (!batch.isEmpty()) {
                queue.put(batch);
            }
            for (int t = 0; t < threads; t++) {
                queue.put(poison);
            }
            for (Thread th : workers) {
                th.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting words", e);
        }
        rethrow(failure.get());
        return merge(counters);
    }

    private WordCounts countFiles(List<Path> files, Progress progress) throws IOException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Counter[] counters = new Counter[threads];
        Runnable[] tasks = new Runnable[threads];
        for (int t = 0; t < threads; t++) {
            Counter c = counters[t] = new Counter();
            tasks[t] = () -> {
                try {
                    int i;
                    while ((i = next.getAndIncrement()) < files.size() && failure.get() == null) {
                        byte[] bytes = Files.readAllBytes(files.get(i));
                        c.count(new String(bytes, StandardCharsets.UTF_8));
                        progress.advance(1, bytes.length);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            };
        }
        runAll(tasks);
        Throwable f = failure.get();
        if (f instanceof IOException) {
            throw (IOException) f;
        }
        rethrow(f);
        return merge(counters);
    }

    private static void runAll(Runnable[] tasks) {
        List<Thread> ths = new ArrayList<>();
        for (int t = 1; t < tasks.length; t++) {
            Thread th = new Thread(tasks[t], "kiln-bpe-count-" + t);
            th.setDaemon(true);
            th.start();
            ths.add(th);
        }
        tasks[0].run();
        try {
            for (Thread th : ths) {
                th.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting words", e);
        }
    }

    private static void rethrow(Throwable f) {
        if (f == null) {
            return;
        }
        if (f instanceof RuntimeException) {
            throw (RuntimeException) f;
        }
        if (f instanceof Error) {
            throw (Error) f;
        }
        if (f instanceof IOException) {
            throw new UncheckedIOException((IOException) f);
        }
        throw new IllegalStateException(f);
    }

    private static WordCounts merge(Counter[] counters) {
        int biggest = 0;
        for (int i = 1; i < counters.length; i++) {
            if (counters[i].counts.size > counters[biggest].counts.size) {
                biggest = i;
            }
        }
        WordCounts all = counters[biggest].counts;
        for (int i = 0; i < counters.length; i++) {
            if (i != biggest) {
                all.addAll(counters[i].counts);
            }
        }
        return all;
    }

    // ---------------------------------------------------------------- merges

    private BpeTokenizer trainOn(WordCounts wc, String what) {
        if (wc.size == 0) {
            throw new IllegalArgumentException("empty corpus: " + what + " contain no text to train on");
        }
        long start = System.nanoTime();
        int nWords = wc.size;
        // UTF-8 bytes of every word, flattened
        byte[][] wordBytes = new byte[nWords][];
        long totalSyms = 0;
        for (int e = 0; e < nWords; e++) {
            wordBytes[e] = new String(wc.pool, wc.offs[e], wc.lens[e]).getBytes(StandardCharsets.UTF_8);
            totalSyms += wordBytes[e].length;
        }
        long[] wordCount = Arrays.copyOf(wc.counts, nWords);
        if (nWords > maxDistinctWords) {
            Integer[] order = new Integer[nWords];
            for (int i = 0; i < nWords; i++) {
                order[i] = i;
            }
            Arrays.sort(
                    order,
                    (x, y) -> wordCount[x] != wordCount[y]
                            ? Long.compare(wordCount[y], wordCount[x])
                            : Arrays.compareUnsigned(wordBytes[x], wordBytes[y]));
            byte[][] kb = new byte[maxDistinctWords][];
            long[] kc = new long[maxDistinctWords];
            totalSyms = 0;
            for (int i = 0; i < maxDistinctWords; i++) {
                kb[i] = wordBytes[order[i]];
                kc[i] = wordCount[order[i]];
                totalSyms += kb[i].length;
            }
            LOG.info("kept the {} most frequent of {} distinct words (optMaxDistinctWords)", maxDistinctWords, nWords);
            return merges(kb, kc, maxDistinctWords, totalSyms, start);
        }
        return merges(wordBytes, wordCount, nWords, totalSyms, start);
    }

    private BpeTokenizer merges(byte[][] wordBytes, long[] wordCount, int nWords, long totalSyms, long start) {
        if (totalSyms > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(
                    "too many distinct word bytes (" + totalSyms + "); lower optMaxDistinctWords");
        }
        int[] sym = new int[(int) totalSyms];
        int[] wStart = new int[nWords];
        int[] wLen = new int[nWords];
        int pos = 0;
        for (int w = 0; w < nWords; w++) {
            wStart[w] = pos;
            wLen[w] = wordBytes[w].length;
            for (byte b : wordBytes[w]) {
                sym[pos++] = b & 0xFF;
            }
            wordBytes[w] = null;
        }
        int base = 256 + specials.size();
        byte[][] tok = new byte[vocabSize][];
        for (int b = 0; b < 256; b++) {
            tok[b] = new byte[] {(byte) b};
        }
        List<String> sp = specials.list();
        Map<String, Integer> specialIds = new LinkedHashMap<>();
        for (int i = 0; i < sp.size(); i++) {
            tok[256 + i] = sp.get(i).getBytes(StandardCharsets.UTF_8);
            specialIds.put(sp.get(i), 256 + i);
        }
        Map<String, Integer> byBytes = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            byBytes.put(new String(tok[b], StandardCharsets.ISO_8859_1), b);
        }
        Pairs pairs = new Pairs(tok);
        for (int w = 0; w < nWords; w++) {
            int s = wStart[w];
            long c = wordCount[w];
            for (int i = s; i < s + wLen[w] - 1; i++) {
                pairs.add(sym[i], sym[i + 1], c, w);
            }
        }
        pairs.heapifyAll();
        int[] stamp = new int[nWords];
        Arrays.fill(stamp, -1);
        int target = vocabSize - base;
        int[] mLeft = new int[target];
        int[] mRight = new int[target];
        int[] mResult = new int[target];
        int merges = 0;
        int nextId = base;
        try (Progress progress = progress("merges", "merges", target)) {
            while (nextId < vocabSize && pairs.heapSize > 0) {
                int p = pairs.heap[0];
                if (pairs.count[p] < minFrequency) {
                    break;
                }
                pairs.removeTop();
                int a = pairs.left[p];
                int b = pairs.right[p];
                byte[] nb = new byte[tok[a].length + tok[b].length];
                System.arraycopy(tok[a], 0, nb, 0, tok[a].length);
                System.arraycopy(tok[b], 0, nb, tok[a].length, tok[b].length);
                String key = new String(nb, StandardCharsets.ISO_8859_1);
                Integer existing = byBytes.get(key);
                int id;
                if (existing != null) {
                    id = existing;
                } else {
                    id = nextId++;
                    tok[id] = nb;
                    byBytes.put(key, id);
                }
                mLeft[merges] = a;
                mRight[merges] = b;
                mResult[merges] = id;
                int[] ws = pairs.words[p];
                int nws = pairs.wordsLen[p];
                pairs.words[p] = null;
                pairs.wordsLen[p] = 0;
                for (int k = 0; k < nws; k++) {
                    int w = ws[k];
                    if (stamp[w] == merges) {
                        continue;
                    }
                    stamp[w] = merges;
                    long c = wordCount[w];
                    int s = wStart[w];
                    int e = s + wLen[w];
                    int j = s;
                    int r = s;
                    while (r < e) {
                        if (sym[r] == a && r + 1 < e && sym[r + 1] == b) {
                            if (j > s) {
                                pairs.add(sym[j - 1], a, -c, -1);
                                pairs.add(sym[j - 1], id, c, w);
                            }
                            if (r + 2 < e) {
                                pairs.add(b, sym[r + 2], -c, -1);
                                pairs.add(id, sym[r + 2], c, w);
                            }
                            sym[j++] = id;
                            r += 2;
                        } else {
                            sym[j++] = sym[r++];
                        }
                    }
                    wLen[w] = j - s;
                }
                pairs.count[p] = 0;
                pairs.flushTouched(p);
                merges++;
                progress.advance(1);
            }
        }
        byte[][] vocab = Arrays.copyOf(tok, nextId);
        BpeTokenizer result = new BpeTokenizer(
                preTokenizer,
                vocab,
                Arrays.copyOf(mLeft, merges),
                Arrays.copyOf(mRight, merges),
                Arrays.copyOf(mResult, merges),
                specialIds);
        LOG.info(
                "trained {}: {} distinct words, {} merges in {} ms",
                result,
                nWords,
                merges,
                (System.nanoTime() - start) / 1_000_000);
        return result;
    }

    /** Pair statistics: counts, the words each pair occurs in, and an indexed max-heap. */
    static final class Pairs {
        final byte[][] tok;
        long[] keys = new long[1 << 16];
        int[] ids = new int[1 << 16];
        int mask = keys.length - 1;
        int size;
        int[] left = new int[1 << 12];
        int[] right = new int[1 << 12];
        long[] count = new long[1 << 12];
        /** Pending count changes, applied one pair at a time so the heap stays valid. */
        long[] delta = new long[1 << 12];

        int[] heapPos = new int[1 << 12];
        int[][] words = new int[1 << 12][];
        int[] wordsLen = new int[1 << 12];
        boolean[] touched = new boolean[1 << 12];
        int[] touchedList = new int[1 << 12];
        int touchedCount;
        int[] heap = new int[1 << 12];
        int heapSize;

        Pairs(byte[][] tok) {
            this.tok = tok;
            Arrays.fill(keys, -1L);
        }

        private int slot(long k) {
            long h = k * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 31)) & mask;
        }

        int id(int a, int b) {
            long k = PairTable.key(a, b);
            int s = slot(k);
            while (keys[s] != -1L) {
                if (keys[s] == k) {
                    return ids[s];
                }
                s = (s + 1) & mask;
            }
            if (size == left.length) {
                grow();
            }
            int id = size++;
            keys[s] = k;
            ids[s] = id;
            left[id] = a;
            right[id] = b;
            heapPos[id] = -1;
            if (size * 2 > keys.length) {
                rehash();
            }
            return id;
        }

        private void grow() {
            int n = left.length * 2;
            left = Arrays.copyOf(left, n);
            right = Arrays.copyOf(right, n);
            count = Arrays.copyOf(count, n);
            delta = Arrays.copyOf(delta, n);
            heapPos = Arrays.copyOf(heapPos, n);
            words = Arrays.copyOf(words, n);
            wordsLen = Arrays.copyOf(wordsLen, n);
            touched = Arrays.copyOf(touched, n);
        }

        private void rehash() {
            long[] ok = keys;
            int[] oi = ids;
            keys = new long[ok.length * 2];
            Arrays.fill(keys, -1L);
            ids = new int[keys.length];
            mask = keys.length - 1;
            for (int i = 0; i < ok.length; i++) {
                if (ok[i] != -1L) {
                    int s = slot(ok[i]);
                    while (keys[s] != -1L) {
                        s = (s + 1) & mask;
                    }
                    keys[s] = ok[i];
                    ids[s] = oi[i];
                }
            }
        }

        /** Adds {@code c} (may be negative) to the pair's count; records word {@code w} when >= 0. */
        void add(int a, int b, long c, int w) {
            int p = id(a, b);
            delta[p] += c;
            if (w >= 0) {
                int n = wordsLen[p];
                int[] l = words[p];
                if (l == null) {
                    l = words[p] = new int[2];
                } else if (l[n - 1] == w) {
                    n = -1;
                } else if (n == l.length) {
                    l = words[p] = Arrays.copyOf(l, n + (n >> 1) + 1);
                }
                if (n >= 0) {
                    l[n] = w;
                    wordsLen[p] = n + 1;
                }
            }
            if (!touched[p]) {
                touched[p] = true;
                if (touchedCount == touchedList.length) {
                    touchedList = Arrays.copyOf(touchedList, touchedCount * 2);
                }
                touchedList[touchedCount++] = p;
            }
        }

        void heapifyAll() {
            for (int t = 0; t < touchedCount; t++) {
                int p = touchedList[t];
                touched[p] = false;
                count[p] += delta[p];
                delta[p] = 0;
            }
            touchedCount = 0;
            heap = new int[Math.max(16, size)];
            heapSize = 0;
            for (int p = 0; p < size; p++) {
                if (count[p] > 0) {
                    heap[heapSize] = p;
                    heapPos[p] = heapSize++;
                }
            }
            for (int i = heapSize / 2 - 1; i >= 0; i--) {
                siftDown(i);
            }
        }

        void flushTouched(int merged) {
            for (int t = 0; t < touchedCount; t++) {
                int p = touchedList[t];
                touched[p] = false;
                count[p] += delta[p];
                delta[p] = 0;
                if (p == merged) {
                    count[p] = 0;
                }
                int hp = heapPos[p];
                if (count[p] > 0) {
                    if (hp < 0) {
                        if (heapSize == heap.length) {
                            heap = Arrays.copyOf(heap, heapSize * 2);
                        }
                        heap[heapSize] = p;
                        heapPos[p] = heapSize++;
                        siftUp(heapSize - 1);
                    } else {
                        siftUp(hp);
                        siftDown(heapPos[p]);
                    }
                } else if (hp >= 0) {
                    removeAt(hp);
                }
            }
            touchedCount = 0;
        }

        void removeTop() {
            removeAt(0);
        }

        private void removeAt(int i) {
            int p = heap[i];
            heapPos[p] = -1;
            int last = heap[--heapSize];
            if (i < heapSize) {
                heap[i] = last;
                heapPos[last] = i;
                siftUp(i);
                siftDown(heapPos[last]);
            }
        }

        /** Whether pair p goes before pair q: higher count, then smaller left bytes, then smaller right bytes. */
        boolean before(int p, int q) {
            if (count[p] != count[q]) {
                return count[p] > count[q];
            }
            int c = Arrays.compareUnsigned(tok[left[p]], tok[left[q]]);
            if (c == 0) {
                c = Arrays.compareUnsigned(tok[right[p]], tok[right[q]]);
            }
            return c < 0;
        }

        private void siftUp(int i) {
            int p = heap[i];
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                int q = heap[parent];
                if (!before(p, q)) {
                    break;
                }
                heap[i] = q;
                heapPos[q] = i;
                i = parent;
            }
            heap[i] = p;
            heapPos[p] = i;
        }

        private void siftDown(int i) {
            int p = heap[i];
            int half = heapSize >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                if (child + 1 < heapSize && before(heap[child + 1], heap[child])) {
                    child++;
                }
                int q = heap[child];
                if (!before(q, p)) {
                    break;
                }
                heap[i] = q;
                heapPos[q] = i;
                i = child;
            }
            heap[i] = p;
            heapPos[p] = i;
        }
    }

    /** Builder: {@code setVocabSize} is required. */
    public static final class Builder {
        private int vocabSize = -1;
        private long minFrequency = 2;
        private PreTokenizer preTokenizer = PreTokenizer.code();
        private SpecialTokens specials = SpecialTokens.codeDefaults();
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int maxDistinctWords = 8_000_000;
        private ProgressSink sink;

        private Builder() {}

        /** Vocabulary size, counting the 256 byte tokens and the special tokens. */
        public Builder setVocabSize(int vocabSize) {
            if (vocabSize < 256) {
                throw new IllegalArgumentException(
                        "vocab size must be at least 256 (the byte tokens) plus the special tokens, got " + vocabSize);
            }
            this.vocabSize = vocabSize;
            return this;
        }

        /** A pair must occur at least this many times to be merged (default 2). */
        public Builder optMinFrequency(long minFrequency) {
            if (minFrequency < 1) {
                throw new IllegalArgumentException("min frequency must be >= 1, got " + minFrequency);
            }
            this.minFrequency = minFrequency;
            return this;
        }

        /** Default {@link PreTokenizer#code()}. */
        public Builder optPreTokenizer(PreTokenizer preTokenizer) {
            this.preTokenizer = Objects.requireNonNull(preTokenizer, "preTokenizer");
            return this;
        }

        /** Default {@link SpecialTokens#codeDefaults()}. */
        public Builder optSpecialTokens(SpecialTokens specials) {
            this.specials = Objects.requireNonNull(specials, "specials");
            return this;
        }

        /** Word-counting threads (default: available processors). The vocabulary does not depend on it. */
        public Builder optThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Memory bound: distinct words kept (default 8,000,000; see the class documentation). */
        public Builder optMaxDistinctWords(int maxDistinctWords) {
            if (maxDistinctWords < 1) {
                throw new IllegalArgumentException("max distinct words must be >= 1, got " + maxDistinctWords);
            }
            this.maxDistinctWords = maxDistinctWords;
            return this;
        }

        /** Where progress goes (default {@link ProgressSink#auto()}). */
        public Builder optProgressSink(ProgressSink sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        public BpeTrainer build() {
            if (vocabSize < 0) {
                throw new IllegalStateException("setVocabSize(...) is required");
            }
            int min = 256 + specials.size();
            if (vocabSize < min) {
                throw new IllegalArgumentException("vocab size " + vocabSize + " is smaller than 256 byte tokens + "
                        + specials.size() + " special tokens = " + min);
            }
            return new BpeTrainer(this);
        }
    }
}
