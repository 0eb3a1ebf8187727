package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.bench.ConvBench;
import dev.cltrain.bench.ConvShape;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Conv;
import dev.cltrain.testing.OpenClDevices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --conv}: small layers on the reference and PoCL, their FLOP counts, and the same bits. */
class ConvBenchTest {
  /** same padding, stride 2 with an odd height, valid padding: forward FLOPs 2·N·outH·outW·k·k·C·F. */
  private static final String SHAPES = "2:7x7x3:4:3,3:9x8x2:5:3:s2,2:6x6x4:3:3:valid";
  private static final List<Long> FORWARD_FLOPS = List.of(2L * 2 * 7 * 7 * 27 * 4, 2L * 3 * 5 * 4 * 18 * 5,
      2L * 2 * 4 * 4 * 36 * 3);

  @TempDir
  Path dir;

  @Test
  void shapesParseWithTrainingsGeometryAndFlops() {
    List<ConvShape> shapes = ConvShape.parseList(SHAPES);
    assertEquals(List.of("2:7x7x3:4:3", "3:9x8x2:5:3:s2", "2:6x6x4:3:3:valid"),
        shapes.stream().map(ConvShape::label).toList());
    for (int i = 0; i < shapes.size(); i++) {
      ConvShape s = shapes.get(i);
      Conv full = new Conv(s.input(), s.filters(), s.kernel(), s.stride(), s.same(), Activation.RELU,
          new float[s.patch() * s.filters()], new float[s.filters()]);
      Conv g = s.geometry();
      assertEquals(List.of(full.outHeight(), full.outWidth(), full.padTop(), full.padLeft()),
          List.of(g.outHeight(), g.outWidth(), g.padTop(), g.padLeft()), s.label());
      assertEquals(FORWARD_FLOPS.get(i), s.forwardFlops(), s.label());
      assertEquals(2 * FORWARD_FLOPS.get(i), s.backwardFlops(), s.label());
    }
    assertEquals(3, ConvShape.parseList(ConvShape.DEFAULTS).size());
    // the recipe's first convolution: 128·28·28 pixels × 9 × 16
    assertEquals(2L * 128 * 28 * 28 * 9 * 16, ConvShape.parseList("128:28x28x1:16:3").get(0).forwardFlops());
  }

  @Test
  void everyDeviceTimesBothPassesWithTheReferencesBits() throws Exception {
    String cpu = OpenClDevices.firstCpu().ref();
    Path json = dir.resolve("conv.json");
    Path csv = dir.resolve("conv.csv");
    Path png = dir.resolve("conv.png");
    Cli run = Cli.run("bench", "--conv", "--conv-shapes", SHAPES, "--conv-matmul", "32", "--repeat", "3",
        "--device", cpu, "--json", json.toString(), "--csv", csv.toString(), "--plot", png.toString());
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.out().contains("backward twice that"), run.out());
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertEquals("conv", root.get("mode").asText());
    JsonNode matmuls = root.get("matmuls");
    assertEquals(2, matmuls.size(), "the reference's and the device's yardstick: " + matmuls);
    for (JsonNode m : matmuls) {
      assertEquals("ok", m.get("status").asText(), m.toString());
      assertEquals(32, m.get("size").asInt());
      assertTrue(m.get("gflops").asDouble() > 0, m.toString());
    }
    JsonNode rows = root.get("conv");
    assertEquals(2 * 3, rows.size(), "the reference, then the device, three shapes each: " + rows);
    for (int i = 0; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      assertEquals(i < 3 ? "reference" : cpu, row.get("id").asText(), row.toString());
      assertEquals("ok", row.get("status").asText(), row.toString());
      assertEquals(FORWARD_FLOPS.get(i % 3), row.get("forwardFlops").asLong(), row.toString());
      assertEquals(2 * FORWARD_FLOPS.get(i % 3), row.get("backwardFlops").asLong(), row.toString());
      for (String field : List.of("forwardMs", "forwardGflops", "backwardMs", "backwardGflops", "matmulGflops",
          "forwardVsMatmul", "backwardVsMatmul")) {
        assertTrue(row.get(field).asDouble() > 0, field + " in " + row);
      }
      double forward = row.get("forwardFlops").asDouble() / (row.get("forwardMs").asDouble() / 1000) / 1e9;
      assertEquals(forward, row.get("forwardGflops").asDouble(), forward * 1e-9, row.toString());
      assertEquals(row.get("forwardGflops").asDouble() / row.get("matmulGflops").asDouble(),
          row.get("forwardVsMatmul").asDouble(), 1e-9, row.toString());
      // the same kernels' order of sums everywhere: the same bits, forward and backward
      assertEquals(0.0, row.get("maxRelativeDifference").asDouble(), 0.0, row.toString());
      assertEquals(0.0, row.get("backwardMaxRelativeDifference").asDouble(), 0.0, row.toString());
      assertShares(row.get("forwardShares"), ConvBench.FORWARD, row);
      assertShares(row.get("backwardShares"), ConvBench.BACKWARD, row);
    }
    for (String shape : List.of("2:7x7x3:4:3", "3:9x8x2:5:3:s2", "2:6x6x4:3:3:valid")) {
      assertTrue(run.out().lines().anyMatch(l -> l.startsWith(shape + " ") && l.contains(cpu)), shape + ": " + run.out());
    }
    List<String> lines = Files.readAllLines(csv);
    assertEquals(1 + 6, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).contains("forward_share_im2col") && lines.get(0).contains("backward_share_conv_input_gradient"), lines.get(0));
    byte[] bytes = Files.readAllBytes(png);
    assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', png + " is a PNG");
  }

  private static void assertShares(JsonNode shares, List<String> kernels, JsonNode row) {
    double sum = 0;
    assertEquals(kernels, iterable(shares), row.toString());
    for (String k : kernels) {
      double share = shares.get(k).asDouble();
      assertTrue(share >= 0 && share <= 1, k + " in " + row);
      sum += share;
    }
    assertEquals(1.0, sum, 1e-9, row.toString());
  }

  private static List<String> iterable(JsonNode object) {
    List<String> names = new java.util.ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void badConvOptionsExitTwoWithOneLine() {
    for (String[] args : List.of(
        new String[] {"bench", "--conv", "--conv-shapes", "2:7x7:4:3"},
        new String[] {"bench", "--conv", "--conv-shapes", "0:7x7x1:4:3"},
        new String[] {"bench", "--conv", "--conv-shapes", "2:7x7x1:4:9:valid"},
        new String[] {"bench", "--conv", "--conv-shapes", "2:7x7x1:4:3:s0"},
        new String[] {"bench", "--conv", "--conv-matmul", "0"},
        new String[] {"bench", "--conv", "--gemm"},
        new String[] {"bench", "--conv", "--data", "xor"})) {
      Cli run = Cli.run(args);
      assertEquals(ExitCodes.BAD_INPUT, run.exit(), String.join(" ", args) + ": " + run);
      assertEquals(1, run.err().lines().count(), String.join(" ", args) + " prints one line: " + run.err());
      assertFalse(run.err().contains("\tat "), run.toString());
    }
  }
}
