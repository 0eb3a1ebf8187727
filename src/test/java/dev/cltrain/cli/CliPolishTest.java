package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 item 8: suggestions, the help command, help sections, exit codes in help, completion, --quiet. */
class CliPolishTest {
  @Test
  void aMisspelledCommandSuggestsTheRightOneInOneLine() {
    Cli r = Cli.run("trian");
    assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.toString());
    assertEquals(1, r.err().lines().count(), r.toString());
    assertTrue(r.err().contains("'trian'") && r.err().contains("did you mean train"), r.toString());
  }

  @Test
  void aMisspelledOptionSuggestsTheRightOne() {
    Cli r = Cli.run("train", "--epoch", "3");
    assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.toString());
    assertEquals(1, r.err().lines().count(), r.toString());
    assertTrue(r.err().contains("--epochs?"), r.toString());
  }

  @Test
  void helpIsACommand() {
    Cli all = Cli.run("help");
    assertEquals(0, all.exit(), all.toString());
    assertTrue(all.out().contains("Commands:") && all.out().contains("train") && all.out().contains("completion"),
        all.toString());
    Cli train = Cli.run("help", "train");
    assertEquals(0, train.exit(), train.toString());
    assertEquals(Cli.run("train", "--help").out(), train.out());
  }

  @Test
  void trainsHelpListsItsOptionsInSectionsAndEndsWithExitCodes() {
    String help = Cli.run("train", "--help").out();
    List<String> headings = List.of("Data:", "Network:", "Optimisation:", "Devices:", "Output:", "Checkpoints:",
        "Help:", "Exit codes:");
    List<String> lines = help.lines().toList();
    int at = -1;
    for (String h : headings) {
      int i = lines.indexOf(h);
      assertTrue(i > at, h + " after the previous section: " + help);
      at = i;
    }
    assertTrue(help.lastIndexOf("--batch-size") > help.indexOf("Optimisation:")
        && help.lastIndexOf("--batch-size") < help.indexOf("Devices:"), help);
    assertTrue(help.lastIndexOf("--resume") > help.indexOf("Checkpoints:"), help);
    assertFalse(help.contains("Other options:"), "every train option has a section: " + help);
    assertTrue(help.contains("130   stopped by SIGINT"), help);
  }

  @Test
  void everyCommandsHelpEndsWithItsExitCodes() {
    for (String command : List.of("train", "devices", "eval", "predict", "bench", "verify")) {
      String help = Cli.run(command, "--help").out();
      assertTrue(help.contains("Exit codes:") && help.contains("   0   done") && help.contains("   2   bad input"),
          command + ": " + help);
    }
    assertTrue(Cli.run("--help").out().contains("Exit codes:"));
  }

  @Test
  void completionPrintsABashScriptForEveryCommand() {
    Cli r = Cli.run("completion");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().startsWith("#!/usr/bin/env bash"), r.out());
    assertTrue(r.out().contains("complete -F") && r.out().contains("cltrain"), r.out());
    assertTrue(r.out().contains("train") && r.out().contains("--checkpoint-every"), "train and its options");
  }

  @Test
  void completionOffersEachLabelsWordsAndFileNamesWhereTheLabelNamesAFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("cltrain.bash"), Cli.run("completion").out());
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.writeString(work.resolve("iris.csv"), "a,b\n1,2\n");
    assertEquals(List.of("xor", "and", "or", "random:", "iris.csv"), complete(work, "train", "--data", ""));
    assertEquals(List.of("iris.csv"), complete(work, "train", "--data", "i"), "a prefix narrows to the file");
    assertEquals(List.of("iris.csv"), complete(work, "eval", "--data", ""), "eval's --data: a file or folder only");
    assertEquals(List.of("sigmoid", "tanh", "relu", "identity"), complete(work, "train", "--activation", ""));
  }

  /** What the completion script offers for the last word of {@code cltrain WORDS...}, in bash, run in {@code dir}. */
  private static List<String> complete(Path dir, String... words) throws Exception {
    String line = "cltrain " + String.join(" ", words);
    String quoted = java.util.Arrays.stream(words).map(w -> "'" + w + "'").collect(java.util.stream.Collectors.joining(" "));
    String bash = "source ../cltrain.bash; COMP_WORDS=(cltrain " + quoted + "); COMP_CWORD=" + words.length + "; COMP_LINE='"
        + line + "'; COMP_POINT=${#COMP_LINE}; _complete_cltrain 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"";
    Process p = new ProcessBuilder("bash", "-c", bash).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "bash finished");
    return out.lines().filter(l -> !l.isEmpty()).toList();
  }

  @Test
  void completionsHelpNamesItselfAndAnUnknownOptionNamesTheCommandAsEveryOtherErrorDoes() {
    Cli help = Cli.run("help", "completion");
    assertTrue(help.out().startsWith("Usage: cltrain completion"), help.toString());
    Cli bad = Cli.run("train", "--bogus");
    assertEquals(ExitCodes.BAD_INPUT, bad.exit(), bad.toString());
    assertTrue(bad.err().startsWith("cltrain train: Unknown option: '--bogus'"), bad.toString());
  }

  @Test
  void quietKeepsTheSummaryAndDropsTheEpochLines() {
    Cli loud = Cli.run("train", "--epochs", "100", "--device", "reference");
    assertEquals(0, loud.exit(), loud.toString());
    assertTrue(loud.out().lines().anyMatch(l -> l.startsWith("Epoch 0, Loss: ")), loud.toString());
    Cli quiet = Cli.run("train", "--epochs", "100", "--device", "reference", "--quiet");
    assertEquals(0, quiet.exit(), quiet.toString());
    assertFalse(quiet.out().lines().anyMatch(l -> l.startsWith("Epoch ")), quiet.toString());
    assertTrue(quiet.out().contains("final loss:"), quiet.toString());
    assertTrue(quiet.err().startsWith("device: "), quiet.toString());
    // the summary is the same as without --quiet
    String summary = loud.out().substring(loud.out().indexOf("device:"));
    assertEquals(summary.replaceAll("in [0-9.]+ s \\([0-9]+ epochs/s\\)", "").strip(),
        quiet.out().replaceAll("in [0-9.]+ s \\([0-9]+ epochs/s\\)", "").strip());
  }
}
