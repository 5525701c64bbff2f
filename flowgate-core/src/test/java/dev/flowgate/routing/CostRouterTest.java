package dev.flowgate.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.processor.SendOutcome;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The router's decision in each phase of the contest, with time driven by the test. */
class CostRouterTest {
    private static final Duration OPEN = Duration.ofMillis(500);
    /** The breaker lets probes through strictly after its open duration. */
    private static final Duration PAST_OPEN = OPEN.plusMillis(1);
    private final MutableClock clock = new MutableClock();
    private final AtomicInteger wakes = new AtomicInteger();

    private CostRouter router(int maxInFlight) {
        return new CostRouter(List.of(
                new CostRouter.Candidate(new NamedProcessor("default"), new BigDecimal("0.07")),
                new CostRouter.Candidate(new NamedProcessor("fallback"), new BigDecimal("0.10"))),
                new RoutingPolicy(0.02, maxInFlight, OPEN, Duration.ofSeconds(3), Duration.ofSeconds(5)),
                clock, wakes::incrementAndGet);
    }

    private CostRouter router() {
        return router(100);
    }

    /** Chooses, records the outcome at once, and says where the payment went ("wait" if nowhere). */
    private String route(CostRouter router, SendOutcome outcome, Duration took) {
        return switch (router.choose(clock.instant())) {
            case Route.Send send -> {
                send.reservation().record(outcome, took, clock.instant());
                yield send.reservation().client().name();
            }
            case Route.Wait wait -> "wait";
        };
    }

    /** Where a route sends, or "wait"; a reservation it carries stays held. */
    private static String destination(Route route) {
        return route instanceof Route.Send send ? send.reservation().client().name() : "wait";
    }

    private String route(CostRouter router) {
        return route(router, new SendOutcome.Processed(), Duration.ofMillis(5));
    }

    private void health(CostRouter router, String processor, boolean failing, long minResponseMillis) {
        router.healthBoard().publish(processor,
                new HealthBoard.Health(failing, Duration.ofMillis(minResponseMillis), clock.instant()));
    }

    private CostRouter routerWithFees(BigDecimal defaultFee, BigDecimal fallbackFee) {
        return new CostRouter(List.of(
                new CostRouter.Candidate(new NamedProcessor("default"), defaultFee),
                new CostRouter.Candidate(new NamedProcessor("fallback"), fallbackFee)),
                new RoutingPolicy(0.02, 100, OPEN, Duration.ofSeconds(3), Duration.ofSeconds(5)),
                clock, wakes::incrementAndGet);
    }

    @Test
    void withoutFeesTheOrderGivenIsTheOrderOfPreference() {
        CostRouter router = routerWithFees(null, null);
        health(router, "default", false, 200); // slower, but within the preference margin
        health(router, "fallback", false, 0);
        assertThat(route(router)).isEqualTo("default");
    }

    @Test
    void withEqualFeesTheFirstKeepsPaymentsUntilItIsMoreThanTheMarginSlower() {
        CostRouter router = routerWithFees(new BigDecimal("0.05"), new BigDecimal("0.05"));
        health(router, "default", false, CostRouter.PREFERENCE_MARGIN.toMillis() - 50);
        health(router, "fallback", false, 0);
        assertThat(route(router)).isEqualTo("default");
        health(router, "default", false, CostRouter.PREFERENCE_MARGIN.toMillis() + 50);
        assertThat(route(router)).isEqualTo("fallback");
    }

    @Test
    void aProcessorWithoutAFeeIsNeverTakenForFree() {
        CostRouter router = routerWithFees(new BigDecimal("0.05"), null);
        health(router, "default", false, 0);
        health(router, "fallback", false, 0);
        assertThat(route(router)).isEqualTo("default");
        router = routerWithFees(null, new BigDecimal("0.05"));
        health(router, "default", false, 0);
        health(router, "fallback", false, 0);
        assertThat(route(router)).as("unknown counts as the dearest known fee; ties keep the order given")
                .isEqualTo("default");
    }

    @Test
    void prefersTheCheaperProcessorWhenBothAreHealthy() {
        CostRouter router = router();
        health(router, "default", false, 0);
        health(router, "fallback", false, 0);
        assertThat(route(router)).isEqualTo("default");
    }

    @Test
    void leavesTheCheaperOneWhenItReportsFailing() {
        CostRouter router = router();
        health(router, "default", true, 0);
        assertThat(route(router)).isEqualTo("fallback");
    }

    @Test
    void leavesTheCheaperOneAfterItsCallsFail() {
        CostRouter router = router();
        for (int i = 0; i < 5; i++) {
            route(router, new SendOutcome.Failed(500, "failing"), Duration.ofMillis(5));
        }
        assertThat(route(router)).isEqualTo("fallback");
    }

    @Test
    void staysOnTheCheaperOneWhileItsDelayCostsLessThanTheFeeDifference() {
        CostRouter router = router();
        health(router, "default", false, 1000); // 7 % + 1 s * 2 %/s = 9 % < 10 %
        health(router, "fallback", false, 0);
        assertThat(route(router)).isEqualTo("default");
    }

    @Test
    void movesToTheOtherWhenTheCheaperIsSoSlowThatWaitingCostsMore() {
        CostRouter router = router();
        health(router, "default", false, 2000); // 7 % + 2 s * 2 %/s = 11 % > 10 %
        health(router, "fallback", false, 0);
        assertThat(route(router)).isEqualTo("fallback");
    }

    @Test
    void learnsSlownessFromCallsWithoutHealth() {
        CostRouter router = router();
        route(router, new SendOutcome.Processed(), Duration.ofMillis(2500));
        assertThat(route(router)).isEqualTo("fallback");
    }

    @Test
    void holdsPaymentsWhenBothFail() {
        CostRouter router = router();
        health(router, "default", true, 0);
        health(router, "fallback", true, 0);
        Route route = router.choose(clock.instant());
        assertThat(route).isInstanceOf(Route.Wait.class);
        assertThat(((Route.Wait) route).until()).isEqualTo(clock.instant().plus(PAST_OPEN));
    }

    @Test
    void anOpenBreakerLetsAProbeThroughAfterItsOpenDurationWithoutHealth() {
        CostRouter router = router();
        health(router, "default", true, 0);
        health(router, "fallback", true, 0);
        clock.advance(PAST_OPEN);
        assertThat(route(router)).isEqualTo("default");
    }

    @Test
    void whileItsProbesAreOutAHalfOpenProcessorIsAskedAgainOnlyAfterTheOpenDuration() {
        CostRouter router = new CostRouter(List.of(
                new CostRouter.Candidate(new NamedProcessor("default"), new BigDecimal("0.07"))),
                new RoutingPolicy(0.02, 100, OPEN, Duration.ofSeconds(3), Duration.ofSeconds(5)),
                clock, wakes::incrementAndGet);
        health(router, "default", true, 0);
        health(router, "default", false, 0); // half-open: three probes
        for (int i = 0; i < 3; i++) {
            assertThat(router.choose(clock.instant())).isInstanceOf(Route.Send.class);
        }
        assertThat(((Route.Wait) router.choose(clock.instant())).until()).isEqualTo(clock.instant().plus(OPEN));
    }

    @Test
    void aHealthyReportHalfOpensTheBreakerAndWakesWaitingPayments() {
        CostRouter router = router();
        health(router, "default", true, 0);
        health(router, "fallback", true, 0);
        int before = wakes.get();
        health(router, "default", false, 0);
        assertThat(wakes.get()).isGreaterThan(before);
        assertThat(route(router)).isEqualTo("default");
    }

    @Test
    void aRateLimitedProcessorIsLeftUntilItsRetryAfter() {
        CostRouter router = router();
        assertThat(route(router, new SendOutcome.RateLimited(Duration.ofSeconds(5)), Duration.ofMillis(1)))
                .isEqualTo("default");
        assertThat(route(router)).isEqualTo("fallback");
        clock.advance(Duration.ofSeconds(5));
        assertThat(route(router)).isEqualTo("default");
    }

    @Test
    void callsInFlightToOneProcessorAreBounded() {
        CostRouter router = router(AdaptiveLimit.MIN);
        List<Reservation> held = new ArrayList<>();
        for (int i = 0; i < AdaptiveLimit.MIN; i++) {
            Route route = router.choose(clock.instant());
            assertThat(destination(route)).isEqualTo("default");
            held.add(((Route.Send) route).reservation());
        }
        assertThat(destination(router.choose(clock.instant()))).isEqualTo("fallback");
        held.getFirst().record(new SendOutcome.Processed(), Duration.ofMillis(1), clock.instant());
        assertThat(destination(router.choose(clock.instant()))).isEqualTo("default");
    }

    @Test
    void aReservationEndsOnceHoweverOftenItIsEnded() {
        CostRouter router = router(AdaptiveLimit.MIN);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < AdaptiveLimit.MIN; i++) {
                Reservation reservation = ((Route.Send) router.choose(clock.instant())).reservation();
                reservation.record(new SendOutcome.Processed(), Duration.ofMillis(1), clock.instant());
                reservation.close();
                reservation.close();
            }
        }
        assertThat(router.status().getFirst().inFlight()).isZero();
        for (int i = 0; i < AdaptiveLimit.MIN; i++) {
            router.choose(clock.instant()); // held: a reservation given back twice would leave room for more
        }
        assertThat(router.status().getFirst().inFlight()).isEqualTo(AdaptiveLimit.MIN);
        assertThat(destination(router.choose(clock.instant()))).isEqualTo("fallback");
    }

    @Test
    void aReservationClosedWithoutAnOutcomeGivesItsPlaceBack() {
        CostRouter router = router(AdaptiveLimit.MIN);
        for (int i = 0; i < 3 * AdaptiveLimit.MIN; i++) {
            try (Reservation reservation = ((Route.Send) router.reserve("default", clock.instant())).reservation()) {
                assertThat(reservation.client().name()).isEqualTo("default");
            }
        }
        assertThat(router.status().getFirst().inFlight()).isZero();
    }

    @Test
    void aProcessorThatTurnsSlowHoldsFewerCallsInFlight() {
        CostRouter router = router(100);
        for (int i = 0; i < 30; i++) {
            if (router.reserve("default", clock.instant()) instanceof Route.Send send) {
                send.reservation().record(new SendOutcome.Processed(), Duration.ofSeconds(4), clock.instant());
            }
        }
        assertThat(router.status().getFirst().inFlightLimit()).isLessThan(100);
    }

    @Test
    void aPinnedPaymentWaitsForItsProcessorAndNeverGoesElsewhere() {
        CostRouter router = router();
        health(router, "default", true, 0);
        Route route = router.reserve("default", clock.instant());
        assertThat(route).isInstanceOf(Route.Wait.class);
        clock.advance(PAST_OPEN);
        assertThat(destination(router.reserve("default", clock.instant()))).isEqualTo("default");
    }

    @Test
    void staleHealthIsIgnored() {
        CostRouter router = router();
        health(router, "default", false, 5000);
        clock.advance(Duration.ofSeconds(11)); // older than two 5 s intervals
        assertThat(route(router)).isEqualTo("default");
    }

    @Test
    void statusShowsBreakerStateAndHealth() {
        CostRouter router = router();
        health(router, "default", true, 250);
        ProcessorStatus status = router.status().getFirst();
        assertThat(status.name()).isEqualTo("default");
        assertThat(status.breaker()).isEqualTo("open");
        assertThat(status.healthFailing()).isTrue();
        assertThat(status.healthMinResponseMs()).isEqualTo(250);
    }
}
