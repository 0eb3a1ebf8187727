package dev.cltrain.nn;

import dev.cltrain.io.AtomicFiles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.core.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model file: exact shape, bit-exact round trip, a named field in every defect, and atomic saving. */
class ModelJsonTest {
  private static final String NAME = "model.json";

  @TempDir
  Path dir;

  /** A valid 2 -> 2 -> 1 model; the malformed cases below each change one thing in it. */
  private static final String GOOD = """
      {"format":"cltrain-model","version":1,"loss":"mse","layers":[
       {"inputs":2,"outputs":2,"activation":"sigmoid","weights":[[0.5,-0.25],[1.0,2.0]],"bias":[0.1,0.2]},
       {"inputs":2,"outputs":1,"activation":"sigmoid","weights":[[0.75],[-1.5]],"bias":[0.3]}]}
      """;

  private static String rejected(String json) {
    InputException e = assertThrows(InputException.class, () -> ModelJson.parse(json, NAME));
    String message = e.getMessage();
    assertTrue(message.startsWith(NAME), "names the file first: " + message);
    assertFalse(message.contains("\n"), "one line: " + message);
    return message;
  }

  private static void assertContains(String message, String... phrases) {
    for (String phrase : phrases) {
      assertTrue(message.contains(phrase), "expected '" + phrase + "' in: " + message);
    }
  }

  private static void assertBitIdentical(Network expected, Network actual) {
    assertEquals(expected.loss(), actual.loss());
    assertArrayEquals(expected.widths(), actual.widths());
    for (int l = 0; l < expected.dense().size(); l++) {
      Dense a = expected.dense().get(l);
      Dense b = actual.dense().get(l);
      assertEquals(a.activation(), b.activation(), "layer " + l + " activation");
      assertArrayEquals(bits(a.weights()), bits(b.weights()), "layer " + l + " weights, bit for bit");
      assertArrayEquals(bits(a.bias()), bits(b.bias()), "layer " + l + " bias, bit for bit");
    }
  }

  private static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void goodTemplateParses() {
    Network network = ModelJson.parse(GOOD, NAME);
    assertArrayEquals(new int[] {2, 2, 1}, network.widths());
    assertEquals(-0.25f, network.dense().get(0).weight(0, 1));
    assertEquals(1.0f, network.dense().get(0).weight(1, 0));
    assertEquals(0.3f, network.dense().get(1).bias()[0]);
  }

  @Test
  void toJsonThenParseGivesBitIdenticalWeights() {
    Network network = Network.initNormal(new int[] {3, 5, 2}, 7);
    Network back = ModelJson.parse(ModelJson.toJson(network), NAME);
    assertBitIdentical(network, back);
  }

  @Test
  void classNamesStandardizationAndAnIdentityOutputRoundTripAndOldFilesLackThem() {
    Network plain = Network.builder(2, 3, 2).loss(Loss.XENT).seed(1).build();
    assertEquals(false, ModelJson.toJson(plain).contains("classNames"), "a model without them is written as before");
    Network named = plain.withClassNames(List.of("cat", "dog, big"))
        .withStandardization(new Standardization(new float[] {1.5f, -2f}, new float[] {0.25f, 3f}));
    Network back = ModelJson.parse(ModelJson.toJson(named), NAME);
    assertEquals(List.of("cat", "dog, big"), back.classNames());
    assertEquals(named.standardization(), back.standardization());
    assertBitIdentical(named, back);
    Network regression = Network.builder(2, 1).output(Activation.IDENTITY).seed(1).build();
    assertEquals(Activation.IDENTITY, ModelJson.parse(ModelJson.toJson(regression), NAME).dense().get(0).activation());
    String badNames = ModelJson.toJson(plain).replace("\"layers\"", "\"classNames\": [\"only one\"], \"layers\"");
    assertThrows(dev.cltrain.core.InputException.class, () -> ModelJson.parse(badNames, NAME));
  }

  @Test
  void roundTripKeepsAwkwardFloatsBitForBit() {
    float[] awkward = {Float.MIN_VALUE, -Float.MAX_VALUE, 1e-38f, 0.1f, 1f / 3, -0.0f, 16777217f, (float) Math.PI};
    Dense layer = new Dense(awkward.length, 1, Activation.SIGMOID, awkward, new float[] {Float.MIN_NORMAL});
    Network network = new Network(Loss.MSE, List.of(layer));
    assertBitIdentical(network, ModelJson.parse(ModelJson.toJson(network), NAME));
  }

  @Test
  void saveThenReadFromAFileGivesBitIdenticalWeights() {
    Network network = Network.initNormal(new int[] {3, 5, 2}, 7);
    Path file = dir.resolve("net.json");
    ModelJson.save(network, file);
    assertBitIdentical(network, ModelJson.read(file));
  }

  @Test
  void twoToOneModelHasExactlyTheDocumentedJsonShape() throws IOException {
    Network network = Network.initNormal(new int[] {2, 1}, 0);
    Dense layer = network.dense().get(0);
    JsonNode root = new ObjectMapper().readTree(ModelJson.toJson(network));

    List<String> names = fieldNames(root);
    if (root.has("inputScale")) { // optional; 1 for data that is not rescaled
      assertEquals(1.0f, root.get("inputScale").floatValue(), "inputScale");
      names.remove("inputScale");
    }
    assertEquals(List.of("format", "version", "loss", "layers"), names);
    assertEquals("cltrain-model", root.get("format").textValue());
    assertTrue(root.get("version").isInt());
    assertEquals(1, root.get("version").intValue());
    assertEquals("mse", root.get("loss").textValue());
    assertTrue(root.get("layers").isArray());
    assertEquals(1, root.get("layers").size());

    JsonNode l0 = root.get("layers").get(0);
    assertEquals(List.of("inputs", "outputs", "activation", "weights", "bias"), fieldNames(l0));
    assertEquals(2, l0.get("inputs").intValue());
    assertEquals(1, l0.get("outputs").intValue());
    assertEquals("sigmoid", l0.get("activation").textValue());
    JsonNode weights = l0.get("weights");
    assertEquals(2, weights.size(), "one row per input");
    for (int i = 0; i < 2; i++) {
      assertTrue(weights.get(i).isArray());
      assertEquals(1, weights.get(i).size(), "one number per output");
      assertTrue(weights.get(i).get(0).isNumber());
      assertEquals(layer.weight(i, 0), weights.get(i).get(0).floatValue(), "w" + i + "0");
    }
    JsonNode bias = l0.get("bias");
    assertEquals(1, bias.size());
    assertEquals(layer.bias()[0], bias.get(0).floatValue(), "b0");
  }

  @Test
  void invalidJsonSaysNotValidJsonWithLineAndColumn() {
    String message = rejected("{\"format\": \"cltrain-model\", \"version\": 1,,}");
    assertContains(message, NAME + ":1:", "not valid JSON");
  }

  @Test
  void truncatedJsonSaysNotValidJson() {
    assertContains(rejected(GOOD.substring(0, GOOD.length() / 2)), "not valid JSON");
  }

  @Test
  void emptyTextOrANonObjectIsRejected() {
    assertContains(rejected(""), "expected a JSON object");
    assertContains(rejected("[1,2]"), "expected a JSON object");
  }

  @Test
  void wrongFormatStringNamesTheFormatField() {
    assertContains(rejected(GOOD.replace("\"cltrain-model\"", "\"keras\"")), "\"format\"", "cltrain-model");
    assertContains(rejected(GOOD.replace("\"format\":\"cltrain-model\",", "")), "\"format\"");
  }

  @Test
  void anUnknownVersionNamesTheVersionField() {
    String message = rejected(GOOD.replace("\"version\":1", "\"version\":3"));
    assertContains(message, "\"version\" 3", "reads versions 1 and 2");
    assertContains(rejected(GOOD.replace("\"version\":1", "\"version\":\"2\"")), "\"version\"");
  }

  // ---- version 2: networks with features ----

  private static float[] draws(java.util.Random random, int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian() / 3;
    }
    return values;
  }

  /**
   * 8x6x2 -> conv:3:3 relu (same) -> maxpool:2 -> dropout:0.25 -> conv:4:2:s2 valid tanh -> avgpool:1
   * -> dense 8x5 relu -> dropout:0.5 -> dense 5x3 softmax, an awkward seed, and awkward floats in the weights.
   */
  static Network convNet() {
    java.util.Random random = new java.util.Random(11);
    Shape input = new Shape(8, 6, 2);
    float[] w1 = draws(random, 3 * 3 * 2 * 3);
    w1[0] = Float.MIN_VALUE;
    w1[1] = -0.0f;
    w1[2] = 1f / 3;
    w1[3] = 16777217f;
    Conv c1 = new Conv(input, 3, 3, 1, true, Activation.RELU, w1, draws(random, 3));
    Pool p1 = new Pool(c1.output(), true, 2);
    Dropout d1 = new Dropout(p1.output(), 0.25f);
    Conv c2 = new Conv(d1.output(), 4, 2, 2, false, Activation.TANH, draws(random, 2 * 2 * 3 * 4),
        new float[] {Float.MIN_NORMAL, -1e-38f, 0.1f, (float) Math.PI});
    Pool p2 = new Pool(c2.output(), false, 1);
    int flat = p2.output().size();
    Dense l1 = new Dense(flat, 5, Activation.RELU, draws(random, flat * 5), draws(random, 5));
    Dense l2 = new Dense(5, 3, Activation.SOFTMAX, draws(random, 15), draws(random, 3));
    Dropout d2 = new Dropout(l1.output(), 0.5f);
    return new Network(input, List.of(c1, p1, d1, c2, p2, l1, d2, l2), Loss.XENT, 1f / 255, null, null,
        0xFEDCBA9876543210L);
  }

  private static void assertConvBitIdentical(Network expected, Network actual) {
    assertBitIdentical(expected, actual);
    assertEquals(expected.input(), actual.input());
    assertEquals(expected.dropoutSeed(), actual.dropoutSeed());
    assertArrayEquals(bits(expected.denseDropout()), bits(actual.denseDropout()));
    List<Layer> a = expected.layers();
    List<Layer> b = actual.layers();
    assertEquals(a.size(), b.size());
    for (int s = 0; s < a.size(); s++) {
      if (a.get(s) instanceof Conv ca) {
        Conv cb = (Conv) b.get(s);
        assertArrayEquals(bits(ca.weights()), bits(cb.weights()), "stage " + s + " weights, bit for bit");
        assertArrayEquals(bits(ca.bias()), bits(cb.bias()), "stage " + s + " bias, bit for bit");
      }
      assertEquals(a.get(s), b.get(s), "stage " + s);
    }
    assertEquals(expected, actual);
  }

  @Test
  void aNetworkWithFeaturesIsVersionTwoAndRoundTripsBitForBit() {
    Network net = convNet();
    String json = ModelJson.toJson(net);
    Network back = ModelJson.parse(json, NAME);
    assertConvBitIdentical(net, back);
    assertEquals(json, ModelJson.toJson(back), "written again, the same text");
    Network named = net.withClassNames(List.of("a", "b", "c"))
        .withStandardization(new Standardization(draws(new java.util.Random(2), 96), fill(96, 0.5f)));
    assertConvBitIdentical(named, ModelJson.parse(ModelJson.toJson(named), NAME));
  }

  private static float[] fill(int n, float v) {
    float[] values = new float[n];
    java.util.Arrays.fill(values, v);
    return values;
  }

  /**
   * Batch norms per unit after dense layers (one before a dropout) round-trip bit for bit, running statistics
   * included; a file with one after the output layer, or after a dropout, is refused in one line naming it.
   */
  @Test
  void batchNormsAfterDenseLayersRoundTripAndOutOfPlaceOnesAreRefused() throws IOException {
    Network built = NetSpec.parse("dense:4,bn,relu,dropout:0.5,dense:3,tanh,bn:0.2:0.001,dense:2").build(
        new Shape(1, 1, 5), 2, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(3), 9);
    java.util.List<Layer> layers = new ArrayList<>(built.layers());
    BatchNorm b = (BatchNorm) layers.get(1);
    layers.set(1, b.withState(List.of(new float[] {0.1f, -2.5e-7f, 3f, 0.3f}, new float[] {1.5f, 1e-30f, 7f, 0.9f})));
    Network net = built.withLayers(layers);
    String json = ModelJson.toJson(net);
    Network back = ModelJson.parse(json, NAME);
    assertEquals(net, back, "the network, running statistics included");
    assertEquals(json, ModelJson.toJson(back), "written again, the same text");
    ObjectMapper mapper = new ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
        mapper.readTree(json);
    com.fasterxml.jackson.databind.node.ArrayNode entries = (com.fasterxml.jackson.databind.node.ArrayNode)
        root.get("layers");
    assertEquals("batchnorm", entries.get(2).get("type").textValue(), json);
    com.fasterxml.jackson.databind.node.ObjectNode afterOutput = root.deepCopy();
    com.fasterxml.jackson.databind.node.ObjectNode last = ((com.fasterxml.jackson.databind.node.ArrayNode)
        afterOutput.get("layers")).addObject();
    last.setAll((com.fasterxml.jackson.databind.node.ObjectNode) entries.get(5).deepCopy());
    last.putArray("gamma").add(1).add(1);
    last.putArray("beta").add(0).add(0);
    last.putArray("runningMean").add(0).add(0);
    last.putArray("runningVariance").add(1).add(1);
    assertContains(rejected(afterOutput.toString()), "layers[7]: the output layer cannot have a batch norm");
    com.fasterxml.jackson.databind.node.ObjectNode swapped = root.deepCopy();
    com.fasterxml.jackson.databind.node.ArrayNode order = (com.fasterxml.jackson.databind.node.ArrayNode)
        swapped.get("layers");
    com.fasterxml.jackson.databind.JsonNode norm = order.get(2);
    order.set(2, order.get(3));
    order.set(3, norm);
    assertContains(rejected(swapped.toString()), "layers[3]: a batch norm after layers[1] comes once, before its dropout");
  }

  /**
   * A block whose items hold a bn gets a bn on its projection shortcut ("shortcutNorm", after "shortcut"), which
   * round-trips bit for bit with its running statistics; an earlier file without it reads as a block without one;
   * a shortcutNorm without a conv shortcut is refused in one line.
   */
  @Test
  void aProjectionShortcutsBatchNormRoundTripsAndOlderFilesKeepTheirBlocks() throws IOException {
    Network built = NetSpec.parse("residual(conv:3:3:s2,bn:0.2:0.001,relu,conv:3:3),relu,residual(conv:3:3,bn),"
        + "dense:2").build(new Shape(5, 4, 2), 2, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(3), 9);
    Residual projected = (Residual) built.layers().get(0);
    assertEquals(BatchNorm.fresh(new Shape(3, 2, 3), 0.2f, 0.001f, Activation.IDENTITY), projected.projectionNorm(),
        "the shortcut's bn: the block's last bn's momentum and epsilon, no activation");
    assertEquals(null, ((Residual) built.layers().get(1)).projectionNorm(), "the identity shortcut has none");
    List<float[]> state = projected.state();
    state.set(2, new float[] {0.5f, -1e-7f, 2f});
    state.set(3, new float[] {3f, 1e-20f, 0.25f});
    Network net = built.withLayers(List.of(projected.withState(state), built.layers().get(1), built.layers().get(2)));
    String json = ModelJson.toJson(net);
    Network back = ModelJson.parse(json, NAME);
    assertEquals(net, back, "the network, the shortcut's running statistics included");
    assertEquals(json, ModelJson.toJson(back), "written again, the same text");
    ObjectMapper mapper = new ObjectMapper();
    JsonNode root = mapper.readTree(json);
    com.fasterxml.jackson.databind.node.ObjectNode older = (com.fasterxml.jackson.databind.node.ObjectNode)
        root.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) older.get("layers").get(0)).remove("shortcutNorm");
    Residual old = (Residual) ModelJson.parse(older.toString(), NAME).layers().get(0);
    assertEquals(null, old.projectionNorm(), "a file written before shortcutNorm: its block as it was");
    assertEquals(projected.projection(), old.projection());
    com.fasterxml.jackson.databind.node.ObjectNode misplaced = (com.fasterxml.jackson.databind.node.ObjectNode)
        root.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) misplaced.get("layers").get(1)).set("shortcutNorm",
        root.get("layers").get(0).get("shortcutNorm"));
    assertContains(rejected(misplaced.toString()), "layers[1].shortcutNorm: expected a batchnorm entry after a conv "
        + "shortcut");
  }

  @Test
  void versionTwoHasTheDocumentedShape() throws IOException {
    Network net = convNet();
    JsonNode root = new ObjectMapper().readTree(ModelJson.toJson(net));
    assertEquals(List.of("format", "version", "loss", "inputScale", "inputShape", "dropoutSeed", "layers"),
        fieldNames(root));
    assertEquals(2, root.get("version").intValue());
    assertEquals("[8,6,2]", root.get("inputShape").toString());
    assertEquals(Long.toUnsignedString(0xFEDCBA9876543210L), root.get("dropoutSeed").bigIntegerValue().toString());
    List<String> types = new ArrayList<>();
    root.get("layers").forEach(l -> types.add(l.get("type").textValue()));
    assertEquals(List.of("conv", "maxpool", "dropout", "conv", "avgpool", "flatten", "dense", "dropout", "dense"),
        types);
    JsonNode conv = root.get("layers").get(0);
    assertEquals(List.of("type", "inputShape", "filters", "kernel", "stride", "padding", "activation", "weights",
        "bias"), fieldNames(conv));
    assertEquals("same", conv.get("padding").textValue());
    assertEquals("valid", root.get("layers").get(3).get("padding").textValue());
    assertEquals(18, conv.get("weights").size(), "k*k*C rows");
    assertEquals(3, conv.get("weights").get(0).size(), "one number per filter");
    Conv c1 = (Conv) net.layers().get(0);
    // row (ky*k + kx)*C + c, column f: weights[((ky*k + kx)*C + c)*filters + f]
    int ky = 2;
    int kx = 1;
    int c = 1;
    int f = 2;
    assertEquals(c1.weights()[((ky * 3 + kx) * 2 + c) * 3 + f], conv.get("weights").get((ky * 3 + kx) * 2 + c).get(f)
        .floatValue());
    assertEquals(List.of("type", "size"), fieldNames(root.get("layers").get(1)));
    assertEquals(List.of("type", "rate"), fieldNames(root.get("layers").get(2)));
    assertEquals(List.of("type", "inputs", "outputs", "activation", "weights", "bias"),
        fieldNames(root.get("layers").get(6)));
  }

  @Test
  void denseNetworksStillWriteVersionOneByteForByte() {
    Network dense = Network.initNormal(new int[] {2, 1}, 0);
    String json = ModelJson.toJson(dense);
    assertTrue(json.contains("\"version\" : 1"), json);
    assertFalse(json.contains("type"), json);
    assertFalse(json.contains("inputShape"), json);
  }

  @Test
  void versionOneFilesStillLoadAndVersionOneRefusesConvLayers() {
    assertFalse(ModelJson.parse(GOOD, NAME).hasFeatures());
    String typedDense = GOOD.replace("{\"inputs\":2,\"outputs\":1", "{\"type\":\"dense\",\"inputs\":2,\"outputs\":1");
    assertArrayEquals(new int[] {2, 2, 1}, ModelJson.parse(typedDense, NAME).widths());
    String conv = GOOD.replace("{\"inputs\":2,\"outputs\":1", "{\"type\":\"conv\",\"inputs\":2,\"outputs\":1");
    assertContains(rejected(conv), "layers[1].type", "version 2");
  }

  /** A small valid version 2 file; the malformed cases each change one thing in it. */
  private static final String GOOD2 = """
      {"format":"cltrain-model","version":2,"loss":"mse","inputShape":[3,3,1],"dropoutSeed":7,"layers":[
       {"type":"conv","inputShape":[3,3,1],"filters":1,"kernel":2,"stride":1,"padding":"valid","activation":"relu",
        "weights":[[0.5],[0.25],[-1.0],[2.0]],"bias":[0.125]},
       {"type":"maxpool","size":2},
       {"type":"dropout","rate":0.5},
       {"type":"flatten"},
       {"type":"dense","inputs":1,"outputs":2,"activation":"tanh","weights":[[0.5,-0.5]],"bias":[0.0,0.1]},
       {"type":"dropout","rate":0.25},
       {"type":"dense","inputs":2,"outputs":1,"activation":"sigmoid","weights":[[0.75],[-1.5]],"bias":[0.3]}]}
      """;

  @Test
  void goodVersionTwoTemplateParsesAndFlattenIsOptional() {
    Network net = ModelJson.parse(GOOD2, NAME);
    assertEquals(new Shape(3, 3, 1), net.input());
    assertEquals(7L, net.dropoutSeed());
    assertEquals(3, net.stages().size());
    Conv conv = net.convs().get(0);
    assertEquals(new Shape(2, 2, 1), conv.output());
    assertEquals(-1.0f, conv.weights()[2]);
    assertEquals(new Dropout(new Shape(1, 1, 1), 0.5f), net.stages().get(2));
    assertArrayEquals(new float[] {0.25f, 0f}, net.denseDropout());
    assertEquals(9, net.inputs());
    assertEquals(net, ModelJson.parse(GOOD2.replace("{\"type\":\"flatten\"},", ""), NAME));
    Network dropoutAfterFlatten = ModelJson.parse(GOOD2.replace("{\"type\":\"dropout\",\"rate\":0.5},\n", "")
        .replace("{\"type\":\"flatten\"},", "{\"type\":\"flatten\"},{\"type\":\"dropout\",\"rate\":0.5},"), NAME);
    assertEquals(net, dropoutAfterFlatten, "a dropout after flatten is the stages' last");
    String valid = ModelJson.toJson(net);
    assertEquals(net, ModelJson.parse(valid, NAME));
  }

  @Test
  void badVersionTwoFilesNameTheFieldInOneLine() {
    String[][] cases = {
        {"\"inputShape\":[3,3,1],\"dropoutSeed\"", "\"dropoutSeed\"", "\"inputShape\""},
        {"\"inputShape\":[3,3,1],\"dropoutSeed\"", "\"inputShape\":[3,3],\"dropoutSeed\"", "\"inputShape\""},
        {"\"inputShape\":[3,3,1],\"dropoutSeed\"", "\"inputShape\":[3,0,1],\"dropoutSeed\"", "\"inputShape\"[1]"},
        {"\"inputShape\":[3,3,1],\"dropoutSeed\"", "\"inputShape\":[65536,65536,1],\"dropoutSeed\"", "\"inputShape\""},
        {"\"dropoutSeed\":7", "\"dropoutSeed\":-1", "\"dropoutSeed\""},
        {"\"dropoutSeed\":7", "\"dropoutSeed\":18446744073709551616", "\"dropoutSeed\""},
        {"\"dropoutSeed\":7", "\"dropoutSeed\":7.5", "\"dropoutSeed\""},
        {"\"dropoutSeed\":7,", "", "\"dropoutSeed\""},
        {"{\"type\":\"conv\",", "{", "layers[0]", "\"type\""},
        {"\"type\":\"conv\"", "\"type\":\"conv3d\"", "layers[0].type", "'conv3d'"},
        {"\"type\":\"conv\",\"inputShape\":[3,3,1]", "\"type\":\"conv\",\"inputShape\":[3,3,2]", "layers[0].inputShape", "3x3x1"},
        {"\"filters\":1", "\"filters\":0", "layers[0]", "\"filters\""},
        {"\"kernel\":2", "\"kernel\":\"2\"", "layers[0]", "\"kernel\""},
        {"\"kernel\":2", "\"kernel\":4", "layers[0].kernel", "valid"},
        {"\"kernel\":2", "\"kernel\":2147483647", "layers[0].kernel"},
        {"\"stride\":1,", "", "layers[0]", "\"stride\""},
        {"\"padding\":\"valid\"", "\"padding\":\"full\"", "layers[0].padding", "'full'"},
        {"\"activation\":\"relu\"", "\"activation\":\"softmax\"", "layers[0].activation", "softmax"},
        {"[[0.5],[0.25],[-1.0],[2.0]]", "[[0.5],[0.25],[-1.0]]", "layers[0].weights", "expected 4 rows"},
        {"[[0.5],[0.25],[-1.0],[2.0]]", "[[0.5],[0.25],[-1.0],[2.0,1.0]]", "layers[0].weights[3]", "expected 1 numbers"},
        {"[[0.5],[0.25],[-1.0],[2.0]]", "[[0.5],[0.25],[1e39],[2.0]]", "layers[0].weights[2][0]", "finite"},
        {"\"bias\":[0.125]", "\"bias\":[]", "layers[0].bias"},
        {"{\"type\":\"maxpool\",\"size\":2}", "{\"type\":\"maxpool\",\"size\":3}", "layers[1].size", "does not fit"},
        {"{\"type\":\"maxpool\",\"size\":2}", "{\"type\":\"avgpool\"}", "layers[1]", "\"size\""},
        {"\"rate\":0.5", "\"rate\":1.0", "layers[2].rate", "[0, 1)"},
        {"\"rate\":0.5", "\"rate\":\"half\"", "layers[2].rate", "expected a number"},
        {"\"rate\":0.25}", "\"rate\":0.25},{\"type\":\"dropout\",\"rate\":0.1}", "layers[6]", "second dropout"},
        {"\"bias\":[0.3]}", "\"bias\":[0.3]},{\"type\":\"dropout\",\"rate\":0.1}", "layers[7]", "output layer"},
        {"{\"type\":\"flatten\"},", "{\"type\":\"flatten\"},{\"type\":\"flatten\"},", "layers[4]", "flatten"},
        {"{\"type\":\"flatten\"},", "{\"type\":\"flatten\"},{\"type\":\"maxpool\",\"size\":1},", "layers[4].type",
            "before flatten"},
        {"\"inputs\":1,\"outputs\":2,\"activation\":\"tanh\",\"weights\":[[0.5,-0.5]]",
            "\"inputs\":2,\"outputs\":2,\"activation\":\"tanh\",\"weights\":[[0.5,-0.5],[1,1]]", "layers[4]",
            "\"inputs\" is 2", "1x1x1 = 1"},
        {"\"inputs\":2,\"outputs\":1,\"activation\":\"sigmoid\",\"weights\":[[0.75],[-1.5]]",
            "\"inputs\":3,\"outputs\":1,\"activation\":\"sigmoid\",\"weights\":[[0.75],[-1.5],[1]]",
            "layers[6]", "\"inputs\" is 3", "layers[4] has 2 outputs"},
        {"\"activation\":\"sigmoid\"", "\"activation\":\"relu\"", "layers[6].activation", "'mse'"},
        {"\"activation\":\"tanh\"", "\"activation\":\"softmax\"", "layers[4].activation", "softmax"},
        {",\n {\"type\":\"dense\",\"inputs\":2,\"outputs\":1,\"activation\":\"sigmoid\",\"weights\":[[0.75],[-1.5]],\"bias\":[0.3]}",
            "", "layers[5]", "output layer"},
        {"\"layers\":[", "\"layers\":[{\"type\":\"dropout\",\"rate\":0}],\"x\":[", "\"layers\"", "dense"},
        {"\"layers\":[", "\"layers\":[7,", "layers[0]", "expected an object"},
        {"\"loss\":\"mse\",", "\"loss\":\"mse\",\"standardize\":{\"mean\":[0],\"std\":[1]},", "\"standardize\".mean",
            "9 numbers"},
    };
    for (String[] c : cases) {
      assertTrue(GOOD2.contains(c[0]), "the template holds " + c[0]);
      String message = rejected(GOOD2.replace(c[0], c[1]));
      for (int i = 2; i < c.length; i++) {
        assertContains(message, c[i]);
      }
    }
  }

  @Test
  void theArchitectureLineNamesEveryStageAndDenseLayer() {
    assertEquals("8x6x2 -> conv:3:3 relu -> maxpool:2 -> dropout:0.25 -> conv:4:2:s2:valid tanh -> avgpool:1"
        + " -> dense 8x5 relu -> dropout:0.5 -> dense 5x3 softmax", Architecture.describe(convNet()));
    assertEquals(Architecture.describe(convNet()), Architecture.summary(convNet()));
    Network dense = Network.initNormal(new int[] {2, 4, 1}, 0);
    assertEquals("2,4,1", Architecture.summary(dense), "dense networks are summarised as before");
    assertEquals("dense 2x4 sigmoid -> dense 4x1 sigmoid", Architecture.describe(dense));
  }

  @Test
  void aClaimedHugeKernelOrLayerFailsBeforeAllocating() {
    String conv = GOOD2.replace("\"filters\":1", "\"filters\":1000000").replace("\"padding\":\"valid\"", "\"padding\":\"same\"")
        .replace("\"kernel\":2", "\"kernel\":30000");
    assertContains(rejected(conv), "layers[0]", "too large");
    String rows = GOOD2.replace("\"filters\":1", "\"filters\":250000000");
    assertContains(rejected(rows), "layers[0].weights[0]", "expected 250000000 numbers");
    String dense = GOOD.replace("{\"inputs\":2,\"outputs\":2", "{\"inputs\":2,\"outputs\":500000000");
    assertContains(rejected(dense), "layers[0].weights[0]", "expected 500000000 numbers");
  }

  @Test
  void unknownLossNamesTheLossField() {
    assertContains(rejected(GOOD.replace("\"loss\":\"mse\"", "\"loss\":\"hinge\"")), "\"loss\"", "'hinge'");
  }

  @Test
  void unknownActivationNamesTheLayerAndField() {
    String json = GOOD.replace("\"activation\":\"sigmoid\",\"weights\":[[0.75]", "\"activation\":\"swish\",\"weights\":[[0.75]");
    assertContains(rejected(json), "layers[1].activation", "unknown activation 'swish'");
  }

  @Test
  void wrongNumberOfWeightRowsNamesTheWeightsField() {
    String json = GOOD.replace("[[0.75],[-1.5]]", "[[0.75]]");
    assertContains(rejected(json), "layers[1].weights", "expected 2 rows", "found 1 rows");
  }

  @Test
  void wrongRowLengthNamesTheRow() {
    String json = GOOD.replace("[1.0,2.0]", "[1.0,2.0,3.0]");
    assertContains(rejected(json), "layers[0].weights[1]", "expected 2 numbers", "found 3");
  }

  @Test
  void biasLengthMismatchNamesTheBiasField() {
    String json = GOOD.replace("\"bias\":[0.3]", "\"bias\":[0.3,0.4]");
    assertContains(rejected(json), "layers[1].bias", "expected 1 numbers", "found 2");
  }

  @Test
  void nonNumberWeightNamesTheWeightElement() {
    String json = GOOD.replace("[[0.75],[-1.5]]", "[[0.75],[\"-1.5\"]]");
    assertContains(rejected(json), "layers[1].weights[1][0]", "expected a number");
    assertContains(rejected(GOOD.replace("[0.1,0.2]", "[0.1,null]")), "layers[0].bias[1]", "expected a number");
  }

  @Test
  void weightOutsideFloat32RangeNamesTheWeightElement() {
    String json = GOOD.replace("[[0.75],[-1.5]]", "[[1e40],[-1.5]]");
    assertContains(rejected(json), "layers[1].weights[0][0]", "not a finite float32");
  }

  @Test
  void layersThatDoNotChainNameBothLayers() {
    String json = GOOD.replace("{\"inputs\":2,\"outputs\":1,\"activation\":\"sigmoid\",\"weights\":[[0.75],[-1.5]]",
        "{\"inputs\":3,\"outputs\":1,\"activation\":\"sigmoid\",\"weights\":[[0.75],[-1.5],[0.5]]");
    assertContains(rejected(json), "layers[1]", "\"inputs\" is 3", "layers[0] has 2 outputs");
  }

  @Test
  void outputActivationThatIsNotTheLossesNamesTheLayer() {
    String json = GOOD.replace("\"activation\":\"sigmoid\",\"weights\":[[0.75]", "\"activation\":\"tanh\",\"weights\":[[0.75]");
    assertContains(rejected(json), "layers[1].activation", "'mse'", "'sigmoid'", "'tanh'");
  }

  @Test
  void softmaxInAHiddenLayerNamesTheLayer() {
    String json = GOOD.replace("\"mse\"", "\"xent\"")
        .replaceFirst("\"activation\":\"sigmoid\"", "\"activation\":\"softmax\"")
        .replace("\"activation\":\"sigmoid\",\"weights\":[[0.75]", "\"activation\":\"softmax\",\"weights\":[[0.75]");
    assertContains(rejected(json), "layers[0].activation", "softmax");
  }

  @Test
  void nonPositiveOrNonNumericInputScaleNamesTheField() {
    String zero = GOOD.replace("\"loss\":\"mse\",", "\"loss\":\"mse\",\"inputScale\":0,");
    assertContains(rejected(zero), "\"inputScale\"", "positive");
    String text = GOOD.replace("\"loss\":\"mse\",", "\"loss\":\"mse\",\"inputScale\":\"1/255\",");
    assertContains(rejected(text), "\"inputScale\"", "expected a number");
  }

  @Test
  void emptyOrMissingLayersArrayNamesTheLayersField() {
    String empty = "{\"format\":\"cltrain-model\",\"version\":1,\"loss\":\"mse\",\"layers\":[]}";
    assertContains(rejected(empty), "\"layers\" must be a non-empty array");
    String missing = "{\"format\":\"cltrain-model\",\"version\":1,\"loss\":\"mse\"}";
    assertContains(rejected(missing), "\"layers\"");
  }

  @Test
  void nonPositiveOrMissingWidthNamesTheLayerField() {
    assertContains(rejected(GOOD.replace("{\"inputs\":2,\"outputs\":2", "{\"inputs\":0,\"outputs\":2")),
        "layers[0]", "\"inputs\" must be a positive integer");
    assertContains(rejected(GOOD.replace("\"outputs\":1,", "")), "layers[1]", "\"outputs\"");
  }

  @Test
  void readingAMissingFileOrAFolderIsAnInputException() throws IOException {
    InputException missing = assertThrows(InputException.class, () -> ModelJson.read(dir.resolve("absent.json")));
    assertContains(missing.getMessage(), "absent.json", "file not found");
    Path folder = Files.createDirectory(dir.resolve("folder.json"));
    InputException isDir = assertThrows(InputException.class, () -> ModelJson.read(folder));
    assertContains(isDir.getMessage(), "folder.json", "is a directory");
  }

  @Test
  void readNamesTheFilePathInParseErrors() throws IOException {
    Path file = Files.writeString(dir.resolve("broken.json"), "{nope", StandardCharsets.UTF_8);
    InputException e = assertThrows(InputException.class, () -> ModelJson.read(file));
    assertContains(e.getMessage(), file.toString(), "not valid JSON");
  }

  @Test
  void savingOverAnExistingFileReplacesItAndLeavesNoTemporaryFile() throws IOException {
    Path file = Files.writeString(dir.resolve("model.json"), "old content that is not a model\n");
    Network network = Network.initNormal(new int[] {2, 3, 1}, 5);
    ModelJson.save(network, file);
    assertEquals(ModelJson.toJson(network), Files.readString(file, StandardCharsets.UTF_8));
    assertBitIdentical(network, ModelJson.read(file));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "only the model is left in the folder");
    }
  }

  @Test
  void savingIntoAMissingFolderThrowsInputExceptionAndLeavesNothingBehind() throws IOException {
    Path file = dir.resolve("no-such-folder").resolve("model.json");
    Network network = Network.initNormal(new int[] {2, 1}, 0);
    InputException e = assertThrows(InputException.class, () -> ModelJson.save(network, file));
    assertContains(e.getMessage(), "cannot write", file.toString());
    assertFalse(Files.exists(file.getParent()), "the folder was not created");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(), files.toList(), "nothing was written");
    }
  }

  @Test
  void checkWritableRejectsAMissingFolderAndAFolderTarget() throws IOException {
    Path missing = dir.resolve("no-such-folder").resolve("model.json");
    InputException noFolder = assertThrows(InputException.class, () -> AtomicFiles.checkWritable(missing, "--save"));
    assertContains(noFolder.getMessage(), "--save", "does not exist");
    InputException isDir = assertThrows(InputException.class, () -> AtomicFiles.checkWritable(dir, "--save"));
    assertContains(isDir.getMessage(), "--save", "is a directory");
    AtomicFiles.checkWritable(dir.resolve("fine.json"), "--save");
    assertFalse(Files.exists(dir.resolve("fine.json")), "the check writes nothing");
  }

  @Test
  void aSavedModelIsAsReadableAsAFileWrittenInPlace() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path plain = Files.createFile(dir.resolve("plain"));
    Path model = dir.resolve("model.json");
    ModelJson.save(Network.initNormal(new int[] {2, 1}, 0), model);
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(model),
        "the temporary file it was renamed from took the umask's permissions, not owner-only");
  }
}
