package dev.kiln.data;

import dev.kiln.core.Document;
import dev.kiln.core.hash.Fnv1a;
import dev.kiln.core.hash.Hash64;
import java.util.Objects;

/** One step of a {@link Corpus} plan. {@code index} is its position in the whole plan (reports key by it). */
abstract class Op {

    final int index;
    final String name;

    Op(int index, String name) {
        this.index = index;
        this.name = name;
    }

    abstract Op at(int newIndex);

    /** A stage: a transform, a filter, or both (transform first, then the test). */
    static final class StageOp extends Op {
        final Stage stage;
        final DocumentTransform transform;
        final DocumentFilter filter;

        StageOp(int index, Stage stage) {
            super(index, Objects.requireNonNull(stage, "stage").name());
            if (!(stage instanceof DocumentFilter) && !(stage instanceof DocumentTransform)) {
                throw new IllegalArgumentException(
                        "stage '" + stage.name() + "' (" + stage.getClass().getName()
                                + ") is neither a DocumentFilter nor a DocumentTransform nor a DedupStage");
            }
            this.stage = stage;
            this.transform = stage instanceof DocumentTransform t ? t : null;
            this.filter = stage instanceof DocumentFilter f ? f : null;
        }

        @Override
        Op at(int newIndex) {
            return new StageOp(newIndex, stage);
        }
    }

    /** Keeps the first {@code n} documents that reach it; the run stops when it is full. */
    static final class LimitOp extends Op {
        final long n;

        LimitOp(int index, long n) {
            super(index, "limit");
            this.n = n;
        }

        @Override
        Op at(int newIndex) {
            return new LimitOp(newIndex, n);
        }
    }

    /** Keeps a pseudo-random fraction of documents, decided by a hash of the id and the seed. */
    static final class SampleOp extends Op {
        final double fraction;
        final long seed;

        SampleOp(int index, double fraction, long seed) {
            super(index, "sample");
            this.fraction = fraction;
            this.seed = seed;
        }

        boolean keep(Document d) {
            String id = d.id();
            long h = Hash64.fmix64(Fnv1a.hash64(id, Fnv1a.OFFSET_BASIS_64 ^ seed));
            return (h >>> 11) * 0x1.0p-53 < fraction;
        }

        @Override
        Op at(int newIndex) {
            return new SampleOp(newIndex, fraction, seed);
        }
    }

    /** A whole-corpus dedup stage: splits the run into passes. */
    static final class DedupeOp extends Op {
        final DedupStage stage;

        DedupeOp(int index, DedupStage stage) {
            super(index, stage.name());
            this.stage = stage;
        }

        @Override
        Op at(int newIndex) {
            return new DedupeOp(newIndex, stage);
        }
    }

    /** The second half of a dedupe: drops the documents its {@link DuplicateSet} names. */
    static final class DropDuplicatesOp extends Op {
        final DuplicateSet duplicates;

        DropDuplicatesOp(int index, String name, DuplicateSet duplicates) {
            super(index, name);
            this.duplicates = duplicates;
        }

        @Override
        Op at(int newIndex) {
            return new DropDuplicatesOp(newIndex, name, duplicates);
        }
    }
}
