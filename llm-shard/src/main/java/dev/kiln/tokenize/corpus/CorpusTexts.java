package dev.kiln.tokenize.corpus;

import dev.kiln.core.Document;
import dev.kiln.data.Corpus;
import dev.kiln.data.PipelineReport;
import dev.kiln.data.sink.Sink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The bridge from llm-data to the trainers (which need only llm-core): the kept documents of a
 * {@link Corpus} (its stages run as the documents stream by), e.g. a dataset written by {@code llm
 * data run}, as the texts a trainer reads once; afterwards {@link #report()} counts and names
 * what the corpus dropped (too large, binary, unreadable ...).
 *
 * <pre>{@code
 * try (CorpusTexts texts = CorpusTexts.open(Corpus.from(Path.of("dataset")))) {
 *     BpeTokenizer tok = BpeTrainer.builder().setVocabSize(32_768).build().trainTexts(texts);
 *     System.out.println(texts.summary());
 * }
 * }</pre>
 */
public final class CorpusTexts implements Iterable<String>, AutoCloseable {

    private static final String END = new String("end");

    private final Corpus corpus;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(256);
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile PipelineReport report;
    private Thread producer;
    private Path work;
    private long documents;
    private long chars;

    private CorpusTexts(Corpus corpus) {
        this.corpus = corpus;
    }

    /** The corpus's documents, read in the background once iterated. */
    public static CorpusTexts open(Corpus corpus) {
        return new CorpusTexts(Objects.requireNonNull(corpus, "corpus"));
    }

    /**
     * Runs {@code trainer} (e.g. {@code trainer::trainTexts}) over the corpus's documents.
     *
     * @throws IOException when the corpus cannot be read
     * @throws IllegalArgumentException when it holds no text (the message says what was dropped)
     */
    public static <T> T train(Corpus corpus, Function<Iterable<String>, T> trainer) throws IOException {
        try (CorpusTexts texts = open(corpus)) {
            try {
                return trainer.apply(texts);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } catch (IllegalArgumentException e) {
                if (texts.documents == 0 && texts.report != null) {
                    throw new IllegalArgumentException(e.getMessage() + ": " + texts.summary(), e);
                }
                throw e;
            }
        }
    }

    @Override
    public synchronized Iterator<String> iterator() {
        if (producer != null) {
            throw new IllegalStateException("the documents of " + corpus + " can be iterated once; open it again");
        }
        try {
            work = Files.createTempDirectory("kiln-corpus-texts-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        producer = new Thread(this::produce, "kiln-corpus-texts");
        producer.setDaemon(true);
        producer.start();
        return new Iterator<String>() {
            private String next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = queue.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while reading " + corpus, e);
                    }
                }
                if (next == END) {
                    Throwable f = failure;
                    if (f instanceof IOException) {
                        throw new UncheckedIOException((IOException) f);
                    } else if (f instanceof RuntimeException) {
                        throw (RuntimeException) f;
                    } else if (f instanceof Error) {
                        throw (Error) f;
                    }
                    return false;
                }
                return true;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                String s = next;
                next = null;
                documents++;
                chars += s.length();
                return s;
            }
        };
    }

    private void produce() {
        try {
            report = corpus.write(new QueueSink());
        } catch (Throwable t) {
            failure = t;
        } finally {
            try {
                queue.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The corpus's report (read counts, what was dropped and why), once the iteration ended; else null. */
    public PipelineReport report() {
        return report;
    }

    /** Documents handed out so far. */
    public long documents() {
        return documents;
    }

    /** Chars handed out so far. */
    public long chars() {
        return chars;
    }

    /**
     * One line: documents read and kept, and every drop or error reason with its count and an
     * example path.
     */
    public String summary() {
        PipelineReport r = report;
        if (r == null) {
            return documents + " documents so far";
        }
        StringBuilder sb = new StringBuilder()
                .append("read ")
                .append(r.inputDocuments())
                .append(" documents (")
                .append(r.inputBytes())
                .append(" bytes), kept ")
                .append(r.keptDocuments());
        List<Map.Entry<String, Long>> skips = new ArrayList<>(r.dropped().entrySet());
        skips.addAll(r.errors().entrySet());
        skips.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
        if (!skips.isEmpty()) {
            sb.append(", skipped ").append(r.droppedTotal() + r.errorsTotal()).append(':');
            for (Map.Entry<String, Long> e : skips) {
                sb.append(' ').append(e.getKey()).append(' ').append(e.getValue());
                PipelineReport.Example ex = r.examples().get(e.getKey());
                if (ex != null) {
                    sb.append(" (e.g. ").append(ex.path()).append(')');
                }
                sb.append(';');
            }
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        closed = true;
        Thread p = producer;
        if (p != null) {
            while (p.isAlive()) {
                queue.clear();
                try {
                    p.join(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a temporary directory left behind is harmless
            }
        }
    }

    /** A sink whose "rows" are handed to the trainer; the report files go to a temporary directory. */
    private final class QueueSink implements Sink {
        @Override
        public Path directory() {
            return work;
        }

        @Override
        public String format() {
            return "texts";
        }

        @Override
        public boolean writeDropped() {
            return false;
        }

        @Override
        public Sink optShardBytes(long bytes) {
            return this;
        }

        @Override
        public Sink optWriteDropped(boolean writeDropped) {
            return this;
        }

        @Override
        public byte[] encode(Document doc) {
            return null;
        }

        @Override
        public Writer open() {
            return new Writer() {
                @Override
                public void write(Document doc, byte[] encoded) throws IOException {
                    if (closed) {
                        throw new IOException("the training run stopped reading " + corpus);
                    }
                    try {
                        queue.put(doc.content());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }

                @Override
                public void writeDropped(Document doc, String reason) {}

                @Override
                public List<Shard> finish() {
                    return List.of();
                }

                @Override
                public void close() {}
            };
        }
    }
}
