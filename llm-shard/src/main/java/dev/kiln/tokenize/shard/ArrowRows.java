package dev.kiln.tokenize.shard;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** Writes rows of {@code rowLength} int32 tokens as one Arrow IPC file (column {@code tokens}). */
final class ArrowRows implements AutoCloseable {

    static final String COLUMN = "tokens";

    private final int rowLength;
    private final int batchRows;
    private final FileChannel channel;
    private final VectorSchemaRoot root;
    private final ArrowFileWriter writer;
    private final FixedSizeListVector list;
    private final IntVector values;
    private int pending;
    long rows;

    static Schema schema(int rowLength) {
        Field item = new Field("item", FieldType.notNullable(new ArrowType.Int(32, true)), null);
        Field tokens = new Field(COLUMN, FieldType.notNullable(new ArrowType.FixedSizeList(rowLength)), List.of(item));
        return new Schema(List.of(tokens));
    }

    ArrowRows(Path file, int rowLength, int batchRows, BufferAllocator allocator) throws IOException {
        this.rowLength = rowLength;
        this.batchRows = batchRows;
        this.channel = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        this.root = VectorSchemaRoot.create(schema(rowLength), allocator);
        this.list = (FixedSizeListVector) root.getVector(0);
        this.values = (IntVector) list.getDataVector();
        list.setInitialCapacity(batchRows);
        list.allocateNew();
        this.writer = new ArrowFileWriter(root, null, channel);
        writer.start();
    }

    void add(int[] row) throws IOException {
        int base = pending * rowLength;
        for (int j = 0; j < rowLength; j++) {
            values.setSafe(base + j, row[j]);
        }
        list.setNotNull(pending);
        pending++;
        rows++;
        if (pending == batchRows) {
            flush();
        }
    }

    private void flush() throws IOException {
        if (pending == 0) {
            return;
        }
        root.setRowCount(pending);
        writer.writeBatch();
        pending = 0;
        list.reset();
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
            writer.end();
            writer.close();
        } finally {
            root.close();
            channel.close();
        }
    }
}
