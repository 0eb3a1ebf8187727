package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.IdxReader;
import dev.cltrain.data.MnistDir;
import dev.cltrain.nn.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --net} and {@code --input-shape} on the command line: bad input is exit 2 with one line naming the
 * item and its position (no stack trace, nothing on stdout); IDX images give their HxWx1 shape; a dense-only
 * --net trains exactly as the same --layers. Every run uses {@code --device reference}.
 */
class NetOptionTest {
  @TempDir
  Path tmp;

  /** Runs {@code train ARGS --device reference}: exit 2, one stderr line with every phrase, no stack trace. */
  private static Cli bad(List<String> args, String... phrases) {
    List<String> full = new ArrayList<>();
    full.add("train");
    full.addAll(args);
    full.add("--device");
    full.add("reference");
    Cli run = Cli.run(full.toArray(String[]::new));
    assertEquals(2, run.exit(), "exit code 2 for bad input: " + run);
    List<String> lines = run.err().lines().toList();
    assertEquals(1, lines.size(), "exactly one line on stderr: " + run);
    assertFalse(lines.get(0).contains("Exception") || lines.get(0).contains("\tat "), "no stack trace: " + run);
    for (String phrase : phrases) {
      assertTrue(lines.get(0).contains(phrase), "expected '" + phrase + "' in stderr: " + run);
    }
    assertEquals("", run.out(), "nothing on stdout: " + run);
    return run;
  }

  private Path csv(String name, String text) throws IOException {
    return Files.writeString(tmp.resolve(name), text, StandardCharsets.UTF_8);
  }

  /** An MNIST-layout folder of {@code count} rows×cols images, labels 0, 1, 0, 1, ... */
  private Path idx(String name, int count, int rows, int cols) throws IOException {
    Path dir = Files.createDirectory(tmp.resolve(name));
    ByteBuffer images = ByteBuffer.allocate(16 + count * rows * cols);
    images.putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(cols);
    for (int i = 0; i < count * rows * cols; i++) {
      images.put((byte) (i * 37));
    }
    ByteBuffer labels = ByteBuffer.allocate(8 + count);
    labels.putInt(IdxReader.LABELS_MAGIC).putInt(count);
    for (int i = 0; i < count; i++) {
      labels.put((byte) (i % 2));
    }
    Files.write(dir.resolve(MnistDir.TRAIN_IMAGES), images.array());
    Files.write(dir.resolve(MnistDir.TRAIN_LABELS), labels.array());
    return dir;
  }

  @Test
  void anUnknownItemIsNamedWithItsPosition() {
    bad(List.of("--net", "conv:32:3,relu,pool:2,dense:1"), "--net: item 3 'pool:2': unknown item");
  }

  @Test
  void aBadArgumentIsNamedWithItsPosition() {
    bad(List.of("--net", "dense:4,dropout:1.5,dense:1"), "--net: item 2 'dropout:1.5'", "[0, 1)");
    bad(List.of("--net", "dense:four,dense:1"), "--net: item 1 'dense:four'", "not a positive integer");
    bad(List.of("--net", "relu,dense:1"), "--net: item 1 'relu'", "applies to the conv, bn or dense item");
    bad(List.of("--net", "dense:4,conv:2:3,dense:1"), "--net: item 2 'conv:2:3'", "cannot follow a dense item");
  }

  @Test
  void netAndLayersExcludeEachOther() {
    bad(List.of("--net", "dense:4,dense:1", "--layers", "2,4,1"), "--net and --layers exclude each other");
  }

  @Test
  void activationAndInitModelDoNotGoWithNet() {
    bad(List.of("--net", "dense:4,dense:1", "--activation", "relu"), "--activation does not apply to --net");
    bad(List.of("--net", "dense:4,dense:1", "--init-model", tmp.resolve("m.json").toString()),
        "--net and --init-model exclude each other");
  }

  @Test
  void theOutputWidthMustMatchTheData() {
    bad(List.of("--net", "dense:4,relu,dense:3"), "--net: item 3 'dense:3'", "the output layer has 3 units",
        "1 target");
  }

  @Test
  void theOutputActivationFollowsTheLoss() {
    bad(List.of("--net", "dense:4,relu,dense:1,relu"), "--net: item 4 'relu'", "follows --loss mse");
    bad(List.of("--net", "dense:4,relu,dense:1,identity", "--output", "sigmoid"), "--net: item 4 'identity'",
        "is sigmoid here");
  }

  @Test
  void convOnCsvNeedsAnInputShape() throws IOException {
    Path data = csv("four.csv", "0,0,0,0,0\n0,1,1,0,1\n1,0,0,1,1\n1,1,1,1,0\n");
    bad(List.of("--data", data.toString(), "--net", "conv:2:1,relu,dense:1"), "--net: item 1 'conv:2:1'",
        "needs the input's image shape", "--input-shape");
    bad(List.of("--data", data.toString(), "--net", "dense:2,dense:1", "--input-shape", "2x2x2"),
        "--input-shape 2x2x2 is 8 values per row", "4 inputs");
    bad(List.of("--data", data.toString(), "--net", "conv:2:1,dense:1", "--input-shape", "2by2"),
        "--input-shape 2by2: expected HEIGHTxWIDTHxCHANNELS");
    bad(List.of("--data", data.toString(), "--net", "conv:2:3:valid,dense:1", "--input-shape", "2x2x1"),
        "--net: item 1 'conv:2:3:valid'", "a 3x3 kernel does not fit the 2x2 input without padding");
    bad(List.of("--data", data.toString(), "--layers", "4,1", "--input-shape", "2x2x1"),
        "--input-shape 2x2x1 applies to --net or an image folder only");
  }

  @Test
  void idxImagesGiveTheirShapeFromTheHeader() throws IOException {
    Path square = idx("square", 4, 14, 14);
    bad(List.of("--data", square.toString(), "--net", "conv:32:3,relu,maxpool:40,dense:2"),
        "--net: item 3 'maxpool:40': a 40x40 pool does not fit the 14x14 input");
    Path wide = idx("wide", 4, 7, 28);
    assertEquals(new Shape(7, 28, 1), MnistDir.load(wide).imageShape());
    assertEquals(new Shape(7, 28, 1), MnistDir.load(wide).withValidation(0.5, 0).imageShape(), "kept by the split");
    bad(List.of("--data", wide.toString(), "--net", "conv:2:3:s2,maxpool:8,dense:2"),
        "--net: item 2 'maxpool:8': a 8x8 pool does not fit the 4x14 input");
    bad(List.of("--data", wide.toString(), "--net", "maxpool:2,dense:3"), "--net: item 2 'dense:3'",
        "the output layer has 3 units but the data has 2 targets");
    bad(List.of("--data", wide.toString(), "--net", "maxpool:2,dense:2", "--input-shape", "28x28x1"),
        "--input-shape 28x28x1 is 784 values per row", "196 inputs");
  }

  @Test
  void aDenseOnlyNetTrainsExactlyAsTheSameLayers() throws IOException {
    Path viaNet = tmp.resolve("net.json");
    Path viaLayers = tmp.resolve("layers.json");
    Cli net = Cli.run("train", "--net", "dense:8,tanh,dense:1", "--epochs", "300", "--device", "reference",
        "--save", viaNet.toString());
    Cli layers = Cli.run("train", "--layers", "2,8,1", "--activation", "tanh", "--epochs", "300", "--device",
        "reference", "--save", viaLayers.toString());
    assertEquals(0, net.exit(), net.toString());
    assertEquals(0, layers.exit(), layers.toString());
    List<String> a = net.outLines().stream().filter(l -> l.startsWith("Epoch") || l.contains("loss:") || l.contains("->"))
        .toList();
    List<String> b = layers.outLines().stream()
        .filter(l -> l.startsWith("Epoch") || l.contains("loss:") || l.contains("->")).toList();
    assertFalse(a.isEmpty(), net.toString());
    assertEquals(b, a);
    assertArrayEquals(Files.readAllBytes(viaLayers), Files.readAllBytes(viaNet), "the same model file");
  }

  @Test
  void theHelpListsNetAndInputShape() {
    String help = Cli.run("train", "--help").out();
    int network = help.indexOf("Network:");
    assertTrue(help.indexOf("\n      --net=SPEC") > network && help.indexOf("\n      --net=SPEC") < help.indexOf("Optimisation:"), help);
    assertTrue(help.indexOf("\n      --input-shape=HxWxC") > help.indexOf("Data:")
        && help.indexOf("\n      --input-shape=HxWxC") < network, help);
    assertTrue(help.contains("conv:FILTERS:K[:sS]") && help.contains("maxpool:P"), help);
  }

  /**
   * lstm, gru and embedding items: a CSV row read as T steps of F features (--input-shape TxF), IDX images read by
   * rows with or without it; each bad item, shape and token id is exit 2 with one line.
   */
  @Test
  void sequenceItemsTakeTxFRowsAndRefuseBadItemsInOneLine() throws IOException {
    Path rows = csv("seq.csv", "0,1,2,3,4,5,0\n5,4,3,2,1,0,1\n1,1,2,2,3,3,0\n3,2,1,0,0,0,1\n");
    for (String net : new String[] {"lstm:3,dense:2", "gru:2:seq,lstm:2,dense:2"}) {
      Cli ok = Cli.run("train", "--data", rows.toString(), "--net", net, "--input-shape", "3x2", "--epochs", "2",
          "--device", "reference");
      assertEquals(0, ok.exit(), ok.toString());
    }
    Path images = idx("seq", 4, 7, 28);
    for (String[] shape : new String[][] {{"--input-shape", "7x28"}, {}}) { // an image's rows are its steps either way
      List<String> args = new ArrayList<>(List.of("train", "--data", images.toString(), "--net", "lstm:4,dense:2",
          "--epochs", "1", "--device", "reference"));
      args.addAll(List.of(shape));
      Cli ok = Cli.run(args.toArray(String[]::new));
      assertEquals(0, ok.exit(), ok.toString());
    }
    bad(List.of("--data", rows.toString(), "--net", "lstm:3,dense:2", "--input-shape", "3x3"),
        "--input-shape 3x3 is 9 values per row", "6 inputs");
    for (String shape : new String[] {"3x", "0x6", "3x2x", "x6"}) {
      bad(List.of("--data", rows.toString(), "--net", "lstm:3,dense:2", "--input-shape", shape),
          "--input-shape " + shape + ": expected HEIGHTxWIDTHxCHANNELS (an image, e.g. 28x28x1) or STEPSxFEATURES");
    }
    bad(List.of("--data", rows.toString(), "--net", "lstm:3,dense:2"), "--net: item 1 'lstm:3'",
        "needs the input's sequence shape", "--input-shape TxF");
    bad(List.of("--data", rows.toString(), "--net", "lstm:0,dense:2", "--input-shape", "3x2"),
        "--net: item 1 'lstm:0': H '0' is not a positive integer");
    bad(List.of("--data", rows.toString(), "--net", "gru,dense:2", "--input-shape", "3x2"),
        "--net: item 1 'gru': expected gru:H[:seq], e.g. gru:128");
    bad(List.of("--data", rows.toString(), "--net", "lstm:3:all,dense:2", "--input-shape", "3x2"),
        "--net: item 1 'lstm:3:all': 'all' is not a lstm option");
    bad(List.of("--data", rows.toString(), "--net", "lstm:3:seq,conv:2:1,dense:2", "--input-shape", "3x2"),
        "--net: item 2 'conv:2:1': a convolution cannot follow 'lstm:3:seq' (item 1): it gives a sequence");
    bad(List.of("--data", rows.toString(), "--net", "dense:4,embedding:5:2,dense:2"),
        "--net: item 2 'embedding:5:2': an embedding is the first item");
    bad(List.of("--data", rows.toString(), "--net", "embedding:5,lstm:2,dense:2"),
        "--net: item 1 'embedding:5': expected embedding:V:D");
    bad(List.of("--data", rows.toString(), "--net", "embedding:5:2,lstm:2,dense:2"),
        "seq.csv", "row 1: token id 5.0 at position 6 is not an integer in [0, 5)");
    Cli ok = Cli.run("train", "--data", rows.toString(), "--net", "embedding:6:2,lstm:2,dense:2", "--epochs", "2",
        "--device", "reference");
    assertEquals(0, ok.exit(), ok.toString());
  }

  /**
   * An embedding, a GRU and an LSTM trained by Adam (their optimizer state: one array's and four arrays' buffers),
   * checkpointed after 1 epoch and resumed to 3: the uninterrupted run's model byte for byte; PoCL's --verify
   * difference 0.
   */
  @Test
  void aSequenceNetResumedFromItsCheckpointEndsAsTheUninterruptedRun() throws IOException {
    Path ids = csv("ids.csv", "3,1,5,0,0\n2,2,0,0,1\n4,1,1,3,0\n1,0,0,0,1\n5,5,4,0,0\n2,3,1,1,1\n");
    List<String> run = List.of("train", "--data", ids.toString(), "--net", "embedding:6:3,gru:4:seq,lstm:3,dense:2",
        "--optimizer", "adam", "--lr", "0.05", "--batch-size", "4", "--device", "reference");
    Path straight = tmp.resolve("straight.json");
    Path checkpoint = tmp.resolve("seq.ckpt");
    Path resumed = tmp.resolve("resumed.json");
    for (List<String> extra : List.of(List.of("--epochs", "3", "--save", straight.toString()),
        List.of("--epochs", "1", "--checkpoint", checkpoint.toString()))) {
      List<String> args = new ArrayList<>(run);
      args.addAll(extra);
      Cli c = Cli.run(args.toArray(String[]::new));
      assertEquals(0, c.exit(), c.toString());
    }
    Cli c = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "3", "--device", "reference", "--save",
        resumed.toString());
    assertEquals(0, c.exit(), c.toString());
    assertEquals(Files.readString(straight), Files.readString(resumed), "1 epoch, then 2 resumed: the same bytes");
    List<String> verify = new ArrayList<>(run.subList(0, run.size() - 2));
    List<dev.cltrain.device.Device> devices = dev.cltrain.testing.Backends.all(); // an OpenCL device where there is one
    verify.addAll(List.of("--epochs", "2", "--device", devices.get(devices.size() - 1).id(), "--verify"));
    Cli v = Cli.run(verify.toArray(String[]::new));
    assertEquals(0, v.exit(), v.toString());
    assertTrue(v.out().contains("largest weight difference 0.0e+00") && v.out().contains(": PASS"), v.toString());
  }
}
