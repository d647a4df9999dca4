package dev.kiln.data.filter;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Verdict;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Drops documents of non-XML languages that start like an XML file ({@code xml-header}): {@code
 * <?xml version=} in the first 100 characters, as in StarCoder's filter (XML mislabelled by
 * extension, e.g. {@code .ts} Qt translation files or {@code .props}). XML itself is exempt.
 *
 * <pre>{@code
 * DocumentFilter f = Filters.xmlHeader();
 * }</pre>
 */
public final class XmlHeaderFilter implements DocumentFilter {

    private static final long serialVersionUID = 1L;

    private final TreeSet<String> exempt;

    XmlHeaderFilter(List<String> exempt) {
        this.exempt = new TreeSet<>(exempt);
    }

    /** XML and HTML (XHTML) exempt. */
    public static XmlHeaderFilter defaults() {
        return new XmlHeaderFilter(List.of("xml", "html"));
    }

    /** Language ids the filter lets through with an XML header (unmodifiable). */
    public Set<String> exempt() {
        return java.util.Collections.unmodifiableSet(exempt);
    }

    @Override
    public String name() {
        return "xml-header";
    }

    @Override
    public Verdict test(Document doc) {
        if (exempt.contains(doc.language())) {
            return Verdict.KEEP;
        }
        String s = doc.content();
        String head = s.length() <= 113 ? s : s.substring(0, 113);
        return head.contains("<?xml version=") ? Verdict.drop("xml") : Verdict.KEEP;
    }

    @Override
    public String toString() {
        return "xml-header(exempt=" + exempt + ")";
    }
}
