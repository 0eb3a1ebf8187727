package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The two jars as Java libraries are packaged: a stable module name, reproducible entries (every entry stamped with
 * {@code project.build.outputTimestamp}, the condition for two builds giving the same bytes, which
 * scripts/check-reproducible proves by building twice), and a CycloneDX bill of materials of the runnable jar that
 * names each library it carries.
 */
class PackagingIT {
  private static Path file(String property) {
    Path path = Path.of(System.getProperty(property, "")).toAbsolutePath();
    assertTrue(Files.isRegularFile(path), property + ": " + path + " is missing: this test runs after mvn package (mvn verify)");
    return path;
  }

  @Test
  void bothJarsNameTheirModuleAndStampEveryEntryWithTheBuildTimestamp() throws Exception {
    FileTime stamp = FileTime.from(Instant.parse(System.getProperty("cltrain.outputTimestamp")));
    for (Path jar : List.of(file("cltrain.jar"), file("cltrain.library.jar"))) {
      try (JarFile j = new JarFile(jar.toFile())) {
        assertEquals("dev.cltrain", j.getManifest().getMainAttributes().getValue("Automatic-Module-Name"), jar + " manifest");
        // the build's own entries carry the stamp; those the shade plugin copies from the libraries keep the times
        // their jars gave them, fixed and older: an entry later than the stamp is the build's clock
        List<String> ownOffStamp = j.stream().filter(e -> own(e.getName()) && !stamp.equals(e.getLastModifiedTime()))
            .map(JarEntry::getName).limit(5).toList();
        assertEquals(List.of(), ownOffStamp, jar + ": entries not stamped " + stamp + " (a build-time clock makes each build differ)");
        List<String> later = j.stream().filter(e -> e.getLastModifiedTime().compareTo(stamp) > 0).map(JarEntry::getName)
            .limit(5).toList();
        assertEquals(List.of(), later, jar + ": entries later than the stamp " + stamp + " (the build's clock)");
      }
    }
  }

  /** Whether a jar entry is the build's own (classes, kernels, the JNI library, the manifest), not a library's. */
  private static boolean own(String name) {
    return name.startsWith("dev/cltrain/") || name.startsWith("kernels/") || name.startsWith("native/")
        || name.equals("META-INF/MANIFEST.MF");
  }

  @Test
  void theBillOfMaterialsListsTheLibrariesTheRunnableJarCarriesAndNoProvidedOrTestOnes() throws Exception {
    // the CycloneDX plugin makes none when Maven runs offline (mvn -o); CI runs online and must have it
    org.junit.jupiter.api.Assumptions.assumeTrue("true".equalsIgnoreCase(System.getenv("CI"))
        || Files.exists(Path.of(System.getProperty("cltrain.sbom", ""))), "no bill of materials: Maven ran offline (-o)?");
    JsonNode bom = new ObjectMapper().readTree(file("cltrain.sbom").toFile());
    assertEquals("CycloneDX", bom.get("bomFormat").asText());
    Set<String> components = new TreeSet<>();
    bom.get("components").forEach(c -> components.add(c.get("group").asText() + ":" + c.get("name").asText()
        + ":" + c.get("version").asText()));
    assertTrue(components.contains("org.jocl:jocl:" + System.getProperty("cltrain.jocl.version")), components.toString());
    for (String carried : List.of("info.picocli:picocli:", "com.fasterxml.jackson.core:jackson-databind:", "org.slf4j:slf4j-api:")) {
      assertTrue(components.stream().anyMatch(c -> c.startsWith(carried)), carried + " in " + components);
    }
    for (String absent : List.of("org.apache.spark:", "org.junit.", "com.microsoft.onnxruntime:", "net.jqwik:")) {
      assertTrue(components.stream().noneMatch(c -> c.startsWith(absent)), "no " + absent + " in " + components);
    }
    // each carried library's classes are in the jar: the bill names what ships (spot check: JOCL, picocli)
    try (JarFile j = new JarFile(file("cltrain.jar").toFile())) {
      assertTrue(j.getEntry("org/jocl/CL.class") != null && j.getEntry("picocli/CommandLine.class") != null);
    }
  }
}
