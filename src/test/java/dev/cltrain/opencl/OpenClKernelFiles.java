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
}
