package dev.cltrain.cmd;

import dev.cltrain.core.InputException;
import dev.cltrain.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --metrics FILE}: one CSV row per measured epoch, written as training goes. The rows go to a temporary
 * file beside the target, which replaces the target (by a rename) as soon as the first row is written; each later
 * row is appended to the same file and flushed at once, so the rows survive a stop by a signal or a kill -9 and a
 * long run can be watched with {@code tail -f}. A run that writes no row (refused, failed before its first epoch)
 * leaves the target as it was.
 *
 * <p>A resumed run ({@link #open(Path, int)} with the checkpoint's epoch E) keeps the target's rows of the
 * epochs before E, as they are, and appends its own: a run stopped and resumed ends with the rows of a run never
 * stopped (the seconds go on from the last row kept). A row for epoch E or later, written after the checkpoint
 * by the stopped run, is dropped: the resumed run writes that epoch again.
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
public final class MetricsCsv implements AutoCloseable {
  /** Test hook: rows after which a write fails as on a full disk; −1 (the default) for never. */
  public static volatile int failAfterRows = -1;

  /** The header line, without the line end: the columns of every row. */
  public static final String HEADER = "epoch,loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,seconds";

  private final Path target;
  private final AtomicFiles.Temp temp;
  private final BufferedWriter writer;
  /** Seconds of the last row kept from the file a resumed run goes on with, added to this run's seconds. */
  private final double secondsBefore;
  /** What a resumed run found in the file, for a warning; null when nothing is amiss. */
  private final String note;
  private int rows;
  /** Whether the temporary file has replaced the target (at the first row, or at commit). */
  private boolean published;
  /** Bytes of whole rows written: a row that fails half-way is cut off here. */
  private long wholeRows;
  private boolean done;

  private MetricsCsv(Path target, AtomicFiles.Temp temp, double secondsBefore, String note) {
    this.target = target;
    this.temp = temp;
    this.writer = new BufferedWriter(Channels.newWriter(temp.channel(), StandardCharsets.UTF_8));
    this.secondsBefore = secondsBefore;
    this.note = note;
  }

  /**
   * {@link #open(Path, int)} for a run that starts at epoch 0.
   *
   * @param target the metrics file
   * @return the open file, holding the header
   */
  public static MetricsCsv open(Path target) {
    return open(target, 0);
  }

  /**
   * Checks that {@code target} can be written (see {@link AtomicFiles#checkWritable}), then creates the
   * temporary file beside it, locked while it is written, holding the header and, for a resumed run, the
   * target's rows of the epochs before {@code firstEpoch}. Throws {@link InputException} "--metrics FILE: ..."
   * when it cannot.
   *
   * @param target     the metrics file
   * @param firstEpoch the epoch the run starts at: 0, or a resumed checkpoint's
   * @return the open file, holding the header and any kept rows
   */
  public static MetricsCsv open(Path target, int firstEpoch) {
    AtomicFiles.checkWritable(target, "--metrics");
    List<String> kept = new ArrayList<>();
    String note = firstEpoch > 0 ? keptRows(target, firstEpoch, kept) : null;
    double secondsBefore = 0;
    if (!kept.isEmpty()) {
      String last = kept.get(kept.size() - 1);
      String seconds = last.substring(last.lastIndexOf(',') + 1);
      secondsBefore = seconds.isEmpty() ? 0 : Double.parseDouble(seconds);
    }
    AtomicFiles.Temp temp = null;
    try {
      temp = AtomicFiles.Temp.create(target);
      MetricsCsv csv = new MetricsCsv(target, temp, secondsBefore, note);
      csv.writer.write(HEADER);
      csv.writer.write('\n');
      for (String row : kept) {
        csv.writer.write(row);
        csv.writer.write('\n');
      }
      csv.writer.flush();
      csv.wholeRows = temp.channel().position();
      return csv;
    } catch (IOException e) {
      if (temp != null) {
        temp.close();
      }
      throw new InputException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Adds to {@code kept} the rows of {@code target} for the epochs before {@code firstEpoch}: the leading rows
   * after the header whose first cell is an epoch below it, rising, with all eight cells.
   *
   * @return a warning when fewer rows than {@code firstEpoch} were found, else null
   */
  private static String keptRows(Path target, int firstEpoch, List<String> kept) {
    List<String> lines = List.of();
    try {
      if (Files.isRegularFile(target)) {
        lines = Files.readAllLines(target, StandardCharsets.UTF_8);
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      lines = List.of();
    }
    boolean ours = !lines.isEmpty() && lines.get(0).equals(HEADER);
    int previous = -1;
    for (int i = 1; ours && i < lines.size(); i++) {
      String line = lines.get(i);
      String[] cells = line.split(",", -1);
      int epoch;
      try {
        epoch = Integer.parseInt(cells[0]);
        if (!cells[7].isEmpty()) {
          Double.parseDouble(cells[7]);
        }
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        break;
      }
      if (cells.length != 8 || epoch <= previous || epoch >= firstEpoch) {
        break;
      }
      kept.add(line);
      previous = epoch;
    }
    if (previous == firstEpoch - 1) {
      return null;
    }
    return "warning: --metrics " + target + (!Files.exists(target) ? " does not exist yet"
        : !ours ? " is not a metrics file (its first line is not the header)"
        : kept.isEmpty() ? " holds no rows before epoch " + firstEpoch
        : " holds rows up to epoch " + previous + " only") + ": the rows of the epochs before the checkpoint's "
        + firstEpoch + " are missing (a checkpoint keeps no per-epoch figures); it is written from epoch "
        + firstEpoch + " on";
  }

  /** {@return a warning about the rows a resumed run found in the file, or null} */
  public String note() {
    return note;
  }

  /**
   * Writes one row and flushes it; the first row's file replaces the target. A row that cannot be written whole
   * is cut off, so the file ends with the last whole row.
   *
   * @param r the epoch's figures
   * @throws InputException when the row cannot be written
   * @throws IllegalStateException when the file is already committed or closed
   */
  public void append(EpochRecord r) {
    if (done) {
      throw new IllegalStateException("metrics file " + target + " already committed or closed");
    }
    try {
      if (failAfterRows >= 0 && rows >= failAfterRows) {
        writer.write("0,0.5"); // half a row, as a full disk leaves it
        writer.flush();
        throw new IOException("No space left on device (test hook)");
      }
      rows++;
      writer.write(row(secondsBefore == 0 ? r : new EpochRecord(r.epoch(), r.loss(), r.trainAccuracy(), r.valLoss(),
          r.valAccuracy(), r.testLoss(), r.testAccuracy(), secondsBefore + r.seconds())));
      writer.write('\n');
      writer.flush();
      wholeRows = temp.channel().position();
      if (!published) {
        temp.commit();
        published = true;
      }
    } catch (IOException e) {
      cutToWholeRows();
      throw new InputException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  private void cutToWholeRows() {
    try {
      temp.channel().truncate(wholeRows);
    } catch (IOException | RuntimeException ignored) {
      // the file keeps what the failed write left; the run reports the failure
    }
  }

  /** {@return whether the target holds this run's file (a row was written, or it was committed)} */
  public boolean published() {
    return published;
  }

  /**
   * The CSV row for one record, without the line end.
   *
   * @param r the epoch's figures
   * @return the row, a value not measured as an empty cell
   */
  public static String row(EpochRecord r) {
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
   * Forces the file to disk and, if no row replaced the target yet, renames it over the target (the file then
   * holds the header, and a resumed run's rows kept); the temporary file stays locked until it has its new name.
   */
  public void commit() {
    if (done) {
      throw new IllegalStateException("metrics file " + target + " already committed or closed");
    }
    done = true;
    try {
      writer.flush();
      if (published) {
        temp.channel().force(true);
      } else {
        temp.commit();
        published = true;
      }
    } catch (IOException e) {
      throw new InputException("cannot write " + target + ": " + e.getMessage(), e);
    } finally {
      temp.close();
    }
  }

  /**
   * Without a {@link #commit()}: once a row was written the target keeps the rows written so far (a stopped
   * run's, for a resumed run to go on with); before, the temporary file is deleted and the target is untouched.
   */
  @Override
  public void close() {
    if (done) {
      return;
    }
    done = true;
    try {
      writer.flush();
    } catch (IOException e) {
      cutToWholeRows();
    }
    temp.close();
  }

  /**
   * The file rows are written to: the temporary file until the first row, then the target (for tests).
   *
   * @return that file's path
   */
  public Path tempFile() {
    return temp.path();
  }
}
