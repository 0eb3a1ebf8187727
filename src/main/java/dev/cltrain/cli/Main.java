package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import dev.cltrain.cmd.OptionNames;

import dev.cltrain.core.DeviceException;
import dev.cltrain.core.DivergedException;
import dev.cltrain.core.InputException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cltrain}: the command line. Exit codes: 0 done; 1 a check failed ({@code --verify}) or an internal
 * error; 2 bad input (one line on stderr: what and where); 3 a device that was asked for cannot be used;
 * 4 training diverged (the loss became NaN or infinite).
 */
@Command(name = "cltrain", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Backpropagation on any OpenCL device, checked against a plain-Java reference.")
public final class Main implements Runnable {
  /**
   * The commands, in the order the help lists them ({@code completion} is added after them). Added in
   * {@link #run} rather than with {@code @Command(subcommands = ...)}: picocli builds the model of every command
   * it is given (reflection over each one's options), which is most of the start-up of a short run, so a command
   * line that names one of these commands first gets only that one.
   */
  private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("train", TrainCommand::new);
    COMMANDS.put("devices", DevicesCommand::new);
    COMMANDS.put("eval", EvalCommand::new);
    COMMANDS.put("predict", PredictCommand::new);
    COMMANDS.put("export", ExportCommand::new);
    COMMANDS.put("bench", BenchCommand::new);
    COMMANDS.put("verify", VerifyCommand::new);
  }


  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command (train, devices, bench, verify, eval, predict, export, help, completion)");
  }

  /**
   * Runs the command line on the standard streams and exits with its code.
   *
   * @param args the command and its options, e.g. {@code train --data xor}
   */
  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Runs the command line with the given streams and returns the exit code (tests call this directly).
   *
   * @param args the command and its options
   * @param out  where the command's output goes
   * @param err  where errors go, one line each
   * @return the exit code: 0 done, or one of the {@link ExitCodes}
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    dev.cltrain.core.Notices.nameParameters(OptionNames::option); // the library's notices name options here
    CommandLine cli = new CommandLine(new Main());
    // the command named first, alone (its help, errors and suggestions need no other command); else all of them
    Supplier<Object> named = args.length > 0 ? COMMANDS.get(args[0]) : null;
    if (named != null) {
      cli.addSubcommand(args[0], named.get());
    } else {
      COMMANDS.forEach((name, command) -> cli.addSubcommand(name, command.get()));
      cli.addSubcommand("help", new CommandLine.HelpCommand());
      // 'cltrain completion': a bash (and zsh, through bashcompinit) completion script
      cli.addSubcommand("completion", new CompletionCommand());
    }
    HelpLayout.apply(cli);
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((ex, argv) -> {
      String suggestion = "";
      if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
        List<String> s = u.getSuggestions();
        suggestion = " (did you mean " + String.join(" or ", s.subList(0, Math.min(3, s.size()))) + "?)";
      }
      err.println(qualified(ex.getCommandLine()) + ": " + ex.getMessage() + suggestion + " (see '"
          + qualified(ex.getCommandLine()) + " --help')");
      return ExitCodes.BAD_INPUT;
    });
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      String command = qualified(commandLine);
      if (ex instanceof InputException input) {
        err.println(command + ": " + OptionNames.message(input));
        return ExitCodes.BAD_INPUT;
      }
      if (ex instanceof DeviceException device) {
        err.println(command + ": " + OptionNames.message(device));
        return ExitCodes.DEVICE;
      }
      if (ex instanceof DivergedException d) {
        err.println(command + ": " + d.getMessage());
        return ExitCodes.DIVERGED;
      }
      err.println(command + ": internal error: " + ex);
      if (System.getenv("CLTRAIN_DEBUG") != null) {
        ex.printStackTrace(err);
      } else {
        err.println("(set CLTRAIN_DEBUG=1 for the stack trace)");
      }
      return ExitCodes.CHECK_FAILED;
    });
    int code;
    try {
      code = cli.execute(args);
    } catch (OutOfMemoryError e) {
      // picocli passes Errors through; a network or data set too large for the heap is bad input, not a crash
      err.println("cltrain: out of memory (the Java heap holds at most " + (Runtime.getRuntime().maxMemory() >> 20)
          + " MiB): use smaller --layers or less data, or give java a larger -Xmx");
      code = ExitCodes.BAD_INPUT;
    }
    out.flush();
    err.flush();
    return code;
  }

  private static String qualified(CommandLine cl) {
    return cl.getCommandSpec().qualifiedName();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"cltrain " + (v == null ? "dev" : v) + " (Java " + System.getProperty("java.version") + ")"};
    }
  }
}
