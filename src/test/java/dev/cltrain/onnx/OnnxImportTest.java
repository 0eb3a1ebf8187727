package dev.cltrain.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.core.InputException;
import dev.cltrain.Model;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Pool;
import dev.cltrain.nn.Shape;
import dev.cltrain.nn.Layer;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Import of ONNX graphs written by others: PyTorch 1.13's torch.onnx.export (fixtures in src/test/resources/onnx,
 * written by scripts/make_onnx_fixtures.py with PyTorch's own outputs beside them), graphs hand-built as PyTorch and
 * Keras write them, and graphs that must fail with one line naming the node and what is unsupported.
 *
 * <p>Tolerance: cltrain's predictions of an imported model match PyTorch's outputs and ONNX Runtime's outputs on the
 * same bytes within 1e-5 absolute per output value (all float32; the outputs here are of order 1).
 */
class OnnxImportTest {
  /** Absolute tolerance per output value, cltrain vs PyTorch and cltrain vs ONNX Runtime. */
  private static final float TOLERANCE = 1e-5f;

  // ---- PyTorch fixtures -----------------------------------------------------------------------------------------

  record Fixture(byte[] bytes, long[] inputShape, float[][] inputs, float[][] outputs) {}

  static Fixture fixture(String name) throws Exception {
    return fixture(name, name);
  }

  /** The fixture {@code name}.onnx with the inputs and PyTorch's outputs of {@code outputs}.expected.json. */
  static Fixture fixture(String name, String outputs) throws Exception {
    byte[] bytes;
    JsonNode json;
    try (InputStream onnx = OnnxImportTest.class.getResourceAsStream("/onnx/" + name + ".onnx");
         InputStream expected = OnnxImportTest.class.getResourceAsStream("/onnx/" + outputs + ".expected.json")) {
      assertNotNull(onnx, name + ".onnx");
      assertNotNull(expected, outputs + ".expected.json");
      bytes = onnx.readAllBytes();
      json = new ObjectMapper().readTree(expected);
    }
    long[] shape = new long[json.get("input_shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = json.get("input_shape").get(i).asLong();
    }
    return new Fixture(bytes, shape, matrix(json.get("inputs")), matrix(json.get("outputs")));
  }

  private static float[][] matrix(JsonNode rows) {
    float[][] m = new float[rows.size()][];
    for (int r = 0; r < m.length; r++) {
      m[r] = new float[rows.get(r).size()];
      for (int c = 0; c < m[r].length; c++) {
        m[r][c] = (float) rows.get(r).get(c).asDouble();
      }
    }
    return m;
  }

  /** Imports a fixture from its file, checks cltrain, PyTorch and ONNX Runtime agree, and returns the network. */
  static Network importAndCompare(String name, @TempDir Path dir) throws Exception {
    return importAndCompare(name, name, dir);
  }

  /** {@link #importAndCompare(String, Path)} of {@code name}.onnx against {@code outputs}.expected.json. */
  static Network importAndCompare(String name, String outputs, Path dir) throws Exception {
    Fixture f = fixture(name, outputs);
    Path file = dir.resolve(name + ".onnx");
    Files.write(file, f.bytes());
    Network net = Onnx.read(file);
    float[][] ours = Model.of(net).predict(f.inputs());
    assertClose(f.outputs(), ours, name + ": cltrain vs PyTorch");
    float[][] ort = ort(f.bytes(), "input", flat(f.inputs()), f.inputShape());
    assertClose(f.outputs(), ort, name + ": ONNX Runtime vs PyTorch");
    assertClose(ort, ours, name + ": cltrain vs ONNX Runtime");
    return net;
  }

  private static List<Activation> activations(Network net) {
    return net.dense().stream().map(Dense::activation).collect(Collectors.toList());
  }

  private static String stages(Network net) {
    return net.stages().stream().map(Layer::spec)
        .collect(Collectors.joining(","));
  }

  @Test
  void torchMlp(@TempDir Path dir) throws Exception {
    Network net = importAndCompare("torch_mlp", dir);
    assertEquals(Loss.MSE, net.loss());
    assertArrayEquals(new int[] {4, 8, 3}, net.widths());
    assertEquals(List.of(Activation.RELU, Activation.IDENTITY), activations(net));
    assertFalse(net.hasFeatures());
  }

  @Test
  void whatAFileLeavesUnsaidIsKnown(@TempDir Path dir) throws Exception {
    Onnx.Imported logits = imported("torch_mlp", dir);
    assertTrue(logits.logits(), "Gemm with no activation and no declared loss: logits");
    assertFalse(logits.inputScaleStated(), "no Div or Mul on the input: the scale 1 is assumed");
    assertFalse(imported("torch_mlp_softmax", dir).logits(), "Softmax: a classifier, as the graph says");
    assertFalse(imported("torch_tanh_mlp", dir).logits(), "Sigmoid: mse, as the graph says");
    Network regression = new Network(Loss.MSE, List.of(new Dense(2, 3, Activation.IDENTITY, new float[6],
        new float[3])), 0.5f);
    Path mine = dir.resolve("mine.onnx");
    Onnx.save(regression, mine, java.util.Map.of());
    assertFalse(Onnx.readImported(mine).logits(), "cltrain's metadata declares mse");
    assertTrue(Onnx.readImported(mine).inputScaleStated(), "a Mul on the input and the input_scale metadata");
    Onnx.save(regression.withInputScale(1f), mine, java.util.Map.of());
    assertTrue(Onnx.readImported(mine).inputScaleStated(), "input_scale 1 in cltrain's metadata, with no Mul");
  }

  private static Onnx.Imported imported(String name, Path dir) throws Exception {
    Path file = dir.resolve(name + ".onnx");
    Files.write(file, fixture(name).bytes());
    return Onnx.readImported(file);
  }

  @Test
  void torchMlpSoftmax(@TempDir Path dir) throws Exception {
    Network net = importAndCompare("torch_mlp_softmax", dir);
    assertEquals(Loss.XENT, net.loss());
    assertArrayEquals(new int[] {4, 8, 3}, net.widths());
    assertEquals(List.of(Activation.RELU, Activation.SOFTMAX), activations(net));
  }

  @Test
  void torchTanhMlpWithSigmoidOutput(@TempDir Path dir) throws Exception {
    Network net = importAndCompare("torch_tanh_mlp", dir);
    assertEquals(Loss.MSE, net.loss());
    assertArrayEquals(new int[] {3, 6, 2}, net.widths());
    assertEquals(List.of(Activation.TANH, Activation.SIGMOID), activations(net));
  }

  /** NCHW with 6 channels of 2x2 at the Flatten: the dense layer's rows must be reordered from CHW to HWC. */
  @Test
  void torchCnn(@TempDir Path dir) throws Exception {
    Network net = importAndCompare("torch_cnn", dir);
    assertEquals(Loss.XENT, net.loss());
    assertEquals(new Shape(8, 8, 1), net.input());
    assertEquals("conv:4:3,maxpool:2,conv:6:3:valid", stages(net)); // eval-mode export drops the Dropout
    List<Conv> convs = net.convs();
    assertEquals(Activation.RELU, convs.get(0).activation());
    assertEquals(Activation.TANH, convs.get(1).activation());
    assertEquals(new Shape(2, 2, 6), net.stages().get(net.stages().size() - 1).output());
    assertArrayEquals(new int[] {24, 5}, net.widths());
    assertEquals(List.of(Activation.SOFTMAX), activations(net));
  }

  /** AvgPool2d: PyTorch 1.13 writes a Pad of zeros (from a Constant node) before the AveragePool. */
  @Test
  void torchCnnWithAveragePool(@TempDir Path dir) throws Exception {
    Network net = importAndCompare("torch_cnn_avg", dir);
    assertEquals(Loss.MSE, net.loss());
    assertEquals("conv:4:3:valid,avgpool:2", stages(net));
    assertEquals(Activation.SIGMOID, net.convs().get(0).activation());
    assertTrue(net.stages().get(1) instanceof Pool p && !p.max());
    assertArrayEquals(new int[] {36, 3}, net.widths());
    assertEquals(List.of(Activation.IDENTITY), activations(net));
  }

  // ---- hand-built graphs ------------------------------------------------------------------------------------------

  private static final int F = OnnxProto.FLOAT;

  private static OnnxProto.Node node(String name, String op, List<String> in, List<String> out,
      OnnxProto.Attribute... attributes) {
    return new OnnxProto.Node(name, op, "", in, out, List.of(attributes));
  }

  private static OnnxProto.ValueInfo value(String name, int type, long... dims) {
    List<OnnxProto.Dim> d = new ArrayList<>();
    d.add(OnnxProto.Dim.named("N"));
    for (long x : dims) {
      d.add(OnnxProto.Dim.of(x));
    }
    return new OnnxProto.ValueInfo(name, type, d, true);
  }

  private static OnnxProto.Model model(List<OnnxProto.Node> nodes, List<OnnxProto.Tensor> inits,
      List<OnnxProto.ValueInfo> inputs, OnnxProto.ValueInfo output, long opset) {
    return new OnnxProto.Model(8, Map.of("", opset), "test", "", new OnnxProto.Graph("g", nodes, inits, inputs,
        List.of(output)), Map.of());
  }

  private static byte[] bytes(List<OnnxProto.Node> nodes, List<OnnxProto.Tensor> inits, OnnxProto.ValueInfo input,
      OnnxProto.ValueInfo output) {
    return model(nodes, inits, List.of(input), output, 17).encode();
  }

  private static OnnxProto.Tensor floats(String name, float[] v, long... dims) {
    return OnnxProto.Tensor.ofFloats(name, v, dims);
  }

  /** W1 of nn.Linear(4, 8) as PyTorch keeps it, [out=8, in=4]: w1[o][i] = (o + 1) / 10 - i / 4, alternating sign. */
  private static float w1(int o, int i) {
    return ((o + 1) / 10f - i / 4f) * (o % 2 == 0 ? 1 : -1);
  }

  private static float b1(int o) {
    return 0.05f * o - 0.2f;
  }

  /** W2 of nn.Linear(8, 3), [out=3, in=8]. */
  private static float w2(int o, int i) {
    return (i - 3.5f) / 8f + o * 0.3f;
  }

  private static float b2(int o) {
    return 0.1f * (o - 1);
  }

  /** [out, in] as PyTorch keeps a Linear's weight, or transposed to [in, out] for MatMul. */
  private static float[] linear(int out, int in, boolean transposed, boolean second) {
    float[] w = new float[out * in];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        float v = second ? w2(o, i) : w1(o, i);
        w[transposed ? i * out + o : o * in + i] = v;
      }
    }
    return w;
  }

  private static float[] bias(int n, boolean second) {
    float[] b = new float[n];
    for (int o = 0; o < n; o++) {
      b[o] = second ? b2(o) : b1(o);
    }
    return b;
  }

  /** nn.Sequential(nn.Linear(4,8), nn.ReLU(), nn.Linear(8,3)) as Gemm transB=1 or as MatMul on [in,out] then Add. */
  private static byte[] torchMlpGraph(boolean gemm) {
    List<OnnxProto.Node> nodes = new ArrayList<>();
    List<OnnxProto.Tensor> inits = new ArrayList<>();
    if (gemm) {
      inits.add(floats("0.weight", linear(8, 4, false, false), 8, 4));
      inits.add(floats("0.bias", bias(8, false), 8));
      inits.add(floats("2.weight", linear(3, 8, false, true), 3, 8));
      inits.add(floats("2.bias", bias(3, true), 3));
      nodes.add(node("/0/Gemm", "Gemm", List.of("input", "0.weight", "0.bias"), List.of("h0"),
          OnnxProto.Attribute.ofFloat("alpha", 1f), OnnxProto.Attribute.ofFloat("beta", 1f),
          OnnxProto.Attribute.ofInt("transB", 1)));
      nodes.add(node("/1/Relu", "Relu", List.of("h0"), List.of("h1")));
      nodes.add(node("/2/Gemm", "Gemm", List.of("h1", "2.weight", "2.bias"), List.of("output"),
          OnnxProto.Attribute.ofFloat("alpha", 1f), OnnxProto.Attribute.ofFloat("beta", 1f),
          OnnxProto.Attribute.ofInt("transB", 1)));
    } else { // as older exporters write it: MatMul on a transposed initializer, then Add of the bias
      inits.add(floats("onnx::MatMul_10", linear(8, 4, true, false), 4, 8));
      inits.add(floats("0.bias", bias(8, false), 8));
      inits.add(floats("onnx::MatMul_11", linear(3, 8, true, true), 8, 3));
      inits.add(floats("2.bias", bias(3, true), 3));
      nodes.add(node("/0/MatMul", "MatMul", List.of("input", "onnx::MatMul_10"), List.of("m0")));
      nodes.add(node("/0/Add", "Add", List.of("0.bias", "m0"), List.of("h0"))); // bias first, as torch writes it
      nodes.add(node("/1/Relu", "Relu", List.of("h0"), List.of("h1")));
      nodes.add(node("/2/MatMul", "MatMul", List.of("h1", "onnx::MatMul_11"), List.of("m2")));
      nodes.add(node("/2/Add", "Add", List.of("2.bias", "m2"), List.of("output")));
    }
    return bytes(nodes, inits, value("input", F, 4), value("output", F, 3));
  }

  /** The MLP's output on one row, by hand from w1, b1, w2, b2 (not by cltrain). */
  private static float[] byHand(float[] x) {
    float[] h = new float[8];
    for (int o = 0; o < 8; o++) {
      float s = b1(o);
      for (int i = 0; i < 4; i++) {
        s += w1(o, i) * x[i];
      }
      h[o] = Math.max(s, 0f);
    }
    float[] y = new float[3];
    for (int o = 0; o < 3; o++) {
      float s = b2(o);
      for (int i = 0; i < 8; i++) {
        s += w2(o, i) * h[i];
      }
      y[o] = s;
    }
    return y;
  }

  @Test
  void handBuiltTorchMlpBothForms() throws Exception {
    float[][] x = {{1f, -2f, 0.5f, 3f}, {0.25f, 0.75f, -1f, 0f}, {-3f, 1f, 2f, -0.5f}};
    Network gemm = Onnx.fromBytes(torchMlpGraph(true), "gemm");
    Network matmul = Onnx.fromBytes(torchMlpGraph(false), "matmul");
    for (Network net : List.of(gemm, matmul)) {
      assertEquals(Loss.MSE, net.loss());
      assertArrayEquals(new int[] {4, 8, 3}, net.widths());
      assertEquals(List.of(Activation.RELU, Activation.IDENTITY), activations(net));
      // cltrain keeps weights [in, out]: weights[i * out + o] is PyTorch's weight[o][i]
      Dense l0 = net.dense().get(0);
      Dense l1 = net.dense().get(1);
      for (int o = 0; o < 8; o++) {
        assertEquals(b1(o), l0.bias()[o]);
        for (int i = 0; i < 4; i++) {
          assertEquals(w1(o, i), l0.weights()[i * 8 + o], "w1 " + o + "," + i);
        }
      }
      for (int o = 0; o < 3; o++) {
        assertEquals(b2(o), l1.bias()[o]);
        for (int i = 0; i < 8; i++) {
          assertEquals(w2(o, i), l1.weights()[i * 3 + o], "w2 " + o + "," + i);
        }
      }
      float[][] ours = Model.of(net).predict(x);
      for (int r = 0; r < x.length; r++) {
        assertArrayEquals(byHand(x[r]), ours[r], TOLERANCE);
      }
    }
    assertEquals(gemm, matmul);
    // the first row by hand, written out: h = relu(W1 x + b1), y = W2 h + b2
    float[] y = Model.of(gemm).predict(x[0]);
    float[] h = new float[8];
    for (int o = 0; o < 8; o++) {
      h[o] = Math.max(0f, b1(o) + w1(o, 0) * 1f + w1(o, 1) * -2f + w1(o, 2) * 0.5f + w1(o, 3) * 3f);
    }
    assertEquals(b2(0) + dot(h, 0), y[0], TOLERANCE);
    for (boolean form : new boolean[] {true, false}) {
      float[][] ort = ort(torchMlpGraph(form), "input", flat(x), new long[] {x.length, 4});
      assertClose(ort, Model.of(form ? gemm : matmul).predict(x), "ORT vs cltrain, gemm=" + form);
    }
  }

  private static float dot(float[] h, int o) {
    float s = 0;
    for (int i = 0; i < 8; i++) {
      s += w2(o, i) * h[i];
    }
    return s;
  }

  /** Keras (tf2onnx) style: [N,H,W,C] → Transpose 0,3,1,2 → Conv → Relu → Transpose 0,2,3,1 → Flatten → MatMul → Add → Softmax. */
  private static byte[] kerasGraph(long[] convPads) {
    int h = 4;
    int w = 3;
    int c = 2;
    int f = 3;
    int k = 3;
    boolean same = convPads[0] > 0;
    int oh = same ? h : h - k + 1;
    int ow = same ? w : w - k + 1;
    int flat = oh * ow * f;
    float[] kernel = new float[f * c * k * k];
    for (int i = 0; i < kernel.length; i++) {
      kernel[i] = (float) Math.sin(0.7 * i + 0.3) * 0.5f;
    }
    float[] kb = {0.1f, -0.2f, 0.05f};
    float[] dense = new float[flat * 4];
    for (int i = 0; i < dense.length; i++) {
      dense[i] = (float) Math.cos(1.3 * i) * 0.4f;
    }
    float[] db = {0.3f, -0.1f, 0f, 0.2f};
    List<OnnxProto.Node> nodes = List.of(
        node("transpose_in", "Transpose", List.of("input_1"), List.of("t0"), OnnxProto.Attribute.ofInts("perm", 0, 3, 1, 2)),
        node("conv2d", "Conv", List.of("t0", "kernel", "conv_bias"), List.of("c0"),
            OnnxProto.Attribute.ofInts("dilations", 1, 1), OnnxProto.Attribute.ofInt("group", 1),
            OnnxProto.Attribute.ofInts("kernel_shape", k, k), OnnxProto.Attribute.ofInts("pads", convPads),
            OnnxProto.Attribute.ofInts("strides", 1, 1)),
        node("conv2d_relu", "Relu", List.of("c0"), List.of("r0")),
        node("transpose_out", "Transpose", List.of("r0"), List.of("t1"), OnnxProto.Attribute.ofInts("perm", 0, 2, 3, 1)),
        node("flatten", "Flatten", List.of("t1"), List.of("fl"), OnnxProto.Attribute.ofInt("axis", 1)),
        node("dense/MatMul", "MatMul", List.of("fl", "dense_kernel"), List.of("mm")),
        node("dense/BiasAdd", "Add", List.of("mm", "dense_bias"), List.of("logits")),
        node("dense/Softmax", "Softmax", List.of("logits"), List.of("dense"), OnnxProto.Attribute.ofInt("axis", -1)));
    List<OnnxProto.Tensor> inits = List.of(floats("kernel", kernel, f, c, k, k), floats("conv_bias", kb, f),
        floats("dense_kernel", dense, flat, 4), floats("dense_bias", db, 4));
    return bytes(nodes, inits, value("input_1", F, h, w, c), value("dense", F, 4));
  }

  @Test
  void kerasStyleCnnAgreesWithOnnxRuntime() throws Exception {
    for (long[] pads : new long[][] {{1, 1, 1, 1}, {0, 0, 0, 0}}) {
      byte[] bytes = kerasGraph(pads);
      Network net = Onnx.fromBytes(bytes, "keras");
      assertEquals(Loss.XENT, net.loss());
      assertEquals(new Shape(4, 3, 2), net.input());
      assertEquals(pads[0] > 0 ? "conv:3:3" : "conv:3:3:valid", stages(net));
      assertEquals(Activation.RELU, net.convs().get(0).activation());
      assertEquals(List.of(Activation.SOFTMAX), activations(net));
      float[][] x = new float[4][4 * 3 * 2];
      java.util.Random r = new java.util.Random(7);
      for (float[] row : x) {
        for (int i = 0; i < row.length; i++) {
          row[i] = (float) r.nextGaussian();
        }
      }
      // the rows in HWC order are the NHWC tensor itself: the same floats go to ONNX Runtime as [N, 4, 3, 2]
      float[][] ort = ort(bytes, "input_1", flat(x), new long[] {x.length, 4, 3, 2});
      assertClose(ort, Model.of(net).predict(x), "keras pads " + java.util.Arrays.toString(pads));
    }
  }

  // ---- unsupported graphs -----------------------------------------------------------------------------------------

  /** The import fails with one line holding every fragment. */
  private static String fails(byte[] bytes, String... fragments) {
    InputException e = assertThrows(InputException.class, () -> Onnx.fromBytes(bytes, "bad.onnx"));
    return checkMessage(e, fragments);
  }

  private static String fails(OnnxProto.Model model, String... fragments) {
    InputException e = assertThrows(InputException.class, () -> OnnxImport.network(model, "bad.onnx"));
    return checkMessage(e, fragments);
  }

  private static String checkMessage(InputException e, String... fragments) {
    String m = e.getMessage();
    assertFalse(m.contains("\n") || m.contains("\r"), m);
    assertTrue(m.startsWith("bad.onnx: "), m);
    for (String f : fragments) {
      assertTrue(m.contains(f), "'" + f + "' not in: " + m);
    }
    return m;
  }

  /** rows of 4 → Gemm "g" (transB, 3 outputs) → then the given nodes, from "h" to "output". */
  private static byte[] afterGemm(List<OnnxProto.Node> tail, List<OnnxProto.Tensor> extra, long outWidth,
      OnnxProto.Attribute... gemmAttributes) {
    List<OnnxProto.Node> nodes = new ArrayList<>();
    List<OnnxProto.Attribute> a = new ArrayList<>(List.of(gemmAttributes));
    a.add(OnnxProto.Attribute.ofInt("transB", 1));
    nodes.add(new OnnxProto.Node("g", "Gemm", "", List.of("input", "W", "B"), List.of(tail.isEmpty() ? "output" : "h"),
        a));
    nodes.addAll(tail);
    List<OnnxProto.Tensor> inits = new ArrayList<>(List.of(floats("W", new float[12], 3, 4), floats("B", new float[3], 3)));
    inits.addAll(extra);
    return bytes(nodes, inits, value("input", F, 4), value("output", F, outWidth));
  }

  /** [N,1,4,4] → the given nodes from "input" (the Conv's weights "K" [2,1,3,3] are there) → … → "output". */
  private static byte[] image(List<OnnxProto.Node> nodes, long channels, OnnxProto.Tensor... extra) {
    List<OnnxProto.Tensor> inits = new ArrayList<>(List.of(floats("K", new float[2 * (int) channels * 9], 2, channels, 3, 3),
        floats("W", new float[3 * 32], 3, 32), floats("B", new float[3], 3)));
    inits.addAll(List.of(extra));
    return bytes(nodes, inits, value("input", F, channels, 4, 4), value("output", F, 3));
  }

  private static OnnxProto.Node conv(String in, String out, OnnxProto.Attribute... a) {
    List<OnnxProto.Attribute> all = new ArrayList<>(List.of(OnnxProto.Attribute.ofInts("kernel_shape", 3, 3)));
    all.addAll(List.of(a));
    return new OnnxProto.Node("conv_0", "Conv", "", List.of(in, "K"), List.of(out), all);
  }

  private static List<OnnxProto.Node> flattenDense(String from) {
    return List.of(node("flat", "Flatten", List.of(from), List.of("f")),
        node("dense", "Gemm", List.of("f", "W", "B"), List.of("output"), OnnxProto.Attribute.ofInt("transB", 1)));
  }

  /**
   * An identity block summed as Add(x, h) and as Add(h, x), its Relu after the Add: the same network, a conv then
   * residual(conv:2:3),relu; the walk reads the branch whichever of the Add's operands it is.
   */
  @Test
  void anIdentityBlockReadsTheSameWithTheAddsOperandsEitherWay() {
    List<Network> nets = new ArrayList<>();
    for (boolean shortcutFirst : new boolean[] {true, false}) {
      float[] k2 = new float[2 * 2 * 9];
      for (int i = 0; i < k2.length; i++) {
        k2[i] = (i % 7 - 3) / 10f;
      }
      List<OnnxProto.Node> nodes = new ArrayList<>(List.of(conv("input", "c", OnnxProto.Attribute.ofInts("pads", 1, 1,
              1, 1)),
          new OnnxProto.Node("conv_1", "Conv", "", List.of("c", "K2"), List.of("h"),
              List.of(OnnxProto.Attribute.ofInts("kernel_shape", 3, 3), OnnxProto.Attribute.ofInts("pads", 1, 1, 1, 1))),
          node("sum", "Add", shortcutFirst ? List.of("c", "h") : List.of("h", "c"), List.of("s")),
          node("relu", "Relu", List.of("s"), List.of("r"))));
      nodes.addAll(flattenDense("r"));
      nets.add(Onnx.fromBytes(image(nodes, 1, floats("K2", k2, 2, 2, 3, 3)), "block.onnx"));
    }
    assertEquals("conv:2:3,residual(conv:2:3),relu", nets.get(0).layers().subList(0, 2).stream()
        .map(Layer::netItems).collect(Collectors.joining(",")));
    assertEquals(nets.get(0), nets.get(1), "Add(x, h) and Add(h, x)");
  }

  @Test
  void unsupportedOperators() {
    fails(afterGemm(List.of(node("leaky_0", "LeakyRelu", List.of("h"), List.of("output"))), List.of(), 3),
        "LeakyRelu node 'leaky_0'", "LeakyRelu");
    fails(afterGemm(List.of(node("cat_0", "Concat", List.of("h", "C"), List.of("output"),
        OnnxProto.Attribute.ofInt("axis", 1))), List.of(floats("C", new float[] {1}, 1, 1)), 4),
        "Concat node 'cat_0'", "operator Concat");
    fails(bytes(List.of(node("lstm_0", "LSTM", List.of("input", "LW", "LR"), List.of("output"),
            OnnxProto.Attribute.ofInt("hidden_size", 2))),
        List.of(floats("LW", new float[32], 1, 8, 4), floats("LR", new float[16], 1, 8, 2)),
        value("input", F, 4), value("output", F, 2)), "LSTM node 'lstm_0'", "takes a sequence [T, batch, F]"); // on rows
    // training_mode=1 is read with its running statistics, but not when its running-statistics output is used
    List<OnnxProto.Node> bn = new ArrayList<>(List.of(conv("input", "c"),
        node("bn_0", "BatchNormalization", List.of("c", "S", "Bb", "M", "V"), List.of("n", "running_mean"),
            OnnxProto.Attribute.ofInt("training_mode", 1)),
        node("use_0", "Relu", List.of("running_mean"), List.of("r"))));
    bn.addAll(flattenDense("n"));
    fails(image(bn, 1, floats("S", new float[2], 2), floats("Bb", new float[2], 2), floats("M", new float[2], 2),
        floats("V", new float[2], 2)), "BatchNormalization node 'bn_0'", "output 'running_mean'", "is used");
    // an Add on the chain that adds a constant after a convolution: no residual block's sum
    List<OnnxProto.Node> add = new ArrayList<>(List.of(conv("input", "c"),
        node("add_0", "Add", List.of("c", "A"), List.of("a"))));
    add.addAll(flattenDense("a"));
    fails(image(add, 1, floats("A", new float[] {1}, 1)), "Add node 'add_0'", "not two branches from one value");
    // x + x
    List<OnnxProto.Node> twice = new ArrayList<>(List.of(conv("input", "c"),
        node("add_1", "Add", List.of("c", "c"), List.of("a"))));
    twice.addAll(flattenDense("a"));
    fails(image(twice, 1), "Add node 'add_1'", "a residual block's sum adds its branch and its shortcut");
    // a node of another domain, even with a known name
    OnnxProto.Node ms = new OnnxProto.Node("fused_0", "Gemm", "com.microsoft", List.of("input", "W", "B"),
        List.of("output"), List.of());
    fails(bytes(List.of(ms), List.of(floats("W", new float[12], 4, 3), floats("B", new float[3], 3)),
        value("input", F, 4), value("output", F, 3)), "Gemm node 'fused_0'", "domain", "com.microsoft");
    // a Pad that pads
    List<OnnxProto.Node> pad = new ArrayList<>(List.of(conv("input", "c"),
        node("pad_0", "Pad", List.of("c", "P"), List.of("p"), OnnxProto.Attribute.ofString("mode", "constant"))));
    pad.add(node("pool", "AveragePool", List.of("p"), List.of("q"), OnnxProto.Attribute.ofInts("kernel_shape", 2, 2),
        OnnxProto.Attribute.ofInts("strides", 2, 2)));
    pad.addAll(flattenDense("q"));
    fails(image(pad, 1, OnnxProto.Tensor.ofLongs("P", new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 8)), "Pad node 'pad_0'",
        "pads");
  }

  @Test
  void unsupportedAttributes() {
    // Conv group=2 on a Keras-style 2-channel input (weights [2, 1, 3, 3] as a grouped conv has)
    List<OnnxProto.Node> grouped = new ArrayList<>(List.of(
        node("tr", "Transpose", List.of("input"), List.of("t"), OnnxProto.Attribute.ofInts("perm", 0, 3, 1, 2)),
        new OnnxProto.Node("conv_g", "Conv", "", List.of("t", "K"), List.of("c"),
            List.of(OnnxProto.Attribute.ofInt("group", 2), OnnxProto.Attribute.ofInts("kernel_shape", 3, 3)))));
    grouped.addAll(flattenDense("c"));
    fails(bytes(grouped, List.of(floats("K", new float[18], 2, 1, 3, 3), floats("W", new float[3 * 8], 3, 8),
        floats("B", new float[3], 3)), value("input", F, 4, 4, 2), value("output", F, 3)),
        "Conv node 'conv_g'", "group=2");
    // Conv dilations 2
    List<OnnxProto.Node> dilated = new ArrayList<>(List.of(conv("input", "c", OnnxProto.Attribute.ofInts("dilations", 2, 2))));
    dilated.addAll(flattenDense("c"));
    fails(image(dilated, 1), "Conv node 'conv_0'", "dilations");
    // Conv with asymmetric explicit pads other than cltrain's "same"
    List<OnnxProto.Node> padded = new ArrayList<>(List.of(conv("input", "c", OnnxProto.Attribute.ofInts("pads", 0, 0, 1, 1))));
    padded.addAll(flattenDense("c"));
    fails(image(padded, 1), "Conv node 'conv_0'", "pads");
    // Gemm alpha=0.5
    fails(afterGemm(List.of(), List.of(), 3, OnnxProto.Attribute.ofFloat("alpha", 0.5f)), "Gemm node 'g'", "alpha=0.5");
    // MaxPool with pads
    List<OnnxProto.Node> pool = new ArrayList<>(List.of(conv("input", "c", OnnxProto.Attribute.ofInts("pads", 1, 1, 1, 1)),
        node("pool_0", "MaxPool", List.of("c"), List.of("p"), OnnxProto.Attribute.ofInts("kernel_shape", 2, 2),
            OnnxProto.Attribute.ofInts("strides", 2, 2), OnnxProto.Attribute.ofInts("pads", 1, 1, 1, 1))));
    pool.addAll(flattenDense("p"));
    fails(image(pool, 1), "MaxPool node 'pool_0'", "pads");
    // Softmax axis=0
    fails(afterGemm(List.of(node("sm_0", "Softmax", List.of("h"), List.of("output"), OnnxProto.Attribute.ofInt("axis", 0))),
        List.of(), 3), "Softmax node 'sm_0'", "axis=0");
    // an attribute cltrain does not know, on an operator it reads
    fails(afterGemm(List.of(node("flat_0", "Flatten", List.of("h"), List.of("output"),
        OnnxProto.Attribute.ofInt("axis", 1), OnnxProto.Attribute.ofInt("mystery", 1))), List.of(), 3),
        "Flatten node 'flat_0'", "attribute mystery");
  }

  @Test
  void unsupportedGraphs() {
    // two inputs
    byte[] two = model(List.of(node("g", "Gemm", List.of("input", "W", "B"), List.of("output"),
            OnnxProto.Attribute.ofInt("transB", 1))),
        List.of(floats("W", new float[12], 3, 4), floats("B", new float[3], 3)),
        List.of(value("input", F, 4), value("other", F, 4)), value("output", F, 3), 17).encode();
    fails(two, "2 inputs");
    // an int64 input
    fails(bytes(List.of(node("g", "Gemm", List.of("input", "W", "B"), List.of("output"),
            OnnxProto.Attribute.ofInt("transB", 1))),
        List.of(floats("W", new float[12], 3, 4), floats("B", new float[3], 3)),
        value("input", OnnxProto.INT64, 4), value("output", F, 3)), "input 'input'", "element type 7");
    // two branches from h that meet in an Add, neither of them a shortcut
    fails(afterGemm(List.of(node("relu_a", "Relu", List.of("h"), List.of("a")), node("relu_b", "Relu", List.of("h"),
        List.of("b")), node("sum", "Add", List.of("a", "b"), List.of("output"))), List.of(), 3),
        "Add node 'sum'", "Relu node 'relu_a'", "Relu node 'relu_b'", "neither is the identity or a 1x1 Conv");
    // two branches from h that never meet
    fails(afterGemm(List.of(node("relu_a", "Relu", List.of("h"), List.of("output")), node("relu_b", "Relu",
        List.of("h"), List.of("b"))), List.of(), 3), "feeds 2 nodes", "Relu node 'relu_a'", "Relu node 'relu_b'");
    // channels first with 3 channels
    List<OnnxProto.Node> rgb = new ArrayList<>(List.of(conv("input", "c")));
    rgb.addAll(flattenDense("c"));
    fails(image(rgb, 3), "input 'input'", "3 channels");
    // a Reshape to a shape cltrain does not read
    fails(afterGemm(List.of(node("reshape_0", "Reshape", List.of("h", "S"), List.of("output"))),
        List.of(OnnxProto.Tensor.ofLongs("S", new long[] {-1, 3, 1}, 3)), 3), "Reshape node 'reshape_0'", "shape");
    // opsets outside 7..23
    for (long opset : new long[] {6, 30}) {
      byte[] b = model(List.of(node("g", "Gemm", List.of("input", "W", "B"), List.of("output"),
              OnnxProto.Attribute.ofInt("transB", 1))),
          List.of(floats("W", new float[12], 3, 4), floats("B", new float[3], 3)),
          List.of(value("input", F, 4)), value("output", F, 3), opset).encode();
      fails(b, "operator set " + opset);
    }
  }

  /** Weights in an external file (data_location EXTERNAL): not read, and the message names the node and the tensor. */
  @Test
  void externalData() {
    OnnxProto.Tensor external = new OnnxProto.Tensor("W", F, new long[] {3, 4}, new float[0], new long[0], true);
    OnnxProto.Model m = model(List.of(node("gemm_ext", "Gemm", List.of("input", "W", "B"), List.of("output"),
            OnnxProto.Attribute.ofInt("transB", 1))),
        List.of(external, floats("B", new float[3], 3)), List.of(value("input", F, 4)), value("output", F, 3), 17);
    fails(m, "Gemm node 'gemm_ext'", "'W'", "external");
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  static float[] flat(float[][] rows) {
    float[] f = new float[rows.length * rows[0].length];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, f, r * rows[0].length, rows[0].length);
    }
    return f;
  }

  /** ONNX Runtime's outputs for the bytes, on the input given flat with its shape. */
  static float[][] ort(byte[] bytes, String input, float[] values, long[] shape) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(bytes);
         OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
         OrtSession.Result r = s.run(Map.of(input, t))) {
      return (float[][]) r.get(0).getValue();
    }
  }

  static void assertClose(float[][] expected, float[][] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int r = 0; r < expected.length; r++) {
      assertArrayEquals(expected[r], actual[r], TOLERANCE, what + ", row " + r);
    }
  }
}
