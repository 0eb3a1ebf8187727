package dev.cltrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.cmd.OptionNames;
import dev.cltrain.core.DeviceException;
import dev.cltrain.core.InputException;
import dev.cltrain.core.Wording;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 24 item 4: library messages speak Java. No string literal of a library class names a command-line option
 * ("--batch-size"): a bad value is named by its Java parameter ({@link InputException#parameter}) and the commands
 * map it to their option ({@link OptionNames}). The commands' own code (cli/, cmd/, SparkTrain's command classes)
 * may name options. The files listed in {@link #NOT_YET} may hold at most the number of such literals given, each
 * with its reason: a new literal there, or one in any other library file, fails.
 */
class LibraryMessagesSpeakJavaTest {
  private static final Path MAIN = Path.of("src/main/java/dev/cltrain");

  /** The commands' code, which speaks in options. */
  private static final List<String> COMMANDS = List.of("cli/", "cmd/", "spark/SparkTrain.java", "spark/SparkJob.java",
      "spark/SparkCheckpoints.java");

  /**
   * Library files still naming options, with how many literals do and why. Every entry is a debt with its owner,
   * except where the reason says the literal is not ours to rename.
   */
  private static final Map<String, Integer> NOT_YET = new TreeMap<>(Map.ofEntries(
      // a command to type, named in a device's refusal ('cltrain verify --device ID' shows every kernel): a tool of
      // this jar with its own option, not a parameter of the call that failed
      Map.entry("train/Opening.java", 1),
      // not ours: java's own option (--add-modules), which the JVM names so
      Map.entry("reference/MatmulRows.java", 1)));

  /** A string literal (escapes allowed) naming an option: two dashes then a lower-case letter, not after a word. */
  private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
  private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z]");

  @Test
  void noLibraryLiteralNamesACommandLineOptionBeyondTheListedDebts() throws IOException {
    Map<String, List<String>> found = new TreeMap<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String name = MAIN.relativize(file).toString().replace('\\', '/');
        if (COMMANDS.stream().anyMatch(name::startsWith)) {
          continue;
        }
        List<String> hits = optionLiterals(Files.readString(file));
        if (!hits.isEmpty()) {
          found.put(name, hits);
        }
      }
    }
    assertTrue(found.size() > 0 || NOT_YET.isEmpty(), "the scan found the source (ran in the project folder)");
    List<String> wrong = new ArrayList<>();
    found.forEach((name, hits) -> {
      int allowed = NOT_YET.getOrDefault(name, 0);
      if (hits.size() > allowed) {
        wrong.add(name + " (" + hits.size() + " > " + allowed + "): " + hits);
      }
    });
    assertEquals(List.of(), wrong, "library literals naming a --option: name the Java parameter "
        + "(InputException.parameter) and map it in cmd/OptionNames");
  }

  @Test
  void theScanSeesOptionsInLiteralsButNotInCommentsOrJavaExpressions() {
    String source = "/** --not-this */ class A { // --nor-this\n String a = \"--batch-size must\"; int b = x--;\n"
        + " String c = \"a -- b\"; String d = \"say \\\"--lr\\\" \" + \"--seed\"; }";
    assertEquals(List.of("--batch-size must", "say \\\"--lr\\\" ", "--seed"), optionLiterals(source));
  }

  @Test
  void aParameterNamedInJavaIsNamedByItsOptionOnTheCommandLine() {
    InputException e = InputException.parameter("lrSchedule", ": GAMMA must be positive, got 0.0");
    assertEquals("lrSchedule: GAMMA must be positive, got 0.0", e.getMessage());
    assertEquals("--lr-schedule: GAMMA must be positive, got 0.0", OptionNames.message(e));
    InputException layers = InputException.parameter("layers", "2,4,1: the first width is 2 but the data (d) has 3");
    assertEquals("--layers 2,4,1: the first width is 2 but the data (d) has 3", OptionNames.message(layers));
  }

  @Test
  void aHintNamesItsParameterInJavaAndTheCommandLineCallsItByItsOption() {
    DeviceException tooLarge = assertThrows(DeviceException.class,
        () -> dev.cltrain.reference.ReferenceDevice.INSTANCE.checkFits(Long.MAX_VALUE, 8));
    assertTrue(tooLarge.getMessage().endsWith("(give java a larger -Xmx, or use a smaller batchSize, layers or data)"),
        "in Java terms: " + tooLarge.getMessage());
    assertTrue(OptionNames.message(tooLarge).endsWith("(give java a larger -Xmx, or use a smaller --batch-size, "
        + "--layers or data)"), "on the command line: " + OptionNames.message(tooLarge));
    // a wording inside a wording keeps its marks; a parameter no option maps keeps its Java name
    Wording hint = Wording.of("a ", Wording.of(Wording.param("loss"), " mse"), " and ", Wording.param("noOption"));
    assertEquals(List.of("loss", "noOption"), hint.parameters());
    assertEquals("a loss mse and noOption", hint.toString());
    assertEquals("a --loss mse and noOption", OptionNames.text(hint));
    InputException wrapped = new InputException(Wording.of("file.json: ", InputException.parameter("learningRate",
        "must be positive").wording()));
    assertEquals("file.json: --lr must be positive", OptionNames.message(wrapped));
  }

  /** The literals of {@code source} (comments left out) that name an option, as written between the quotes. */
  static List<String> optionLiterals(String source) {
    String code = withoutComments(source);
    List<String> hits = new ArrayList<>();
    Matcher m = LITERAL.matcher(code);
    while (m.find()) {
      if (OPTION.matcher(m.group(1)).find()) {
        hits.add(m.group(1));
      }
    }
    return hits;
  }

  /** The source with its comments blanked out, string and char literals kept whole. */
  private static String withoutComments(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != c && s.charAt(j) != '\n') {
          j += s.charAt(j) == '\\' ? 2 : 1;
        }
        out.append(s, i, Math.min(j + 1, s.length()));
        i = j + 1;
      } else if (s.startsWith("//", i)) {
        int end = s.indexOf('\n', i);
        i = end < 0 ? s.length() : end;
      } else if (s.startsWith("/*", i)) {
        int end = s.indexOf("*/", i + 2);
        i = end < 0 ? s.length() : end + 2;
        out.append(' ');
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }
}
