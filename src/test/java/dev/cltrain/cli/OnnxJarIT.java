package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX from the runnable jar as users run it ({@code java -jar target/cltrain.jar}): train and save as .onnx,
 * export, predict from the ONNX file; and the jar carries no ONNX Runtime or protobuf classes (ONNX Runtime is a
 * test-scope dependency; the ONNX codec is cltrain's own).
 */
class OnnxJarIT {
  @TempDir
  Path dir;

  @Test
  void theJarTrainsToOnnxPredictsFromItAndCarriesNoOnnxRuntime() throws Exception {
    Path jar = Path.of(System.getProperty("cltrain.jar", "target/cltrain.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), jar + " is missing: this test runs after mvn package (mvn verify)");
    try (JarFile j = new JarFile(jar.toFile())) {
      List<String> foreign = j.stream().map(e -> e.getName())
          .filter(n -> n.startsWith("ai/onnxruntime/") || n.startsWith("com/google/protobuf/")).limit(3).toList();
      assertEquals(List.of(), foreign, "no ONNX Runtime or protobuf-java in the runnable jar");
    }
    String train = run(jar, "train", "--layers", "2,4,1", "--lr", "2", "--epochs", "3000", "--device", "reference",
        "--save", "xor.onnx");
    assertTrue(train.contains("saved:       xor.onnx"), train);
    assertEquals(8, Files.readAllBytes(dir.resolve("xor.onnx"))[0], "an ONNX ModelProto (field 1, ir_version)");
    String export = run(jar, "export", "--model", "xor.onnx", "--json", "xor.json");
    assertTrue(export.contains("trained:     3000 epochs on xor (4x2)"), export);
    String fromOnnx = run(jar, "predict", "--model", "xor.onnx", "--input", "1,0");
    String fromJson = run(jar, "predict", "--model", "xor.json", "--input", "1,0");
    assertEquals(fromJson, fromOnnx);
    assertTrue(fromOnnx.startsWith("output: [0.9"), fromOnnx);
  }

  private String run(Path jar, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finishes: " + command);
    assertEquals(0, p.exitValue(), command + ": " + out);
    return out;
  }
}
