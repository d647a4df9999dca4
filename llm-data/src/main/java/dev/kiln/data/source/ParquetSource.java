package dev.kiln.data.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.function.Consumer;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Parquet files ({@code .parquet}), one document a row, with the columns {@link JsonlSource}
 * maps: The Stack / StarCoder's ({@code content}, {@code max_stars_repo_path}, {@code lang},
 * {@code max_stars_repo_licenses}, {@code max_stars_count}, ...) or Kiln's own ({@code id},
 * {@code content}, {@code path}, {@code language}, {@code licenses}, {@code metadata} as a JSON
 * string, as {@link dev.kiln.data.sink.ParquetSink} writes them). Every other column is kept as
 * metadata. Each row becomes the same record a JSONL line with those fields would, so both formats
 * map fields identically.
 *
 * <p>A file that is not Parquet, or is truncated or corrupt, is one error ({@code
 * read:corrupt-file}) naming the file and the row where reading stopped; the rows before it are
 * kept. Only local files are read: no Hadoop install or file system is used.
 *
 * <pre>{@code
 * Source stack = ParquetSource.of(Path.of("the-stack-java-00000.parquet"));
 * }</pre>
 */
public final class ParquetSource implements Source {

    private final Path file;

    private ParquetSource(Path file) {
        this.file = file;
    }

    public static ParquetSource of(Path file) {
        return new ParquetSource(file);
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
            MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                long rows = pages.getRowCount();
                RecordReader<Group> records = io.getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < rows; i++) {
                    Group g = records.read();
                    row++;
                    byte[] json = Json.mapper().writeValueAsBytes(toJson(g));
                    String where = fileName + ":" + row;
                    if (json.length > max) {
                        out.accept(SourceItem.error(
                                name, where, json.length, "record-too-large", "row larger than " + max + " bytes"));
                    } else {
                        out.accept(SourceItem.record(name, where, json, true));
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

    /** The row as a JSON object; Kiln's {@code metadata} JSON string column becomes an object again. */
    static ObjectNode toJson(Group g) {
        ObjectNode o = object(g);
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

    private static ObjectNode object(Group g) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        GroupType type = g.getType();
        for (int f = 0; f < type.getFieldCount(); f++) {
            Type t = type.getType(f);
            int n = g.getFieldRepetitionCount(f);
            if (t.isRepetition(Type.Repetition.REPEATED)) {
                ArrayNode a = o.putArray(t.getName());
                for (int i = 0; i < n; i++) {
                    a.add(value(g, f, i, t));
                }
            } else if (n > 0) {
                o.set(t.getName(), value(g, f, 0, t));
            }
        }
        return o;
    }

    private static JsonNode value(Group g, int field, int index, Type t) {
        if (!t.isPrimitive()) {
            Group child = g.getGroup(field, index);
            GroupType gt = t.asGroupType();
            if (isList(gt)) {
                return list(child, gt);
            }
            return object(child);
        }
        PrimitiveType p = t.asPrimitiveType();
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (p.getPrimitiveTypeName()) {
            case BOOLEAN:
                return f.booleanNode(g.getBoolean(field, index));
            case INT32:
                return f.numberNode(g.getInteger(field, index));
            case INT64:
                return f.numberNode(g.getLong(field, index));
            case FLOAT:
                return f.numberNode(g.getFloat(field, index));
            case DOUBLE:
                return f.numberNode(g.getDouble(field, index));
            case BINARY:
            case FIXED_LEN_BYTE_ARRAY:
                LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
                boolean text = a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                        || a instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
                        || a instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                        || (a == null && p.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY);
                if (text) {
                    return f.textNode(g.getBinary(field, index).toStringUsingUTF8());
                }
                return f.textNode(Base64.getEncoder()
                        .encodeToString(g.getBinary(field, index).getBytes()));
            default:
                return f.textNode(g.getValueToString(field, index));
        }
    }

    /** A {@code LIST}-annotated group: {@code repeated group list { element }} or a legacy layout. */
    private static boolean isList(GroupType gt) {
        return gt.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation
                && gt.getFieldCount() == 1
                && gt.getType(0).isRepetition(Type.Repetition.REPEATED);
    }

    private static ArrayNode list(Group listGroup, GroupType gt) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        Type repeated = gt.getType(0);
        int n = listGroup.getFieldRepetitionCount(0);
        for (int i = 0; i < n; i++) {
            if (!repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1) {
                // standard (and most legacy) layouts: repeated group list { optional element }
                Group wrapper = listGroup.getGroup(0, i);
                Type element = repeated.asGroupType().getType(0);
                if (wrapper.getFieldRepetitionCount(0) == 0) {
                    a.addNull();
                } else {
                    a.add(value(wrapper, 0, 0, element));
                }
            } else {
                a.add(value(listGroup, 0, i, repeated));
            }
        }
        return a;
    }

    @Override
    public String toString() {
        return "parquet " + file;
    }
}
