package dev.cltrain.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --net}: each item, the shapes the README's example builds, the draw order, and every error naming its item. */
class NetSpecTest {
  static final String EXAMPLE = "conv:32:3,relu,maxpool:2,conv:64:3,relu,maxpool:2,flatten,dense:128,relu,dropout:0.5,dense:10";
  static final Shape MNIST = new Shape(28, 28, 1);

  private static Network build(String spec, Shape input, int outputs, Loss loss) {
    return NetSpec.parse(spec).build(input, outputs, loss, loss.output, null, new NumpyRandom(0), 7);
  }

  private static Network xent(String spec, Shape input) {
    return build(spec, input, 10, Loss.XENT);
  }

  @Test
  void theExampleBuildsTheExpectedShapes() {
    Network net = xent(EXAMPLE, MNIST);
    assertEquals(MNIST, net.input());
    List<Layer> stages = net.stages();
    assertEquals(4, stages.size());
    Conv c1 = assertInstanceOf(Conv.class, stages.get(0));
    assertEquals(new Shape(28, 28, 32), c1.output());
    assertEquals(Activation.RELU, c1.activation());
    assertEquals(9 * 32, c1.weights().length);
    Pool p1 = assertInstanceOf(Pool.class, stages.get(1));
    assertTrue(p1.max());
    assertEquals(new Shape(14, 14, 32), p1.output());
    Conv c2 = assertInstanceOf(Conv.class, stages.get(2));
    assertEquals(new Shape(14, 14, 32), c2.input());
    assertEquals(new Shape(14, 14, 64), c2.output());
    assertEquals(3 * 3 * 32 * 64, c2.weights().length);
    assertEquals(new Shape(7, 7, 64), stages.get(3).output());
    assertArrayEquals(new int[] {3136, 128, 10}, net.widths());
    assertEquals(Activation.RELU, net.dense().get(0).activation());
    assertEquals(Activation.SOFTMAX, net.dense().get(1).activation());
    assertArrayEquals(new float[] {0.5f, 0f}, net.denseDropout());
    assertEquals(7, net.dropoutSeed());
    assertEquals(new Dropout(new Shape(1, 1, 128), 0.5f), net.layers().get(5)); // one list: after dense:128
    assertEquals(784, net.inputs());
    assertEquals(10, net.outputs());
    assertEquals(EXAMPLE, NetSpec.parse(EXAMPLE).toString());
    assertEquals(11, NetSpec.parse(EXAMPLE).items().size());
  }

  @Test
  void flattenMayBeLeftOut() {
    assertEquals(xent(EXAMPLE, MNIST), xent(EXAMPLE.replace("flatten,", ""), MNIST));
  }

  @Test
  void convOptionsStrideAndValidPadding() {
    Network net = xent("conv:8:5:s2,conv:4:3:valid,conv:2:3:s2:valid,tanh,dense:10", MNIST);
    List<Conv> convs = net.convs();
    assertEquals(2, convs.get(0).stride());
    assertTrue(convs.get(0).same());
    assertEquals(new Shape(14, 14, 8), convs.get(0).output()); // ceil(28/2)
    assertFalse(convs.get(1).same());
    assertEquals(new Shape(12, 12, 4), convs.get(1).output()); // 14 - 3 + 1
    assertEquals(Activation.IDENTITY, convs.get(1).activation()); // none given
    assertEquals(new Shape(5, 5, 2), convs.get(2).output()); // (12 - 3) / 2 + 1
    assertEquals(Activation.TANH, convs.get(2).activation());
    assertEquals("conv:2:3:s2:valid", convs.get(2).spec());
    assertEquals(50, net.widths()[0]);
    assertEquals(3 * 3 * 8 * 4 + 4, convs.get(1).parameterCount());
  }

  @Test
  void averagePoolingAndStageDropout() {
    Network net = xent("dropout:0.2,avgpool:4,conv:3:1,sigmoid,dropout:0,dense:10", MNIST);
    List<Layer> stages = net.stages();
    assertEquals(new Dropout(MNIST, 0.2f), stages.get(0));
    Pool pool = assertInstanceOf(Pool.class, stages.get(1));
    assertFalse(pool.max());
    assertEquals(new Shape(7, 7, 1), pool.output());
    assertEquals(Activation.SIGMOID, ((Conv) stages.get(2)).activation());
    assertEquals(new Dropout(new Shape(7, 7, 3), 0f), stages.get(3));
    assertArrayEquals(new int[] {147, 10}, net.widths());
  }

  @Test
  void poolLeavesOutRowsBeyondTheLastWholeWindow() {
    Network net = xent("maxpool:3,dense:10", MNIST);
    assertEquals(new Shape(9, 9, 1), net.stages().get(0).output());
  }

  @Test
  void aDenseNetWithoutDropoutIsThePlainNetworkLayersDraws() {
    for (Activation a : List.of(Activation.SIGMOID, Activation.TANH, Activation.RELU)) {
      Network viaNet = NetSpec.parse("dense:8," + a.id + ",dense:1").build(new Shape(1, 1, 2), 1, Loss.MSE,
          Activation.SIGMOID, null, new NumpyRandom(3), 3);
      Network viaLayers = Network.builder(2, 8, 1).hidden(a).loss(Loss.MSE).seed(3).build();
      assertFalse(viaNet.hasFeatures());
      assertEquals(viaLayers, viaNet, a.id);
    }
    // no hidden layer: the seed's normal draws, as --layers 2,1
    Network single = NetSpec.parse("dense:1").build(new Shape(1, 1, 2), 1, Loss.MSE, Activation.SIGMOID, null,
        new NumpyRandom(0), 0);
    assertEquals(Network.initNormal(new int[] {2, 1}, 0), single);
  }

  @Test
  void denseDropoutMakesFeaturesWithNoStages() {
    Network net = build("dense:8,relu,dropout:0.25,dense:4,dense:1", new Shape(1, 1, 2), 1, Loss.MSE);
    assertTrue(net.hasFeatures());
    assertTrue(net.stages().isEmpty());
    assertArrayEquals(new float[] {0.25f, 0f, 0f}, net.denseDropout());
    assertEquals(Activation.IDENTITY, net.dense().get(1).activation());
  }

  @Test
  void convsDrawFirstWeightsThenBiasThenTheDenseLayers() {
    Network net = NetSpec.parse("conv:2:3,relu,dense:3,tanh,dense:10").build(new Shape(4, 4, 2), 10, Loss.XENT,
        Activation.SOFTMAX, Init.NORMAL, new NumpyRandom(5), 0);
    NumpyRandom r = new NumpyRandom(5);
    Conv c = net.convs().get(0);
    assertArrayEquals(r.randnFloats(3 * 3 * 2 * 2), c.weights()); // (k·k·C) × filters
    assertArrayEquals(r.randnFloats(2), c.bias());
    assertArrayEquals(r.randnFloats(32 * 3), net.dense().get(0).weights());
    assertArrayEquals(r.randnFloats(3), net.dense().get(0).bias());
    assertArrayEquals(r.randnFloats(30), net.dense().get(1).weights());
  }

  @Test
  void theDefaultInitialisationFollowsTheHiddenActivations() {
    NetSpec relu = NetSpec.parse("conv:4:3,relu,dense:10");
    assertEquals(Init.HE, relu.defaultInit(Loss.XENT));
    Network net = relu.build(new Shape(6, 6, 1), 10, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(1), 0);
    NumpyRandom r = new NumpyRandom(1);
    float[] expected = r.randnFloats(9 * 4);
    double scale = Math.sqrt(2.0 / 9); // he: fan-in k·k·C
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (float) (expected[i] * scale);
    }
    assertArrayEquals(expected, net.convs().get(0).weights());
    assertArrayEquals(new float[4], net.convs().get(0).bias());
    assertEquals(Init.XAVIER, NetSpec.parse("conv:4:3,tanh,dense:10").defaultInit(Loss.XENT));
    assertEquals(Init.NORMAL, NetSpec.parse("dense:4,sigmoid,dense:1").defaultInit(Loss.MSE));
    assertEquals(Init.XAVIER, NetSpec.parse("dense:4,sigmoid,dense:1").defaultInit(Loss.XENT));
    assertEquals(Init.HE, NetSpec.parse("dense:4,tanh,dense:4,relu,dense:1").defaultInit(Loss.MSE));
  }

  @Test
  void theOutputLayersActivationItemMustBeTheLosss() {
    build("dense:4,relu,dense:10,softmax", MNIST, 10, Loss.XENT);
    build("dense:1,sigmoid", new Shape(1, 1, 2), 1, Loss.MSE);
    Network id = NetSpec.parse("dense:1,identity").build(new Shape(1, 1, 2), 1, Loss.MSE, Activation.IDENTITY, null,
        new NumpyRandom(0), 0);
    assertEquals(Activation.IDENTITY, id.dense().get(0).activation());
    assertEquals(Activation.IDENTITY, NetSpec.parse("dense:1,identity").outputActivation());
    assertNull(NetSpec.parse("dense:1").outputActivation());
    assertBad(() -> build("dense:4,dense:10,relu", MNIST, 10, Loss.XENT), 3, "relu", "follows --loss xent");
    assertBad(() -> build("dense:1,identity", new Shape(1, 1, 2), 1, Loss.MSE), 2, "identity", "is sigmoid here");
  }

  @Test
  void inputShapeComesFromTheDataOrIsOneByOne() {
    NetSpec dense = NetSpec.parse("dense:4,dense:1");
    assertEquals(new Shape(1, 1, 6), dense.inputShape(null, 6));
    assertEquals(new Shape(2, 3, 1), dense.inputShape(new Shape(2, 3, 1), 6));
    assertFalse(dense.needsImage());
    NetSpec conv = NetSpec.parse("dropout:0.1,maxpool:2,dense:1");
    assertTrue(conv.needsImage());
    assertBad(() -> conv.inputShape(null, 6), 2, "maxpool:2", "needs the input's image shape", "--input-shape");
    assertBad(() -> NetSpec.parse("conv:1:1,dense:1").inputShape(null, 6), 1, "conv:1:1", "--input-shape HxWxC");
  }

  @Test
  void parsesShapes() {
    assertEquals(new Shape(28, 28, 1), NetSpec.parseShape("28x28x1", "--input-shape"));
    assertEquals(new Shape(32, 16, 3), NetSpec.parseShape(" 32x16x3 ", "--input-shape"));
    for (String bad : new String[] {"28x28", "28x28x0", "axbxc", "28*28*1", "", "2000000x2000000x1"}) {
      InputException e = assertThrows(InputException.class, () -> NetSpec.parseShape(bad, "--input-shape"), bad);
      assertTrue(e.getMessage().startsWith("--input-shape " + bad + ": expected HEIGHTxWIDTHxCHANNELS"), e.getMessage());
    }
  }

  /**
   * Checks the one-line message: "net: item N 'TEXT': ..." in Java terms (no option named), which the command
   * line calls "--net: item N 'TEXT': ..." with every phrase (options named as the command line names them).
   */
  private static void assertBad(org.junit.jupiter.api.function.Executable run, int position, String item,
      String... phrases) {
    InputException e = assertThrows(InputException.class, run);
    assertTrue(e.getMessage().startsWith("net: item " + position + " '" + item + "': "), e.getMessage());
    assertFalse(e.getMessage().matches("(?s).*(?<![\\w-])--[a-z].*"), "no option in Java terms: " + e.getMessage());
    String m = dev.cltrain.cmd.OptionNames.message(e);
    assertTrue(m.startsWith("--net: item " + position + " '" + item + "': "), m);
    assertFalse(m.contains("\n"), m);
    for (String p : phrases) {
      assertTrue(m.contains(p), "'" + p + "' in: " + m);
    }
  }

  private static void assertBadSpec(String spec, int position, String item, String... phrases) {
    assertBad(() -> NetSpec.parse(spec), position, item, phrases);
  }

  @Test
  void badBatchNormAndGlobalPoolItemsNameTheItem() {
    assertBadSpec("conv:2:3,bn:1.5:1e-5,dense:2", 2, "bn:1.5:1e-5", "momentum 1.5 is outside [0, 1]");
    assertBadSpec("conv:2:3,bn:-0.1:1e-5,dense:2", 2, "bn:-0.1:1e-5", "momentum '-0.1' is outside [0, 1]");
    assertBadSpec("conv:2:3,batchnorm:0.1:0,dense:2", 2, "batchnorm:0.1:0", "epsilon 0.0 is not a positive number");
    assertBadSpec("conv:2:3,bn:0.1,dense:2", 2, "bn:0.1", "expected bn or bn:MOMENTUM:EPSILON");
    assertBadSpec("dense:4,bn:2:1e-5,dense:2", 2, "bn:2:1e-5", "momentum 2.0 is outside [0, 1]");
    assertBadSpec("dense:4,bn,bn,dense:2", 3, "bn", "a dense layer takes one batch normalization (item 2");
    assertBadSpec("dense:4,dropout:0.5,bn,dense:2", 3, "bn", "batch normalization after a dense layer comes before "
        + "its dropout (item 2)");
    assertBadSpec("dense:4,bn,dropout:0.5,dropout:0.1,dense:2", 4, "dropout:0.1", "a dense layer takes one dropout");
    assertBadSpec("dense:4,dense:2,bn", 3, "bn", "the output layer (the last dense item) cannot have batch "
        + "normalization");
    assertBadSpec("conv:2:3,gap:2,dense:2", 2, "gap:2", "gap takes no arguments");
    assertBadSpec("dense:4,gap,dense:2", 2, "gap", "cannot follow a dense item");
    Network perUnit = NetSpec.parse("dense:4,bn,relu,dropout:0.5,dense:3,tanh,bn:0.2:0.001,dense:2").build(
        new Shape(1, 1, 5), 2, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(1), 0);
    assertEquals("dense:4,bn,relu,dropout:0.5,dense:3,tanh,bn:0.2:0.001,dense:2,softmax", NetSpec.of(perUnit),
        "a bn after a dense item (its relu the bn's), before its dropout; after a tanh dense item");
    assertEquals(new BatchNorm(new Shape(1, 1, 3), 0.2f, 0.001f, Activation.IDENTITY, new float[] {1, 1, 1},
        new float[3], new float[3], new float[] {1, 1, 1}), perUnit.layers().get(4), "per unit: 3 channels of 1x1");
    NetSpec ok = NetSpec.parse("conv:2:3,batchnorm,relu,gap,dense:2");
    assertEquals("conv:2:3,bn,relu,gap,dense:2,softmax", NetSpec.of(ok.build(new Shape(5, 4, 1), 2, Loss.XENT,
        Activation.SOFTMAX, null, new NumpyRandom(1), 0)), "batchnorm is printed as bn; relu is the bn's");
  }

  @Test
  void syntaxErrorsNameTheItemAndItsPosition() {
    assertBadSpec("conv:32:3,relu,pool:2,dense:10", 3, "pool:2", "unknown item", "maxpool:P");
    assertBadSpec("conv:32,dense:10", 1, "conv:32", "expected conv:FILTERS:K");
    assertBadSpec("conv:0:3,dense:10", 1, "conv:0:3", "FILTERS '0' is not a positive integer");
    assertBadSpec("conv:8:x,dense:10", 1, "conv:8:x", "K 'x'");
    assertBadSpec("conv:8:3:s0,dense:10", 1, "conv:8:3:s0", "stride must be at least 1");
    assertBadSpec("conv:8:3:same2,dense:10", 1, "conv:8:3:same2", "'same2' is not a conv option");
    assertBadSpec("conv:8:3:valid:valid,dense:10", 1, "conv:8:3:valid:valid", "not a conv option");
    assertBadSpec("maxpool,dense:10", 1, "maxpool", "expected maxpool:P");
    assertBadSpec("avgpool:-1,dense:10", 1, "avgpool:-1", "P '-1'");
    assertBadSpec("dense:10:2", 1, "dense:10:2", "expected dense:N");
    assertBadSpec("dense:4,dense:", 2, "dense:", "N ''");
    assertBadSpec("dense:4,dropout:1,dense:1", 2, "dropout:1", "[0, 1)");
    assertBadSpec("dense:4,dropout:-0.1,dense:1", 2, "dropout:-0.1", "[0, 1)");
    assertBadSpec("dense:4,dropout:half,dense:1", 2, "dropout:half", "[0, 1)");
    assertBadSpec("dropout:NaN,dense:1", 1, "dropout:NaN", "[0, 1)");
    assertBadSpec("dense:4,dense:1,dropout:0.5", 3, "dropout:0.5", "output layer", "cannot have dropout");
    assertBadSpec("dense:4,relu,dropout:0.5,dropout:0.5,dense:1", 4, "dropout:0.5", "one dropout");
    assertBadSpec("relu,dense:1", 1, "relu", "applies to the conv, bn or dense item just before it");
    assertBadSpec("conv:2:3,maxpool:2,relu,dense:1", 3, "relu", "not to 'maxpool:2'");
    assertBadSpec("dense:4,relu,tanh,dense:1", 3, "tanh", "item 2 already gives one");
    assertBadSpec("dense:4,flatten,dense:1", 2, "flatten", "before the first dense");
    assertBadSpec("flatten,flatten,dense:1", 2, "flatten", "twice");
    assertBadSpec("flatten:1,dense:1", 1, "flatten:1", "no arguments");
    assertBadSpec("dense:4,conv:2:3,dense:1", 2, "conv:2:3", "cannot follow a dense item");
    assertBadSpec("dense:4,maxpool:2,dense:1", 2, "maxpool:2", "cannot follow a dense item");
    assertBadSpec("flatten,conv:2:3,dense:1", 2, "conv:2:3", "cannot follow flatten");
    assertBadSpec("conv:2:3,relu,maxpool:2", 3, "maxpool:2", "ends with a dense item");
    assertBadSpec("conv:2:3,softmax,dense:1", 2, "softmax", "only the output layer's");
    assertBadSpec("dense:4,softmax,dense:1", 2, "softmax", "only the output layer's");
    assertBadSpec("dense:4,,dense:1", 2, "", "empty item");
    assertBadSpec("dense:4,Dense:1", 2, "Dense:1", "unknown item");
    InputException empty = assertThrows(InputException.class, () -> NetSpec.parse(" "));
    assertTrue(empty.getMessage().startsWith("net: no items"), empty.getMessage());
    assertTrue(dev.cltrain.cmd.OptionNames.message(empty).startsWith("--net: no items"), empty.getMessage());
  }

  /** A kind may hold its own items in parentheses (issue 25's residual(ITEMS)): the grammar keeps them one item. */
  @Test
  void commasInsideParenthesesStayInOneItem() {
    List<NetItem.Text> texts = NetSpec.split("conv:8:3,residual(conv:8:3,relu,conv:8:3):x,dense:2");
    assertEquals(3, texts.size());
    NetItem.Text group = texts.get(1);
    assertEquals(2, group.position());
    assertEquals("residual", group.name());
    assertEquals("conv:8:3,relu,conv:8:3", group.group());
    assertEquals(List.of("x"), group.args());
    assertNull(texts.get(0).group());
    assertEquals(List.of("8", "3"), texts.get(0).args());
    assertBadSpec("dense:4,residual(dense:4,relu),dense:1", 2, "residual(dense:4,relu)",
        "inside it, item 1 'dense:4': 'dense' cannot stand inside a residual block");
    assertBadSpec("dense:4,dense(4),dense:1", 2, "dense(4)", "expected dense:N");
    assertBadSpec("dense:4,residual(dense:4,dense:1", 2, "residual(dense:4,dense:1", "'(' without its ')'");
    assertBadSpec("dense:4,residual(dense:4)x,dense:1", 2, "residual(dense:4)x", "after the ')'");
  }

  @Test
  void shapeErrorsNameTheItemAndItsPosition() {
    assertBad(() -> xent("conv:32:3,relu,maxpool:40,dense:10", new Shape(14, 14, 1)), 3, "maxpool:40",
        "a 40x40 pool does not fit the 14x14 input");
    assertBad(() -> xent("conv:32:3,relu,maxpool:2,conv:64:3,relu,maxpool:2,maxpool:8,dense:10", MNIST), 7,
        "maxpool:8", "a 8x8 pool does not fit the 7x7 input"); // 28 -> 14 -> 7
    assertBad(() -> xent("conv:4:29:valid,dense:10", MNIST), 1, "conv:4:29:valid",
        "a 29x29 kernel does not fit the 28x28 input without padding");
    assertBad(() -> xent(EXAMPLE.replace("dense:10", "dense:9"), MNIST), 11, "dense:9",
        "the output layer has 9 units but the data has 10 targets");
    assertBad(() -> xent("dense:100000,dense:100000,dense:10", MNIST), 2, "dense:100000", "more than");
    assertBad(() -> xent("conv:200000:10,dense:10", new Shape(4, 4, 100)), 1, "conv:200000:10", "more than");
  }

  @Test
  void trainingTakesANetworkWithStagesByItsInputSize() {
    Network net = NetSpec.parse("conv:2:2,relu,maxpool:2,dense:2").build(new Shape(2, 2, 1), 2, Loss.XENT,
        Activation.SOFTMAX, null, new NumpyRandom(0), 0);
    dev.cltrain.data.TrainingData data = dev.cltrain.Data.classes(new float[][] {{0, 0, 0, 0}, {1, 1, 1, 1}},
        new int[] {0, 1}, 2);
    org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> dev.cltrain.Training.of(net, data));
  }
}
