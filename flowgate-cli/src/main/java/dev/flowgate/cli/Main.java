package dev.flowgate.cli;

import dev.flowgate.server.cli.RunCommand;
import dev.flowgate.server.cli.ServeCommand;
import dev.flowgate.server.cli.SubmitCommand;
import dev.flowgate.server.cli.TasksCommand;
import dev.flowgate.testkit.cli.BenchCommand;
import dev.flowgate.testkit.cli.EmulateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code flowgate} command line. */
@Command(name = "flowgate", mixinStandardHelpOptions = true, version = "flowgate 0.1.0",
        description = "A non-blocking payment engine.",
        subcommands = {ServeCommand.class, RunCommand.class, SubmitCommand.class, TasksCommand.class, EmulateCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
