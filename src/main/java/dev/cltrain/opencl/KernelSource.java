package dev.cltrain.opencl;

import dev.cltrain.core.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where kernel sources come from: the {@code /kernels/} classpath resources packaged into the jar, or a
 * folder given with {@code --kernels DIR} (same file names), so kernels can be edited without a rebuild.
 */
public final class KernelSource {
  private final Path folder; // null: classpath

  private KernelSource(Path folder) {
    this.folder = folder;
  }

  /**
   * Sources packaged in the jar (the repository's {@code kernels/} folder).
   *
   * @return a source reading the {@code /kernels/} classpath resources
   */
  public static KernelSource classpath() {
    return new KernelSource(null);
  }

  /**
   * Sources read from {@code folder}, e.g. {@code --kernels kernels}.
   *
   * @param folder the folder holding the .cl files under their usual names; not checked until a file is loaded
   * @return a source reading that folder
   */
  public static KernelSource folder(Path folder) {
    return new KernelSource(folder);
  }

  /**
   * Where a file of this name is read from, for messages.
   *
   * @param file a kernel file name, e.g. "matmul.cl"
   * @return e.g. "classpath:/kernels/matmul.cl", or the path in the folder
   */
  public String describe(String file) {
    return folder == null ? "classpath:/kernels/" + file : folder.resolve(file).toString();
  }

  /**
   * The text of one kernel file, e.g. {@code load("matmul.cl")}; a missing file fails loudly, naming the path.
   *
   * @param file a kernel file name
   * @return the file's text, decoded as UTF-8
   * @throws dev.cltrain.core.InputException when a {@code --kernels} folder lacks the file or it cannot be read
   * @throws IllegalStateException when the jar lacks the file (a broken build)
   * @throws java.io.UncheckedIOException when the jar's copy cannot be read
   */
  public String load(String file) {
    if (folder == null) {
      try (InputStream in = KernelSource.class.getResourceAsStream("/kernels/" + file)) {
        if (in == null) {
          throw new IllegalStateException("kernel source not found: " + describe(file));
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read kernel source " + describe(file), e);
      }
    }
    try {
      return Files.readString(folder.resolve(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw InputException.parameter("kernels", folder + ": kernel source " + file + " not found");
    } catch (IOException e) {
      throw InputException.parameter("kernels", folder + ": cannot read " + file + " (" + e.getMessage() + ")");
    }
  }

  @Override
  public String toString() {
    return folder == null ? "classpath:/kernels" : folder.toString();
  }
}
