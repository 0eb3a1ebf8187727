package dev.cltrain.cli;

import dev.cltrain.cmd.MetricsCsv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.io.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Outputs and inputs (issue 11, items 3 to 6): an output never overwrites an input or another output, a special
 * file is never replaced by a regular one, a long but valid name is checked (and works) before training, and
 * stale temporaries of a target are removed by the next write, those of a live writer never. Every run uses
 * {@code --device reference}.
 */
class OutputFilesTest {
  private static final String CSV = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n";

  @TempDir
  Path dir;

  private Path data;
  private Path test;
  private Path model;
  private Path checkpoint;

  @BeforeEach
  void setUp() throws IOException {
    data = Files.writeString(dir.resolve("d.csv"), CSV);
    test = Files.writeString(dir.resolve("t.csv"), CSV);
    model = dir.resolve("m.json");
    checkpoint = dir.resolve("c.ckpt");
    Cli made = Cli.run("train", "--device", "reference", "--data", data.toString(), "--epochs", "2", "--save",
        model.toString(), "--checkpoint", checkpoint.toString(), "--checkpoint-every", "1");
    assertEquals(0, made.exit(), made.toString());
    Files.writeString(dir.resolve("x.csv"), "0,0\n1,1\n");
  }

  private static String[] train(String... args) {
    List<String> all = new ArrayList<>(List.of("train", "--device", "reference", "--epochs", "3"));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  /** Each case: the command (paths relative to the temp folder) and the two options the refusal must name. */
  static Stream<List<String>> outputOverInput() {
    return Stream.of(
        List.of("--save", "--data", "train --data d.csv --save d.csv"),
        List.of("--metrics", "--data", "train --data d.csv --metrics d.csv"),
        List.of("--checkpoint", "--data", "train --data d.csv --checkpoint d.csv"),
        List.of("--plot", "--data", "train --data d.csv --plot d.csv"),
        List.of("--save", "--test", "train --data d.csv --test t.csv --save t.csv"),
        List.of("--save", "--data", "train --data d.csv --save ./d.csv"),
        List.of("--save", "--data", "train --data ./sub/../d.csv --save d.csv"),
        List.of("--save", "--data", "train --data d.csv --save link-to-d.csv"),
        List.of("--save", "--data", "train --data d.csv --save hard-link-to-d.csv"),
        List.of("--save", "--init-model", "train --data d.csv --init-model m.json --save m.json"),
        List.of("--save", "--resume", "train --resume c.ckpt --save c.ckpt"),
        List.of("--metrics", "--resume", "train --resume c.ckpt --epochs 9 --checkpoint c.ckpt --metrics c.ckpt"),
        List.of("--out", "--data", "predict --model m.json --data x.csv --out x.csv"),
        List.of("--out", "--model", "predict --model m.json --data x.csv --out ./m.json"),
        List.of("--json", "--data", "bench --data d.csv --json d.csv"));
  }

  @ParameterizedTest
  @MethodSource("outputOverInput")
  void anOutputThatIsAnInputIsRefusedBeforeAnyWorkAndTheInputIsKept(List<String> c) throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    Files.createSymbolicLink(dir.resolve("link-to-d.csv"), data);
    Files.createLink(dir.resolve("hard-link-to-d.csv"), data);
    List<Path> inputs = List.of(data, test, model, checkpoint, dir.resolve("x.csv"));
    List<byte[]> before = new ArrayList<>();
    for (Path p : inputs) {
      before.add(Files.readAllBytes(p));
    }
    Cli run = runIn(c.get(2));
    assertRefused(run, c.get(0), c.get(1), "same file");
    for (int i = 0; i < inputs.size(); i++) {
      assertArrayEquals(before.get(i), Files.readAllBytes(inputs.get(i)), inputs.get(i) + " untouched: " + run);
    }
    assertTrue(Files.isSymbolicLink(dir.resolve("link-to-d.csv")));
  }

  static Stream<List<String>> outputOverOutput() {
    return Stream.of(
        List.of("--save", "--checkpoint", "--save new.json --checkpoint new.json"),
        List.of("--save", "--metrics", "--save new.json --metrics ./new.json"),
        List.of("--metrics", "--plot", "--metrics new.csv --plot new.csv"),
        List.of("--checkpoint", "--plot", "--checkpoint new.ckpt --plot sub/../new.ckpt"),
        List.of("--save", "--checkpoint", "--save sub/new.json --checkpoint linked-sub/new.json"),
        List.of("--save", "--checkpoint", "--save m.json --checkpoint m.json"));
  }

  @ParameterizedTest
  @MethodSource("outputOverOutput")
  void twoOutputsNamingOneFileAreRefusedBeforeAnyWork(List<String> c) throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    Files.createSymbolicLink(dir.resolve("linked-sub"), dir.resolve("sub"));
    byte[] modelBefore = Files.readAllBytes(model);
    List<String> args = new ArrayList<>(List.of("train --data d.csv"));
    args.add(c.get(2));
    Cli run = runIn(String.join(" ", args));
    assertRefused(run, c.get(0), c.get(1), "same file");
    assertArrayEquals(modelBefore, Files.readAllBytes(model));
    for (String name : List.of("new.json", "new.csv", "new.ckpt", "sub/new.json")) {
      assertFalse(Files.exists(dir.resolve(name)), name + " not written: " + run);
    }
  }

  @Test
  void resumingWithTheSameFileAsCheckpointStillWorks() {
    Cli run = runIn("train --resume c.ckpt --checkpoint c.ckpt --epochs 4 --save resumed.json");
    assertEquals(0, run.exit(), run.toString());
    assertTrue(Files.isRegularFile(dir.resolve("resumed.json")));
  }

  // ---- special files ----

  private Path fifo(String name) throws IOException, InterruptedException {
    Path fifo = dir.resolve(name);
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    Assumptions.assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo works here");
    return fifo;
  }

  private static String type(Path p) throws IOException {
    return String.format("%o", (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000);
  }

  @Test
  void anOutputThatIsAFifoIsRefusedBeforeAnyWorkAndStaysAFifo() throws Exception {
    Path fifo = fifo("pipe");
    String fifoType = type(fifo);
    assertEquals("10000", fifoType);
    Files.createSymbolicLink(dir.resolve("link-to-pipe"), fifo);
    for (String option : List.of("--save", "--metrics", "--checkpoint", "--plot")) {
      for (String name : List.of("pipe", "link-to-pipe")) {
        Cli run = runIn("train --data d.csv " + option + " " + name);
        assertRefused(run, option, null, "FIFO", "not a regular file");
        assertEquals(fifoType, type(fifo), option + " " + name + ": still a FIFO");
        assertTrue(Files.isSymbolicLink(dir.resolve("link-to-pipe")));
      }
    }
    assertRefused(runIn("predict --model m.json --data x.csv --out pipe"), "--out", null, "FIFO");
    assertEquals(fifoType, type(fifo));
    InputException e = assertThrows(InputException.class, () -> AtomicFiles.writeString(fifo, "a model"));
    assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    assertEquals(fifoType, type(fifo), "the library refuses too");
  }

  @Test
  void anOutputThatIsACharacterDeviceIsRefusedAndStaysADevice() throws Exception {
    Path fakeNull = dir.resolve("fake_null");
    Process p = new ProcessBuilder("mknod", fakeNull.toString(), "c", "1", "3").inheritIO().start();
    Assumptions.assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mknod works here (root)");
    assertEquals("20000", type(fakeNull));
    for (String option : List.of("--save", "--checkpoint", "--metrics")) {
      Cli run = runIn("train --data d.csv " + option + " fake_null");
      assertRefused(run, option, null, "character device");
      assertEquals("20000", type(fakeNull), option + ": still a character device");
    }
    assertThrows(InputException.class, () -> AtomicFiles.writeBytes(fakeNull, new byte[] {1}));
    assertEquals("20000", type(fakeNull));
  }

  // ---- symbolic links (Reliability III, item 1) ----

  @Test
  void anOutputThatIsALinkIsWrittenThroughToItsTargetAndStaysALink() throws Exception {
    Path runs = Files.createDirectory(dir.resolve("runs"));
    Path real = Files.writeString(runs.resolve("real.json"), "an older model");
    Files.createSymbolicLink(dir.resolve("latest.json"), Path.of("runs/real.json"));
    // links to files not created yet: the write creates the file the link names
    for (String name : List.of("c.ckpt", "m.csv", "p.png", "pred.csv")) {
      Files.createSymbolicLink(dir.resolve("link-" + name), runs.resolve(name));
    }
    Cli straight = runIn("train --data d.csv --save straight.json");
    assertEquals(0, straight.exit(), straight.toString());

    Cli run = runIn("train --data d.csv --save latest.json --checkpoint link-c.ckpt --metrics link-m.csv --plot link-p.png");
    assertEquals(0, run.exit(), run.toString());
    Cli predict = runIn("predict --model latest.json --data x.csv --out link-pred.csv");
    assertEquals(0, predict.exit(), predict.toString());

    assertTrue(Files.isSymbolicLink(dir.resolve("latest.json")), "the link is still a link");
    assertArrayEquals(Files.readAllBytes(dir.resolve("straight.json")), Files.readAllBytes(real),
        "the file it links to holds the new model");
    for (String name : List.of("c.ckpt", "m.csv", "p.png", "pred.csv")) {
      assertTrue(Files.isSymbolicLink(dir.resolve("link-" + name)), "link-" + name + " is still a link");
      assertTrue(Files.isRegularFile(runs.resolve(name), LinkOption.NOFOLLOW_LINKS), name + " written through");
    }
    assertTrue(Files.readString(runs.resolve("m.csv")).startsWith(MetricsCsv.HEADER));

    AtomicFiles.writeString(dir.resolve("latest.json"), "the library writes through too");
    assertTrue(Files.isSymbolicLink(dir.resolve("latest.json")));
    assertEquals("the library writes through too", Files.readString(real));
    try (Stream<Path> files = Stream.concat(Files.list(dir), Files.list(runs))) {
      assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".tmp")).toList(), "no temporary left");
    }
  }

  @Test
  void aLinkToAProcessesFileDescriptorIsRefusedInOneLineAndStaysALink() throws Exception {
    // what /dev/stdout is: a link to /proc/self/fd/1; a rename would replace the link and never reach the descriptor
    Path link = Files.createSymbolicLink(dir.resolve("mystdout"), Path.of("/proc/self/fd/1"));
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux /proc");
    for (List<String> args : List.of(
        List.of("train", "--device", "reference", "--epochs", "3", "--metrics", "mystdout"),
        List.of("train", "--device", "reference", "--epochs", "3", "--save", "mystdout"),
        List.of("predict", "--device", "reference", "--model", model.toString(), "--data", "x.csv", "--out", "mystdout"))) {
      Cli run = Cli.runInChild(java.util.Map.of(), dir, args.toArray(String[]::new)); // its stdout: child.out
      String option = args.get(args.size() - 2);
      assertEquals(2, run.exit(), args + ": " + run);
      assertEquals(1, run.err().lines().count(), "one line: " + run);
      assertTrue(run.err().startsWith("cltrain " + args.get(0) + ": " + option + " mystdout: ")
          && run.err().contains("file descriptor"), run.toString());
      assertEquals("", run.out(), "refused before any work: " + run);
      assertTrue(Files.isSymbolicLink(link), args + ": the link is still a link");
      assertEquals(Path.of("/proc/self/fd/1"), Files.readSymbolicLink(link));
    }
  }

  @Test
  void twoOutputsNamingOneNewFileThroughABindMountAreRefused() throws Exception {
    Path a = Files.createDirectory(dir.resolve("a"));
    Path b = Files.createDirectory(dir.resolve("b"));
    Process mount = new ProcessBuilder("mount", "--bind", a.toString(), b.toString()).redirectErrorStream(true).start();
    boolean mounted = mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0;
    Assumptions.assumeTrue(mounted, "mount --bind works here (root): " + new String(mount.getInputStream().readAllBytes(),
        StandardCharsets.UTF_8).strip());
    try {
      Cli run = runIn("train --data d.csv --save a/new.json --metrics b/new.json");
      assertRefused(run, "--save", "--metrics", "same file");
      assertFalse(Files.exists(a.resolve("new.json")), run.toString());
      Cli distinct = runIn("train --data d.csv --save a/new.json --metrics b/other.csv");
      assertEquals(0, distinct.exit(), "two names in one folder are two files: " + distinct);
    } finally {
      Process umount = new ProcessBuilder("umount", b.toString()).inheritIO().start();
      assertTrue(umount.waitFor(30, TimeUnit.SECONDS) && umount.exitValue() == 0, "unmounted " + b);
    }
  }

  // ---- long names ----

  @Test
  void outputsWithLongValidNamesAreWrittenWholeWithShortTemporaryNames() {
    String save = "s".repeat(245) + ".json";
    String ckpt = "c".repeat(245) + ".ckpt";
    String metrics = "m".repeat(246) + ".csv";
    String plot = "p".repeat(246) + ".png";
    assertEquals(250, save.length());
    Cli run = runIn("train --data d.csv --save " + save + " --checkpoint " + ckpt + " --checkpoint-every 1 --metrics "
        + metrics + " --plot " + plot);
    assertEquals(0, run.exit(), run.toString());
    for (String name : List.of(save, ckpt, metrics, plot)) {
      assertTrue(Files.isRegularFile(dir.resolve(name)), name.length() + "-character " + name.charAt(0) + "...: " + run);
    }
    assertEquals(List.of(), temporaries(), "no temporary left");
  }

  @Test
  void aNameTooLongForTheFileSystemIsRefusedBeforeTraining() {
    for (String option : List.of("--save", "--checkpoint", "--metrics", "--plot")) {
      Cli run = runIn("train --data d.csv " + option + " " + "n".repeat(256));
      assertRefused(run, option, null, "too long");
    }
  }

  @Test
  void temporaryNamesFitInTheFileSystemsLimitForAnyTargetName() throws IOException {
    for (String name : List.of("m.json", "é".repeat(100), "é".repeat(127) + "x", "x".repeat(255), "🙂".repeat(63))) {
      assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= 255);
      Path target = dir.resolve(name);
      try (AtomicFiles.Temp temp = AtomicFiles.Temp.create(target)) {
        String tempName = temp.path().getFileName().toString();
        assertTrue(tempName.getBytes(StandardCharsets.UTF_8).length <= 255, tempName);
        assertTrue(tempName.startsWith("." + name.substring(0, Math.min(name.length(), 20))), tempName);
      }
      AtomicFiles.writeString(target, "whole");
      assertEquals("whole", Files.readString(target));
    }
  }

  // ---- stale temporaries ----

  private List<String> temporaries() {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Path old(String name) throws IOException {
    Path file = Files.writeString(dir.resolve(name), "half a file");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
    return file;
  }

  /** Starts {@link HoldTemporary} on {@code target} in a child JVM and returns it with its temporary's path. */
  private static Process holder(Path target, Path[] temp) throws IOException {
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), HoldTemporary.class.getName(), target.toString());
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertTrue(line != null, "the holder printed its temporary file");
    temp[0] = Path.of(line);
    return p;
  }

  @Test
  void theNextWriteRemovesStaleTemporariesOfItsTargetOnlyAndNeverALiveWritersOne() throws Exception {
    Path target = dir.resolve("c2.ckpt");
    // what a kill -9 leaves: a writer's temporary, unlocked once the process is gone
    Path[] killedTemp = new Path[1];
    Process killed = holder(target, killedTemp);
    killed.destroyForcibly(); // SIGKILL
    assertTrue(killed.waitFor(30, TimeUnit.SECONDS));
    Files.setLastModifiedTime(killedTemp[0], FileTime.from(Instant.now().minus(AtomicFiles.STALE_AFTER).minusSeconds(60)));
    // a writer still at work, whose temporary is just as old
    Path[] liveTemp = new Path[1];
    Process live = holder(target, liveTemp);
    try {
      Files.setLastModifiedTime(liveTemp[0], FileTime.from(Instant.now().minusSeconds(3600)));
      Path oldFormat = old(".c2.ckpt.3w5e11264sgs.tmp"); // 12 characters, as versions before this one named them
      Path fresh = Files.writeString(dir.resolve(".c2.ckpt.0000000000abc.tmp"), "a writer that has just begun");
      Files.setLastModifiedTime(fresh, FileTime.from(Instant.now().plusSeconds(600))); // fresh however slow the run
      List<Path> kept = List.of(old(".c2.ckpt.notes.tmp"), old(".other.ckpt.0123456789abc.tmp"),
          old(".c2.ckpt.0123456789abc.tmp.bak"), old("c2.ckpt.0123456789abc.tmp"), fresh, liveTemp[0]);

      Cli run = runIn("train --data d.csv --checkpoint c2.ckpt --checkpoint-every 1 --epochs 2");
      assertEquals(0, run.exit(), run.toString());

      assertFalse(Files.exists(killedTemp[0]), "the killed writer's temporary is removed");
      assertFalse(Files.exists(oldFormat), "an old-format stale temporary is removed");
      for (Path k : kept) {
        assertTrue(Files.exists(k), k.getFileName() + " is kept");
      }
      assertTrue(live.isAlive());
    } finally {
      live.destroyForcibly();
      live.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void theRunRemovesStaleTemporariesBeforeTrainingNotOnlyAfter() throws IOException {
    Path stale = old(".m.json.0123456789abc.tmp");
    // refused after the outputs were checked (the data is bad): the stale temporary is gone all the same
    Files.writeString(dir.resolve("bad.csv"), "a,b\n1,x\n");
    Cli run = runIn("train --data bad.csv --save m.json");
    assertEquals(2, run.exit(), run.toString());
    assertFalse(Files.exists(stale));
  }

  // ---- helpers ----

  /** Runs a command line whose relative paths are relative to the temp folder (made absolute here). */
  private Cli runIn(String commandLine) {
    List<String> args = new ArrayList<>();
    String[] words = commandLine.split(" ");
    for (int i = 0; i < words.length; i++) {
      String w = words[i];
      boolean pathValue = i > 0 && words[i - 1].startsWith("--") && List.of("--data", "--test", "--save", "--metrics",
          "--checkpoint", "--plot", "--init-model", "--resume", "--model", "--out", "--json", "--csv")
          .contains(words[i - 1]);
      args.add(pathValue ? dir + "/" + w : w);
    }
    if (args.get(0).equals("train") || args.get(0).equals("predict")) {
      args.add("--device");
      args.add("reference");
    }
    if (args.get(0).equals("train") && !args.contains("--epochs")) {
      args.add("--epochs");
      args.add("3");
    }
    return Cli.run(args.toArray(String[]::new));
  }

  /** Exit 2, one line on stderr naming the option(s) and every phrase, nothing trained (no stdout). */
  private static void assertRefused(Cli run, String option, String other, String... phrases) {
    assertEquals(2, run.exit(), run.toString());
    List<String> lines = run.err().lines().toList();
    assertEquals(1, lines.size(), "one line: " + run);
    String line = lines.get(0);
    assertTrue(line.contains(option), "names " + option + ": " + line);
    if (other != null) {
      assertTrue(line.contains(other), "names " + other + ": " + line);
    }
    for (String phrase : phrases) {
      assertTrue(line.contains(phrase), "'" + phrase + "' in: " + line);
    }
    assertFalse(line.contains("Exception") || line.contains("\tat "), "no stack trace: " + line);
    assertEquals("", run.out(), "refused before any training: " + run);
  }
}
