package dev.flowgate.flow;

import org.mozilla.javascript.Context;
import org.mozilla.javascript.ContextFactory;

/**
 * Makes every context of the sandbox the same way: ES6, interpreted (which is what makes the
 * instruction observer and the call depth limit work), and a class shutter that admits nothing.
 */
final class SandboxContextFactory extends ContextFactory {
    private final ScriptLimits limits;

    SandboxContextFactory(ScriptLimits limits) {
        this.limits = limits;
    }

    @Override
    protected Context makeContext() {
        SandboxContext cx = new SandboxContext(this, limits);
        cx.setLanguageVersion(Context.VERSION_ES6);
        cx.setInterpretedMode(true);
        cx.setInstructionObserverThreshold(ScriptSandbox.CHECK_EVERY);
        cx.setMaximumInterpreterStackDepth(limits.callDepth());
        cx.setClassShutter(className -> false);
        return cx;
    }

    @Override
    protected void observeInstructionCount(Context cx, int instructionCount) {
        ((SandboxContext) cx).observe(instructionCount);
    }
}
