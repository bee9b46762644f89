package org.edgellm.bench;

import java.util.List;

/** Markdown table pieces shared by the bench reports. */
final class MarkdownTable {

    private MarkdownTable() {}

    /**
     * The header row and the separator row of a table with these column titles, each ending in a
     * newline: {@code | a | b |\n|---|---|\n}.
     *
     * @throws IllegalArgumentException with no columns
     */
    static String header(List<String> columns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("columns: a table needs at least one, got none");
        }
        StringBuilder sb = new StringBuilder("|");
        for (String c : columns) {
            sb.append(' ').append(c).append(" |");
        }
        sb.append("\n|").append("---|".repeat(columns.size())).append('\n');
        return sb.toString();
    }
}
