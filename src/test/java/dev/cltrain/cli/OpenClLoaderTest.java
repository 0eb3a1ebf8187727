package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cltrain.opencl.ClRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenCL ICD loader as Debian's {@code ocl-icd-libopencl1} installs it: {@code libOpenCL.so.1} with no
 * unversioned {@code libOpenCL.so} (that link comes only with the -dev package). JOCL 2.0.6 falls back to the
 * versioned name; 2.0.5 did not, and found no OpenCL at all. The machine's own library folder is left as it is:
 * a child process in its own mount namespace ({@code unshare -m}) lays an overlay over that folder in which
 * {@code libOpenCL.so} is deleted (a whiteout), and runs {@code cltrain devices} there. Needs root (CI runs as root);
 * skipped elsewhere, and where this machine has no OpenCL device to find.
 */
class OpenClLoaderTest {
  private static final List<Path> LIBRARY_FOLDERS =
      List.of(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib/aarch64-linux-gnu"), Path.of("/usr/lib64"), Path.of("/usr/lib"));

  @TempDir
  Path dir;

  @Test
  void devicesAreFoundThroughLibOpenClSo1AloneWithoutTheUnversionedLink() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root for a private mount namespace");
    assumeTrue(!ClRuntime.discover().devices().isEmpty(), "no OpenCL device on this machine to look for");
    Path folder = LIBRARY_FOLDERS.stream().filter(f -> Files.exists(f.resolve("libOpenCL.so.1"))).findFirst().orElse(null);
    assumeTrue(folder != null, "no libOpenCL.so.1 in " + LIBRARY_FOLDERS);
    Path upper = Files.createDirectories(dir.resolve("upper"));
    Path work = Files.createDirectories(dir.resolve("work"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // mknod c 0 0 in the upper layer: overlayfs's whiteout, the lower layer's libOpenCL.so is gone in the namespace
    String script = "set -e; mknod \"$UPPER/libOpenCL.so\" c 0 0; "
        + "mount -t overlay overlay -o \"lowerdir=$LIB,upperdir=$UPPER,workdir=$WORK\" \"$LIB\" || exit 77; "
        + "if [ -e \"$LIB/libOpenCL.so\" ]; then echo 'libOpenCL.so still there' >&2; exit 78; fi; "
        + "exec \"$JAVA\" -cp \"$CP\" " + Main.class.getName() + " devices";
    ProcessBuilder pb = new ProcessBuilder("unshare", "-m", "sh", "-c", script).directory(dir.toFile());
    pb.environment().putAll(Map.of("UPPER", upper.toString(), "WORK", work.toString(), "LIB", folder.toString(),
        "JAVA", java, "CP", System.getProperty("java.class.path")));
    pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
    Process p;
    try {
      p = pb.start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "no unshare command: " + e.getMessage());
      return;
    }
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "cltrain devices in the namespace finished within 120 s");
    String out = Files.readString(dir.resolve("out"), StandardCharsets.UTF_8);
    String err = Files.readString(dir.resolve("err"), StandardCharsets.UTF_8);
    assumeTrue(p.exitValue() != 77, "this kernel or container allows no overlay mount: " + err);
    assertEquals(0, p.exitValue(), "exit code; stdout:\n" + out + "stderr:\n" + err);
    assertTrue(out.lines().anyMatch(l -> l.contains(" cl:0:0 ")),
        "an OpenCL device listed with only libOpenCL.so.1 present; stdout:\n" + out + "stderr:\n" + err);
  }
}
