package dev.cltrain.nn;

import dev.cltrain.io.AtomicFiles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.InputException;
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
    for (int l = 0; l < expected.layers().size(); l++) {
      Layer a = expected.layers().get(l);
      Layer b = actual.layers().get(l);
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
    assertEquals(-0.25f, network.layers().get(0).weight(0, 1));
    assertEquals(1.0f, network.layers().get(0).weight(1, 0));
    assertEquals(0.3f, network.layers().get(1).bias()[0]);
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
    assertEquals(Activation.IDENTITY, ModelJson.parse(ModelJson.toJson(regression), NAME).layers().get(0).activation());
    String badNames = ModelJson.toJson(plain).replace("\"layers\"", "\"classNames\": [\"only one\"], \"layers\"");
    assertThrows(dev.cltrain.InputException.class, () -> ModelJson.parse(badNames, NAME));
  }

  @Test
  void roundTripKeepsAwkwardFloatsBitForBit() {
    float[] awkward = {Float.MIN_VALUE, -Float.MAX_VALUE, 1e-38f, 0.1f, 1f / 3, -0.0f, 16777217f, (float) Math.PI};
    Layer layer = new Layer(awkward.length, 1, Activation.SIGMOID, awkward, new float[] {Float.MIN_NORMAL});
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
    Layer layer = network.layers().get(0);
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
  void versionTwoNamesTheVersionField() {
    String message = rejected(GOOD.replace("\"version\":1", "\"version\":2"));
    assertContains(message, "\"version\" 2", "reads version 1");
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
