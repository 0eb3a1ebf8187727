package dev.cltrain.data;

import dev.cltrain.core.InputException;

/**
 * Whether a data set is read whole into the heap or streamed from the row cache ({@code --stream}).
 *
 * @param mode    on, off, or auto: stream when the rows would not fit the heap, or the device
 * @param cache   where the row cache lives and who hears of conversions
 * @param devices the devices the rows would be uploaded to whole (asked only when auto must decide and the heap
 *     holds the rows), or null for none (the Java reference: its memory is the heap)
 */
public record Streaming(Mode mode, RowCache.Options cache,
    java.util.function.Supplier<java.util.List<DeviceLimit>> devices) {
  /** Read whole into the heap, as before streaming existed. */
  public static final Streaming OFF = new Streaming(Mode.OFF, RowCache.Options.DEFAULT);

  /**
   * What a device holds, as the refusal before a run that does not fit it counts it.
   *
   * @param device      the device's id, for the note
   * @param memoryBytes its memory for buffers (OpenCL's CL_DEVICE_GLOBAL_MEM_SIZE)
   * @param bufferBytes its largest single buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE)
   */
  public record DeviceLimit(String device, long memoryBytes, long bufferBytes) {}

  /**
   * No devices to fit: auto decides by the heap alone.
   *
   * @param mode  the mode, null for off
   * @param cache the cache options, null for the default
   */
  public Streaming(Mode mode, RowCache.Options cache) {
    this(mode, cache, null);
  }

  /** {@code --stream}'s values. */
  public enum Mode {
    /** Stream when the rows would not fit the heap (said in one line). */
    AUTO,
    /** Always stream a CSV, IDX or image folder source. */
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
   * @param mode    the mode, null for off
   * @param cache   the cache options, null for the default
   * @param devices the devices to fit, or null
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
    String why = autoReason(bytes, Runtime.getRuntime().maxMemory(), devices);
    if (why != null) {
      cache.note("note: streaming " + name + " from the row cache (streaming auto: its rows take about "
          + bytes / 1_000_000 + " MB, " + why + ")");
    }
    return why != null;
  }

  /**
   * {@code --stream auto}'s rule: rows that would take over a third of the heap read whole ({@link #PEAK_FACTOR}),
   * or more than a device's memory, or more than the largest buffer it allocates (the inputs of a resident set are
   * one buffer), are streamed.
   *
   * @param bytes   the rows' estimated bytes as float32
   * @param heap    the Java heap's limit in bytes
   * @param devices the devices the rows would be uploaded to, asked only when the heap holds them; or null
   * @return the limit the rows pass, as the note says it ("over ..."), or null to read them whole
   */
  static String autoReason(long bytes, long heap, java.util.function.Supplier<java.util.List<DeviceLimit>> devices) {
    if (bytes > heap / PEAK_FACTOR) {
      return "over a third of the " + heap / 1_000_000 + " MB Java heap";
    }
    for (DeviceLimit d : devices == null ? java.util.List.<DeviceLimit>of() : devices.get()) {
      if (bytes > d.memoryBytes()) {
        return "over the " + d.memoryBytes() / 1_000_000 + " MB of memory of " + d.device();
      }
      if (bytes > d.bufferBytes()) {
        return "over the largest buffer " + d.device() + " allocates, " + d.bufferBytes() / 1_000_000 + " MB";
      }
    }
    return null;
  }
}
