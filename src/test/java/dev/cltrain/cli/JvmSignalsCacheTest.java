package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cltrain.opencl.JvmSignals;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JNI signal library's cached copy (issue 23): a copy damaged but of the right size is found before it is
 * loaded and written again. Child JVMs with their own cache folder ({@code -Dcltrain.cache}), since a JVM loads
 * the library once.
 */
class JvmSignalsCacheTest {
  @TempDir
  Path dir;

  @Test
  void aDamagedCachedCopyOfTheRightSizeIsRewrittenAndTheNextRunLoadsIt() throws Exception {
    String resource = "/native/linux-" + System.getProperty("os.arch") + "/libcltrain-jvmsignals.so";
    byte[] library;
    try (InputStream in = JvmSignals.class.getResourceAsStream(resource)) {
      assumeTrue(in != null && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
          resource + " is not in this build (JvmSignalsTest says why)");
      library = in.readAllBytes();
    }
    Path cache = Files.createDirectories(dir.resolve("cache"));
    List<String> options = List.of("-Dcltrain.cache=" + cache);
    Cli first = Cli.runInChild(options, dir, "devices"); // discovery loads the library first
    assertEquals(0, first.exit(), first.toString());
    Path copy;
    try (Stream<Path> files = Files.list(cache)) {
      copy = files.filter(f -> f.getFileName().toString().startsWith("libcltrain-jvmsignals-")).findFirst().orElseThrow();
    }
    assertArrayEquals(library, Files.readAllBytes(copy), "the first run's copy");

    Files.write(copy, new byte[library.length]); // same size, every byte zero: not a library
    Cli second = Cli.runInChild(options, dir, "devices");
    assertEquals(0, second.exit(), second.toString());
    assertFalse(second.err().contains("could not load"), "the library loaded: " + second);
    assertArrayEquals(library, Files.readAllBytes(copy), "the damaged copy was written again");
  }
}
