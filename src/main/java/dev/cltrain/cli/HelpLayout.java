package dev.cltrain.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The help's layout, applied to the command tree once it is built: every command's {@code --help} ends with
 * its exit codes, and {@code train}'s options are listed in sections (data, network, optimisation, devices,
 * output, checkpoints). The sections are assigned here by option name rather than with {@code @ArgGroup}, so
 * that {@link WorkloadOptions} stays a plain mixin shared with {@code bench}; an option not named here is
 * listed under "Other options", so a new option is never left out of the help.
 */
final class HelpLayout {
  /** {@code train}'s sections: heading and the options in it, in the order shown. */
  static final Map<String, List<String>> TRAIN_SECTIONS = new LinkedHashMap<>();

  static {
    TRAIN_SECTIONS.put("Data", List.of("--data", "--targets", "--label", "--ignore", "--missing", "--test",
        "--validation-split", "--standardize", "--input-shape", "--skip-bad-files", "--augment", "--stream", "--cache"));
    TRAIN_SECTIONS.put("Text", List.of("--text-column", "--tokens", "--vocab-size", "--seq-len"));
    TRAIN_SECTIONS.put("Network", List.of("--net", "--layers", "--activation", "--loss", "--output", "--init", "--init-model",
        "--input-scale", "--new-head", "--freeze", "--seed"));
    TRAIN_SECTIONS.put("Optimisation", List.of("--epochs", "--batch-size", "--optimizer", "--lr", "--momentum",
        "--beta1", "--beta2", "--eps", "--weight-decay", "--decay-all", "--clip-norm", "--label-smoothing",
        "--lr-schedule", "--warmup-epochs", "--early-stop", "--monitor"));
    TRAIN_SECTIONS.put("Devices", List.of("--device", "--shards", "--kernels", "--retune", "--no-check", "--verify", "--profile", "--verbose"));
    TRAIN_SECTIONS.put("Output", List.of("--log-every", "--quiet", "--save", "--save-best", "--metrics", "--plot"));
    TRAIN_SECTIONS.put("Checkpoints", List.of("--checkpoint", "--checkpoint-every", "--resume"));
  }

  private static final String USAGE_ERRORS = "bad input: an unknown or malformed option, a bad value or file (one line on stderr)";

  private HelpLayout() {}

  /** Adds exit codes to every command's help and sections to {@code train}'s. */
  static void apply(CommandLine root) {
    exitCodes(root, Map.of(
        "0", "done",
        "2", USAGE_ERRORS));
    for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
      CommandLine sub = e.getValue();
      switch (e.getKey()) {
        case "train" -> {
          exitCodes(sub, ordered(
              "0", "done",
              "1", "--verify found a difference over the tolerance, or an internal error",
              "2", USAGE_ERRORS,
              "3", "the device asked for cannot be used",
              "4", "training diverged (the loss became NaN or infinite)",
              "130", "stopped by SIGINT (Ctrl-C); with --checkpoint, one was written first",
              "143", "stopped by SIGTERM; with --checkpoint, one was written first"));
          sections(sub, TRAIN_SECTIONS);
        }
        case "bench", "verify" -> exitCodes(sub, ordered(
            "0", "done",
            "1", "a check failed (a device's results differ from the reference), or an internal error",
            "2", USAGE_ERRORS,
            "3", "the device asked for cannot be used"));
        case "eval", "predict", "devices" -> exitCodes(sub, ordered(
            "0", "done",
            "1", "an internal error",
            "2", USAGE_ERRORS,
            "3", "the device asked for cannot be used"));
        case "export" -> exitCodes(sub, ordered(
            "0", "done",
            "1", "an internal error",
            "2", USAGE_ERRORS + "; an ONNX model with an operator or attribute cltrain does not read"));
        default -> { }
      }
    }
  }

  private static Map<String, String> ordered(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static void exitCodes(CommandLine cl, Map<String, String> codes) {
    Map<String, String> sorted = new LinkedHashMap<>();
    codes.entrySet().stream().sorted(Map.Entry.comparingByKey((a, b) -> Integer.compare(Integer.parseInt(a.trim()),
        Integer.parseInt(b.trim())))).forEach(e -> sorted.put(String.format("%4s", e.getKey()), e.getValue()));
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(sorted);
  }

  /** Replaces the option list of {@code cl}'s help with one list per section, then "Other options". */
  private static void sections(CommandLine cl, Map<String, List<String>> sections) {
    cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST_HEADING, help -> "");
    cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> {
      CommandSpec spec = help.commandSpec();
      List<OptionSpec> left = new ArrayList<>(spec.options());
      StringBuilder text = new StringBuilder();
      for (Map.Entry<String, List<String>> section : sections.entrySet()) {
        List<OptionSpec> in = new ArrayList<>();
        for (String name : section.getValue()) {
          OptionSpec o = spec.findOption(name);
          if (o != null && !o.hidden() && left.remove(o)) {
            in.add(o);
          }
        }
        append(text, help, section.getKey() + ":", in);
      }
      left.removeIf(OptionSpec::hidden);
      List<OptionSpec> helpOptions = new ArrayList<>();
      left.removeIf(o -> (o.usageHelp() || o.versionHelp()) && helpOptions.add(o));
      append(text, help, "Other options:", left);
      append(text, help, "Help:", helpOptions);
      return text.toString();
    });
  }

  private static void append(StringBuilder text, CommandLine.Help help, String heading, List<OptionSpec> options) {
    if (options.isEmpty()) {
      return;
    }
    text.append(String.format("%n")).append(heading).append(String.format("%n"));
    CommandLine.Help.Layout layout = help.createDefaultLayout();
    text.append(help.optionListExcludingGroups(options, layout, null, help.parameterLabelRenderer()));
  }
}
