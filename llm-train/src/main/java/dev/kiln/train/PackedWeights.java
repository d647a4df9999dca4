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

    /** One packed {@code [n, k]} weight ({@code out, in}), in memory from {@code aligned_alloc}. */
    private record Matrix(MemorySegment packed, int n, int k) {}

    private PackedWeights() {}

    /**
     * Packs the projection weights of {@code model}, or says (in the log, at debug) why they cannot
     * be: not float32 on the CPU, or no packing functions in the loaded libtorch. Disabled with
     * {@code KILN_PACKED_WEIGHTS=off} (or {@code -Dkiln.packed.weights=off}).
     */
    public static Optional<PackedWeights> pack(GptModel model) {
        String reason = unavailable(model);
        if (reason != null) {
            LOG.debug("weights not packed: {}", reason);
            return Optional.empty();
        }
        PackedWeights p = new PackedWeights();
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
        long size;
        try {
            size = (long) Mkl.SIZE.invokeExact(B_MATRIX, PACK_ROWS_HINT, n, k);
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm_pack_get_size failed for " + w.getName(), e);
        }
        MemorySegment dest = Mkl.allocate(size);
        // The source stays referenced by the parameter; its buffer is read in place.
        MemorySegment src = MemorySegment.ofBuffer(a.toByteBuffer(true));
        try {
            Mkl.PACK.invokeExact(ROW_MAJOR, B_MATRIX, TRANS, PACK_ROWS_HINT, n, k, 1f, src, k, dest);
        } catch (Throwable e) {
            Mkl.free(dest);
            throw new IllegalStateException("cblas_sgemm_pack failed for " + w.getName(), e);
        }
        matrices.put(w, new Matrix(dest, n, k));
        bytes += size;
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
        try {
            Mkl.COMPUTE.invokeExact(ROW_MAJOR, NO_TRANS, PACKED, rows, m.n, m.k, in, m.k, m.packed, m.k, 0f, o, m.n);
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm_compute failed", e);
        }
        return bias == null ? out : out.addi(bias);
    }

    /** Frees the packed copies; products after this fall back to the ordinary ones. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            for (Matrix m : matrices.values()) {
                Mkl.free(m.packed);
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
        /** Why the functions are missing, or null. */
        static final String UNAVAILABLE;

        static {
            MethodHandle size = null;
            MethodHandle pack = null;
            MethodHandle compute = null;
            MethodHandle alloc = null;
            MethodHandle free = null;
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

        static void free(MemorySegment m) {
            try {
                FREE.invokeExact(m);
            } catch (Throwable e) {
                throw new IllegalStateException("free failed", e);
            }
        }
    }
}
