package dev.kiln.bench.dedup;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** An LSH layout written {@code BANDSxROWS} ({@code 25x10}), as the dedup benchmarks take it. */
record Bands(int bands, int rows) {

    /** Parses {@code 25x10}; anything else is an {@link IllegalArgumentException} quoting it. */
    static Bands parse(String s) {
        String[] br = s.split("x", -1);
        try {
            if (br.length == 2) {
                return new Bands(Integer.parseInt(br[0]), Integer.parseInt(br[1]));
            }
        } catch (NumberFormatException e) {
            // falls through to the one message
        }
        throw new IllegalArgumentException("bands must be BANDSxROWS like 25x10, got '" + s + "'");
    }

    @Override
    public String toString() {
        return bands + "x" + rows;
    }

    /** picocli's converter, so that a bad value is a one-line usage error. */
    static final class Converter implements ITypeConverter<Bands> {
        @Override
        public Bands convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
