package dev.cltrain.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.cltrain.Data;
import dev.cltrain.Devices;
import dev.cltrain.Model;
import dev.cltrain.Training;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.MnistDir;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.BatchNorm;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.NetSpec;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.nn.Shape;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Standardization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of network cltrain trains, exported to ONNX and run by ONNX Runtime: its outputs equal cltrain's
 * predict (the Java reference) on the same raw rows, the graph's interface is the documented one ("input" and
 * "output", a symbolic batch dimension, cltrain's metadata), and export, import, export again is the identity:
 * the same weights bit for bit, the same bytes, the same predictions bit for bit. The Fashion-MNIST and CNN
 * recipe trains on real data and is tagged slow; both Fashion-MNIST tests are skipped when the data set is missing.
 */
class OnnxRuntimeTest {
  /**
   * The largest |ORT − cltrain| allowed per output. Both compute in float32 from the same float32 weights, but
   * ORT's Gemm/Conv kernels (MLAS) sum the products in another order (blocked, vectorised, with fused
   * multiply-adds) than the reference's loops, and its exp/tanh are other approximations, so results differ in
   * the last bits; the outputs are probabilities or sigmoid values in [0, 1], where a few ulps of rounding in
   * sums of up to a few thousand terms stay far below 1e-5, while a wrong weight layout, padding or scale is off
   * by far more.
   */
  static final float TOLERANCE = 1e-5f;

  static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
  /** Largest |ORT − cltrain| per model, printed at the end for the record. */
  private static final Map<String, Float> DIFFERENCES = new java.util.concurrent.ConcurrentSkipListMap<>();
  private static TrainingData fashion;

  @TempDir
  Path dir;

  @AfterAll
  static void report() {
    DIFFERENCES.forEach((name, d) -> System.out.println("OnnxRuntimeTest: " + name + " max |ORT - cltrain| = " + d));
  }

  // ----- the models -----

  static Network xor() {
    TrainingData xor = Data.of(new float[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, new float[] {0, 1, 1, 0});
    Network net = Training.of(Network.builder(2, 4, 1).seed(0).build(), xor).optimizer(Optimizer.sgd(2f))
        .epochs(3000).device(Devices.reference()).run().model().network();
    assertEquals(Loss.MSE, net.loss());
    assertEquals(Activation.SIGMOID, net.dense().get(1).activation());
    return net;
  }

  static Network tanh3() {
    TrainingData data = Data.generated(300, 4, 3, 5);
    Network initial = Network.builder(4, 16, 12, 3).hidden(Activation.TANH).loss(Loss.XENT).seed(1).build();
    Network net = Training.of(initial, data).optimizer(Optimizer.adam(0.01f)).batchSize(32).epochs(30)
        .device(Devices.reference()).run().model().network();
    assertEquals(3, net.dense().size());
    assertEquals(Activation.TANH, net.dense().get(0).activation());
    assertEquals(Activation.TANH, net.dense().get(1).activation());
    return net;
  }

  /** Raw rows of {@code inputs} columns whose ranges differ column by column (offset and spread). */
  static float[][] rawColumns(int rows, int inputs, long seed) {
    Random r = new Random(seed);
    float[][] x = new float[rows][inputs];
    for (float[] row : x) {
      for (int c = 0; c < inputs; c++) {
        row[c] = (float) (50 * c + (c + 1) * 20 * r.nextGaussian());
      }
    }
    return x;
  }

  /** A --standardize-like net: raw × scale (scale not 1/255), then (x − mean) / std, as the CLI trains it. */
  static Network standardized(float scale) {
    int inputs = 5;
    float[][] raw = rawColumns(200, inputs, 9);
    int[] labels = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      labels[i] = raw[i][0] - raw[i][3] / 4 > 0 ? 1 : 0;
    }
    TrainingData rawData = Data.classes(raw, labels, 2);
    DataSet t = rawData.train();
    float[] scaled = t.x().clone();
    new TrainingData(t, null, null, scale, 2).scaleInputs(scaled); // as the loader scales raw inputs
    Standardization st = Standardization.of(scaled, t.rows(), t.inputs());
    DataSet ready = new DataSet("scaled", t.rows(), t.inputs(), t.outputs(), scaled, t.y());
    Network initial = Network.builder(inputs, 8, 2).hidden(Activation.RELU).loss(Loss.XENT).seed(3)
        .inputScale(scale).build().withStandardization(st);
    // Training.of standardizes the scaled rows with the network's standardization, as the CLI does
    Network net = Training.of(initial, new TrainingData(ready, null, null, scale, 2))
        .optimizer(Optimizer.adam(0.01f)).batchSize(16).epochs(20).device(Devices.reference()).run().model()
        .network();
    assertEquals(scale, net.inputScale());
    assertEquals(st, net.standardization());
    return net;
  }

  /** Conv stride 2 same, a valid conv, avgpool over a partial window, dropout, at 11x13x3. */
  static Network awkwardCnn(String spec, Loss loss, Activation output, int classes) {
    return awkwardCnn(spec, loss, output, classes, 11, 13, 3);
  }

  /** As {@link #awkwardCnn(String, Loss, Activation, int)} on height × width × channels inputs. */
  static Network awkwardCnn(String spec, Loss loss, Activation output, int classes, int height, int width,
      int channels) {
    Shape in = new Shape(height, width, channels);
    Network initial = NetSpec.parse(spec).build(in, classes, loss, output, null, new NumpyRandom(4), 17L);
    TrainingData data = Data.generated(64, in.size(), classes, 6);
    // trained on the generated rows (scale 1), then given the pixel scale: the export must carry it
    Network net = Training.of(initial, data).optimizer(Optimizer.adam(0.01f)).batchSize(16).epochs(2)
        .device(Devices.reference()).run().model().network().withInputScale(1f / 255);
    assertTrue(net.hasFeatures());
    return net;
  }

  static synchronized TrainingData fashion() {
    if (fashion == null) {
      assumeTrue(Files.isDirectory(FASHION), FASHION + " is missing (apt-get install dataset-fashion-mnist)");
      fashion = MnistDir.load(FASHION); // as the CLI loads --data on an IDX folder: pixels ÷ 255
    }
    return fashion;
  }

  /** Fashion-MNIST's first {@code rows} test images as raw 0..255 pixel values, as cltrain predict reads them. */
  static float[][] fashionRawTest(int rows) {
    TrainingData all = fashion();
    assertEquals(1f / 255, all.inputScale());
    DataSet test = all.test();
    float[][] raw = new float[rows][];
    for (int r = 0; r < rows; r++) {
      raw[r] = test.inputRow(r).clone();
      for (int i = 0; i < raw[r].length; i++) {
        raw[r][i] = Math.round(raw[r][i] * 255); // the loader's x ÷ 255 back to the byte it came from
      }
    }
    return raw;
  }

  static TrainingData fashionTrain(int rows) {
    TrainingData all = fashion();
    DataSet train = all.train().rows(IntStream.range(0, rows).toArray(), "fashion train[0:" + rows + "]");
    return new TrainingData(train, null, null, all.inputScale(), all.classes());
  }

  static float[][] uniformRaw(int rows, int inputs, int max, long seed) {
    Random r = new Random(seed);
    float[][] x = new float[rows][inputs];
    for (float[] row : x) {
      for (int i = 0; i < inputs; i++) {
        row[i] = r.nextInt(max + 1);
      }
    }
    return x;
  }

  // ----- the tests -----

  @Test
  void xorRunsInOnnxRuntimeAsCltrainPredicts() throws Exception {
    Network net = xor();
    float[][] x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    checkAll("xor", net, x);
    assertArrayEquals(new float[] {0, 1, 1, 0}, round(ort(Onnx.toBytes(net, Map.of()), x)), "XOR learned");
  }

  @Test
  void threeLayerTanhNetRunsInOnnxRuntimeAsCltrainPredicts() throws Exception {
    Network net = tanh3();
    float[][] x = new float[200][4];
    Random r = new Random(2);
    for (float[] row : x) {
      for (int i = 0; i < 4; i++) {
        row[i] = (float) r.nextDouble() * 2 - 0.5f;
      }
    }
    checkAll("tanh 4-16-12-3", net, x);
  }

  @Test
  void standardizedNetWithAnInputScaleRunsInOnnxRuntimeAsCltrainPredicts() throws Exception {
    float[][] x = rawColumns(300, 5, 10);
    checkAll("standardize, scale 0.3 (Mul)", standardized(0.3f), x);
    checkAll("standardize, scale 1/100 (Div)", standardized(1f / 100), x);
  }

  @Test
  void cnnOfStridedValidPooledAndDropoutStagesAtAnAwkwardShapeRunsInOnnxRuntime() throws Exception {
    float[][] x = uniformRaw(150, 11 * 13 * 3, 255, 8);
    Network a = awkwardCnn("conv:4:3:s2,relu,conv:5:3:valid,tanh,avgpool:2,dropout:0.25,flatten,dense:6,tanh,"
        + "dropout:0.3,dense:4", Loss.XENT, Activation.SOFTMAX, 4);
    // 11x13 -s2 same-> 6x7 -valid 3-> 4x5 -avgpool 2-> 2x2 (the last column is a partial window, left out)
    List<Layer> stages = a.stages();
    assertEquals(new Shape(2, 2, 5), stages.get(stages.size() - 1).output());
    assertEquals(2, ((Conv) stages.get(0)).stride());
    checkAll("awkward cnn (s2 same, valid, avgpool, dropout)", a, x);
    // an even kernel with stride 3 (uneven same padding), maxpool over partial windows, sigmoid/mse output
    Network b = awkwardCnn("conv:3:4:s3,sigmoid,maxpool:2,conv:4:2:s2:valid,relu,dense:5,relu,dense:3", Loss.MSE,
        Activation.SIGMOID, 3);
    checkAll("awkward cnn (k4 s3 same, maxpool, s2 valid, mse)", b, x);
  }

  @Test
  void cnnWithGlobalAveragePoolingRunsInOnnxRuntime() throws Exception {
    float[][] x = uniformRaw(60, 7 * 5 * 2, 255, 9);
    Network net = awkwardCnn("conv:3:3:s2,relu,gap,dense:4,tanh,dense:3", Loss.XENT, Activation.SOFTMAX, 3, 7, 5, 2);
    checkAll("gap (7x5, GlobalAveragePool then a dense layer)", net, x);
  }

  /**
   * conv1d as a Conv of k×1 kernels on the sequence (N, F, T, 1): an even kernel, stride 2 valid, then gap1d or
   * flattened (a same convolution whose padding is 0 would read back as valid, as conv's does).
   */
  @Test
  void conv1dRunsInOnnxRuntime() throws Exception {
    float[][] x = uniformRaw(60, 9 * 3, 255, 11);
    checkAll("conv1d (k4 same, k3 s2 valid, gap1d)", awkwardCnn("conv1d:4:4,relu,conv1d:3:3:s2:valid,tanh,gap1d,"
        + "dense:3", Loss.XENT, Activation.SOFTMAX, 3, 9, 1, 3), x);
    checkAll("conv1d (k3 s2 same, maxpool1d, flattened)", awkwardCnn("conv1d:2:3:s2,sigmoid,maxpool1d:2,dense:4,relu,"
        + "dense:3", Loss.XENT,
        Activation.SOFTMAX, 3, 9, 1, 3), x);
  }

  /** Trained two epochs, so the running statistics are no longer their initial 0 and 1. */
  @Test
  void cnnWithBatchNormalizationRunsInOnnxRuntime() throws Exception {
    float[][] x = uniformRaw(60, 7 * 5 * 2, 255, 10);
    Network net = awkwardCnn("conv:3:3,bn,relu,maxpool:2,conv:4:2,bn:0.3:0.001,tanh,gap,dense:3", Loss.XENT,
        Activation.SOFTMAX, 3, 7, 5, 2);
    assertTrue(net.layers().get(1).toString().startsWith("BatchNorm"), net.layers().toString());
    checkAll("bn (BatchNormalization, training_mode 0, then Relu/Tanh)", net, x);
  }

  /**
   * Batch norms per unit after dense layers (BatchNormalization on [batch, units], PyTorch's BatchNorm1d), one
   * before a dropout; trained two epochs, so the running statistics have moved. Export only: importing a
   * BatchNormalization on rows is not done.
   */
  @Test
  void denseLayersWithBatchNormalizationPerUnitRunInOnnxRuntimeAsCltrainPredicts() throws Exception {
    float[][] x = uniformRaw(40, 5 * 4 * 2, 255, 12);
    Network net = awkwardCnn(DENSE_BN, Loss.XENT, Activation.SOFTMAX, 3, 5, 4, 2);
    BatchNorm perUnit = (BatchNorm) net.layers().get(3);
    assertEquals(new Shape(1, 1, 6), perUnit.input(), net.layers().toString());
    assertNotEquals(0f, perUnit.runningMean()[0], "trained: the running mean moved");
    String name = "bn after dense (BatchNormalization on rows)";
    checkRuntime(name, net, Onnx.toBytes(net, Map.of(OnnxMetadata.EPOCHS, "3", OnnxMetadata.DATA, name)), x);
  }

  /** Batch norms per unit: after a dense layer (its relu after the norm), and after a tanh one (no activation). */
  static final String DENSE_BN = "conv:3:2,relu,gap,dense:6,bn,relu,dropout:0.25,dense:5,tanh,bn:0.3:0.001,dense:3";

  /** The residual blocks' export (inner nodes, the shortcut's Conv, Add, the activation), and back. */
  @Test
  void residualBlocksWithBothShortcutsRunInOnnxRuntimeAsCltrainPredicts() throws Exception {
    float[][] x = uniformRaw(40, 11 * 13 * 3, 255, 9);
    checkAll("residual", awkwardCnn(RESIDUAL, Loss.XENT, Activation.SOFTMAX, 4), x);
  }

  /** Basic blocks with bn: the projection shortcut a Conv then a BatchNormalization; trained, so its statistics moved. */
  @Test
  void aProjectionShortcutsBatchNormRunsInOnnxRuntimeAsCltrainPredicts() throws Exception {
    float[][] x = uniformRaw(40, 11 * 13 * 3, 255, 13);
    Network net = awkwardCnn(RESIDUAL_BN, Loss.XENT, Activation.SOFTMAX, 4);
    dev.cltrain.nn.Residual block = (dev.cltrain.nn.Residual) net.layers().get(2);
    assertNotEquals(0f, block.projectionNorm().runningMean()[0], "trained: the shortcut's running mean moved");
    checkAll("residual with bn (Conv, BatchNormalization, Add)", net, x); // and imports back as the same blocks
  }

  /** The identity shortcut with bn inside, then the projection with a bn on its shortcut. */
  /**
   * Recurrent nets: ONNX LSTM and GRU (gates reordered, GRU linear_before_reset 1) on rows read as 6 steps of 3
   * features, every step's state then the last; and after an embedding, masked by the rows' lengths
   * (sequence_lens from the ids; ONNX Runtime refuses a length of 0, so every row holds an id first).
   */
  @Test
  void recurrentNetsAndEmbeddingsRunInOnnxRuntimeAsCltrainPredicts() throws Exception {
    Network rnn = NetSpec.parse("lstm:4:seq,dropout:0.25,gru:3,dense:2").build(new Shape(6, 1, 3), 2, Loss.XENT,
        Activation.SOFTMAX, null, new NumpyRandom(3), 5L);
    checkAll("lstm:4:seq, gru:3", rnn, gaussian(40, 18, 2));
    Network mse = NetSpec.parse("gru:5:seq,lstm:2:seq,dense:3").build(new Shape(4, 1, 2), 3, Loss.MSE,
        Activation.SIGMOID, null, new NumpyRandom(4), 0L);
    checkAll("gru:5:seq, lstm:2:seq (mse)", mse, gaussian(20, 8, 5));
    Network text = NetSpec.parse("embedding:9:4,gru:5:seq,lstm:3,dense:3").build(new Shape(1, 1, 7), 3, Loss.XENT,
        Activation.SOFTMAX, null, new NumpyRandom(6), 0L);
    Random r = new Random(8);
    float[][] ids = new float[30][7];
    for (float[] row : ids) {
      int length = 1 + r.nextInt(7);
      for (int t = 0; t < length; t++) {
        row[t] = 1 + r.nextInt(8);
      }
    }
    checkAll("embedding:9:4, gru:5:seq, lstm:3 (masked)", text, ids);
  }

  /** Rows of standard normal values. */
  private static float[][] gaussian(int rows, int inputs, long seed) {
    Random r = new Random(seed);
    float[][] x = new float[rows][inputs];
    for (float[] row : x) {
      for (int c = 0; c < inputs; c++) {
        row[c] = (float) r.nextGaussian();
      }
    }
    return x;
  }

  static final String RESIDUAL_BN = "conv:4:3,relu,residual(conv:4:3,bn,relu,conv:4:3,bn),relu,"
      + "residual(conv:5:3:s2,bn,relu,conv:5:3,bn:0.2:0.001),relu,dense:4";

  /** Residual blocks: the identity shortcut (relu after), the projection (stride 2, pooling inside, tanh after). */
  static final String RESIDUAL = "conv:4:3,relu,residual(conv:4:3,relu,conv:4:3),relu,"
      + "residual(conv:5:3:s2,tanh,maxpool:1,conv:5:3),tanh,dense:4";

  /** About 5 s (most of it loading Fashion-MNIST), so not tagged slow; skipped when the data set is missing. */
  @Test
  void fashionMnistDenseRecipeRunsInOnnxRuntimeAsCltrainPredicts() throws Exception {
    TrainingData data = fashionTrain(4000);
    Network initial = Network.builder(784, 256, 128, 10).hidden(Activation.RELU).loss(Loss.XENT).seed(0)
        .inputScale(data.inputScale()).build(); // as the CLI builds it for IDX data
    Network net = Training.of(initial, data).optimizer(Optimizer.adam(0.001f)).batchSize(128).epochs(1)
        .device(Devices.reference()).run().model().network();
    assertEquals(1f / 255, net.inputScale());
    float[][] raw = fashionRawTest(1000);
    checkAll("fashion 784-256-128-10", net, raw);
    assertTrue(accuracy(ort(Onnx.toBytes(net, Map.of()), raw), 1000) > 0.6, "the recipe learned something");
  }

  /** About 18 s on two CPUs: one epoch of the CNN recipe on 1,000 rows and 1,000 predictions on the reference. */
  @Test
  @Tag("slow")
  void cnnRecipeRunsInOnnxRuntimeAsCltrainPredicts() throws Exception {
    TrainingData data = fashionTrain(1000);
    Network initial = NetSpec.parse("conv:32:3,relu,maxpool:2,conv:64:3,relu,maxpool:2,flatten,dense:128,relu,"
            + "dropout:0.5,dense:10")
        .build(new Shape(28, 28, 1), 10, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(0), 0L)
        .withInputScale(data.inputScale());
    Network net = Training.of(initial, data).optimizer(Optimizer.adam(0.001f)).batchSize(128).epochs(1)
        .device(Devices.reference()).run().model().network();
    checkAll("cnn recipe", net, fashionRawTest(1000));
  }

  /** Network.equals, the round trip's check, compares weights bit for bit: one ulp anywhere makes it differ. */
  @Test
  void networkEqualsComparesWeightsBitForBit() {
    Network net = awkwardCnn("conv:2:3,relu,maxpool:2,dense:3", Loss.XENT, Activation.SOFTMAX, 3);
    Dense l = net.dense().get(0);
    float[] w = l.weights().clone();
    w[1] = Math.nextUp(w[1]);
    List<Dense> layers = new ArrayList<>(net.dense());
    layers.set(0, new Dense(l.inputs(), l.outputs(), l.activation(), w, l.bias().clone()));
    assertNotEquals(net, net.withDense(layers));
    Conv c = net.convs().get(0);
    float[] cb = c.bias().clone();
    cb[0] = Math.nextUp(cb[0]);
    List<Layer> stages = new ArrayList<>(net.stages());
    stages.set(0, c.withParameters(c.weights(), cb));
    assertNotEquals(net, net.withStages(stages));
    assertNotEquals(net, net.withInputScale(Math.nextUp(net.inputScale())));
    // and +0 vs -0, which == would call equal
    float[] z = l.bias().clone();
    z[0] = 0f;
    float[] nz = z.clone();
    nz[0] = -0f;
    assertNotEquals(new Dense(l.inputs(), l.outputs(), l.activation(), l.weights(), z),
        new Dense(l.inputs(), l.outputs(), l.activation(), l.weights(), nz));
  }

  /**
   * The ONNX checker (python3's onnx package, full_check: shape inference included) accepts every exported
   * model. Skipped whenever python3 or its onnx module is missing (it is no build dependency; e.g. apt-get
   * install python3-onnx, or pip install onnx).
   */
  @Test
  void onnxCheckerAcceptsEveryExportedModel() throws Exception {
    assumeTrue(python("import onnx") == 0, "python3 with the onnx module is missing: the checker is not run");
    List<Network> nets = List.of(xor(), tanh3(), standardized(0.3f), standardized(1f / 100),
        awkwardCnn("conv:4:3:s2,relu,conv:5:3:valid,tanh,avgpool:2,dropout:0.25,flatten,dense:6,tanh,"
            + "dropout:0.3,dense:4", Loss.XENT, Activation.SOFTMAX, 4),
        awkwardCnn("conv:3:4:s3,sigmoid,maxpool:2,conv:4:2:s2:valid,relu,dense:5,relu,dense:3", Loss.MSE,
            Activation.SIGMOID, 3),
        awkwardCnn(RESIDUAL, Loss.XENT, Activation.SOFTMAX, 4),
        awkwardCnn(DENSE_BN, Loss.XENT, Activation.SOFTMAX, 3, 5, 4, 2),
        awkwardCnn(RESIDUAL_BN, Loss.XENT, Activation.SOFTMAX, 4),
        NetSpec.parse("conv:32:3,relu,maxpool:2,conv:64:3,relu,maxpool:2,flatten,dense:128,relu,dropout:0.5,dense:10")
            .build(new Shape(28, 28, 1), 10, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(0), 0L)
            .withInputScale(1f / 255),
        Network.builder(784, 256, 128, 10).hidden(Activation.RELU).loss(Loss.XENT).seed(0).inputScale(1f / 255)
            .build());
    List<String> args = new ArrayList<>(List.of(PYTHON, "-c",
        "import sys, onnx\nfor f in sys.argv[1:]:\n  onnx.checker.check_model(onnx.load(f), full_check=True)\n"
            + "  print('ok', f)"));
    for (int i = 0; i < nets.size(); i++) {
      Path file = dir.resolve("model" + i + ".onnx");
      Onnx.save(nets.get(i), file, Map.of("epochs", "1"));
      args.add(file.toString());
    }
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the checker finishes");
    assertEquals(0, p.exitValue(), out);
  }

  // ----- the checks -----

  /** ORT equals cltrain predict for batch sizes 1, 7 and all rows; the interface; the round trip. */
  static void checkAll(String name, Network net, float[][] rows) throws Exception {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put(OnnxMetadata.EPOCHS, "3");
    facts.put(OnnxMetadata.DATA, name);
    byte[] bytes = Onnx.toBytes(net, facts);
    roundTrip(name, net, facts, bytes, rows, checkRuntime(name, net, bytes, rows));
  }

  /** ORT equals cltrain predict for batch sizes 1, 7 and all rows, and the interface; {@return cltrain's outputs} */
  static float[][] checkRuntime(String name, Network net, byte[] bytes, float[][] rows) throws Exception {
    float[][] ours = Model.of(net).predict(rows);
    float worst = 0;
    try (OrtSession s = ENV.createSession(bytes, new OrtSession.SessionOptions())) {
      checkInterface(s, net, name);
      float[][] all = run(s, rows);
      worst = Math.max(worst, assertClose(name + ", batch of " + rows.length, ours, all, 0));
      for (int r = 0; r < Math.min(rows.length, 5); r++) { // batch size 1
        float[][] one = run(s, new float[][] {rows[r]});
        worst = Math.max(worst, assertClose(name + ", batch of 1", new float[][] {ours[r]}, one, r));
      }
      if (rows.length >= 7) {
        float[][] seven = run(s, Arrays.copyOfRange(rows, 0, 7));
        worst = Math.max(worst, assertClose(name + ", batch of 7", Arrays.copyOfRange(ours, 0, 7), seven, 0));
      }
    }
    DIFFERENCES.merge(name, worst, Math::max);
    return ours;
  }

  static void checkInterface(OrtSession s, Network net, String name) throws OrtException {
    assertEquals(List.of(Onnx.INPUT), new ArrayList<>(s.getInputNames()), name);
    assertEquals(List.of(Onnx.OUTPUT), new ArrayList<>(s.getOutputNames()), name);
    TensorInfo in = (TensorInfo) s.getInputInfo().get(Onnx.INPUT).getInfo();
    TensorInfo out = (TensorInfo) s.getOutputInfo().get(Onnx.OUTPUT).getInfo();
    assertArrayEquals(new long[] {-1, net.inputs()}, in.getShape(), name + ": input shape, batch symbolic");
    assertArrayEquals(new long[] {-1, net.outputs()}, out.getShape(), name + ": output shape, batch symbolic");
    assertEquals(Onnx.BATCH, in.getDimensionNames()[0], name);
    assertEquals(Onnx.BATCH, out.getDimensionNames()[0], name);
    assertEquals(ai.onnxruntime.OnnxJavaType.FLOAT, in.type, name);
    var meta = s.getMetadata();
    assertEquals(Onnx.PRODUCER, meta.getProducerName(), name);
    Map<String, String> custom = meta.getCustomMetadata();
    assertEquals(net.loss().id, custom.get(OnnxMetadata.LOSS), name + ": " + custom);
    assertEquals(Float.toString(net.inputScale()), custom.get(OnnxMetadata.INPUT_SCALE), name);
    assertEquals(net.hasFeatures() ? net.input().toString() : Integer.toString(net.inputs()),
        custom.get(OnnxMetadata.INPUT_SHAPE), name);
    assertTrue(custom.containsKey(OnnxMetadata.ARCHITECTURE), name + ": " + custom);
    assertEquals("3", custom.get(OnnxMetadata.EPOCHS), name);
    assertEquals(name, custom.get(OnnxMetadata.DATA), name);
    if (net.hasFeatures()) {
      assertEquals(Long.toUnsignedString(net.dropoutSeed()), custom.get(OnnxMetadata.DROPOUT_SEED), name);
    }
  }

  /** Export, import, export: the same network bit for bit, the same bytes, the same predictions bit for bit. */
  static void roundTrip(String name, Network net, Map<String, String> facts, byte[] bytes, float[][] rows,
      float[][] ours) {
    Network back = Onnx.fromBytes(bytes, name + ".onnx");
    assertEquals(net, back, name + ": imported network");
    assertSameBits(net, back, name);
    assertArrayEquals(bytes, Onnx.toBytes(back, facts), name + ": exported again, byte for byte");
    float[][] again = Model.of(back).predict(rows);
    for (int r = 0; r < rows.length; r++) {
      for (int o = 0; o < ours[r].length; o++) {
        assertEquals(Float.floatToRawIntBits(ours[r][o]), Float.floatToRawIntBits(again[r][o]),
            name + ": the imported model predicts the same bits, row " + r);
      }
    }
  }

  /** Every float of the two networks, raw bits (belt and braces beside Network.equals). */
  static void assertSameBits(Network a, Network b, String name) {
    assertEquals(Float.floatToRawIntBits(a.inputScale()), Float.floatToRawIntBits(b.inputScale()), name);
    assertEquals(a.dense().size(), b.dense().size(), name);
    for (int l = 0; l < a.dense().size(); l++) {
      sameBits(a.dense().get(l).weights(), b.dense().get(l).weights(), name + " dense" + l + " weights");
      sameBits(a.dense().get(l).bias(), b.dense().get(l).bias(), name + " dense" + l + " bias");
      assertEquals(a.dense().get(l).activation(), b.dense().get(l).activation(), name);
    }
    assertEquals(a.convs().size(), b.convs().size(), name);
    for (int c = 0; c < a.convs().size(); c++) {
      sameBits(a.convs().get(c).weights(), b.convs().get(c).weights(), name + " conv" + c + " weights");
      sameBits(a.convs().get(c).bias(), b.convs().get(c).bias(), name + " conv" + c + " bias");
    }
    if (a.standardization() != null) {
      sameBits(a.standardization().mean(), b.standardization().mean(), name + " mean");
      sameBits(a.standardization().std(), b.standardization().std(), name + " std");
    }
  }

  static void sameBits(float[] a, float[] b, String what) {
    assertEquals(a.length, b.length, what);
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
        throw new AssertionError(what + "[" + i + "]: " + a[i] + " vs " + b[i]);
      }
    }
  }

  /** {@return the largest difference} after failing on one over {@link #TOLERANCE} */
  static float assertClose(String what, float[][] cltrain, float[][] ort, int firstRow) {
    assertEquals(cltrain.length, ort.length, what);
    float worst = 0;
    for (int r = 0; r < cltrain.length; r++) {
      assertEquals(cltrain[r].length, ort[r].length, what);
      for (int o = 0; o < cltrain[r].length; o++) {
        assertTrue(Float.isFinite(ort[r][o]), what);
        float d = Math.abs(cltrain[r][o] - ort[r][o]);
        if (!(d <= TOLERANCE)) {
          throw new AssertionError(what + ": row " + (firstRow + r) + " output " + o + ": cltrain " + cltrain[r][o]
              + ", ONNX Runtime " + ort[r][o] + " (|difference| " + d + " > " + TOLERANCE + ")");
        }
        worst = Math.max(worst, d);
      }
    }
    return worst;
  }

  static float[][] run(OrtSession s, float[][] rows) throws OrtException {
    try (OnnxTensor t = OnnxTensor.createTensor(ENV, rows); OrtSession.Result r = s.run(Map.of(Onnx.INPUT, t))) {
      return (float[][]) r.get(0).getValue();
    }
  }

  static float[][] ort(byte[] model, float[][] rows) throws OrtException {
    try (OrtSession s = ENV.createSession(model, new OrtSession.SessionOptions())) {
      return run(s, rows);
    }
  }

  static float[] round(float[][] single) {
    float[] out = new float[single.length];
    for (int r = 0; r < single.length; r++) {
      out[r] = Math.round(single[r][0]);
    }
    return out;
  }

  static double accuracy(float[][] outputs, int rows) {
    DataSet test = fashion().test();
    int right = 0;
    for (int r = 0; r < rows; r++) {
      float[] target = test.targetRow(r);
      if (target[Model.classOf(outputs[r])] == 1f) {
        right++;
      }
    }
    return right / (double) rows;
  }

  /** Debian's python3 (where apt's python3-onnx lives) when present, ahead of any other on the PATH (e.g. pyenv's). */
  static final String PYTHON = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/python3"))
      ? "/usr/bin/python3" : "python3";

  static int python(String code) {
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", code).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      return -1; // no python3
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
