package dev.cltrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.device.Trainer;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.LayerKind;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.NetSpec;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Shape;
import dev.cltrain.onnx.Onnx;
import dev.cltrain.onnx.OnnxRows;
import dev.cltrain.testing.Trainers;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every permitted {@link Layer} class is one {@link LayerKind}, and every kind has each of its sites: a registry
 * row, a {@code --net} item parser in that row (an abstract method of the row: the compiler names a row without
 * one) that reads every id of the kind, a {@code --net} round trip, a model-JSON round trip, an ONNX mapping (a row
 * of onnx's LayerMappings that exports each layer as a node of an operator it reads back, and imports back to the
 * same network), a training op ({@link LayerOps}) and a gradient check (a net of {@link ConvNetTest}, whose float64
 * central differences check every parameter's analytic gradient). A new kind fails here, naming the site it lacks,
 * until each is added.
 */
class LayerKindCoverageTest {
  /** Per kind, a small network holding it (built from {@code --net} on the shape given), classes = 3, xent. */
  private static final Map<LayerKind, Sample> SAMPLES = Map.ofEntries(
      Map.entry(LayerKind.DENSE, new Sample("dense:4,tanh,dense:3", new Shape(1, 1, 5))),
      Map.entry(LayerKind.CONV, new Sample("conv:2:3,relu,conv:3:2:s2:valid,dense:3", new Shape(4, 5, 2))),
      Map.entry(LayerKind.POOL, new Sample("conv:2:2,maxpool:2,avgpool:1,dense:3", new Shape(4, 5, 2))),
      Map.entry(LayerKind.DROPOUT, new Sample("conv:2:2,dropout:0.25,dense:4,relu,dropout:0.5,dense:3", new Shape(2, 2, 2))),
      Map.entry(LayerKind.GAP, new Sample("conv:3:2,relu,gap,dense:3", new Shape(3, 4, 2))),
      Map.entry(LayerKind.CONV1D, new Sample("conv1d:2:3,relu,conv1d:3:2:s2:valid,tanh,dense:3", new Shape(5, 1, 2))),
      Map.entry(LayerKind.MAXPOOL1D, new Sample("conv1d:2:2,maxpool1d:2,dense:3", new Shape(5, 1, 2))),
      Map.entry(LayerKind.BATCHNORM, new Sample("conv:3:2,bn,relu,maxpool:2,bn:0.25:0.001,gap,dense:3", new Shape(4, 5, 2))),
      Map.entry(LayerKind.RESIDUAL, new Sample("conv:2:2,residual(conv:2:3,bn,relu,conv:2:3),relu,"
          + "residual(conv:3:3:s2,tanh,maxpool:1,conv:3:3),dense:3", new Shape(5, 4, 2))),
      Map.entry(LayerKind.RECURRENT, new Sample("lstm:3:seq,gru:2,dense:3", new Shape(4, 1, 2))),
      Map.entry(LayerKind.EMBEDDING, new Sample("embedding:5:3,lstm:2,dense:3", new Shape(1, 1, 4))));

  private record Sample(String spec, Shape input) {
    Network build(long seed) {
      return build(spec, seed);
    }

    Network build(String net, long seed) {
      return NetSpec.parse(net).build(input, 3, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(seed), 11L);
    }
  }

  @Test
  void everyPermittedLayerClassIsExactlyOneRegisteredKind() {
    Set<Class<?>> permitted = Set.of(Layer.class.getPermittedSubclasses());
    for (Class<?> c : permitted) {
      List<LayerKind> rows = Arrays.stream(LayerKind.values()).filter(k -> k.type == c).toList();
      assertEquals(1, rows.size(), c.getSimpleName() + " is a permitted Layer: it needs exactly one LayerKind row");
    }
    for (LayerKind k : LayerKind.values()) {
      assertTrue(permitted.contains(k.type), k + "'s class " + k.type.getSimpleName() + " is not a permitted Layer");
      for (String id : k.ids) {
        assertEquals(k, LayerKind.forId(id), "id '" + id + "' names one kind");
      }
    }
  }

  private static Sample sample(LayerKind kind) {
    Sample s = SAMPLES.get(kind);
    assertNotNull(s, "no sample network for layer kind " + kind + ": add one to LayerKindCoverageTest.SAMPLES");
    Network net = s.build(1);
    assertTrue(net.layers().stream().anyMatch(l -> l.kind() == kind), s.spec + " holds no " + kind + " layer");
    return s;
  }

  @ParameterizedTest
  @EnumSource(LayerKind.class)
  void itsRowParsesEachOfItsIds(LayerKind kind) {
    Sample s = sample(kind);
    Network net = s.build(1);
    List<String> all = NetSpec.parse(s.spec).items();
    for (String id : kind.ids) {
      if (kind == LayerKind.RESIDUAL && id.equals("resblock")) { // the shorthand: the same network as written out
        for (String[] form : new String[][] {{"resblock:2", "residual(conv:2:3,bn,relu,conv:2:3,bn),relu"},
            {"resblock:3:s2", "residual(conv:3:3:s2,bn,relu,conv:3:3,bn),relu"}}) {
          Network shorthand = s.build("conv:2:2," + form[0] + ",dense:3", 1);
          assertEquals(s.build("conv:2:2," + form[1] + ",dense:3", 1), shorthand, form[0] + " is " + form[1]);
          assertEquals(form[0].contains(":s2"), ((dev.cltrain.nn.Residual) shorthand.layers().get(1)).projectionNorm()
              != null, form[0] + ": a bn on the shortcut exactly when it projects");
        }
        continue;
      }
      List<String> items = all.stream().filter(i -> i.equals(id) || i.startsWith(id + ":") || i.startsWith(id + "("))
          .toList();
      if (items.isEmpty()) { // an alias the layers never print (bn's batchnorm): the sample with it builds the same
        String first = all.stream().filter(i -> kind.ids.contains(i.split(":")[0])).findFirst().orElseThrow(
            () -> new AssertionError(kind + ": the sample " + s.spec + " has no item of the kind"));
        List<String> renamed = new java.util.ArrayList<>(all);
        renamed.set(all.indexOf(first), id + first.substring(first.split(":")[0].length()));
        assertEquals(net, s.build(String.join(",", renamed), 1), kind + ": '" + id + "' in place of '" + first + "'");
        continue;
      }
      for (String item : items) {
        assertTrue(net.layers().stream().anyMatch(l -> l.kind() == kind && l.spec().equals(item)),
            kind + ": '" + item + "' builds no " + kind + " layer of that item in " + net.layers());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(LayerKind.class)
  void netItemsRoundTrip(LayerKind kind) {
    Sample s = sample(kind);
    Network net = s.build(1);
    String printed = NetSpec.of(net);
    assertEquals(s.spec + ",softmax", printed, kind + ": each layer's --net items, the output's activation added");
    assertEquals(net, s.build(printed, 1), kind + ": the printed --net builds the same network");
  }

  @ParameterizedTest
  @EnumSource(LayerKind.class)
  void modelJsonRoundTripsBitForBit(LayerKind kind) {
    Network net = sample(kind).build(2);
    String json = ModelJson.toJson(net);
    Network back = ModelJson.parse(json, kind + ".json");
    assertEquals(net, back, kind + ": read back from model JSON");
    assertEquals(json, ModelJson.toJson(back), kind + ": written again, the same text");
  }

  @ParameterizedTest
  @EnumSource(LayerKind.class)
  void anOnnxRowExportsEachLayerAsAnOperatorItReadsBack(LayerKind kind) {
    List<String> read = OnnxRows.readOperators(kind);
    assertNotNull(read, "no ONNX mapping for layer kind " + kind
        + ": add its row (export and import) to onnx/LayerMappings.TABLE");
    assertFalse(read.isEmpty(), kind + "'s ONNX row reads no operator back");
    Network net = sample(kind).build(3);
    long layers = net.layers().stream().filter(l -> l.kind() == kind).count();
    long nodes = OnnxRows.exportedOperators(net).stream().filter(read::contains).count();
    assertEquals(layers, nodes, kind + ": each of its layers in " + sample(kind).spec + " is exported as one node of "
        + "an operator its ONNX row reads back " + read);
  }

  @ParameterizedTest
  @EnumSource(LayerKind.class)
  void onnxExportImportsBackToTheSameNetwork(LayerKind kind) {
    Network net = sample(kind).build(3);
    byte[] bytes = Onnx.toBytes(net, Map.of());
    Network back = Onnx.fromBytes(bytes, kind + ".onnx");
    assertEquals(net, back, kind + ": exported to ONNX and imported back");
  }

  @ParameterizedTest
  @EnumSource(LayerKind.class)
  void aTrainingOpTrainsIt(LayerKind kind) {
    assertTrue(LayerOps.TABLE.containsKey(kind), "no training op for layer kind " + kind + " in LayerOps.TABLE");
    Sample s = sample(kind);
    Network net = s.build(4);
    DataSet data = data(net.inputs(), 3, 12);
    if (net.layers().get(0) instanceof dev.cltrain.nn.Embedding e) { // token ids, padding at the ends of some rows
      float[] x = data.x();
      Random r = new Random(8);
      for (int i = 0; i < x.length; i++) {
        x[i] = i % e.steps() >= e.steps() - i / e.steps() % 3 ? 0 : 1 + r.nextInt(e.vocabulary() - 1);
      }
      data = new DataSet("ids", data.rows(), data.inputs(), data.outputs(), x, data.y());
    }
    Network trained;
    try (Trainer t = Trainers.reference(net, data, Settings.fullBatchSgd(0.5f))) {
      Trainer.EpochStats stats = t.epoch(true);
      assertTrue(Float.isFinite(stats.loss()), kind + ": epoch loss " + stats.loss());
      trained = t.network();
    }
    assertNull(Network.firstNonFinite(trained), kind + ": parameters stay finite");
    assertEquals(net.layers().stream().map(Layer::spec).toList(), trained.layers().stream().map(Layer::spec).toList(),
        kind + ": the ops give back layers of the same kinds and shapes");
    assertNotEquals(net, trained, kind + ": one step moved the parameters");
  }

  @ParameterizedTest
  @EnumSource(LayerKind.class)
  void aGradientCheckCoversIt(LayerKind kind) {
    Set<LayerKind> checked = List.of(ConvNetTest.netA(Loss.XENT, 1), ConvNetTest.netB(Loss.XENT, 1),
        ConvNetTest.netC(Loss.XENT, 1), ConvNetTest.netD(Loss.XENT, 1), ConvNetTest.netE(Loss.XENT, 1),
        ConvNetTest.netF(Loss.XENT, 1), ConvNetTest.netI(Loss.XENT, 1), ConvNetTest.netJ(Loss.XENT, 1),
        ConvNetTest.netK(Loss.XENT, 1)).stream().flatMap(n -> n.layers().stream()).map(Layer::kind)
        .collect(Collectors.toSet());
    assertTrue(checked.contains(kind), "no gradient check covers layer kind " + kind
        + ": add a layer of it to a net of ConvNetTest (netA to netF, netI to netK) and to its float64 objective");
  }

  private static DataSet data(int inputs, int classes, int rows) {
    Random r = new Random(7);
    float[] x = new float[rows * inputs];
    float[] y = new float[rows * classes];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int s = 0; s < rows; s++) {
      y[s * classes + s % classes] = 1;
    }
    return new DataSet("random", rows, inputs, classes, x, y);
  }
}
