package dev.cltrain.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.Model;
import dev.cltrain.nn.Network;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's ONNX Runtime snippet, as a user runs it: the ```java block that uses OrtSession is compiled with javac
 * and run in its own JVM (ONNX Runtime on the class path, as the test scope has it) on a 2-4-1 XOR model cltrain
 * exported; what it prints equals cltrain's predictions of the same rows within 1e-5 (float32, sums in another
 * order).
 */
class OnnxReadmeTest {
  @TempDir
  Path dir;

  @Test
  void theReadmesOnnxRuntimeSnippetLoadsAnExportedModelAndPrintsCltrainsPredictions() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    Matcher blocks = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    String source = null;
    while (blocks.find()) {
      if (blocks.group(1).contains("OrtSession")) {
        source = blocks.group(1);
      }
    }
    assertTrue(source != null, "README.md has a ```java block using OrtSession");
    Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
    assertTrue(cls.find(), "the block is a public class");
    Path sourceFile = dir.resolve(cls.group(1) + ".java");
    Files.writeString(sourceFile, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    String classPath = System.getProperty("java.class.path");
    assertEquals(0, javac.run(null, null, null, "-cp", classPath, "-d", dir.toString(), sourceFile.toString()), "javac");

    Network xor = Network.builder(2, 4, 1).seed(0).build();
    Path model = dir.resolve("xor.onnx");
    Model.of(xor).saveOnnx(model);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", dir + java.io.File.pathSeparator + classPath, cls.group(1), model.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finishes");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, p.exitValue(), out);
    float[][] expected = Model.of(xor).predict(new float[][] {{0, 1}, {1, 1}});
    Matcher numbers = Pattern.compile("-?\\d+\\.\\d+(E-?\\d+)?").matcher(out);
    for (float[] row : expected) {
      assertTrue(numbers.find(), "a number for each output: " + out);
      assertEquals(row[0], Float.parseFloat(numbers.group()), 1e-5, out);
    }
  }
}
