package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link MarkdownTable#header}: the exact text, one separator cell per column. */
class MarkdownTableTest {

    @Test
    void headerAndSeparatorRows() {
        assertEquals(
                "| users (N) | ot-gah | fcfs |\n|---|---|---|\n",
                MarkdownTable.header(List.of("users (N)", "ot-gah", "fcfs")));
        assertEquals("| x |\n|---|\n", MarkdownTable.header(List.of("x")));
    }

    @Test
    void noColumnsIsAnError() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MarkdownTable.header(List.of()));
        assertEquals("columns: a table needs at least one, got none", e.getMessage());
    }
}
