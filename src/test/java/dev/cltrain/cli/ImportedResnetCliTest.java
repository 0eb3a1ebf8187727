package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.Model;
import dev.cltrain.nn.BatchNorm;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Network;
import dev.cltrain.testing.Backends;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --init-model} of the PyTorch residual network of scripts/make_resnet_onnx_fixtures.py (7×7 inputs;
 * conv, bn, two residual blocks, gap, dense), exported by PyTorch in eval mode and in training mode, with
 * {@code --freeze} and {@code --new-head} on 12 rows of a CSV: the frozen layers keep their bits, the new head has
 * the data's classes, and an OpenCL device saves the reference's model byte for byte (skipped without one). A graph
 * whose branches meet in a Mul exits 2 with one line naming the node.
 */
class ImportedResnetCliTest {
  @TempDir
  static Path dir;
  static Path rows;

  @BeforeAll
  static void data() throws Exception {
    StringBuilder csv = new StringBuilder();
    for (int r = 0; r < 12; r++) { // 49 pixels (7x7) and a class label, 0 or 1
      for (int i = 0; i < 49; i++) {
        csv.append(String.format(java.util.Locale.ROOT, "%.3f,", Math.sin(r * 7 + i * 0.37) * (1 + r % 2)));
      }
      csv.append(r % 2).append('\n');
    }
    rows = Files.writeString(dir.resolve("rows.csv"), csv);
  }

  private static Path fixture(String name) throws Exception {
    Path file = dir.resolve(name);
    try (InputStream in = ImportedResnetCliTest.class.getResourceAsStream("/onnx/" + name)) {
      Files.write(file, in.readAllBytes());
    }
    return file;
  }

  /** Fine-tunes the file with the first {@code freeze} layers frozen and a new head of 2; returns the model JSON. */
  private static Path tune(Path onnx, int freeze) {
    return tune(onnx, freeze, "reference");
  }

  private static Path tune(Path onnx, int freeze, String device) {
    Path saved = dir.resolve(onnx.getFileName() + "." + device.replace(':', '-') + ".tuned.json");
    Cli c = Cli.run("train", "--init-model", onnx.toString(), "--data", rows.toString(), "--loss", "xent",
        "--freeze", Integer.toString(freeze), "--new-head", "2", "--epochs", "1", "--batch-size", "4", "--seed", "5",
        "--device", device, "--no-check", "--save", saved.toString());
    assertEquals(0, c.exit(), c.toString());
    return saved;
  }

  private static void assertFrozenAndNewHead(Network before, Network after, int frozen) {
    assertEquals(before.layers().size(), after.layers().size());
    for (int l = 0; l < frozen; l++) {
      assertEquals(before.layers().get(l), after.layers().get(l), "frozen layer " + l + " keeps its bits");
    }
    Dense head = after.dense().get(after.dense().size() - 1);
    assertEquals(2, head.outputs(), "the new head's outputs");
  }

  @Test
  void evalModeExportFineTunesWithBothBlocksFrozen() throws Exception {
    Path onnx = fixture("torch_resnet_eval.onnx");
    Path saved = tune(onnx, 3); // conv, residual, residual
    Network before = Model.load(onnx).network();
    Network after = Model.load(saved).network();
    assertFrozenAndNewHead(before, after, 3);
    assertEquals(3, new ObjectMapper().readTree(saved.toFile()).get("training").get("freeze").asInt());
  }

  @Test
  void trainingModeExportFineTunesItsBatchNormsFromTheFilesRunningStatistics() throws Exception {
    Path onnx = fixture("torch_resnet_train.onnx");
    Network before = Model.load(onnx).network();
    Network trained = Model.load(tune(onnx, 1)).network(); // the stem conv frozen, its bn trained
    assertFrozenAndNewHead(before, trained, 1);
    assertNotEquals(before.layers().get(1), trained.layers().get(1),
        "the stem's bn trained: its running statistics moved from the file's");
    // conv, bn, residual, residual frozen: the bns (the stem's and those inside the blocks) normalize with the
    // file's running statistics and keep them, as a frozen batch norm does in PyTorch (module.eval())
    Network frozen = Model.load(tune(onnx, 4)).network();
    assertTrue(before.layers().get(1) instanceof BatchNorm && !before.layers().get(2).state().isEmpty(),
        "the frozen layers hold running statistics: " + before.layers());
    assertFrozenAndNewHead(before, frozen, 4);
  }

  @Test
  void anOpenClDeviceFineTunesTheImportToTheReferencesBytes() throws Exception {
    String device = Backends.others().get(0).id();
    Path onnx = fixture("torch_resnet_train.onnx");
    for (int freeze : new int[] {1, 4}) {
      assertArrayEquals(Files.readAllBytes(tune(onnx, freeze)), Files.readAllBytes(tune(onnx, freeze, device)),
          device + " saves the reference's model byte for byte, --freeze " + freeze);
    }
  }

  @Test
  void branchesThatMeetInAMulExitTwoWithOneLineNamingTheNode() throws Exception {
    Cli c = Cli.run("eval", "--model", fixture("torch_branch_mul.onnx").toString(), "--data", rows.toString());
    assertEquals(2, c.exit(), c.toString());
    List<String> lines = c.err().lines().toList();
    assertEquals(1, lines.size(), c.toString());
    assertTrue(lines.get(0).contains("Mul node '/block/Mul'"), c.toString());
    assertFalse(c.err().contains("Exception"), c.toString());
  }
}
