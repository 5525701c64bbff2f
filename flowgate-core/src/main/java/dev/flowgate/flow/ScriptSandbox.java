package dev.flowgate.flow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.EcmaError;
import org.mozilla.javascript.EvaluatorException;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.JavaScriptException;
import org.mozilla.javascript.RhinoException;
import org.mozilla.javascript.Script;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;

/**
 * Runs flow scripts: JavaScript (Mozilla Rhino, ES6, interpreted) with no way out to Java, the
 * files, the network, processes or threads, and with every run inside {@link ScriptLimits}.
 *
 * <p>The standard objects are made once, with the built-ins that one call could use to make a
 * huge string or walk a huge array capped, the binary ones (typed arrays, {@code ArrayBuffer})
 * left out, and then sealed, every object reachable from them: a run cannot change what the next
 * run sees. Each run gets a fresh top scope over them, so runs share nothing else. Scripts are
 * compiled once: files by path, size and modification time, inline sources by their text.
 *
 * <p>What a run may not do, and how it is stopped: Java classes, {@code Packages}, {@code java},
 * {@code JavaAdapter} and {@code importClass} do not exist (the safe standard objects), and the
 * class shutter admits no class, which also keeps a caught exception's Java object from scripts;
 * nothing the host hands a script is a Java object. Instructions, wall-clock time, interrupts and
 * the heap a run allocates are checked every {@value #CHECK_EVERY} instructions by an error that
 * scripts cannot catch; calls nest at most {@link ScriptLimits#callDepth()} deep. What is left:
 * a single operation that allocates a great deal between two checks (the {@code +} of two long
 * strings, a {@code replace} that expands) is bounded only by the heap; such a run fails with
 * "ran out of memory" when the one allocation does not fit, and the worker carries on.
 *
 * <p>A run called from a virtual thread (a task's) is handed to one of the sandbox's own platform
 * threads, as many as there are cores, at the lowest priority, and waited for: a script is CPU
 * work, and on a virtual thread it would hold one of the few carriers that settlement shares for
 * as long as it runs (seconds, for a runaway); and the JVM does not count a virtual thread's
 * allocations, which the heap limit needs. A run called from a platform thread runs there.
 *
 * <p>Thread-safe: runs may go on at once on any threads.
 */
public final class ScriptSandbox implements AutoCloseable {
    /** How often, in interpreter instructions, a run's limits are checked. */
    static final int CHECK_EVERY = 10_000;
    private static final int MAX_SCRIPT_BYTES = 1 << 20;
    private static final int MAX_CACHED_SOURCES = 1024;
    private static final List<String> LEFT_OUT = List.of("ArrayBuffer", "DataView", "Int8Array", "Uint8Array",
            "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array",
            "Float64Array", "BigInt64Array", "BigUint64Array");

    private final ScriptLimits limits;
    private final SandboxContextFactory factory;
    private final ScriptableObject shared;
    private final Function jsonParse;
    private final Function jsonStringify;
    private final ConcurrentHashMap<Path, CachedFile> files = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Script> sources = new ConcurrentHashMap<>();
    private final ExecutorService scriptThreads = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(),
            Thread.ofPlatform().name("flow-script-", 0).daemon().priority(Thread.MIN_PRIORITY).factory());

    private record CachedFile(FileTime modified, long size, Script script) {
    }

    public ScriptSandbox(ScriptLimits limits) {
        this.limits = limits;
        this.factory = new SandboxContextFactory(limits);
        try (Context cx = factory.enterContext()) {
            ScriptableObject standard = cx.initSafeStandardObjects(null, false);
            LEFT_OUT.forEach(standard::delete);
            Function capBuiltIns = (Function) cx.evaluateString(standard, BuiltInCaps.SOURCE, "flowgate-caps", 1, null);
            capBuiltIns.call(cx, standard, standard, new Object[] {limits.stringLength(), limits.arrayLength()});
            Function reachable = (Function) cx.evaluateString(standard, REACHABLE, "flowgate-seal", 1, null);
            for (Object object : (List<?>) reachable.call(cx, standard, standard, new Object[] {standard})) {
                if (object instanceof ScriptableObject scriptable) {
                    scriptable.sealObject();
                }
            }
            Scriptable json = (Scriptable) standard.get("JSON", standard);
            this.jsonParse = (Function) json.get("parse", json);
            this.jsonStringify = (Function) json.get("stringify", json);
            this.shared = standard;
        }
    }

    /** Every object reachable from the standard objects by own properties, accessors and prototypes. */
    private static final String REACHABLE = """
            (function (root) {
              const seen = new Set(), todo = [root], found = [];
              while (todo.length > 0) {
                const o = todo.pop();
                if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
                seen.add(o);
                found.push(o);
                todo.push(Object.getPrototypeOf(o));
                const keys = Object.getOwnPropertyNames(o).concat(Object.getOwnPropertySymbols(o));
                for (let i = 0; i < keys.length; i++) {
                  const d = Object.getOwnPropertyDescriptor(o, keys[i]);
                  todo.push(d.value, d.get, d.set);
                }
              }
              return found;
            })""";

    public ScriptLimits limits() {
        return limits;
    }

    /** Runs inline source; {@code name} is what errors call it. */
    public ScriptResult run(String name, String source, ScriptEnvironment environment) {
        return onPlatformThread(() -> runHere(name, source, environment, new Mode(limits.deadline(), false)));
    }

    /** Runs the script in {@code file}, compiled again only when its size or modification time changed. */
    public ScriptResult runFile(Path file, ScriptEnvironment environment) {
        return onPlatformThread(() -> runFileHere(file, environment, new Mode(limits.deadline(), false)));
    }

    /**
     * Runs a step's inline source: with {@code deadline} in place of the limits' (the step's
     * timeout), and its completion value kept as {@link ScriptResult.Completed#valueJson()}; a value
     * that is not JSON (a cycle, a BigInt) fails the run.
     */
    public ScriptResult runStep(String name, String source, ScriptEnvironment environment, Duration deadline) {
        return onPlatformThread(() -> runHere(name, source, environment, new Mode(deadline, true)));
    }

    /** {@link #runStep}, of the script in {@code file}. */
    public ScriptResult runStepFile(Path file, ScriptEnvironment environment, Duration deadline) {
        return onPlatformThread(() -> runFileHere(file, environment, new Mode(deadline, true)));
    }

    /** How a run goes: its wall-clock deadline, and whether its completion value is kept (a step's is). */
    private record Mode(Duration deadline, boolean keepsValue) {
    }

    private ScriptResult onPlatformThread(Callable<ScriptResult> run) {
        if (!Thread.currentThread().isVirtual()) {
            try {
                return run.call();
            } catch (Exception e) {
                throw new IllegalStateException(e); // the runs below catch what they can throw
            }
        }
        Future<ScriptResult> result;
        try {
            result = scriptThreads.submit(run);
        } catch (RejectedExecutionException e) {
            return new ScriptResult.Failed("", "the sandbox is closed", 0);
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            result.cancel(true); // the script sees the interrupt at its next check and stops
            Thread.currentThread().interrupt();
            return new ScriptResult.Failed("", "the script was stopped: its task was interrupted", 0);
        } catch (ExecutionException e) {
            return new ScriptResult.Failed("", "the sandbox failed: " + e.getCause(), 0);
        }
    }

    private ScriptResult runHere(String name, String source, ScriptEnvironment environment, Mode mode) {
        Script script = sources.get(source);
        if (script == null) {
            try {
                script = compile(name, source);
            } catch (EvaluatorException e) {
                return syntaxError(e);
            }
            if (sources.size() >= MAX_CACHED_SOURCES) {
                sources.clear(); // a rough bound: inline scripts are few and small in practice
            }
            sources.put(source, script);
        }
        return execute(script, environment, mode);
    }

    private ScriptResult runFileHere(Path file, ScriptEnvironment environment, Mode mode) {
        Path key = file.toAbsolutePath().normalize();
        Script script;
        try {
            BasicFileAttributes attributes = Files.readAttributes(key, BasicFileAttributes.class);
            CachedFile cached = files.get(key);
            if (cached != null && cached.modified().equals(attributes.lastModifiedTime()) && cached.size() == attributes.size()) {
                script = cached.script();
            } else {
                if (attributes.size() > MAX_SCRIPT_BYTES) {
                    return new ScriptResult.Failed("", "the script " + file + " is larger than " + MAX_SCRIPT_BYTES + " bytes", 0);
                }
                script = compile(file.getFileName().toString(), Files.readString(key, StandardCharsets.UTF_8));
                files.put(key, new CachedFile(attributes.lastModifiedTime(), attributes.size(), script));
            }
        } catch (EvaluatorException e) {
            return syntaxError(e);
        } catch (IOException e) {
            return new ScriptResult.Failed("", "cannot read the script " + file + ": " + e.getMessage(), 0);
        }
        return execute(script, environment, mode);
    }

    /** Stops the sandbox's threads; runs under way see an interrupt and stop. */
    @Override
    public void close() {
        scriptThreads.shutdownNow();
    }

    private Script compile(String name, String source) {
        if (source.length() > MAX_SCRIPT_BYTES) {
            throw new EvaluatorException("the script is longer than " + MAX_SCRIPT_BYTES + " characters", name, 0);
        }
        try (Context cx = factory.enterContext()) {
            return cx.compileString(source, name, 1, null);
        }
    }

    private static ScriptResult syntaxError(EvaluatorException e) {
        return new ScriptResult.Failed("", "SyntaxError: " + e.details(), Math.max(0, e.lineNumber()));
    }

    private ScriptResult execute(Script script, ScriptEnvironment environment, Mode mode) {
        try (Context entered = factory.enterContext()) {
            SandboxContext cx = (SandboxContext) entered;
            Scriptable scope = cx.newObject(shared);
            scope.setPrototype(shared);
            scope.setParentScope(null);
            ScriptRun run = new ScriptRun(limits, environment, jsonParse, jsonStringify);
            try {
                cx.arm(mode.deadline());
                run.bind(cx, scope);
                Object value = script.exec(cx, scope, scope);
                return mode.keepsValue() ? run.completedWithValue(cx, scope, value) : run.completed(null);
            } catch (SandboxContext.LimitExceeded e) {
                return run.failed(e.getMessage(), e.line());
            } catch (JavaScriptException | EcmaError e) {
                return run.failed(e.details(), Math.max(0, e.lineNumber()));
            } catch (RhinoException e) {
                return run.failed(e.details(), Math.max(0, e.lineNumber()));
            } catch (StackOverflowError e) {
                return run.failed("the script's calls nested too deep for the thread's stack", 0);
            } catch (OutOfMemoryError e) {
                return run.failed("the script ran out of memory", 0);
            } catch (RuntimeException e) { // a fault of ours, not the script's: its task fails, saying so
                return run.failed("the sandbox failed: " + e, 0);
            } finally {
                cx.disarm();
            }
        }
    }
}
