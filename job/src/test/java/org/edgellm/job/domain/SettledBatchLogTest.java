package org.edgellm.job.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SettledBatchLogTest {

    @Test
    void theFirstBatchOfEachSecondIsLoggedAndTheOthersAreSummedInTheNextLine() {
        SettledBatchLog log = new SettledBatchLog();
        assertEquals(
                "batch d1 of node a (why): 0 requests re-dispatched, 3 reported UNFINISHED",
                log.line(10_000, "d1 of node a (why)", 0, 3));
        // within the second that line began: counted, not logged
        assertNull(log.line(10_000, "d2 of node b (why)", 1, 2));
        assertNull(log.line(10_999, "d3 of node a (why)", 0, 4));
        // the next second: logged, with the two counted before it
        assertEquals(
                "batch d4 of node b (why): 2 requests re-dispatched, 0 reported UNFINISHED;"
                        + " before it, 2 more batches settled from 1970-01-01T00:00:10Z"
                        + " (1 requests re-dispatched, 6 reported UNFINISHED; not logged one by"
                        + " one)",
                log.line(11_000, "d4 of node b (why)", 2, 0));
        // one more in that second, then a quiet spell: the next line names it
        assertNull(log.line(11_500, "d5 of node a (why)", 0, 1));
        assertEquals(
                "batch d6 of node a (why): 0 requests re-dispatched, 1 reported UNFINISHED;"
                        + " before it, 1 more batch settled from 1970-01-01T00:00:11.500Z"
                        + " (0 requests re-dispatched, 1 reported UNFINISHED; not logged one by"
                        + " one)",
                log.line(60_000, "d6 of node a (why)", 0, 1));
        // nothing counted since: a plain line
        assertEquals(
                "batch d7 of node a (why): 1 requests re-dispatched, 0 reported UNFINISHED",
                log.line(61_000, "d7 of node a (why)", 1, 0));
    }
}
