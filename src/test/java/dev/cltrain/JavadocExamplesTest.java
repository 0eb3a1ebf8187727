package dev.cltrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every code example in the Javadoc ({@code <pre>{@code ...}</pre>} blocks in src/main/java) compiles against the
 * library: each becomes the body of a method, with the public packages imported.
 */
class JavadocExamplesTest {
  private static final Pattern EXAMPLE = Pattern.compile("<pre>\\{@code\\n(.*?)\\n\\s*\\*\\s*\\}</pre>", Pattern.DOTALL);

  @TempDir
  Path dir;

  @Test
  void everyJavadocExampleCompiles() throws IOException {
    List<String> bodies = new ArrayList<>();
    List<String> origins = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        Matcher m = EXAMPLE.matcher(Files.readString(file));
        while (m.find()) {
          bodies.add(m.group(1).replaceAll("(?m)^\\s*\\* ?", ""));
          origins.add(file.getFileName().toString());
        }
      }
    }
    assertTrue(bodies.size() >= 5, "the API's examples were found: " + origins);
    StringBuilder source = new StringBuilder("""
        import dev.cltrain.*;
        import dev.cltrain.data.*;
        import dev.cltrain.nn.*;
        import java.nio.file.*;

        class Examples {
        """);
    for (int i = 0; i < bodies.size(); i++) {
      source.append("  // ").append(origins.get(i)).append("\n  void example").append(i)
          .append("() throws Exception {\n").append(bodies.get(i)).append("\n  }\n");
    }
    source.append("}\n");
    Path file = dir.resolve("Examples.java");
    Files.writeString(file, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "a JDK's compiler");
    StringWriter messages = new StringWriter();
    boolean ok = javac.getTask(messages, null, null, List.of("-d", dir.toString(), "-cp",
        System.getProperty("java.class.path")), null,
        javac.getStandardFileManager(null, null, null).getJavaFileObjects(file.toFile())).call();
    assertTrue(ok, "the examples do not compile:\n" + messages + "\n" + source);
    assertFalse(messages.toString().contains("error"), messages.toString());
    assertEquals(bodies.size(), origins.size());
  }
}
