package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.NO_CLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link FeedWatch} on a fake clock. */
class FeedWatchTest {

    static final long START = 10_000;
    static final long GRACE = 500;
    static final long TIMEOUT = 1000;

    @Test
    void offWithoutGraceAndNeverReadsTheClock() {
        FeedWatch f = new FeedWatch(NO_CLOCK, 0);
        f.arrived(true);
        f.arrived(false);
        assertFalse(f.inGrace());
        assertFalse(f.allWorkersGone(TIMEOUT));
    }

    static Stream<Arguments> graceRows() {
        return Stream.of(
                Arguments.of(START, true),
                Arguments.of(START + GRACE - 1, true),
                Arguments.of(START + GRACE, false),
                Arguments.of(START + 10 * GRACE, false));
    }

    @ParameterizedTest(name = "at {0}: in grace {1}")
    @MethodSource("graceRows")
    void graceLastsFromConstruction(long now, boolean inGrace) {
        AtomicLong clock = new AtomicLong(START);
        FeedWatch f = new FeedWatch(clock::get, GRACE);
        clock.set(now);
        assertEquals(inGrace, f.inGrace());
    }

    /**
     * (last telemetry arrived, last other record arrived, now) -> all workers gone: telemetry
     * silent for more than timeout + grace while other records arrived within the timeout.
     */
    static Stream<Arguments> goneRows() {
        long t = START + 1000;
        return Stream.of(
                Arguments.of(t, t + 1500, t + 1500, false), // silent exactly timeout + grace
                Arguments.of(t, t + 1501, t + 1501, true),
                Arguments.of(t, t + 1000, t + 2000, true), // other records within the timeout
                Arguments.of(t, t + 999, t + 2000, false), // nothing arrives: broker outage
                Arguments.of(t + 900, t + 2000, t + 2000, false), // telemetry still flowing
                Arguments.of(t, t + 5000, t + 5000, true));
    }

    @ParameterizedTest(name = "telemetry {0}, other {1}, now {2}: gone {3}")
    @MethodSource("goneRows")
    void allWorkersGone(long telemetryAt, long otherAt, long now, boolean gone) {
        AtomicLong clock = new AtomicLong(START);
        FeedWatch f = new FeedWatch(clock::get, GRACE);
        clock.set(telemetryAt);
        f.arrived(true);
        clock.set(otherAt);
        f.arrived(false);
        clock.set(now);
        assertEquals(gone, f.allWorkersGone(TIMEOUT));
    }

    @Test
    void beforeAnyRecordTheStartCountsAsArrival() {
        AtomicLong clock = new AtomicLong(START);
        FeedWatch f = new FeedWatch(clock::get, GRACE);
        clock.set(START + TIMEOUT + GRACE + 1);
        assertFalse(f.allWorkersGone(TIMEOUT)); // no record at all since the start
        f.arrived(false);
        assertTrue(f.allWorkersGone(TIMEOUT)); // records, but no telemetry since the start
    }

    @Test
    void telemetryArrivalResetsTheSilence() {
        AtomicLong clock = new AtomicLong(START);
        FeedWatch f = new FeedWatch(clock::get, GRACE);
        clock.set(START + 2000);
        f.arrived(false);
        assertTrue(f.allWorkersGone(TIMEOUT));
        f.arrived(true);
        assertFalse(f.allWorkersGone(TIMEOUT));
        clock.set(START + 3500);
        f.arrived(false);
        assertFalse(f.allWorkersGone(TIMEOUT));
        clock.set(START + 3501);
        assertTrue(f.allWorkersGone(TIMEOUT));
    }
}
