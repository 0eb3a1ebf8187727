package dev.cltrain.cli;

import dev.cltrain.InputException;
import dev.cltrain.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code --metrics FILE}: one CSV row per measured epoch, written as training goes to a temporary file next to
 * the target (so a long run can be watched with {@code tail -f} on the temporary file), and renamed over the
 * target only by {@link #commit()}. Closing without committing deletes the temporary file: a failed or
 * interrupted run leaves the target as it was.
 *
 * <pre>
 * epoch,loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,seconds
 * 0,0.412345,0.884,,,,,1.234
 * </pre>
 *
 * Epochs are numbered from 0, as in the log ("Epoch 0, Loss: ..."). {@code val_} columns hold the validation
 * split's figures ({@code --validation-split}), {@code test_} columns the test set's; both when both exist.
 *
 * A value that was not measured ({@code NaN}) is an empty cell.
 */
final class MetricsCsv implements AutoCloseable {
  static final String HEADER = "epoch,loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,seconds";

  private final Path target;
  private final AtomicFiles.Temp temp;
  private final BufferedWriter writer;
  private boolean headerWritten;
  private int rows;
  private boolean done;

  private MetricsCsv(Path target, AtomicFiles.Temp temp) {
    this.target = target;
    this.temp = temp;
    this.writer = new BufferedWriter(Channels.newWriter(temp.channel(), StandardCharsets.UTF_8));
  }

  /**
   * Checks that {@code target} can be written (see {@link AtomicFiles#checkWritable}), then creates the
   * temporary file beside it, locked while it is written. Throws {@link InputException} "--metrics FILE: ..."
   * when it cannot.
   */
  static MetricsCsv open(Path target) {
    AtomicFiles.checkWritable(target, "--metrics");
    try {
      return new MetricsCsv(target, AtomicFiles.Temp.create(target.toAbsolutePath()));
    } catch (IOException e) {
      throw new InputException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /** Writes one row (the header first, before the first row) and flushes it. */
  void append(EpochRecord r) {
    if (done) {
      throw new IllegalStateException("metrics file " + target + " already committed or closed");
    }
    try {
      if (TestHooks.metricsFailAfterRows >= 0 && rows >= TestHooks.metricsFailAfterRows) {
        throw new IOException("No space left on device (test hook)");
      }
      if (!headerWritten) {
        writer.write(HEADER);
        writer.write('\n');
        headerWritten = true;
      }
      rows++;
      writer.write(row(r));
      writer.write('\n');
      writer.flush();
    } catch (IOException e) {
      throw new InputException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /** The CSV row for one record, without the line end. */
  static String row(EpochRecord r) {
    return r.epoch()
        + "," + significant(r.loss())
        + "," + significant(r.trainAccuracy())
        + "," + significant(r.valLoss())
        + "," + significant(r.valAccuracy())
        + "," + significant(r.testLoss())
        + "," + significant(r.testAccuracy())
        + "," + (Double.isNaN(r.seconds()) ? "" : String.format(Locale.ROOT, "%.3f", r.seconds()));
  }

  /** 6 significant digits, no exponent for ordinary magnitudes; NaN is an empty cell. */
  private static String significant(double v) {
    if (Double.isNaN(v)) {
      return "";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    if (v == 0) {
      return "0";
    }
    double magnitude = Math.abs(v);
    if (magnitude >= 1e-4 && magnitude < 1e15) {
      int digitsBeforePoint = (int) Math.floor(Math.log10(magnitude)) + 1;
      int decimals = Math.max(0, 6 - digitsBeforePoint);
      return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
    return String.format(Locale.ROOT, "%.5e", v);
  }

  /**
   * Writes the header even if no row was appended, forces the file to disk and renames it over the target (the
   * temporary file stays locked until it has its new name).
   */
  void commit() {
    if (done) {
      throw new IllegalStateException("metrics file " + target + " already committed or closed");
    }
    done = true;
    try {
      if (!headerWritten) {
        writer.write(HEADER);
        writer.write('\n');
        headerWritten = true;
      }
      writer.flush();
      temp.commit();
    } catch (IOException e) {
      throw new InputException("cannot write " + target + ": " + e.getMessage(), e);
    } finally {
      temp.close();
    }
  }

  /** Without a {@link #commit()}: deletes the temporary file and leaves the target untouched. */
  @Override
  public void close() {
    if (done) {
      return;
    }
    done = true;
    temp.close();
  }

  /** The temporary file rows are written to until {@link #commit()} (for tests and for watching a run). */
  Path tempFile() {
    return temp.path();
  }
}
