package dev.kiln.data.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Parquet files ({@code .parquet}), one document a row, read column by column: only the columns
 * Kiln maps are read (a projection, so the other column chunks are never fetched or decoded), and
 * each row goes to the pipeline as its fields, with no JSON text in between. The mapped columns
 * are {@link JsonlSource}'s: The Stack / StarCoder's ({@code content}, {@code hexsha}, {@code
 * max_stars_repo_path}, {@code lang}, {@code max_stars_repo_licenses}, {@code max_stars_count},
 * {@code max_stars_repo_name}) and Kiln's own ({@code id}, {@code content}, {@code path}, {@code
 * language}, {@code licenses}, {@code metadata} as a JSON string, and {@code drop_reason} in
 * {@code dropped/}, as {@link dev.kiln.data.sink.ParquetSink} writes them); {@link #optMetadataColumns} names further columns to
 * keep as metadata (e.g. {@code avg_line_length}). Each row becomes the document a JSONL line with
 * the same fields would. Columns are strings, numbers, booleans, or lists of them; a selected column
 * of another shape (a struct) makes the file one error ({@code read:unsupported-column}) naming it.
 *
 * <p>A file that is not Parquet, or is truncated or corrupt, is one error ({@code
 * read:corrupt-file}) naming the file and the row where reading stopped; the rows before it are
 * kept. Only local files are read: no Hadoop install or file system is used.
 *
 * <pre>{@code
 * Source stack = ParquetSource.of(Path.of("the-stack-java-00000.parquet"));
 * Source withScores = ParquetSource.of(file).optMetadataColumns("avg_line_length", "alphanum_fraction");
 * }</pre>
 */
public final class ParquetSource implements Source {

    /**
     * The columns Kiln reads: those it maps into a document ({@link SourceItem#MAPPED}), The Stack's
     * {@code hexsha} and {@code drop_reason} of Kiln's own {@code dropped/} shards (both kept as
     * metadata).
     */
    static final List<String> MAPPED = Stream.concat(Stream.of("drop_reason", "hexsha"), SourceItem.MAPPED.stream())
            .toList();

    private final Path file;
    private final List<String> metadataColumns;

    private ParquetSource(Path file, List<String> metadataColumns) {
        this.file = file;
        this.metadataColumns = metadataColumns;
    }

    /** One Parquet file, read with the column mapping above and no further metadata columns. */
    public static ParquetSource of(Path file) {
        return new ParquetSource(file, List.of());
    }

    /** Also reads these columns, each kept as metadata under its name; default none. */
    public ParquetSource optMetadataColumns(String... columns) {
        List<String> c = new ArrayList<>(metadataColumns);
        for (String s : columns) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException("a metadata column name must not be blank, got '" + s + "'");
            }
            c.add(s);
        }
        return new ParquetSource(file, List.copyOf(c));
    }

    @Override
    public String name() {
        return file.toString();
    }

    @Override
    public void read(ReadOptions options, Consumer<SourceItem> out) throws IOException {
        Sources.requireFile(file);
        String name = name();
        String fileName = file.getFileName().toString();
        int max = options.maxRecordBytes();
        long row = 0;
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
            MessageType projection = project(schema);
            reader.setRequestedSchema(projection);
            List<Column> columns = new ArrayList<>();
            for (Type t : projection.getFields()) {
                try {
                    columns.add(new Column(t, projection));
                } catch (IllegalArgumentException e) {
                    out.accept(SourceItem.error(name, fileName, 0, "unsupported-column", e.getMessage()));
                    return;
                }
            }
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                ColumnReadStoreImpl store = new ColumnReadStoreImpl(
                        pages, new GroupRecordConverter(projection).getRootConverter(), projection, createdBy);
                for (Column c : columns) {
                    c.reader = store.getColumnReader(c.descriptor);
                }
                long rows = pages.getRowCount();
                for (long i = 0; i < rows; i++) {
                    ObjectNode o = JsonNodeFactory.instance.objectNode();
                    long bytes = 0;
                    for (Column c : columns) {
                        bytes += c.readInto(o);
                    }
                    row++;
                    String where = fileName + ":" + row;
                    if (bytes > max) {
                        out.accept(SourceItem.error(
                                name, where, bytes, "record-too-large", "row larger than " + max + " bytes"));
                    } else {
                        out.accept(SourceItem.row(name, where, metadataAsObject(o), bytes));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof NoSuchFileException || e instanceof java.nio.file.AccessDeniedException) {
                out.accept(SourceItem.error(name, fileName, 0, "unreadable", Formats.message(e)));
            } else {
                String where = row == 0 ? fileName : fileName + ":" + (row + 1);
                out.accept(SourceItem.error(
                        name, where, 0, "corrupt-file", "not a readable Parquet file: " + Formats.message(e)));
            }
        }
    }

    /** The file's schema cut to the mapped columns and the requested metadata columns. */
    MessageType project(MessageType schema) {
        Set<String> wanted = new LinkedHashSet<>(MAPPED);
        wanted.addAll(metadataColumns);
        List<Type> keep = new ArrayList<>();
        for (Type t : schema.getFields()) {
            if (wanted.contains(t.getName())) {
                keep.add(t);
            }
        }
        return new MessageType(schema.getName(), keep);
    }

    /** Kiln's {@code metadata} JSON string column becomes an object again. */
    private static ObjectNode metadataAsObject(ObjectNode o) {
        JsonNode m = o.get("metadata");
        if (m != null && m.isTextual() && m.asText().startsWith("{")) {
            try {
                JsonNode parsed = Json.mapper().readTree(m.asText());
                if (parsed != null && parsed.isObject()) {
                    o.set("metadata", parsed);
                }
            } catch (IOException e) {
                // not JSON: kept as the string it is
            }
        }
        return o;
    }

    /**
     * One top-level column: a primitive (optional or required), or a list of primitives (LIST
     * annotated, or a legacy repeated field); either way a single leaf column.
     */
    private static final class Column {
        final String name;
        final ColumnDescriptor descriptor;
        final PrimitiveType leaf;
        final boolean list;
        final int maxDef;
        ColumnReader reader;

        Column(Type top, MessageType projection) {
            this.name = top.getName();
            Type t = top;
            List<String> path = new ArrayList<>(List.of(t.getName()));
            while (!t.isPrimitive()) {
                GroupType g = t.asGroupType();
                if (g.getFieldCount() != 1) {
                    throw new IllegalArgumentException("column '" + name + "' is a struct of " + g.getFieldCount()
                            + " fields; Kiln reads strings, numbers, booleans and lists of them");
                }
                t = g.getType(0);
                path.add(t.getName());
            }
            this.leaf = t.asPrimitiveType();
            this.descriptor = projection.getColumnDescription(path.toArray(new String[0]));
            this.list = descriptor.getMaxRepetitionLevel() > 0;
            if (descriptor.getMaxRepetitionLevel() > 1) {
                throw new IllegalArgumentException(
                        "column '" + name + "' is a nested list; Kiln reads lists of strings or numbers");
            }
            this.maxDef = descriptor.getMaxDefinitionLevel();
        }

        /** Reads this row's value(s) into {@code o}; returns the input bytes they account for. */
        long readInto(ObjectNode o) {
            long bytes = 0;
            if (!list) {
                if (reader.getCurrentDefinitionLevel() == maxDef) {
                    bytes += put(o, null);
                }
                reader.consume();
                return bytes;
            }
            // a list: the row's values run until the next repetition level 0
            ArrayNode a = null;
            boolean first = true;
            // (after a column's last value the reader reports repetition level 0)
            while (first || reader.getCurrentRepetitionLevel() > 0) {
                first = false;
                int def = reader.getCurrentDefinitionLevel();
                if (def == maxDef) {
                    if (a == null) {
                        a = o.putArray(name);
                    }
                    bytes += put(o, a);
                } else if (def > 0 && a == null) {
                    a = o.putArray(name); // an empty list, or a null element
                }
                reader.consume();
            }
            return bytes;
        }

        private long put(ObjectNode o, ArrayNode into) {
            JsonNodeFactory f = JsonNodeFactory.instance;
            JsonNode v;
            long bytes;
            switch (leaf.getPrimitiveTypeName()) {
                case BOOLEAN:
                    v = f.booleanNode(reader.getBoolean());
                    bytes = 1;
                    break;
                case INT32:
                    v = f.numberNode(reader.getInteger());
                    bytes = 4;
                    break;
                case INT64:
                    v = f.numberNode(reader.getLong());
                    bytes = 8;
                    break;
                case FLOAT:
                    v = f.numberNode(reader.getFloat());
                    bytes = 4;
                    break;
                case DOUBLE:
                    v = f.numberNode(reader.getDouble());
                    bytes = 8;
                    break;
                case BINARY:
                case FIXED_LEN_BYTE_ARRAY:
                    Binary b = reader.getBinary();
                    bytes = b.length();
                    LogicalTypeAnnotation ann = leaf.getLogicalTypeAnnotation();
                    boolean text = ann instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                            || ann instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
                            || ann instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                            || (ann == null && leaf.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY);
                    v = text
                            ? f.textNode(b.toStringUsingUTF8())
                            : f.textNode(Base64.getEncoder().encodeToString(b.getBytes()));
                    break;
                default: // INT96 (legacy timestamps)
                    Binary raw = reader.getBinary();
                    bytes = raw.length();
                    v = f.textNode(Base64.getEncoder().encodeToString(raw.getBytes()));
            }
            if (into != null) {
                into.add(v);
            } else {
                o.set(name, v);
            }
            return bytes;
        }
    }

    @Override
    public String toString() {
        return "parquet " + file + (metadataColumns.isEmpty() ? "" : " + " + metadataColumns);
    }
}
