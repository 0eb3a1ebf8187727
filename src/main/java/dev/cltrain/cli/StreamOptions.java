package dev.cltrain.cli;

import dev.cltrain.data.RowCache;
import dev.cltrain.data.Streaming;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** {@code --stream} and {@code --cache}: whether and where a data set's rows are streamed (train, bench, eval, predict). */
final class StreamOptions {
  @Option(names = "--stream", paramLabel = "auto|on|off", description = "Stream a CSV's, an IDX folder's or an image folder's rows from the row cache "
      + "(converted once into a binary float32 file, memory-mapped) rather than read them whole into the heap: on, off, "
      + "or auto (default), which streams when the rows would take over a third of the Java heap, or more than the "
      + "device's memory or largest buffer, and says which. Streamed rows give the same numbers as in memory.")
  String stream;

  @Option(names = "--cache", paramLabel = "DIR", description = "The row cache's folder (default: $CLTRAIN_CACHE/rows, "
      + "else $XDG_CACHE_HOME/cltrain/rows, else ~/.cache/cltrain/rows).")
  Path cache;

  /**
   * @param progress hears the conversions' lines and auto's note
   * @param devices  the devices the rows would be uploaded to ({@link DeviceOptions#limits}), or null
   * @return the streaming these options ask for
   */
  Streaming streaming(Consumer<String> progress, Supplier<List<Streaming.DeviceLimit>> devices) {
    return new Streaming(stream == null ? Streaming.Mode.AUTO : Streaming.Mode.parse(stream),
        new RowCache.Options(cache, progress), devices);
  }
}
