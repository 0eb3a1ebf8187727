package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cltrain.device.Device;
import dev.cltrain.testing.Backends;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bits must not move (issue 24): model files (version 1 and 2) and checkpoints (sgd, momentum, adam; dense and
 * convolutional) written by the build at commit ae93654, kept in src/test/resources/bits with the commands that
 * wrote them (commands.txt), load, predict and resume to the same bytes, and the same commands write the same
 * files and log the same epoch lines, byte for byte, on the reference and on every OpenCL device.
 */
class BitsDoNotMoveTest {
  /** Where a command's files are: replaced by the test's folder in the commands and in the files written. */
  private static final String DIR = "@DIR@";
  /** The options naming a file that a command writes. */
  private static final Set<String> WRITES = Set.of("--save", "--checkpoint", "--out");

  @TempDir
  Path dir;

  /** One line of commands.txt: the arguments, the files they write, and where its epoch lines are kept (or null). */
  private record Command(List<String> args, List<String> writes, String log) {
    static Command parse(String line) {
      String[] parts = line.split(" > ", 2);
      List<String> args = List.of(parts[0].trim().split(" +"));
      List<String> writes = new ArrayList<>();
      for (int i = 0; i + 1 < args.size(); i++) {
        if (WRITES.contains(args.get(i))) {
          writes.add(name(args.get(i + 1)));
        }
      }
      if (parts.length == 2) {
        writes.add(name(parts[1].trim()));
      }
      return new Command(args, writes, parts.length == 2 ? name(parts[1].trim()) : null);
    }

    private static String name(String path) {
      if (!path.startsWith(DIR + "/")) {
        throw new IllegalArgumentException("commands.txt: " + path + " is not in " + DIR);
      }
      return path.substring(DIR.length() + 1);
    }

    boolean predicts() {
      return args.get(0).equals("predict");
    }

    boolean resumes() {
      return args.contains("--resume");
    }

    @Override
    public String toString() {
      return String.join(" ", args);
    }
  }

  static List<Device> devices() {
    return Backends.all();
  }

  private static Path fixtures() {
    try {
      return Path.of(BitsDoNotMoveTest.class.getResource("/bits/commands.txt").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Command> commands() throws IOException {
    return Files.readAllLines(fixtures().resolve("commands.txt")).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#")).map(Command::parse).toList();
  }

  /** The fixture's bytes with its folder as the test's. */
  private byte[] expected(String name) throws IOException {
    String text = Files.readString(fixtures().resolve(name), StandardCharsets.UTF_8);
    return text.replace(DIR, dir.toString()).getBytes(StandardCharsets.UTF_8);
  }

  /** Copies the fixture files that {@code keep} accepts into the test's folder. */
  private void copyFixtures(Predicate<String> keep) throws IOException {
    try (Stream<Path> files = Files.list(fixtures())) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (keep.test(name) && !name.equals("commands.txt") && !name.equals("generate.sh")) {
          Files.write(dir.resolve(name), expected(name));
        }
      }
    }
  }

  /** Runs the command on the device and checks every file it writes, and its epoch lines, against the fixtures. */
  private void runAndCompare(Command command, Device device) throws IOException {
    List<String> args = new ArrayList<>(command.args().stream().map(a -> a.replace(DIR, dir.toString())).toList());
    args.addAll(List.of("--device", device.id()));
    for (String name : command.writes()) {
      Files.deleteIfExists(dir.resolve(name));
    }
    Cli c = Cli.run(args.toArray(String[]::new));
    assertEquals(0, c.exit(), command + " on " + device.id() + ": " + c);
    if (command.log() != null) {
      String epochs = c.outLines().stream().filter(l -> l.startsWith("Epoch ")).map(l -> l + "\n")
          .collect(Collectors.joining());
      Files.writeString(dir.resolve(command.log()), epochs);
    }
    for (String name : command.writes()) {
      byte[] actual = Files.readAllBytes(dir.resolve(name));
      byte[] expected = expected(name);
      if (!Arrays.equals(expected, actual)) {
        assertEquals(new String(expected, StandardCharsets.UTF_8), new String(actual, StandardCharsets.UTF_8),
            device.id() + ": " + name + " written by `" + command + "` is not the stored file byte for byte");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void storedModelsPredictTheStoredOutputsByteForByte(Device device) throws IOException {
    copyFixtures(name -> true);
    List<Command> predicts = commands().stream().filter(Command::predicts).toList();
    assertFalse(predicts.isEmpty(), "commands.txt has predict lines");
    for (Command command : predicts) {
      runAndCompare(command, device);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void storedCheckpointsResumeToTheStoredModelsByteForByte(Device device) throws IOException {
    copyFixtures(name -> true);
    List<Command> resumes = commands().stream().filter(Command::resumes).toList();
    assertEquals(6, resumes.size(), "a checkpoint each for sgd, momentum and adam, dense and convolutional");
    for (Command command : resumes) {
      runAndCompare(command, device);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void theCommandsWriteTheStoredFilesByteForByte(Device device) throws IOException {
    List<Command> commands = commands();
    Set<String> written = commands.stream().flatMap(c -> c.writes().stream()).collect(Collectors.toSet());
    copyFixtures(name -> !written.contains(name)); // the inputs only
    for (Command command : commands) {
      runAndCompare(command, device);
    }
  }
}
