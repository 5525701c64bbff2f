package dev.flowgate.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seeds' flows as shipped in examples/flows, run in the sandbox with the data Stripe sends them. */
class ExampleFlowsTest {
    private static final Path FLOWS = Path.of("..", "examples", "flows");
    private static final ScriptSandbox SANDBOX = new ScriptSandbox(ScriptLimits.DEFAULT);

    private static ScriptResult.Completed run(String flow, String name, String json) {
        ScriptResult result = SANDBOX.runFile(FLOWS.resolve(flow), new ScriptEnvironment("payment-worker-1",
                "context-123", "stripe", "task-1", Map.of(name, json), ScriptEnvironment.SavedContext.NONE));
        assertThat(result).as("%s", result).isInstanceOf(ScriptResult.Completed.class);
        return (ScriptResult.Completed) result;
    }

    @Test
    void theResponseFlowRecordsTheCreatedPaymentIntentAndChainsOnSuccess() {
        ScriptResult.Completed done = run("new_create_payment_intent_response.js", "parsed_data",
                "{\"id\":\"pi_3MtwBwLkdIwHu7ix28a3tqPa\",\"object\":\"payment_intent\",\"amount\":2000,\"status\":\"succeeded\"}");
        assertThat(done.output()).isEqualTo("""
                ✅ Payment Intent Created: pi_3MtwBwLkdIwHu7ix28a3tqPa
                Status: succeeded
                Payment completed successfully!
                """);
        assertThat(done.contextWrites()).containsEntry("payment_intent_id", "\"pi_3MtwBwLkdIwHu7ix28a3tqPa\"")
                .containsEntry("payment_status", "\"succeeded\"");
        assertThat(done.dispatches()).containsExactly(new ScriptResult.Dispatch("payment_succeeded_notification",
                "{\"payment_intent\":\"pi_3MtwBwLkdIwHu7ix28a3tqPa\"}"));
    }

    @Test
    void theErrorFlowTellsADeclinedCardFromOtherErrors() {
        ScriptResult.Completed done = run("new_create_payment_intent_error.js", "parsed_error",
                "{\"error\":{\"type\":\"card_error\",\"code\":\"card_declined\",\"decline_code\":\"generic_decline\","
                        + "\"message\":\"Your card was declined.\"}}");
        assertThat(done.output()).contains("❌ Payment Intent Error: card_error", "Card was declined - notify user");
        assertThat(done.contextWrites()).containsEntry("last_error_type", "\"card_error\"");
        assertThat(done.dispatches()).containsExactly(
                new ScriptResult.Dispatch("notify_card_declined", "{\"decline_code\":\"generic_decline\"}"));
    }

    @Test
    void thePaymentProcessedFlowSeesThePaymentAsTheApiShowsIt() {
        ScriptResult.Completed done = run("payment_processed.js", "parsed_data",
                "{\"correlationId\":\"4a1e1b8e-0000-4000-8000-000000000001\",\"amount\":19.9,\"status\":\"processed\","
                        + "\"processor\":\"default\"}");
        assertThat(done.output()).isEqualTo("paid 19.9 through default (4a1e1b8e-0000-4000-8000-000000000001)\n");
    }

    @Test
    void theOnboardingFlowStartsAFlowWithTwoStepsAndRemembersItsRun() {
        ScriptResult.Completed done = run("start_onboarding.js", "input", "{\"email\":\"Ada@Example.com\"}");
        assertThat(done.flowStarts()).hasSize(1);
        FlowStart start = done.flowStarts().getFirst();
        assertThat(start.definition().steps()).extracting(Step::name).containsExactly("profile", "welcome");
        assertThat(start.definition().errorFlow()).isEqualTo("onboarding_error");
        assertThat(start.inputJson()).isEqualTo("{\"email\":\"Ada@Example.com\"}");
        assertThat(done.contextWrites()).containsEntry("onboarding_run", "\"" + start.runId() + "\"");
    }

    @Test
    void theOnboardingErrorFlowRecordsWhereItFailed() {
        ScriptResult.Completed done = run("onboarding_error.js", "parsed_error",
                "{\"step\":\"profile\",\"attempts\":3,\"error\":\"TypeError: no email\"}");
        assertThat(done.output()).isEqualTo("onboarding failed at profile after 3 attempts: TypeError: no email\n");
        assertThat(done.contextWrites()).containsEntry("onboarding_failed", "{\"step\":\"profile\",\"error\":\"TypeError: no email\"}");
    }
}
