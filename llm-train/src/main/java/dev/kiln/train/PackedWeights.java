package dev.kiln.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot of a model's projection weights (QKV, attention output, MLP in and out, LM head) in
 * the packed layout of the CPU's matrix-product kernels, for inference. Every product of a decode
 * step multiplies a few activation rows by a weight matrix; the library's ordinary product packs
 * that matrix into its kernel's panel layout again on every call, which on a model larger than the
 * caches reads it from memory twice. Packed once here (oneMKL's {@code cblas_sgemm_pack}, which the
 * CPU libtorch carries), each product reads the packed copy once ({@code cblas_sgemm_compute}).
 * All the products of a 16-row step of the 27 M benchmark model ran 1.1× (MKL's generic AMD
 * kernels) to 1.6× (its AVX-512 kernels) faster; in the model one row was no faster, so products of
 * fewer than two rows stay ordinary (benchmarks/README.md, "Serving", session 10).
 *
 * <pre>{@code
 * try (PackedWeights packed = PackedWeights.pack(model).orElse(null)) {
 *     NDArray logits = model.forward(ids, positions, cache, packed); // null: the ordinary products
 * }
 * }</pre>
 *
 * <p>With {@link Builder#optHelperThreads helper threads}, each weight is packed as column blocks
 * of {@value #BLOCK_COLUMNS} outputs and a product of two or more rows is shared between the
 * calling thread and the helpers, which run at the OS's idle priority on a core the compute threads
 * leave free; the caller never waits for a helper that lost its core (it takes the block back).
 * The results are those of one thread.
 *
 * <p>A snapshot: the packed copies do not follow later changes of the model's parameters (pack
 * after training, as {@code GptLanguageModel} does when it is built). Packing needs a float32 model on
 * the CPU and a libtorch whose MKL exports the packing functions (Linux x86-64 builds do); {@link
 * #pack} says why not otherwise. The copies live in native memory, about the size of the weights,
 * until {@link #close()}. Thread-safe for concurrent products; {@link #close()} must follow the
 * last one.
 */
public final class PackedWeights implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PackedWeights.class);

    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;
    private static final int B_MATRIX = 162;
    private static final int PACKED = 151;
    /** The row count packing is tuned for (a batched decode step); products take any count. */
    private static final int PACK_ROWS_HINT = 16;

    /**
     * The fewest rows a packed product takes. One row is a matrix-vector product, which the
     * ordinary path runs as fast or faster (27 M model, MKL's AVX-512 kernels: one-row steps 7.2 ms
     * ordinary against 8.1 ms packed; 2 and 4 rows 7.3 / 12.1 ms ordinary against 7.2 / 9.0 ms
     * packed; benchmarks/README.md, "Serving").
     */
    static final int MIN_ROWS = 2;

    private final Map<Parameter, Matrix> matrices = new IdentityHashMap<>();
    private long bytes;
    private volatile boolean closed;

    /**
     * One packed {@code [n, k]} weight ({@code out, in}) as column blocks of the product: block
     * {@code j} holds output columns {@code [start[j], start[j+1])}, each in memory from {@code
     * aligned_alloc}.
     */
    private record Matrix(MemorySegment[] blocks, int[] start, int n, int k) {}

    /**
     * Output columns per block when helper threads share a product: a 16-row block of the 27 M
     * model's products is ~0.1 ms of work, so a caller that takes a block back from a descheduled
     * helper loses at most about that.
     */
    static final int BLOCK_COLUMNS = 256;

    /**
     * The least work (rows · out · in multiply-adds) a product needs to be shared with the helpers:
     * sharing every product of the 4.9 M benchmark model (a 16-row QKV product is 3.1 M) made its
     * served c=16 throughput 4–20% lower (3 rounds) and its long-prompt gaps worse; with this
     * threshold (there, only the LM head is shared) it was within the noise of no helper, while the
     * 27 M model kept its gain (benchmarks/README.md, "Serving", session 11).
     */
    static final long SPLIT_MIN_MACS = 8L << 20;

    /** The most blocks one matrix is cut into. */
    private static final int MAX_BLOCKS = 64;

    /** Helper threads for the products (null: none). */
    private final ProductHelpers helpers;

    /** Output columns per block here (tests use small models with small blocks). */
    private final int blockColumns;

    /** The least multiply-adds of a shared product here. */
    private final long splitMinMacs;

    /** Products shared with the helpers, for tests. */
    private final java.util.concurrent.atomic.LongAdder shared = new java.util.concurrent.atomic.LongAdder();

    private PackedWeights(int helperThreads, int blockColumns, long splitMinMacs) {
        this.blockColumns = blockColumns;
        this.splitMinMacs = splitMinMacs;
        this.helpers =
                helperThreads > 0 ? new ProductHelpers(helperThreads, Mkl::oneThread, Mkl::allocate, Mkl::free) : null;
    }

    /**
     * Packs the projection weights of {@code model} with no helper threads; see {@link Builder#build()}.
     */
    public static Optional<PackedWeights> pack(GptModel model) {
        return builder().setModel(model).build();
    }

    /** A builder: the model (required) and helper threads (default 0). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings of {@link PackedWeights}.
     *
     * <pre>{@code
     * Optional<PackedWeights> packed = PackedWeights.builder().setModel(model).optHelperThreads(1).build();
     * }</pre>
     */
    public static final class Builder {
        private GptModel model;
        private int helperThreads;
        private int blockColumns = BLOCK_COLUMNS;
        private long splitMinMacs = SPLIT_MIN_MACS;

        private Builder() {}

        /** The model whose projection weights are packed (required). */
        public Builder setModel(GptModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
            return this;
        }

        /**
         * Threads that share each product of two or more rows with the calling thread, in column
         * blocks (default 0: the calling thread alone). They run at Linux's idle priority, so they
         * use only a core nothing else wants, and the caller never waits for one that lost its core
         * (see {@code ProductHelpers}). On the 2-core benchmark machine, with 1 compute thread and 1
         * helper, a 16-row decode step of the 27 M model took 15.9 against 22.1 ms (benchmarks/README.md,
         * "Serving", session 11); a one-row step is bound by memory and does not use them.
         */
        public Builder optHelperThreads(int n) {
            if (n < 0 || n > 64) {
                throw new IllegalArgumentException("helper threads must be in [0, 64], got " + n);
            }
            this.helperThreads = n;
            return this;
        }

        /** Output columns per block (default {@link #BLOCK_COLUMNS}); for tests on small models. */
        Builder blockColumns(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("block columns must be >= 1, got " + n);
            }
            this.blockColumns = n;
            return this;
        }

        /** The least work of a shared product (default {@link #SPLIT_MIN_MACS}); for tests. */
        Builder splitMinMacs(long macs) {
            if (macs < 0) {
                throw new IllegalArgumentException("split threshold must be >= 0, got " + macs);
            }
            this.splitMinMacs = macs;
            return this;
        }

        /**
         * Packs the model's projection weights, or says (in the log, at debug) why they cannot be,
         * returning empty: not float32 on the CPU, or no packing functions in the loaded libtorch.
         * Disabled with {@code KILN_PACKED_WEIGHTS=off} (or {@code -Dkiln.packed.weights=off}).
         */
        public Optional<PackedWeights> build() {
            if (model == null) {
                throw new IllegalArgumentException("PackedWeights needs a model: call setModel");
            }
            return packModel(model, helperThreads, blockColumns, splitMinMacs);
        }
    }

    private static Optional<PackedWeights> packModel(
            GptModel model, int helperThreads, int blockColumns, long splitMinMacs) {
        String reason = unavailable(model);
        if (reason != null) {
            LOG.debug("weights not packed: {}", reason);
            return Optional.empty();
        }
        PackedWeights p = new PackedWeights(helperThreads, blockColumns, splitMinMacs);
        try {
            for (Parameter w : model.projectionWeights()) {
                p.add(w);
            }
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
        LOG.debug("packed {} weight matrices, {} MB", p.matrices.size(), p.bytes >> 20);
        return Optional.of(p);
    }

    /**
     * Why {@code model}'s weights cannot be packed, or null when they can; package-private for its
     * test.
     */
    static String unavailable(GptModel model) {
        String setting = Optional.ofNullable(System.getProperty("kiln.packed.weights"))
                .orElse(System.getenv("KILN_PACKED_WEIGHTS"));
        String s = setting == null ? "on" : setting.trim().toLowerCase(Locale.ROOT);
        if (s.equals("off")) {
            return "KILN_PACKED_WEIGHTS=off";
        }
        if (!s.equals("on")) {
            throw new IllegalArgumentException(
                    "KILN_PACKED_WEIGHTS='" + setting + "' is not one of: on (default), off");
        }
        if (!Device.Type.CPU.equals(model.manager().getDevice().getDeviceType())) {
            return "the model is on " + model.manager().getDevice() + ", not the CPU";
        }
        for (Parameter w : model.projectionWeights()) {
            if (w.getArray().getDataType() != DataType.FLOAT32) {
                return "parameter '" + w.getName() + "' is " + w.getArray().getDataType() + ", not float32";
            }
        }
        return Mkl.UNAVAILABLE;
    }

    private void add(Parameter w) {
        if (matrices.containsKey(w)) {
            return; // a tied weight is packed once
        }
        NDArray a = w.getArray();
        Shape s = a.getShape();
        int n = Math.toIntExact(s.get(0));
        int k = Math.toIntExact(s.get(1));
        int parts = helpers == null ? 1 : Math.max(1, Math.min(MAX_BLOCKS, n / blockColumns));
        int[] start = new int[parts + 1];
        for (int j = 0; j <= parts; j++) {
            start[j] = (int) ((long) n * j / parts);
        }
        MemorySegment[] blocks = new MemorySegment[parts];
        // The source stays referenced by the parameter; its buffer is read in place.
        MemorySegment src = MemorySegment.ofBuffer(a.toByteBuffer(true));
        try {
            for (int j = 0; j < parts; j++) {
                int nb = start[j + 1] - start[j];
                long size;
                try {
                    size = (long) Mkl.SIZE.invokeExact(B_MATRIX, PACK_ROWS_HINT, nb, k);
                } catch (Throwable e) {
                    throw new IllegalStateException("cblas_sgemm_pack_get_size failed for " + w.getName(), e);
                }
                blocks[j] = Mkl.allocate(size);
                bytes += size;
                MemorySegment part = src.asSlice((long) start[j] * k * Float.BYTES);
                try {
                    Mkl.PACK.invokeExact(ROW_MAJOR, B_MATRIX, TRANS, PACK_ROWS_HINT, nb, k, 1f, part, k, blocks[j]);
                } catch (Throwable e) {
                    throw new IllegalStateException("cblas_sgemm_pack failed for " + w.getName(), e);
                }
            }
        } catch (RuntimeException e) {
            for (MemorySegment b : blocks) {
                if (b != null) {
                    Mkl.free(b);
                }
            }
            throw e;
        }
        matrices.put(w, new Matrix(blocks, start, n, k));
    }

    /**
     * Pauses (or, called with false as many times, resumes) the helper threads: while paused, every
     * product runs on its calling thread alone. For a time when the helpers' core has other work,
     * such as a prompt prefilled beside the decoding steps ({@code GptLanguageModel.prefill}): a
     * helper would only take that core's time from it (measured: the prompt's time to first token
     * 662–1,000 ms with a helper against 339–593 ms without, 5 pairs). Calls nest; no effect without
     * helpers.
     *
     * @throws IllegalStateException when resumed more often than paused
     */
    public void pauseHelpers(boolean paused) {
        if (helpers != null) {
            helpers.pause(paused);
        }
    }

    /** How many helper threads share the products (0: none). */
    public int helperThreads() {
        return helpers == null ? 0 : helpers.size();
    }

    /** Products shared with the helper threads; for tests. */
    long sharedProducts() {
        return shared.sum();
    }

    /** Blocks the calling threads computed themselves after a helper had claimed them; for tests. */
    int takenBack() {
        return helpers == null ? 0 : helpers.takenBack();
    }

    /** Native bytes the packed copies reserve (pages are committed as the packing writes them). */
    public long bytes() {
        return bytes;
    }

    /** How many weight matrices are packed. */
    public int matrices() {
        return matrices.size();
    }

    /**
     * {@code x·Wᵀ + b} for {@code x} ({@code [rows, in]} float32 on the CPU) against the packed
     * copy of {@code w}, as a new array of {@code x}'s manager; null when {@code w} is not packed
     * here, {@code x} is not such an array or has fewer than {@code MIN_ROWS} rows (the caller
     * then uses the ordinary product).
     */
    NDArray linear(NDArray x, Parameter w, NDArray bias) {
        Matrix m = matrices.get(w);
        if (m == null || closed) {
            return null;
        }
        Shape s = x.getShape();
        if (s.dimension() != 2
                || s.get(1) != m.k
                || x.getDataType() != DataType.FLOAT32
                || !Device.Type.CPU.equals(x.getDevice().getDeviceType())) {
            return null;
        }
        int rows = Math.toIntExact(s.get(0));
        if (rows < MIN_ROWS) {
            return null;
        }
        NDArray out = x.getManager().create(new Shape(rows, m.n), DataType.FLOAT32);
        // Both buffers alias the arrays' memory (a non-contiguous x would come back as a contiguous
        // copy); out is new and uninitialised, and beta 0 overwrites it.
        MemorySegment in = MemorySegment.ofBuffer(x.toByteBuffer(true));
        MemorySegment o = MemorySegment.ofBuffer(out.toByteBuffer(true));
        if (helpers == null || m.blocks.length == 1 || (long) rows * m.n * m.k < splitMinMacs) {
            for (int j = 0; j < m.blocks.length; j++) {
                try {
                    computeBlock(m, j, rows, in, o);
                } catch (Throwable e) {
                    throw new IllegalStateException("cblas_sgemm_compute failed", e);
                }
            }
        } else {
            shared.increment();
            try {
                helpers.run(new ProductHelpers.Task(m.blocks.length) {
                    @Override
                    void direct(int j) throws Throwable {
                        computeBlock(m, j, rows, in, o);
                    }

                    @Override
                    long scratchBytes(int j) {
                        return (long) rows * (m.start[j + 1] - m.start[j]) * Float.BYTES;
                    }

                    @Override
                    void toScratch(int j, MemorySegment scratch) throws Throwable {
                        int nb = m.start[j + 1] - m.start[j];
                        Mkl.COMPUTE.invokeExact(
                                ROW_MAJOR, NO_TRANS, PACKED, rows, nb, m.k, in, m.k, m.blocks[j], m.k, 0f, scratch, nb);
                    }

                    @Override
                    void copy(int j, MemorySegment scratch) {
                        int c0 = m.start[j];
                        long rowBytes = (long) (m.start[j + 1] - c0) * Float.BYTES;
                        for (int r = 0; r < rows; r++) {
                            MemorySegment.copy(scratch, r * rowBytes, o, ((long) r * m.n + c0) * Float.BYTES, rowBytes);
                        }
                    }
                });
            } catch (Throwable e) {
                throw new IllegalStateException("cblas_sgemm_compute failed", e);
            }
        }
        return bias == null ? out : out.addi(bias);
    }

    private static void computeBlock(Matrix m, int j, int rows, MemorySegment in, MemorySegment o) throws Throwable {
        int c0 = m.start[j];
        int nb = m.start[j + 1] - c0;
        MemorySegment out = o.asSlice((long) c0 * Float.BYTES);
        Mkl.COMPUTE.invokeExact(ROW_MAJOR, NO_TRANS, PACKED, rows, nb, m.k, in, m.k, m.blocks[j], m.k, 0f, out, m.n);
    }

    /** Frees the packed copies; products after this fall back to the ordinary ones. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (helpers != null) {
                helpers.close();
            }
            for (Matrix m : matrices.values()) {
                for (MemorySegment b : m.blocks) {
                    Mkl.free(b);
                }
            }
            matrices.clear();
        }
    }

    /** The packing functions of the MKL inside the loaded libtorch, looked up once. */
    private static final class Mkl {
        static final MethodHandle SIZE;
        static final MethodHandle PACK;
        static final MethodHandle COMPUTE;
        static final MethodHandle ALIGNED_ALLOC;
        static final MethodHandle FREE;
        static final MethodHandle THREADS_LOCAL;
        /** Why the functions are missing, or null. */
        static final String UNAVAILABLE;

        static {
            MethodHandle size = null;
            MethodHandle pack = null;
            MethodHandle compute = null;
            MethodHandle alloc = null;
            MethodHandle free = null;
            MethodHandle threadsLocal = null;
            String why = null;
            try {
                Path lib = MklDispatch.loadedLibrary("libtorch_cpu.so");
                if (lib == null) {
                    why = "libtorch_cpu.so is not loaded";
                } else {
                    Linker linker = Linker.nativeLinker();
                    // Another reference to the loaded library, kept for the JVM's life like the engine's.
                    SymbolLookup torch = SymbolLookup.libraryLookup(lib, java.lang.foreign.Arena.global());
                    Optional<MemorySegment> s = torch.find("cblas_sgemm_pack_get_size");
                    Optional<MemorySegment> p = torch.find("cblas_sgemm_pack");
                    Optional<MemorySegment> c = torch.find("cblas_sgemm_compute");
                    Optional<MemorySegment> t = torch.find("MKL_Set_Num_Threads_Local");
                    SymbolLookup libc = linker.defaultLookup();
                    Optional<MemorySegment> a = libc.find("aligned_alloc");
                    Optional<MemorySegment> f = libc.find("free");
                    if (s.isEmpty() || p.isEmpty() || c.isEmpty()) {
                        why = "this libtorch's MKL has no cblas_sgemm_pack";
                    } else if (a.isEmpty() || f.isEmpty()) {
                        why = "no aligned_alloc in the C library";
                    } else {
                        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
                        ValueLayout.OfFloat fl = ValueLayout.JAVA_FLOAT;
                        ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
                        var ptr = ValueLayout.ADDRESS;
                        size = linker.downcallHandle(s.get(), FunctionDescriptor.of(l, i, i, i, i));
                        pack = linker.downcallHandle(
                                p.get(), FunctionDescriptor.ofVoid(i, i, i, i, i, i, fl, ptr, i, ptr));
                        compute = linker.downcallHandle(
                                c.get(), FunctionDescriptor.ofVoid(i, i, i, i, i, i, ptr, i, ptr, i, fl, ptr, i));
                        alloc = linker.downcallHandle(a.get(), FunctionDescriptor.of(ptr, l, l));
                        free = linker.downcallHandle(f.get(), FunctionDescriptor.ofVoid(ptr));
                        if (t.isPresent()) {
                            threadsLocal = linker.downcallHandle(t.get(), FunctionDescriptor.of(i, i));
                        }
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                why = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            SIZE = size;
            PACK = pack;
            COMPUTE = compute;
            ALIGNED_ALLOC = alloc;
            FREE = free;
            THREADS_LOCAL = threadsLocal;
            UNAVAILABLE = why;
        }

        /**
         * {@code bytes} of 64-byte aligned native memory, not zeroed, so pages the packing never
         * writes are never committed.
         */
        static MemorySegment allocate(long bytes) {
            long rounded = (bytes + 63) & ~63L;
            MemorySegment m;
            try {
                m = (MemorySegment) ALIGNED_ALLOC.invokeExact(64L, rounded);
            } catch (Throwable e) {
                throw new IllegalStateException("aligned_alloc failed", e);
            }
            if (m.address() == 0) {
                throw new OutOfMemoryError("cannot allocate " + rounded + " bytes for packed weights");
            }
            return m.reinterpret(rounded);
        }

        /** Makes MKL run this thread's products on this thread alone. */
        static void oneThread() {
            if (THREADS_LOCAL != null) {
                try {
                    int unused = (int) THREADS_LOCAL.invokeExact(1);
                } catch (Throwable e) {
                    LOG.debug("MKL_Set_Num_Threads_Local failed", e);
                }
            }
        }

        static void free(MemorySegment m) {
            try {
                FREE.invokeExact(m);
            } catch (Throwable e) {
                throw new IllegalStateException("free failed", e);
            }
        }
    }
}
