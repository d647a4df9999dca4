package dev.kiln.data.pii;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentTransform;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The {@code pii} stage: replaces what a {@link PiiScanner} finds and records where, so a model
 * never sees emails, public IPs, keys or passwords.
 *
 * <p>The returned document's content is redacted and its metadata gets {@value #METADATA_KEY}: a
 * list of {@code {type, start, end}} maps, {@code type} one of {@code email}, {@code ip_address},
 * {@code key}, {@code password}, {@code start}/{@code end} code-point offsets into the
 * <em>original</em> content (empty list when nothing was found). The secret itself is never stored.
 *
 * <p>Replacements: {@link Replacement#PLACEHOLDER} ({@code <EMAIL>}, {@code <IP_ADDRESS>}, {@code
 * <KEY>}, {@code <PASSWORD>}) or {@link Replacement#SYNTHETIC}: realistic stand-ins that cannot be
 * real — emails at {@code example.com/.net/.org}, IPs from the documentation ranges ({@code
 * 192.0.2.0/24}, {@code 2001:db8::/32}), keys and passwords with the same length, prefix and
 * character classes but random characters (seeded by the document id, so reruns agree).
 *
 * <pre>{@code
 * PiiRedactor pii = PiiRedactor.builder().optReplacement(PiiRedactor.Replacement.PLACEHOLDER).build();
 * Document clean = pii.apply(doc);
 * List<Map<String, Object>> spans = PiiRedactor.spans(clean);
 * }</pre>
 */
public final class PiiRedactor implements DocumentTransform {

    private static final long serialVersionUID = 1L;

    /** The metadata key of the span list. */
    public static final String METADATA_KEY = "pii";

    /** How a span is replaced. */
    public enum Replacement {
        /** {@code <EMAIL>}, {@code <IP_ADDRESS>}, {@code <KEY>}, {@code <PASSWORD>}. */
        PLACEHOLDER,
        /** Realistic values that cannot be real (see the class comment). */
        SYNTHETIC
    }

    /** A redacted text and the spans replaced (UTF-16 indices into the original). */
    public record Result(String text, List<PiiSpan> spans) {}

    private static final String[] FIRST = {"alex", "sam", "jordan", "casey", "morgan", "riley", "jamie", "taylor"};
    private static final String[] LAST = {"smith", "garcia", "chen", "kumar", "novak", "silva", "meyer", "tanaka"};
    private static final String[] DOMAINS = {"example.com", "example.net", "example.org"};

    private final PiiScanner scanner;
    private final Replacement replacement;
    private final long seed;

    private PiiRedactor(Builder b) {
        this.scanner = b.scanner;
        this.replacement = b.replacement;
        this.seed = b.seed;
    }

    /** Placeholders, every type, default scanner. */
    public static PiiRedactor create() {
        return builder().build();
    }

    /** A builder with the default scanner and replacement. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "pii";
    }

    /** The scanner that finds the spans. */
    public PiiScanner scanner() {
        return scanner;
    }

    /** What each span is replaced with (default {@link Replacement#PLACEHOLDER}). */
    public Replacement replacement() {
        return replacement;
    }

    @Override
    public Document apply(Document doc) {
        String text = doc.content();
        Result r = redact(text, doc.id());
        List<Map<String, Object>> meta = new ArrayList<>(r.spans().size());
        int cpIndex = 0;
        int charIndex = 0;
        for (PiiSpan s : r.spans()) {
            cpIndex += text.codePointCount(charIndex, s.start());
            int start = cpIndex;
            int end = start + text.codePointCount(s.start(), s.end());
            cpIndex = end;
            charIndex = s.end();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", s.type().id());
            m.put("start", (long) start);
            m.put("end", (long) end);
            meta.add(m);
        }
        Document out = r.spans().isEmpty() ? doc : doc.withContent(r.text());
        return out.withMetadata(METADATA_KEY, meta);
    }

    /** Redacts a text; synthetic values are seeded by this redactor's seed. */
    public Result redact(String text) {
        return redact(text, "");
    }

    private Result redact(String text, String salt) {
        List<PiiSpan> spans = scanner.scan(text);
        if (spans.isEmpty()) {
            return new Result(text, spans);
        }
        StringBuilder sb = new StringBuilder(text.length() + 16 * spans.size());
        SplittableRandom rnd =
                replacement == Replacement.SYNTHETIC ? new SplittableRandom(seed * 31 + salt.hashCode()) : null;
        int pos = 0;
        for (PiiSpan s : spans) {
            sb.append(text, pos, s.start());
            if (rnd == null) {
                sb.append(s.type().placeholder());
            } else {
                synthetic(sb, text, s, rnd);
            }
            pos = s.end();
        }
        sb.append(text, pos, text.length());
        return new Result(sb.toString(), spans);
    }

    private static void synthetic(StringBuilder sb, String text, PiiSpan s, SplittableRandom rnd) {
        switch (s.type()) {
            case EMAIL:
                sb.append(FIRST[rnd.nextInt(FIRST.length)])
                        .append('.')
                        .append(LAST[rnd.nextInt(LAST.length)])
                        .append('@')
                        .append(DOMAINS[rnd.nextInt(DOMAINS.length)]);
                break;
            case IP_ADDRESS:
                if (s.kind().equals("ipv6")) {
                    sb.append("2001:db8:")
                            .append(Integer.toHexString(rnd.nextInt(0x10000)))
                            .append("::")
                            .append(Integer.toHexString(1 + rnd.nextInt(0xfffe)));
                } else {
                    String[] nets = {"192.0.2.", "198.51.100.", "203.0.113."};
                    sb.append(nets[rnd.nextInt(3)]).append(1 + rnd.nextInt(254));
                }
                break;
            default:
                int keep = prefixLength(text, s);
                sb.append(text, s.start(), s.start() + keep);
                for (int i = s.start() + keep; i < s.end(); i++) {
                    char c = text.charAt(i);
                    if (s.kind().equals("private-key") && lineIsArmor(text, i)) {
                        sb.append(c);
                    } else if (c >= 'a' && c <= 'z') {
                        sb.append((char) ('a' + rnd.nextInt(26)));
                    } else if (c >= 'A' && c <= 'Z') {
                        sb.append((char) ('A' + rnd.nextInt(26)));
                    } else if (c >= '0' && c <= '9') {
                        sb.append((char) ('0' + rnd.nextInt(10)));
                    } else {
                        sb.append(c);
                    }
                }
        }
    }

    /** Whether the line holding {@code i} is a PEM {@code -----BEGIN/END ...-----} line. */
    private static boolean lineIsArmor(String text, int i) {
        int ls = text.lastIndexOf('\n', i) + 1;
        return text.startsWith("-----", ls);
    }

    /** Known token prefixes (ghp_, AKIA, xoxb-, sk_live_, ...) stay so synthetic keys look right. */
    private static int prefixLength(String text, PiiSpan s) {
        switch (s.kind()) {
            case "aws-access-key":
            case "google-api-key":
                return 4;
            case "twilio-key":
                return 2;
            case "sendgrid-key":
                return 3;
            case "jwt":
                return 3;
            case "github-token":
            case "gitlab-token":
            case "slack-token":
            case "stripe-key":
            case "npm-token":
            case "pypi-token":
                int max = Math.min(s.end(), s.start() + 12);
                int last = 0;
                for (int i = s.start(); i < max; i++) {
                    char c = text.charAt(i);
                    if (c == '_' || c == '-') {
                        last = i - s.start() + 1;
                    }
                }
                return last;
            default:
                // other vendors of key-rules.tsv (hf_, sk-ant-api03-, shpat_ ...): their literal prefix
                for (KeyRule r : KeyRules.DEFAULT.rules) {
                    if (r.kind.equals(s.kind()) && text.startsWith(r.prefix, s.start())) {
                        return r.prefix.length();
                    }
                }
                return 0;
        }
    }

    /** The {@value #METADATA_KEY} spans of a redacted document (empty when none or not redacted). */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> spans(Document doc) {
        Object v = doc.metadata().get(METADATA_KEY);
        return v instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    /** Counts of the {@value #METADATA_KEY} spans of a document by type id, for reports. */
    public static Map<String, Long> countByType(Document doc) {
        Map<PiiType, Long> counts = new EnumMap<>(PiiType.class);
        for (Map<String, Object> m : spans(doc)) {
            counts.merge(PiiType.fromId(String.valueOf(m.get("type"))), 1L, Long::sum);
        }
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(k.id(), v));
        return out;
    }

    @Override
    public String toString() {
        return "pii(" + replacement.name().toLowerCase(java.util.Locale.ROOT) + ", " + scanner.types() + ")";
    }

    /** Builds a {@link PiiRedactor}. */
    public static final class Builder {
        private PiiScanner scanner = PiiScanner.create();
        private Replacement replacement = Replacement.PLACEHOLDER;
        private long seed = 0;

        private Builder() {}

        /** The scanner that finds the spans (default {@link PiiScanner#create()}). */
        public Builder optScanner(PiiScanner scanner) {
            this.scanner = Objects.requireNonNull(scanner, "scanner");
            return this;
        }

        /** Shortcut for a default scanner limited to these types. */
        public Builder optTypes(Collection<PiiType> types) {
            this.scanner = PiiScanner.builder().optTypes(types).build();
            return this;
        }

        /** What each span is replaced with (default {@link Replacement#PLACEHOLDER}). */
        public Builder optReplacement(Replacement replacement) {
            this.replacement = Objects.requireNonNull(replacement, "replacement");
            return this;
        }

        /** Seed of synthetic values (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The redactor with the settings given. */
        public PiiRedactor build() {
            return new PiiRedactor(this);
        }
    }
}
