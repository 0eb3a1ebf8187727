package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

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
    assertTrue(drawn.contains("batches/s epoch 2/2 batch 3/3 loss 0.4123"), drawn);
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
}
