package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressTest {
  @Test
  void disabledProgressDrawsNothingAndNeverReadsTheLoss() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicInteger reads = new AtomicInteger();
    try (Progress progress = Progress.create(false, 3, 4, new PrintStream(bytes, true, StandardCharsets.UTF_8), 200)) {
      assertFalse(progress.enabled());
      for (int e = 1; e <= 3; e++) {
        for (int b = 1; b <= 4; b++) {
          progress.batch(e, b, () -> {
            reads.incrementAndGet();
            return 0.5f;
          });
        }
      }
    }
    assertEquals(0, reads.get(), "a disabled bar never costs a device sync");
    assertEquals(0, bytes.size());
  }

  @Test
  void disabledProgressOnSystemErrIsANoOp() {
    assertDoesNotThrow(() -> {
      try (Progress progress = Progress.create(false, 10, 100)) {
        progress.batch(1, 1, () -> 1f);
      }
    });
  }

  @Test
  void enabledProgressOverAFewBatchesShowsEpochBatchAndLossAndClosesCleanly() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicInteger reads = new AtomicInteger();
    try (Progress progress = Progress.create(true, 2, 3, new PrintStream(bytes, true, StandardCharsets.UTF_8), 200)) {
      assertTrue(progress.enabled());
      for (int e = 1; e <= 2; e++) {
        for (int b = 1; b <= 3; b++) {
          progress.batch(e, b, () -> {
            reads.incrementAndGet();
            return 0.4123f;
          });
        }
      }
    }
    String drawn = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(drawn.contains("train"), drawn);
    assertTrue(drawn.contains("6/6"), "all batches counted: " + drawn);
    assertTrue(drawn.contains("6/6 epoch 2/2 batch 3/3 loss 0.4123"), drawn);
    assertTrue(drawn.contains(" batches/s ETA "), drawn);
    assertTrue(reads.get() >= 1, "the loss was read for the first batch");
    assertTrue(reads.get() < 6, "six batches in well under 200 ms read the loss once, not per batch: " + reads.get());
  }

  @Test
  void enabledProgressOnSystemErrDoesNotThrowAndClosesTwiceSafely() {
    assertDoesNotThrow(() -> {
      Progress progress = Progress.create(true, 2, 2);
      for (int e = 1; e <= 2; e++) {
        for (int b = 1; b <= 2; b++) {
          progress.batch(e, b, () -> 0.25f);
        }
      }
      progress.close();
      progress.close();
    });
  }

  @Test
  void closingTwiceDrawsTheFinalBarOnce() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress progress = Progress.create(true, 1, 2, new PrintStream(bytes, true, StandardCharsets.UTF_8), 200);
    progress.batch(1, 1, () -> 0.5f);
    progress.batch(1, 2, () -> 0.5f);
    progress.close();
    int afterFirstClose = bytes.size();
    progress.close();
    assertEquals(afterFirstClose, bytes.size());
    assertEquals(1, bytes.toString(StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count(), "one line ended");
  }

  @Test
  void runningLossIsReadAgainOnceTwoHundredMillisecondsHavePassed() {
    AtomicInteger reads = new AtomicInteger();
    AtomicLong nanos = new AtomicLong(123_456_789L); // the bar's clock, moved by hand: no sleeping
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Progress progress = Progress.create(true, 1, 4, new PrintStream(bytes, true, StandardCharsets.UTF_8), 200,
        nanos::get)) {
      progress.batch(1, 1, () -> reads.incrementAndGet() * 1f);
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(Progress.UPDATE_MILLIS) - 1);
      progress.batch(1, 2, () -> reads.incrementAndGet() * 1f);
      assertEquals(1, reads.get(), "a nanosecond short of " + Progress.UPDATE_MILLIS + " ms: not read again");
      nanos.addAndGet(1);
      progress.batch(1, 3, () -> reads.incrementAndGet() * 1f);
      progress.batch(1, 4, () -> reads.incrementAndGet() * 1f);
    }
    assertEquals(2, reads.get());
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("loss 2.0000"), bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void onTerminalIsFalseUnderTheTestRunner() {
    // surefire forks without a console; a person at a terminal gets true
    assertFalse(Progress.onTerminal());
  }

  /** The frames drawn: the text between carriage returns, without the erase-to-end-of-line sequence. */
  private static java.util.List<String> frames(String drawn) {
    return java.util.Arrays.stream(drawn.replace(Progress.CLEAR_TO_END, "").split("[\r\n]"))
        .filter(f -> !f.isEmpty()).toList();
  }

  private static String drawAt(int width, AtomicLong nanos) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Progress progress = Progress.create(true, 20, 469, new PrintStream(bytes, true, StandardCharsets.UTF_8), width,
        nanos::get)) {
      for (int e = 1; e <= 20; e++) {
        for (int b = 1; b <= 469; b++) {
          nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(3));
          progress.batch(e, b, () -> 0.5199f);
        }
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void at80ColumnsTheShortFormFitsAndKeepsEpochBatchLossAndAVisibleBar() {
    // before: the full form at 80 columns had a bar of zero width and cut off the epoch and the loss
    String drawn = drawAt(79, new AtomicLong());
    java.util.List<String> frames = frames(drawn);
    assertTrue(frames.size() > 10, drawn);
    for (String f : frames) {
      assertTrue(f.length() <= 79, "fits 79 columns: " + f.length() + " '" + f + "'");
      assertTrue(f.matches(".*\\[[=> ]{5,}\\] epoch \\d+/20 batch \\d+/469 loss 0\\.5199 ETA (\\d+:\\d\\d|\\?)$"), f);
    }
    assertEquals("100% [=========================] epoch 20/20 batch 469/469 loss 0.5199 ETA 0:00",
        frames.get(frames.size() - 1));
  }

  @Test
  void theEtaLeavesOutTheFirstBatchWhichCarriesTheWarmUp() {
    // the first batch took 60 s (kernel builds, tuning), each later one 10 ms: 9,379 batches left are 94 s, not hours
    AtomicLong nanos = new AtomicLong();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Progress progress = Progress.create(true, 20, 469, new PrintStream(bytes, true, StandardCharsets.UTF_8), 79,
        nanos::get)) {
      nanos.addAndGet(TimeUnit.SECONDS.toNanos(60));
      progress.batch(1, 1, null);
      assertTrue(progress.render(nanos.get()).endsWith(" ETA ?"), "unknown after one batch: " + progress.render(nanos.get()));
      for (int b = 2; b <= 101; b++) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
        progress.batch(1, b, null);
      }
      String line = progress.render(nanos.get());
      assertTrue(line.endsWith(" ETA 1:33"), "(9380 - 101) batches at 10 ms each, ±1 s: " + line);
    }
  }

  @Test
  void at160ColumnsTheFullFormFits() {
    java.util.List<String> frames = frames(drawAt(159, new AtomicLong()));
    for (String f : frames) {
      assertTrue(f.length() <= 159, f);
      assertTrue(f.startsWith("train "), f);
    }
    assertTrue(frames.get(frames.size() - 1).matches(
        "train 100% \\[=+\\] 9380/9380 epoch 20/20 batch 469/469 loss 0\\.5199 \\d+\\.\\d batches/s ETA 0:00"),
        frames.get(frames.size() - 1));
  }

  @Test
  void veryNarrowTerminalsCutTheLineInsteadOfWrappingIt() {
    for (String f : frames(drawAt(30, new AtomicLong()))) {
      assertTrue(f.length() <= 30, f);
    }
  }

  @Test
  void clearErasesTheLineAndNothingIsDrawnUntilALaterBatch() {
    // before: a timer thread redrew the bar at any moment, into the middle of a log line
    AtomicLong nanos = new AtomicLong();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress progress = Progress.create(true, 2, 3, new PrintStream(bytes, true, StandardCharsets.UTF_8), 79,
        nanos::get);
    progress.batch(1, 1, () -> 0.5f);
    progress.clear();
    String cleared = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(cleared.endsWith("\r" + Progress.CLEAR_TO_END), cleared);
    progress.clear();
    progress.batch(1, 2, () -> 0.5f); // within 200 ms of the clear: a line on another stream may still be on its way
    assertEquals(cleared, bytes.toString(StandardCharsets.UTF_8), "nothing drawn after the clear yet");
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(Progress.UPDATE_MILLIS));
    progress.batch(1, 3, () -> 0.5f);
    assertTrue(bytes.toString(StandardCharsets.UTF_8).length() > cleared.length(), "drawn again below the log line");
    progress.close();
    assertTrue(bytes.toString(StandardCharsets.UTF_8).endsWith(Progress.CLEAR_TO_END + System.lineSeparator()));
  }

  @Test
  void aBarNeverDrawnWritesNothingOnClose() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress.create(true, 1, 2, new PrintStream(bytes, true, StandardCharsets.UTF_8), 79).close();
    assertEquals(0, bytes.size());
  }

  @Test
  void stderrIsATerminalOnlyWhenFileDescriptorTwoIsATerminalDevice(@TempDir Path dir) throws Exception {
    // before: System.console() (stdin and stdout) decided, so with 2>err.log the file filled with \r frames
    Path tty = Files.createSymbolicLink(dir.resolve("tty"), Path.of("/dev/pts/0"));
    Path file = Files.createSymbolicLink(dir.resolve("file"), dir.resolve("err.log"));
    Path pipe = Files.createSymbolicLink(dir.resolve("pipe"), Path.of("pipe:[12345]"));
    assertTrue(Progress.stderrIsTerminal(tty));
    assertFalse(Progress.stderrIsTerminal(file));
    assertFalse(Progress.stderrIsTerminal(pipe));
    assertNull(Progress.stderrIsTerminal(dir.resolve("missing")));
  }

  @Test
  void theLaunchersWordOnStderrWins() {
    String before = System.getProperty("cltrain.stderr.tty");
    try {
      System.setProperty("cltrain.stderr.tty", "false");
      assertFalse(Progress.onTerminal());
      System.setProperty("cltrain.stderr.tty", "true");
      assertEquals(!"dumb".equals(System.getenv("TERM")), Progress.onTerminal());
    } finally {
      if (before == null) {
        System.clearProperty("cltrain.stderr.tty");
      } else {
        System.setProperty("cltrain.stderr.tty", before);
      }
    }
  }

  @Test
  void afterTheLastBatchTheBarSaysTheFinalEvaluationIsUnderWay(@TempDir Path dir) throws Exception {
    // on a terminal (the launcher's property), a finished bar is followed by a line saying what comes next, not
    // by silence while a large network's forward passes run over every row
    Cli run = Cli.runInChild(java.util.List.of("-Dcltrain.stderr.tty=true"), dir, "train", "--data", "random:300x6x3",
        "--layers", "6,8,3", "--batch-size", "32", "--epochs", "2", "--device", "reference");
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.err().contains("evaluating the trained network on 300 rows (the final loss and accuracy) ..."),
        run.toString());
    Cli plain = Cli.runInChild(java.util.List.of("-Dcltrain.stderr.tty=false"), dir, "train", "--data", "random:300x6x3",
        "--layers", "6,8,3", "--batch-size", "32", "--epochs", "2", "--device", "reference");
    assertFalse(plain.err().contains("evaluating"), "no bar, no line: " + plain);
  }
}
