package dev.cltrain.cli;

import dev.cltrain.TrainingRun;
import java.util.ArrayList;
import java.util.List;

/**
 * SIGINT and SIGTERM during training: the first asks the trainer to stop after its current batch (the command
 * then writes its checkpoint, releases the device and exits 130 or 143); a second one exits at once. Uses
 * {@code sun.misc.Signal} (module jdk.unsupported, present in every JDK); where it is missing, the JVM's
 * default handling stays (exit without a checkpoint).
 */
final class StopSignals implements AutoCloseable {
  private final List<Object[]> previous = new ArrayList<>();
  private volatile String received;
  private TrainingRun run;

  private StopSignals() {}

  /** Handles INT and TERM for {@code run} until closed. */
  @SuppressWarnings("removal")
  static StopSignals install(TrainingRun run) {
    StopSignals signals = new StopSignals();
    signals.run = run;
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        sun.misc.Signal signal = new sun.misc.Signal(name);
        sun.misc.SignalHandler old = sun.misc.Signal.handle(signal, s -> {
          if (signals.received != null) {
            Runtime.getRuntime().halt(exitCode(s.getName()));
          }
          signals.received = s.getName();
          run.stopAfterBatch();
        });
        signals.previous.add(new Object[] {signal, old});
      } catch (IllegalArgumentException | LinkageError e) {
        // this platform does not let Java handle the signal: the default (exit) stays
      }
    }
    return signals;
  }

  /** "INT" or "TERM" once one arrived, else null. */
  /** As if {@code signal} (e.g. "TERM") had arrived: asks the run to stop after the current batch (tests). */
  void simulate(String signal) {
    received = signal;
    run.stopAfterBatch();
  }

  String received() {
    return received;
  }

  /** 130 for INT, 143 for TERM: 128 + the signal's number, as shells report a process it ended. */
  static int exitCode(String signal) {
    return "TERM".equals(signal) ? 143 : 130;
  }

  @Override
  @SuppressWarnings("removal")
  public void close() {
    for (Object[] p : previous) {
      try {
        sun.misc.Signal.handle((sun.misc.Signal) p[0], (sun.misc.SignalHandler) p[1]);
      } catch (IllegalArgumentException e) {
        // nothing to restore
      }
    }
  }
}
