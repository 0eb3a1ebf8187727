package dev.cltrain.data;

import java.nio.file.Path;

/** Resolves {@code --data}: a built-in name (xor, and, or) or a CSV file. */
public final class DataSets {
  private DataSets() {}

  public static DataSet load(String spec, int targets) {
    if (Builtins.has(spec)) {
      return Builtins.get(spec);
    }
    return CsvReader.read(Path.of(spec), targets);
  }
}
