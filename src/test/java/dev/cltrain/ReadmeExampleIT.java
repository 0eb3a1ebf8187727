package dev.cltrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's "Use from Java", as a library user meets it: installs the built library jar with its pom, makes a
 * separate Maven project that depends on {@code dev.cltrain:cltrain}, checks that the CLI's dependencies do not
 * reach it, then compiles and runs the README's Java block exactly as written, with plain {@code javac} and
 * {@code java} (no --add-modules, no LD_PRELOAD). Runs after {@code package} (failsafe).
 */
@Tag("slow")
class ReadmeExampleIT {
  /** What must not reach a library user: the command line's own dependencies. */
  private static final List<String> CLI_ONLY = List.of("info.picocli:picocli", "org.knowm.xchart:xchart",
      "me.tongfei:progressbar", "org.jocl:jocl-blast", "org.slf4j:slf4j-simple");

  @TempDir
  Path dir;

  @Test
  void theReadmesJavaExampleCompilesAndRunsAgainstTheInstalledArtifactWithOnlyTheLibrarysDependencies()
      throws Exception {
    Path root = Path.of("").toAbsolutePath();
    String pom = Files.readString(root.resolve("pom.xml"));
    Matcher v = Pattern.compile("<artifactId>cltrain</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertTrue(v.find(), "the project's version in pom.xml");
    String version = v.group(1);
    Path jar = root.resolve("target/cltrain-" + version + ".jar");
    assertTrue(Files.isRegularFile(jar), jar + " is built (mvn package)");

    run(root, List.of("mvn", "-B", "-q", "install:install-file", "-Dfile=" + jar, "-DpomFile=" + root.resolve("pom.xml")));

    String readme = Files.readString(root.resolve("README.md"));
    Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertTrue(block.find(), "README.md has a ```java block");
    String source = block.group(1);
    Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
    assertTrue(cls.find(), "the block is a public class");
    Path project = Files.createDirectories(dir.resolve("consumer"));
    Files.writeString(project.resolve("pom.xml"), """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>example</groupId>
          <artifactId>consumer</artifactId>
          <version>1</version>
          <dependencies>
            <dependency>
              <groupId>dev.cltrain</groupId>
              <artifactId>cltrain</artifactId>
              <version>%s</version>
            </dependency>
          </dependencies>
        </project>
        """.formatted(version));
    run(project, List.of("mvn", "-B", "-q", "dependency:list", "-DoutputFile=deps.txt", "-DincludeScope=runtime"));
    String deps = Files.readString(project.resolve("deps.txt"));
    for (String artifact : CLI_ONLY) {
      assertFalse(deps.contains(artifact + ":"), artifact + " must not reach a library user:\n" + deps);
    }
    for (String needed : List.of("org.jocl:jocl:", "org.slf4j:slf4j-api:", "com.fasterxml.jackson.core:jackson-databind:")) {
      assertTrue(deps.contains(needed), needed + " is what the library needs:\n" + deps);
    }
    run(project, List.of("mvn", "-B", "-q", "dependency:build-classpath", "-Dmdep.outputFile=cp.txt"));
    String classpath = Files.readString(project.resolve("cp.txt")).strip();

    Path sources = Files.createDirectories(project.resolve("src"));
    Files.writeString(sources.resolve(cls.group(1) + ".java"), source);
    String javaHome = System.getProperty("java.home");
    run(project, List.of(Path.of(javaHome, "bin", "javac").toString(), "-d", "classes", "-cp", classpath,
        sources.resolve(cls.group(1) + ".java").toString()));
    String out = run(project, List.of(Path.of(javaHome, "bin", "java").toString(), "-cp",
        project.resolve("classes") + java.io.File.pathSeparator + classpath, cls.group(1)));

    assertTrue(out.contains("device reference: Java reference"), "lists the devices:\n" + out);
    assertTrue(out.contains("trained on "), "reports where it trained:\n" + out);
    assertTrue(Files.isRegularFile(project.resolve("xor-model.json")), "saved the model");
    List<Float> predictions = new ArrayList<>();
    Matcher p = Pattern.compile("\\] -> ([0-9.]+)").matcher(out);
    while (p.find()) {
      predictions.add(Float.parseFloat(p.group(1)));
    }
    assertEquals(4, predictions.size(), "four predictions:\n" + out);
    float[] xor = {0, 1, 1, 0};
    for (int i = 0; i < 4; i++) {
      // a network that learned XOR: each output on the right side of 0.5 by a wide margin
      assertEquals(xor[i], predictions.get(i), 0.2f, "prediction " + i + " of XOR:\n" + out);
    }
  }

  /** Runs a command in {@code dir}, fails with its output unless it exits 0 within 5 minutes; returns stdout. */
  private static String run(Path dir, List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().remove("LD_PRELOAD");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    Process process = pb.start();
    byte[] bytes = process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(5, TimeUnit.MINUTES), "timed out: " + command);
    String out = new String(bytes, StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + out);
    return out;
  }
}
