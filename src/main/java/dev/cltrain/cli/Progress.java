package dev.cltrain.cli;

import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The training progress bar on stderr: batches done out of epochs × batches per epoch, batches/s, ETA, and
 * "epoch 3/20 batch 120/469 loss 0.4123". Disabled (when stderr is not a terminal, or asked to), every method
 * does nothing, so the training loop calls it unconditionally.
 */
final class Progress implements AutoCloseable {
  /** How often the bar is redrawn, and the least time between two reads of the running loss. */
  static final int UPDATE_MILLIS = 200;

  private static final Progress DISABLED = new Progress(null, null, 0, 0, System::nanoTime);

  private final ProgressBar bar;
  private final LineEnding line;
  private final int epochs;
  private final int batchesPerEpoch;
  private final LongSupplier nanoClock;
  private long lastLossRead;
  private boolean lossRead;
  private String lossText = "";
  private boolean closed;

  private Progress(ProgressBar bar, LineEnding line, int epochs, int batchesPerEpoch, LongSupplier nanoClock) {
    this.bar = bar;
    this.line = line;
    this.epochs = epochs;
    this.batchesPerEpoch = batchesPerEpoch;
    this.nanoClock = nanoClock;
  }

  /** A bar over {@code epochs × batchesPerEpoch} batches on {@link System#err} when enabled, else a no-op. */
  static Progress create(boolean enabled, int epochs, int batchesPerEpoch) {
    return create(enabled, epochs, batchesPerEpoch, System.err, 0);
  }

  /**
   * As {@link #create(boolean, int, int)}, drawing on {@code out}, at most {@code width} characters wide
   * (0: the terminal's width, 80 when it cannot be found).
   */
  static Progress create(boolean enabled, int epochs, int batchesPerEpoch, PrintStream out, int width) {
    return create(enabled, epochs, batchesPerEpoch, out, width, System::nanoTime);
  }

  /** As above, timing the loss reads with {@code nanoClock} (a stand-in for {@link System#nanoTime()} in tests). */
  static Progress create(boolean enabled, int epochs, int batchesPerEpoch, PrintStream out, int width,
      LongSupplier nanoClock) {
    if (!enabled) {
      return DISABLED;
    }
    LineEnding line = new LineEnding(
        width > 0 ? new ConsoleProgressBarConsumer(out, width) : new ConsoleProgressBarConsumer(out));
    ProgressBar bar = new ProgressBarBuilder()
        .setTaskName("train")
        .setInitialMax((long) epochs * batchesPerEpoch)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(UPDATE_MILLIS)
        .setUnit(" batches", 1)
        .showSpeed()
        .setSpeedUnit(ChronoUnit.SECONDS)
        .setConsumer(line)
        .build();
    return new Progress(bar, line, epochs, batchesPerEpoch, nanoClock);
  }

  /** Whether this draws anything. */
  boolean enabled() {
    return bar != null;
  }

  /**
   * One batch done: advances the bar by one and shows where training is. {@code epoch} counts from 1 to
   * epochs and {@code batch} from 1 to batchesPerEpoch, as displayed. {@code runningLoss} is read at most
   * once every {@value #UPDATE_MILLIS} ms (it may wait for the device), on the calling thread.
   */
  void batch(int epoch, int batch, Supplier<Float> runningLoss) {
    if (bar == null || closed) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (runningLoss != null && (!lossRead || now - lastLossRead >= UPDATE_MILLIS * 1_000_000L)) {
      Float loss = runningLoss.get();
      lossRead = true;
      lastLossRead = now;
      lossText = loss == null ? "" : String.format(Locale.ROOT, " loss %.4f", loss);
    }
    bar.step();
    bar.setExtraMessage(" epoch " + epoch + "/" + epochs + " batch " + batch + "/" + batchesPerEpoch + lossText);
  }

  /** Draws the bar a last time and ends its line; does nothing when disabled or already closed. */
  @Override
  public void close() {
    if (bar != null && !closed) {
      closed = true;
      bar.close();
      // progressbar 0.10.1 skips ending the line when close() comes before its first scheduled redraw
      line.close();
    }
  }

  /** The console consumer, ending the bar's line exactly once however the library's close races. */
  private static final class LineEnding implements ProgressBarConsumer {
    private final ProgressBarConsumer console;
    private final AtomicBoolean ended = new AtomicBoolean();

    LineEnding(ProgressBarConsumer console) {
      this.console = console;
    }

    @Override
    public int getMaxRenderedLength() {
      return console.getMaxRenderedLength();
    }

    @Override
    public void accept(String rendered) {
      console.accept(rendered);
    }

    @Override
    public void clear() {
      console.clear();
    }

    @Override
    public void close() {
      if (ended.compareAndSet(false, true)) {
        console.close();
      }
    }
  }

  /** Whether a person is watching: a console and a terminal that can redraw a line. */
  static boolean onTerminal() {
    return System.console() != null && !"dumb".equals(System.getenv("TERM"));
  }
}
