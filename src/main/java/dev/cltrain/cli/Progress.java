package dev.cltrain.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;

/**
 * The training progress bar on stderr, one line redrawn in place: percentage, bar, batches done out of
 * epochs × batches per epoch, "epoch 3/20 batch 120/469 loss 0.4123", batches/s and ETA. It fits the
 * terminal's width: below {@value #FULL_WIDTH} columns a short form (no task name, no batch count or speed)
 * keeps the epoch, batch, loss and ETA, and the line is cut rather than wrapped. It is drawn on the calling
 * thread only (no timer thread), so {@link #clear()} before a log line leaves nothing that could be redrawn
 * into it; the next {@link #batch} draws the bar again below that line. Disabled (when stderr is not a
 * terminal, or asked to), every method does nothing, so the training loop calls it unconditionally.
 */
final class Progress implements AutoCloseable {
  /** How often the bar is redrawn, and the least time between two reads of the running loss. */
  static final int UPDATE_MILLIS = 200;
  /** Terminals at least this wide get the full form; narrower ones the short form. */
  static final int FULL_WIDTH = 100;
  /** Erases from the cursor to the end of the line (ANSI EL). */
  static final String CLEAR_TO_END = "\033[K";

  private static final Progress DISABLED = new Progress(null, 0, 0, 0, System::nanoTime);

  private final PrintStream out;
  private final int width;
  private final int epochs;
  private final int batchesPerEpoch;
  private final long total;
  private final LongSupplier nanoClock;
  private final long start;
  private long done;
  /** When the first batch was done: the rate is measured from there (the first batch carries the warm-up). */
  private long firstDoneAt;
  private int epoch;
  private int batch;
  private long lastLossRead;
  private boolean lossRead;
  private String lossText = "";
  private long lastDraw;
  private boolean drawn;
  private boolean everDrawn;
  private boolean closed;

  private Progress(PrintStream out, int width, int epochs, int batchesPerEpoch, LongSupplier nanoClock) {
    this.out = out;
    this.width = width;
    this.epochs = epochs;
    this.batchesPerEpoch = batchesPerEpoch;
    this.total = Math.max(1L, (long) epochs * batchesPerEpoch);
    this.nanoClock = nanoClock;
    this.start = nanoClock.getAsLong();
  }

  /**
   * A bar over {@code epochs × batchesPerEpoch} batches on stderr when enabled, else a no-op. Stderr is
   * {@link System#err}, or the file named by the system property {@code cltrain.progress.to} (the launcher
   * names the terminal's own stderr there, {@code /dev/fd/3}, since its filter delays what the JVM writes to
   * fd 2 behind stdout and the bar must stay in step with the log lines on stdout).
   */
  static Progress create(boolean enabled, int epochs, int batchesPerEpoch) {
    return create(enabled, epochs, batchesPerEpoch, enabled ? stderr() : System.err, 0);
  }

  private static PrintStream stderr() {
    String to = System.getProperty("cltrain.progress.to");
    if (to != null && !to.isEmpty()) {
      try {
        return new PrintStream(new FileOutputStream(to, true), false, StandardCharsets.UTF_8);
      } catch (IOException | SecurityException e) {
        // not there (e.g. run without the launcher's fd 3): draw on System.err as usual
      }
    }
    return System.err;
  }

  /**
   * As {@link #create(boolean, int, int)}, drawing on {@code out}, at most {@code width} characters wide
   * (0: the terminal's width less one column, 79 when it cannot be found).
   */
  static Progress create(boolean enabled, int epochs, int batchesPerEpoch, PrintStream out, int width) {
    return create(enabled, epochs, batchesPerEpoch, out, width, System::nanoTime);
  }

  /** As above, timing redraws and loss reads with {@code nanoClock} (a stand-in for {@link System#nanoTime()} in tests). */
  static Progress create(boolean enabled, int epochs, int batchesPerEpoch, PrintStream out, int width,
      LongSupplier nanoClock) {
    if (!enabled) {
      return DISABLED;
    }
    return new Progress(out, width > 0 ? width : terminalWidth(), epochs, batchesPerEpoch, nanoClock);
  }

  /** The terminal's width less one column (a line that fills the last column wraps on some terminals). */
  private static int terminalWidth() {
    try {
      // progressbar's console consumer asks JLine for the width (80 when unknown) and keeps one column free
      int w = new ConsoleProgressBarConsumer(System.err).getMaxRenderedLength();
      return w > 10 ? w : 79;
    } catch (RuntimeException | LinkageError e) {
      return 79;
    }
  }

  /** Whether this draws anything. */
  boolean enabled() {
    return out != null;
  }

  /**
   * One batch done: advances the bar by one and shows where training is. {@code epoch} counts from 1 to
   * epochs and {@code batch} from 1 to batchesPerEpoch, as displayed. {@code runningLoss} is read at most
   * once every {@value #UPDATE_MILLIS} ms (it may wait for the device), on the calling thread; the bar is
   * drawn at the first batch and redrawn as often.
   */
  void batch(int epoch, int batch, Supplier<Float> runningLoss) {
    if (out == null || closed) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (runningLoss != null && (!lossRead || now - lastLossRead >= UPDATE_MILLIS * 1_000_000L)) {
      Float loss = runningLoss.get();
      lossRead = true;
      lastLossRead = now;
      lossText = loss == null ? "" : " loss " + Format.fixed(loss, 4);
    }
    done++;
    if (done == 1) {
      firstDoneAt = now;
    }
    this.epoch = epoch;
    this.batch = batch;
    if (!everDrawn || now - lastDraw >= UPDATE_MILLIS * 1_000_000L) {
      draw(now);
    }
  }

  /**
   * Erases the bar's line, so that a log line written next starts at the left margin on a clean line; call
   * it before printing anything to the terminal while the bar is shown. Does nothing when nothing is drawn.
   * The bar comes back {@value #UPDATE_MILLIS} ms later at the earliest, so that a line on another stream (a
   * warning through the launcher's stderr filter) has reached the terminal before it.
   */
  void clear() {
    if (out != null && drawn) {
      out.print("\r" + CLEAR_TO_END);
      out.flush();
      drawn = false;
      lastDraw = nanoClock.getAsLong();
    }
  }

  private void draw(long now) {
    out.print("\r" + render(now) + CLEAR_TO_END);
    out.flush();
    lastDraw = now;
    drawn = true;
    everDrawn = true;
  }

  /** The bar's line at this moment, at most {@code width} characters. */
  String render(long now) {
    double seconds = Math.max(1e-9, (now - start) / 1e9);
    double rate = done / seconds;
    // The ETA from the batches after the first: the first one carries kernel builds, tuning and the JIT's warm-up
    // (a first ETA of hours for a run of minutes); until a second batch is done it is unknown
    String eta = done < 2 || now <= firstDoneAt ? "?" : duration((total - done) / ((done - 1) / ((now - firstDoneAt) / 1e9)));
    String percent = String.format(Locale.ROOT, "%3d%%", done * 100 / total);
    String where = " epoch " + epoch + "/" + epochs + " batch " + batch + "/" + batchesPerEpoch + lossText;
    String head;
    String tail;
    if (width >= FULL_WIDTH) {
      head = "train " + percent;
      tail = " " + done + "/" + total + where + String.format(Locale.ROOT, " %.1f batches/s", rate) + " ETA " + eta;
    } else {
      head = percent;
      tail = where + " ETA " + eta;
    }
    int barWidth = Math.min(40, width - head.length() - tail.length() - 3);
    String line = barWidth >= 5 ? head + " [" + bar(barWidth) + "]" + tail : head + tail;
    return line.length() <= width ? line : line.substring(0, width);
  }

  private String bar(int barWidth) {
    int filled = (int) (barWidth * done / total);
    StringBuilder b = new StringBuilder(barWidth);
    for (int i = 0; i < barWidth; i++) {
      b.append(i < filled ? '=' : i == filled ? '>' : ' ');
    }
    return b.toString();
  }

  private static String duration(double seconds) {
    long s = Math.round(Math.max(0, seconds));
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  /** Draws the bar a last time and ends its line; does nothing when disabled, already closed or never drawn. */
  @Override
  public void close() {
    if (out != null && !closed) {
      closed = true;
      if (everDrawn) {
        draw(nanoClock.getAsLong());
        out.println();
        out.flush();
        drawn = false;
      }
    }
  }

  /**
   * Whether a person is watching stderr: the system property {@code cltrain.stderr.tty} when set (the
   * launcher sets it, since its stderr filter makes the JVM's stderr a pipe), else whether file descriptor 2
   * is a terminal device (on Linux, from /proc), else whether the JVM has a console; and a terminal that can
   * redraw a line (TERM is not "dumb").
   */
  static boolean onTerminal() {
    if ("dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    String told = System.getProperty("cltrain.stderr.tty");
    if (told != null) {
      return Boolean.parseBoolean(told);
    }
    Boolean fd2 = stderrIsTerminal(Path.of("/proc/self/fd/2"));
    return fd2 != null ? fd2 : System.console() != null;
  }

  /** Whether {@code link} (a /proc file-descriptor link) names a terminal device; null when it cannot be read. */
  static Boolean stderrIsTerminal(Path link) {
    try {
      String target = Files.readSymbolicLink(link).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }
}
