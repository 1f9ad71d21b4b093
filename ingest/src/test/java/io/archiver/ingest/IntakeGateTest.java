package io.archiver.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The refusal rules on their own, with a clock the test moves: critical threshold and spool room. */
class IntakeGateTest {

    private final MutableClock clock = new MutableClock();
    private final AtomicBoolean connected = new AtomicBoolean(false);
    private final AtomicLong spooled = new AtomicLong();
    private ArchiveLink link;

    @AfterEach
    void stop() {
        if (link != null) {
            link.close();
        }
    }

    @Test
    void criticalModeTripsOnlyAfterTheThresholdAndClearsWhenTheArchiveIsBack() {
        link = ArchiveLink.start(connected::get, clock);
        IntakeGate gate = new IntakeGate(true, Duration.ofSeconds(30), link, new SpoolCapacity(1000, spooled::get));
        assertThat(gate.refusal()).isEmpty();
        clock.advance(Duration.ofSeconds(30));
        assertThat(gate.refusal()).as("exactly at the threshold").isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(gate.refusal()).hasValueSatisfying(r -> {
            assertThat(r.reason()).contains("archiving.critical");
            assertThat(r.retryAfterSeconds()).isPositive();
        });

        connected.set(true);
        link.poll();
        assertThat(link.reachable()).isTrue();
        assertThat(gate.refusal()).isEmpty();

        connected.set(false);
        link.poll();
        clock.advance(Duration.ofSeconds(10));
        assertThat(gate.refusal()).as("the threshold counts from the loss, not from the start").isEmpty();
        assertThat(link.unreachableFor()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void withoutCriticalModeAnUnreachableArchiveNeverRefuses() {
        link = ArchiveLink.start(connected::get, clock);
        IntakeGate gate = new IntakeGate(false, Duration.ofSeconds(1), link, new SpoolCapacity(1000, spooled::get));
        clock.advance(Duration.ofDays(3));
        assertThat(gate.refusal()).isEmpty();
        assertThat(gate.readinessRefusal()).isEmpty();
    }

    @Test
    void theSpoolRefusesWhatDoesNotFitAndCountsRequestsInFlight() {
        link = ArchiveLink.start(connected::get, clock);
        SpoolCapacity capacity = new SpoolCapacity(1000, spooled::get);
        IntakeGate gate = new IntakeGate(false, Duration.ofSeconds(1), link, capacity);
        spooled.set(600);
        SpoolCapacity.Reservation first = capacity.tryReserve(300).orElseThrow();
        assertThat(capacity.tryReserve(200)).as("600 spooled + 300 in flight + 200 > 1000").isEmpty();
        assertThat(gate.readinessRefusal()).as("the refused request still would not fit").isPresent();
        assertThat(gate.refusal()).as("smaller requests may still fit").isEmpty();
        first.close();
        first.close();
        assertThat(gate.readinessRefusal()).isEmpty();
        assertThat(capacity.tryReserve(400)).isPresent();
        spooled.set(1000);
        assertThat(gate.refusal()).hasValueSatisfying(r -> assertThat(r.reason()).contains("spool.maxBytes"));
    }

    @Test
    void aSpooledRequestKeepsItsRoomUntilTheQueueCanHaveCountedIt() {
        SpoolCapacity capacity = new SpoolCapacity(1000, spooled::get);
        try (SpoolCapacity.Reservation reservation = capacity.tryReserve(600).orElseThrow()) {
            reservation.spooled();
        }
        assertThat(capacity.tryReserve(600)).as("still reserved right after the commit").isEmpty();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> capacity.tryReserve(600).isPresent());
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
