package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.NO_CLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link RestartGrace} on a fake clock. */
class RestartGraceTest {

    static final long START = 10_000;
    static final long GRACE = 500;

    @Test
    void offWithoutGraceAndNeverReadsTheClock() {
        RestartGrace f = new RestartGrace(NO_CLOCK, 0);
        assertFalse(f.inGrace());
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
        RestartGrace f = new RestartGrace(clock::get, GRACE);
        clock.set(now);
        assertEquals(inGrace, f.inGrace());
    }
}
