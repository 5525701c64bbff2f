package dev.flowgate.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScriptSandboxTest {
    private static final ScriptSandbox SANDBOX = new ScriptSandbox(ScriptLimits.DEFAULT);
    @TempDir
    Path dir;

    private static ScriptEnvironment environment(Map<String, String> values, ScriptEnvironment.SavedContext saved) {
        return new ScriptEnvironment("payment-worker-1", "context-123", "api", "task-1", values, saved);
    }

    private static ScriptResult run(String source) {
        return SANDBOX.run("test.js", source, environment(Map.of(), ScriptEnvironment.SavedContext.NONE));
    }

    private static ScriptResult.Completed completed(String source) {
        ScriptResult result = run(source);
        assertThat(result).as("%s", result).isInstanceOf(ScriptResult.Completed.class);
        return (ScriptResult.Completed) result;
    }

    private static ScriptResult.Failed failed(ScriptSandbox sandbox, String source) {
        ScriptResult result = sandbox.run("test.js", source, environment(Map.of(), ScriptEnvironment.SavedContext.NONE));
        assertThat(result).as("%s", result).isInstanceOf(ScriptResult.Failed.class);
        return (ScriptResult.Failed) result;
    }

    private static ScriptResult.Failed failed(String source) {
        return failed(SANDBOX, source);
    }

    @Test
    void printWritesTheOutputAndTheSeedsIdsAreGlobals() {
        assertThat(completed("print('hi', 1 + 1); print(WORKER_ID, CONTEXT_ID, CALLER_ID, TASK_ID)").output())
                .isEqualTo("hi 2\npayment-worker-1 context-123 api task-1\n");
    }

    @Test
    void valuesGivenAsJsonArePlainJavaScriptValues() {
        ScriptResult result = SANDBOX.run("t.js", "print(typeof input, input.items.length, input.items[1].id, parsed_data)",
                environment(Map.of("input", "{\"items\":[{\"id\":\"a\"},{\"id\":\"b\"}]}", "parsed_data", "7"),
                        ScriptEnvironment.SavedContext.NONE));
        assertThat(result.output()).isEqualTo("object 2 b 7\n");
    }

    @Test
    void parseJsonReadsJsonAndAMalformedTextIsASyntaxErrorTheScriptMayCatch() {
        assertThat(completed("""
                const o = parse_json('{"amount": 2000}');
                try { parse_json('{nope'); } catch (e) { print(e.name); }
                print(o.amount);
                """).output()).isEqualTo("SyntaxError\n2000\n");
    }

    @Test
    void aThrowFailsTheRunWithItsMessageAndLineAndKeepsWhatWasPrinted() {
        ScriptResult.Failed failed = failed("print('before');\n\nthrow new Error('card declined');");
        assertThat(failed.message()).isEqualTo("Error: card declined");
        assertThat(failed.line()).isEqualTo(3);
        assertThat(failed.output()).isEqualTo("before\n");
    }

    @Test
    void aSyntaxErrorFailsTheRunWithItsLine() {
        ScriptResult.Failed failed = failed("let a = 1;\nlet b = ;");
        assertThat(failed.message()).startsWith("SyntaxError:");
        assertThat(failed.line()).isEqualTo(2);
    }

    @Test
    void contextWritesAreKeptForTheCompletionAndReadBackWithinTheRunOverWhatWasSaved() {
        ScriptResult result = SANDBOX.run("t.js", """
                print(get_context('customer_id'), get_context('missing'));
                set_context('customer_id', 'cus_456');
                set_context('plan', {price: 'price_1', quantity: 2});
                print(get_context('customer_id'), get_context('plan').quantity);
                """, environment(Map.of(), (contextId, key) -> contextId.equals("context-123") && key.equals("customer_id")
                ? "\"cus_123\"" : null));
        assertThat(result).isInstanceOf(ScriptResult.Completed.class);
        ScriptResult.Completed completed = (ScriptResult.Completed) result;
        assertThat(completed.output()).isEqualTo("cus_123 null\ncus_456 2\n");
        assertThat(completed.contextWrites()).containsExactly(Map.entry("customer_id", "\"cus_456\""),
                Map.entry("plan", "{\"price\":\"price_1\",\"quantity\":2}"));
    }

    @Test
    void aValueThatIsNotJsonCannotBeSavedAndARunWithoutAContextCannotSaveAtAll() {
        assertThat(failed("set_context('f', function () {})").message()).contains("cannot be saved as JSON");
        ScriptResult result = SANDBOX.run("t.js", "set_context('k', 1)",
                new ScriptEnvironment("w", null, "api", "t", Map.of(), ScriptEnvironment.SavedContext.NONE));
        assertThat(((ScriptResult.Failed) result).message()).contains("this run has no context id");
    }

    @Test
    void dispatchCollectsTheNextFlowsInOrderAndRefusesANameThatIsNotOne() {
        ScriptResult.Completed completed = completed("dispatch('charge_customer', {id: 'cus_1'}); dispatch('notify')");
        assertThat(completed.dispatches()).containsExactly(
                new ScriptResult.Dispatch("charge_customer", "{\"id\":\"cus_1\"}"), new ScriptResult.Dispatch("notify", "null"));
        assertThat(failed("dispatch('../etc/passwd', {})").message()).contains("is not a flow name");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "java.lang.System.exit(1)",
        "Packages.java.lang.Runtime.getRuntime().exec('id')",
        "importClass(java.io.File)",
        "importPackage(java.io)",
        "new JavaAdapter(java.lang.Runnable, {run: function () {}})",
        "Java.type('java.lang.System')",
        "print.getClass().forName('java.lang.Runtime')",
        "Object.getPrototypeOf(print).getClass()",
        "print.constructor.constructor('return java')().lang",
        "(function () {}).constructor('return Packages')().java",
        "try { null.x; } catch (e) { e.javaException.getClass(); }",
        "try { undefined.y(); } catch (e) { e.rhinoException.getClass(); }",
        "load('/etc/passwd')",
        "readFile('/etc/passwd')",
        "readUrl('http://127.0.0.1/')",
        "require('fs')",
        "spawn(function () {})",
        "sync(function () {})",
        "new Uint8Array(1 << 30)",
        "new ArrayBuffer(1 << 30)",
        "eval('java.lang.System')",
        "quit()",
    })
    void nothingReachesJavaFilesTheNetworkOrProcesses(String escape) {
        ScriptResult.Failed failed = failed(escape + "; print('escaped')");
        assertThat(failed.output()).doesNotContain("escaped");
        assertThat(failed.message()).matches("(ReferenceError|TypeError|InternalError|EvalError).*");
    }

    @Test
    void aRunCannotChangeWhatTheNextRunSees() {
        run("""
                const attempts = [
                  () => { String.prototype.shout = function () { return 'x'; }; },
                  () => { Array.prototype.push = null; },
                  () => { Object.prototype.polluted = true; },
                  () => { JSON.parse = () => 'forged'; },
                  () => { Math.random = () => 4; },
                  () => { Object.defineProperty(Array.prototype, 'map', {value: null}); },
                  () => { print.extra = 1; },
                  () => { delete Object.keys; },
                ];
                for (const attempt of attempts) { try { attempt(); } catch (e) { } }
                var leaked = 1;
                undeclared = 2;
                """);
        assertThat(completed("""
                print(typeof ''.shout, typeof [].push, ({}).polluted, JSON.parse('1'), Math.random() < 1,
                    typeof [].map, print.extra, typeof Object.keys, typeof leaked, typeof undeclared);
                """).output()).isEqualTo("undefined function undefined 1 true function undefined function undefined undefined\n");
    }

    @Test
    void aLoopThatNeverEndsRunsOutOfInstructionsEvenWhenItCatchesEverything() {
        ScriptResult.Failed failed = failed("for (;;) { try { for (;;) {} } catch (e) { } finally { } }");
        assertThat(failed.message()).isEqualTo("the script ran past its budget of 50000000 instructions");
        assertThat(failed.line()).isEqualTo(1);
    }

    @Test
    void aRunPastItsDeadlineIsStopped() {
        ScriptSandbox sandbox = new ScriptSandbox(new ScriptLimits(Long.MAX_VALUE, 64, 1 << 20, 100_000, 1L << 40,
                1024, Duration.ofMillis(200)));
        assertThat(failed(sandbox, "while (true) {}").message()).isEqualTo("the script ran past its deadline of 200 ms");
    }

    @Test
    void callsNestAtMostSixtyFourDeep() {
        assertThat(completed("function f(n) { return n === 0 ? 0 : 1 + f(n - 1); } print(f(50))").output()).isEqualTo("50\n");
        assertThat(failed("function f(n) { return n === 0 ? 0 : 1 + f(n - 1); } f(100)").message())
                .containsIgnoringCase("stack depth");
    }

    @Test
    void aRunThatAllocatesPastItsBudgetIsStopped() {
        ScriptSandbox sandbox = new ScriptSandbox(new ScriptLimits(Long.MAX_VALUE, 64, 1 << 20, 100_000, 16L << 20,
                1024, Duration.ofSeconds(30)));
        ScriptResult.Failed failed = failed(sandbox, "const kept = []; for (let i = 0; ; i++) { kept.push('x'.repeat(1000) + i); }");
        assertThat(failed.message()).isEqualTo("the script allocated more than 16 MB");
    }

    @Test
    void aRunCalledFromAVirtualThreadRunsOnAPlatformThreadWithItsAllocationBudget() throws Exception {
        ScriptSandbox sandbox = new ScriptSandbox(new ScriptLimits(Long.MAX_VALUE, 64, 1 << 20, 100_000, 16L << 20,
                1024, Duration.ofSeconds(30)));
        CompletableFuture<ScriptResult> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> result.complete(sandbox.run("t.js",
                "const kept = []; for (let i = 0; ; i++) { kept.push('x'.repeat(1000) + i); }",
                environment(Map.of(), ScriptEnvironment.SavedContext.NONE))));
        assertThat(((ScriptResult.Failed) result.get(30, TimeUnit.SECONDS)).message())
                .isEqualTo("the script allocated more than 16 MB");
        sandbox.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "'x'.repeat(1e9)",
        "'x'.padStart(1e9)",
        "'x'.padEnd(2e6, 'y')",
        "new Array(1e9).fill(0)",
        "new Array(1e9).join('x')",
        "Array(1e5).fill('x'.repeat(1e5)).join('')",
        "new Array(1e9).map(x => x)",
        "new Array(1e9).indexOf(1)",
        "Array.from({length: 1e9})",
        "Math.max.apply(null, {length: 1e9})",
        "[].concat.call({length: 1e9})",
    })
    void oneCallCannotMakeAHugeStringOrWalkAHugeArray(String call) {
        ScriptResult.Failed failed = failed(call);
        assertThat(failed.message()).startsWith("RangeError:");
    }

    @Test
    void printIsCappedAndTheOutputSaysWhereItWasCut() {
        ScriptSandbox sandbox = new ScriptSandbox(new ScriptLimits(50_000_000, 64, 1 << 20, 100_000, 256L << 20,
                20, Duration.ofSeconds(5)));
        ScriptResult result = sandbox.run("t.js", "for (let i = 0; i < 10; i++) print('line ' + i)",
                environment(Map.of(), ScriptEnvironment.SavedContext.NONE));
        assertThat(result.output()).isEqualTo("line 0\nline 1\nline 2\n[output cut at 20 characters]\n");
    }

    @Test
    void aRunawayScriptFailsAloneAndTheNextRunGoesOnAsUsual() {
        failed("while (true) {}");
        assertThat(completed("print('still here')").output()).isEqualTo("still here\n");
    }

    @Test
    void anInterruptedRunIsStopped() throws Exception {
        CompletableFuture<ScriptResult> result = new CompletableFuture<>();
        Thread runner = Thread.ofVirtual().start(() -> result.complete(run("while (true) {}")));
        Thread.sleep(100);
        runner.interrupt();
        assertThat(((ScriptResult.Failed) result.get(10, TimeUnit.SECONDS)).message())
                .isEqualTo("the script was stopped: its task was interrupted");
    }

    @Test
    void aScriptFileIsCompiledAgainWhenItChanges() throws Exception {
        Path file = Files.writeString(dir.resolve("flow.js"), "print('one')");
        ScriptEnvironment env = environment(Map.of(), ScriptEnvironment.SavedContext.NONE);
        assertThat(SANDBOX.runFile(file, env).output()).isEqualTo("one\n");
        Files.writeString(file, "print('two')");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(SANDBOX.runFile(file, env).output()).isEqualTo("two\n");
    }

    @Test
    void aMissingScriptFileFailsTheRunSayingSo() {
        ScriptResult result = SANDBOX.runFile(dir.resolve("absent.js"), environment(Map.of(), ScriptEnvironment.SavedContext.NONE));
        assertThat(((ScriptResult.Failed) result).message()).startsWith("cannot read the script");
    }

    @Test
    void limitsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> new ScriptLimits(0, 64, 1, 1, 1L << 20, 0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScriptLimits(1_000_000, 0, 1, 1, 1L << 20, 0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScriptLimits(1_000_000, 64, 1, 1, 1L << 20, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
