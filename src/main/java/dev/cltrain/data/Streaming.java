package dev.cltrain.data;

import dev.cltrain.core.InputException;

/**
 * Whether a data set is read whole into the heap or streamed from the row cache ({@code --stream}).
 *
 * @param mode  on, off, or auto: stream when the rows would not fit the heap
 * @param cache where the row cache lives and who hears of conversions
 */
public record Streaming(Mode mode, RowCache.Options cache) {
  /** Read whole into the heap, as before streaming existed. */
  public static final Streaming OFF = new Streaming(Mode.OFF, RowCache.Options.DEFAULT);

  /** {@code --stream}'s values. */
  public enum Mode {
    /** Stream when the rows would not fit the heap (said in one line). */
    AUTO,
    /** Always stream a CSV or IDX source. */
    ON,
    /** Never stream. */
    OFF;

    /**
     * @param text auto, on or off
     * @return the mode
     * @throws InputException naming {@code stream} for anything else
     */
    public static Mode parse(String text) {
      for (Mode m : values()) {
        if (m.name().equalsIgnoreCase(text)) {
          return m;
        }
      }
      throw InputException.parameter("stream", "must be auto, on or off, got '" + text + "'");
    }
  }

  /**
   * Checks nothing; null parts are the defaults.
   *
   * @param mode  the mode, null for off
   * @param cache the cache options, null for the default
   */
  public Streaming {
    mode = mode == null ? Mode.OFF : mode;
    cache = cache == null ? RowCache.Options.DEFAULT : cache;
  }

  /**
   * Reading a source into the heap takes about three times its rows' bytes at its peak (the growing arrays
   * and their final copy): auto streams when that would pass the heap's limit.
   */
  static final int PEAK_FACTOR = 3;

  /**
   * Whether to stream a source whose rows take about {@code bytes} bytes in memory; auto says why in a note.
   *
   * @param name  the source, for the note
   * @param bytes its rows' estimated bytes as float32
   * @return true to stream
   */
  boolean streams(String name, long bytes) {
    if (mode != Mode.AUTO) {
      return mode == Mode.ON;
    }
    long heap = Runtime.getRuntime().maxMemory();
    if (bytes > heap / PEAK_FACTOR) {
      cache.note("note: streaming " + name + " from the row cache (streaming auto: its rows take about "
          + bytes / 1_000_000 + " MB, over a third of the " + heap / 1_000_000 + " MB Java heap)");
      return true;
    }
    return false;
  }
}
