package dev.cltrain;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering the README states, checked on the sources: the CLI is built on the public API only (dev.cltrain
 * and its value packages nn, data, io, device, bench), never on the internals (backend, reference, opencl,
 * train); only dev.cltrain.opencl (and the CLBlast row of the gemm bench) touches JOCL.
 */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java/dev/cltrain");
  private static final List<String> INTERNAL = List.of("backend", "reference", "opencl", "train");
  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.cltrain\\.([a-z]+)\\.[A-Za-z]");

  @Test
  void theCliUsesThePublicApiOnly() throws IOException {
    List<String> offences = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN.resolve("cli"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = REFERENCE.matcher(Files.readString(file));
        while (m.find()) {
          if (INTERNAL.contains(m.group(1))) {
            offences.add(file.getFileName() + " uses dev.cltrain." + m.group(1));
          }
        }
      }
    }
    assertTrue(offences.isEmpty(), "the CLI reaches past the public API: " + offences);
  }

  @Test
  void onlyTheOpenClPackageImportsJocl() throws IOException {
    List<String> offences = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        if (file.startsWith(MAIN.resolve("opencl"))) {
          continue;
        }
        if (Files.readString(file).contains("org.jocl")) {
          offences.add(MAIN.relativize(file).toString());
        }
      }
    }
    assertTrue(offences.isEmpty(), "JOCL outside dev.cltrain.opencl: " + offences);
  }
}
