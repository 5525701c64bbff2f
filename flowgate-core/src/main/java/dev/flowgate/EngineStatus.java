package dev.flowgate;

import dev.flowgate.routing.ProcessorStatus;
import java.util.List;

/**
 * A snapshot of the engine for {@code GET /health}.
 *
 * @param queued   payments waiting in the work queue (due now or later)
 * @param inFlight settlement attempts running now
 */
public record EngineStatus(int queued, int inFlight, List<ProcessorStatus> processors) {
}
