package dev.cltrain.cmd;

import dev.cltrain.data.CsvLayout;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --label}, {@code --ignore} and {@code --missing}: which CSV columns are labels, which are left out, and
 * what a missing cell does. One mixin for train, eval, predict and SparkTrain; the grammar is {@link CsvLayout}'s.
 */
public final class CsvOptions {
  /** {@code --label}: the label columns, by number or header name; null when not given. */
  @Option(names = "--label", split = ",", paramLabel = "COLUMN",
      description = "CSV: the label column, by number (1 for the first) or by its name in the header; several "
          + "(--label a,b) for several targets. Default: the last column (the last K with --targets K).")
  public List<String> label;

  /** {@code --ignore}: the columns not read, by number or header name; null when not given. */
  @Option(names = "--ignore", split = ",", paramLabel = "COLUMN",
      description = "CSV: columns not to read (an id, a date, free text), by number or header name; the other "
          + "columns but the label are the inputs.")
  public List<String> ignore;

  /** {@code --missing}: {@code error} or {@code drop}; null when not given. */
  @Option(names = "--missing", paramLabel = "error|drop",
      description = "CSV: a missing cell (empty, NA, N/A, #N/A, null, None) is an error naming its line and column "
          + "(default: error), or drop leaves its row out.")
  public String missing;

  /** @return the layout these options give (validated) */
  public CsvLayout layout() {
    return CsvLayout.of(label, ignore, missing);
  }

  /** @return whether --label names columns */
  public boolean hasLabel() {
    return label != null && !label.isEmpty();
  }
}
