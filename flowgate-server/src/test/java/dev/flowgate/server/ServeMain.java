package dev.flowgate.server;

import dev.flowgate.server.cli.ServeCommand;
import picocli.CommandLine;

/** {@code flowgate serve} as a process of its own, for tests that kill it: the same command the CLI runs. */
public final class ServeMain {
    private ServeMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServeCommand()).execute(args));
    }
}
