package dev.cltrain.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code cltrain completion}: a bash (and zsh, through bashcompinit) completion script. picocli writes it from the
 * options; it completes file names only for options typed {@code Path} and nothing for the others. The value
 * grammar each option states in its parameter label ({@code xor|and|or|FILE.csv|DIR|random:RxIxC},
 * {@code sigmoid|tanh|relu}) is what completion offers here too: the label's lowercase words as they are, and file
 * names wherever the label names a FILE or DIR. The label is the one place that grammar is written.
 */
@Command(name = "completion", description = "Print a bash/zsh completion script: source <(cltrain completion)",
    mixinStandardHelpOptions = true)
final class CompletionCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    CommandLine root = spec.parent().commandLine();
    spec.commandLine().getOut().print(script(root));
    spec.commandLine().getOut().flush();
  }

  /** picocli's script for {@code root}, each option's value completion taken from its label where picocli has none. */
  static String script(CommandLine root) {
    String script = AutoComplete.bash(root.getCommandName(), root);
    for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
      String function = "function _picocli_" + root.getCommandName() + "_" + sub.getKey() + "() {";
      int start = script.indexOf(function);
      if (start < 0) {
        continue;
      }
      int end = script.indexOf("\n}\n", start);
      String body = script.substring(start, end);
      for (OptionSpec option : sub.getValue().getCommandSpec().options()) {
        String completion = completion(option.paramLabel());
        if (option.arity().max() < 1 || completion == null) {
          continue;
        }
        for (String name : option.names()) {
          body = body.replace("    " + name + ")\n      return\n      ;;", "    " + name + ")\n" + completion + "      ;;");
        }
      }
      script = script.substring(0, start) + body + script.substring(end);
    }
    return script;
  }

  /** The bash lines that complete a value of this label, or null for a label with no words and no files. */
  static String completion(String label) {
    List<String> words = new ArrayList<>();
    boolean files = false;
    for (String alternative : label.replaceAll("^<|>$", "").split("\\|")) {
      if (alternative.matches("[a-z][a-z0-9_-]*")) {
        words.add(alternative);
      } else if (alternative.matches("[a-z][a-z0-9_-]*:.*")) {
        words.add(alternative.substring(0, alternative.indexOf(':') + 1)); // random:RxIxC offers "random:"
      } else if (alternative.toUpperCase(Locale.ROOT).contains("FILE") || alternative.contains("DIR")) {
        files = true;
      }
    }
    if (words.isEmpty() && !files) {
      return null;
    }
    StringBuilder lines = new StringBuilder("      local IFS=$'\\n'\n");
    if (files) {
      lines.append("      type compopt &>/dev/null && compopt -o filenames\n");
    }
    lines.append("      COMPREPLY=(");
    if (!words.isEmpty()) {
      lines.append(" $( compgen -W \"").append(String.join("\n", words)).append("\" -- \"${curr_word}\" )");
    }
    if (files) {
      lines.append(" $( compgen -f -- \"${curr_word}\" )");
    }
    lines.append(" )\n      return 0\n");
    return lines.toString();
  }
}
