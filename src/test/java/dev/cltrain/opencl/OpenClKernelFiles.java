package dev.cltrain.opencl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Copies the packaged kernel sources into a folder, for tests that pass --kernels DIR with an edited copy. */
public final class OpenClKernelFiles {
  private OpenClKernelFiles() {}

  public static void copyTo(Path dir) throws IOException {
    KernelSource packaged = KernelSource.classpath();
    for (String file : OpenClKernels.FILES) {
      Files.writeString(dir.resolve(file), packaged.load(file), StandardCharsets.UTF_8);
    }
    Files.writeString(dir.resolve(ClProgram.PRELUDE_FILE), packaged.load(ClProgram.PRELUDE_FILE), StandardCharsets.UTF_8);
  }

  /**
   * Copies the packaged kernel sources into {@code dir} with {@code from} replaced by {@code to} in {@code file}
   * (a sabotaged kernel for --kernels DIR); fails the test if {@code from} is not in the file.
   */
  public static void copyWithChange(Path dir, String file, String from, String to) throws IOException {
    copyTo(dir);
    String source = Files.readString(dir.resolve(file));
    org.junit.jupiter.api.Assertions.assertTrue(source.contains(from), "the line to break was found in " + file);
    Files.writeString(dir.resolve(file), source.replace(from, to));
  }
}
