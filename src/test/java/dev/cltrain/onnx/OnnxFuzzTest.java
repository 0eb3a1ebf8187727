package dev.cltrain.onnx;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.NetSpec;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Shape;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.Size;

/**
 * The ONNX reader is as robust as the other parsers: random bytes, mutations of valid exported models and
 * hand-crafted hostile messages (lying lengths, wrong wire types, overlong varints, deep nesting, absurd tensor
 * dims) either read into a network or fail with one line naming the file, never another exception, never a hang,
 * and never an allocation far beyond the file's size. 10,000 tries per property.
 */
@Tag("slow")
class OnnxFuzzTest {
  static final String NAME = "fuzz.onnx";
  /** Bytes one read may allocate beyond a multiple of the file's size: a small network's objects and then some. */
  static final long ALLOCATION_SLACK = 64L << 20;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  static final Network DENSE = Network.builder(4, 8, 3).hidden(Activation.RELU).loss(Loss.XENT).seed(0).build();
  static final Network CNN = NetSpec.parse("conv:4:3,relu,maxpool:2,flatten,dense:3")
      .build(new Shape(8, 8, 1), 3, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(1), 0L);
  static final Network CNN_SCALED = NetSpec.parse("conv:2:3:valid,tanh,avgpool:2,flatten,dense:4,relu,dropout:0.5,dense:2")
      .build(new Shape(6, 6, 2), 2, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(2), 0L).withInputScale(1f / 255);
  /** Both shortcuts, a bn inside a block, gap. */
  static final Network RESIDUAL = NetSpec.parse("conv:2:3,residual(conv:2:3,bn,relu,conv:2:3),relu,"
          + "residual(conv:3:3:s2,relu,conv:3:3),relu,gap,dense:3")
      .build(new Shape(5, 5, 1), 3, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(3), 0L);
  static final List<byte[]> SEEDS = List.of(Onnx.toBytes(DENSE, Map.of("epochs", "3")),
      Onnx.toBytes(CNN, Map.of()), Onnx.toBytes(CNN_SCALED, Map.of("k", "v")), Onnx.toBytes(RESIDUAL, Map.of()));

  /**
   * Reads the bytes: a network, or an InputException of one line starting with the file's name (then null). Any
   * other throwable (OutOfMemoryError, StackOverflowError included) fails the try, as does a read over 10 s or one
   * that allocates more than 64 times the file's size plus {@link #ALLOCATION_SLACK}.
   */
  static Network readsOrFailsCleanly(byte[] bytes) {
    return read(bytes).network();
  }

  /** What a read came to: a network, or the message of its InputException. */
  record Outcome(Network network, String message) {
    /** {@return "network", "malformed" (the protobuf does not decode) or "unsupported" (the graph does not import)} */
    String kind() {
      return network != null ? "network" : message.startsWith(NAME + ": not a readable ONNX model: ") ? "malformed"
          : "unsupported";
    }
  }

  /** As {@link #readsOrFailsCleanly}, with the failure's message. */
  static Outcome read(byte[] bytes) {
    return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      Network network = null;
      String message = null;
      try {
        network = Onnx.fromBytes(bytes, NAME);
        assertNotNull(network);
      } catch (InputException e) {
        message = e.getMessage();
        assertTrue(message.startsWith(NAME + ": "), "names the file first: " + message);
        assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
      }
      long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
      assertTrue(allocated <= 64L * bytes.length + ALLOCATION_SLACK,
          "allocated " + allocated + " bytes reading " + bytes.length);
      return new Outcome(network, message);
    });
  }

  /** The read fails with an InputException of one line naming the file: {@return its message} */
  static String failsCleanly(byte[] bytes) {
    Network n = readsOrFailsCleanly(bytes);
    assertTrue(n == null, "expected an InputException, got a network");
    return assertThrows(InputException.class, () -> Onnx.fromBytes(bytes, NAME)).getMessage();
  }

  /** Counts, in jqwik's statistics report, how many tries read into a network, failed to decode, or to import. */
  static void outcome(Outcome outcome) {
    Statistics.collect(outcome.kind());
  }

  // ---- (a) random bytes ----

  @Property(tries = 10000)
  void randomBytesReadOrFailWithOneLineNamingTheFile(@ForAll @Size(max = 2000) byte[] bytes) {
    outcome(read(bytes));
  }

  /** Random bytes after a valid start (field 1 ir_version, then field 7 graph), so the reader goes further in. */
  @Property(tries = 10000)
  void randomGraphBytesReadOrFailWithOneLineNamingTheFile(@ForAll @Size(max = 2000) byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x08);
    out.write(8);
    out.write(7 << 3 | 2);
    varint(out, bytes.length);
    out.writeBytes(bytes);
    outcome(read(out.toByteArray()));
  }

  // ---- (b) mutations of valid exported models ----

  /** One edit of a model's bytes; kind picks what, the rest say where, how long and with what. */
  record Edit(int kind, int position, int length, int value) {}

  @Provide
  Arbitrary<List<Edit>> edits() {
    Arbitrary<Edit> edit = Combinators.combine(Arbitraries.integers().between(0, 7),
        Arbitraries.integers().between(0, 1 << 20), Arbitraries.integers().between(1, 64),
        Arbitraries.integers()).as(Edit::new);
    return edit.list().ofMinSize(1).ofMaxSize(5);
  }

  static byte[] mutate(byte[] valid, List<Edit> edits) {
    byte[] data = valid;
    for (Edit e : edits) {
      if (data.length == 0) {
        data = new byte[] {(byte) e.value()};
        continue;
      }
      int at = e.position() % data.length;
      int len = Math.min(e.length(), data.length - at);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      switch (e.kind()) {
        case 0 -> { // flip one bit
          data = data.clone();
          data[at] ^= (byte) (1 << (e.value() & 7));
          continue;
        }
        case 1 -> { // overwrite one byte
          data = data.clone();
          data[at] = (byte) e.value();
          continue;
        }
        case 2 -> out.write(data, 0, at); // truncate
        case 3 -> { // insert a run of bytes
          out.write(data, 0, at);
          Random r = new Random(e.value());
          for (int i = 0; i < e.length(); i++) {
            out.write(r.nextInt(256));
          }
          out.write(data, at, data.length - at);
        }
        case 4 -> { // delete a run
          out.write(data, 0, at);
          out.write(data, at + len, data.length - at - len);
        }
        case 5 -> { // duplicate a slice
          out.write(data, 0, at + len);
          out.write(data, at, len);
          out.write(data, at + len, data.length - at - len);
        }
        case 6 -> { // a huge varint (a length, if a length was there) in place of the byte at
          out.write(data, 0, at);
          long[] huge = {1L << 31, (1L << 31) - 1, 1L << 32, Long.MAX_VALUE, -1L, 1L << 63, 0x7fff_fff0L,
              data.length, data.length - at};
          varint(out, huge[Math.floorMod(e.value(), huge.length)]);
          out.write(data, at + 1, data.length - at - 1);
        }
        default -> { // a varint length somewhere grows or shrinks by a little
          data = data.clone();
          data[at] = (byte) (data[at] + (e.value() % 5));
          continue;
        }
      }
      data = out.toByteArray();
    }
    return data;
  }

  @Property(tries = 10000)
  void mutatedExportedModelsReadOrFailWithOneLineNamingTheFile(@ForAll("edits") List<Edit> edits,
      @ForAll("seeds") byte[] seed) {
    outcome(read(mutate(seed, edits)));
  }

  @Provide
  Arbitrary<byte[]> seeds() {
    return Arbitraries.of(SEEDS);
  }

  /** cltrain's residual seed and PyTorch's training-mode ResNet, decoded. */
  private static final List<OnnxProto.Model> RESIDUAL_GRAPHS = List.of(OnnxProto.decode(SEEDS.get(3)),
      OnnxProto.decode(resource("/onnx/torch_resnet_train.onnx")));

  private static byte[] resource(String name) {
    try (java.io.InputStream in = OnnxFuzzTest.class.getResourceAsStream(name)) {
      return in.readAllBytes();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Residual graphs (cltrain's export and PyTorch's training-mode ResNet) rewired: one to four nodes have an input
   * replaced by another value of the graph, their op_type changed to another the importer reads, or are dropped;
   * the walk over branches and Adds reads a network or fails in one line, never loops or throws anything else.
   */
  @Property(tries = 200)
  void rewiredResidualGraphsReadOrFailWithOneLineNamingTheFile(@ForAll long seed, @ForAll boolean torch) {
    OnnxProto.Model m = RESIDUAL_GRAPHS.get(torch ? 1 : 0);
    OnnxProto.Graph g = m.graph();
    List<OnnxProto.Node> nodes = new ArrayList<>(g.nodes());
    List<String> values = new ArrayList<>(List.of(g.inputs().get(0).name()));
    nodes.forEach(n -> values.addAll(n.outputs()));
    String[] ops = {"Add", "Mul", "Conv", "Relu", "BatchNormalization", "Identity", "Flatten", "GlobalAveragePool"};
    Random r = new Random(seed);
    for (int e = 1 + r.nextInt(4); e > 0 && !nodes.isEmpty(); e--) {
      int at = r.nextInt(nodes.size());
      OnnxProto.Node n = nodes.get(at);
      switch (r.nextInt(3)) {
        case 0 -> {
          List<String> inputs = new ArrayList<>(n.inputs());
          if (!inputs.isEmpty()) {
            inputs.set(r.nextInt(inputs.size()), values.get(r.nextInt(values.size())));
          }
          nodes.set(at, new OnnxProto.Node(n.name(), n.opType(), n.domain(), inputs, n.outputs(), n.attributes()));
        }
        case 1 -> nodes.set(at, new OnnxProto.Node(n.name(), ops[r.nextInt(ops.length)], n.domain(), n.inputs(),
            n.outputs(), n.attributes()));
        default -> nodes.remove(at);
      }
    }
    OnnxProto.Model rewired = new OnnxProto.Model(m.irVersion(), m.opsets(), m.producerName(), m.producerVersion(),
        new OnnxProto.Graph(g.name(), nodes, g.initializers(), g.inputs(), g.outputs()), m.metadata());
    outcome(read(rewired.encode()));
  }

  /** Every prefix of each valid model: truncation at every byte. */
  @Example
  void everyTruncationOfAnExportedModelFailsCleanly() {
    for (byte[] seed : SEEDS) {
      for (int n = 0; n < seed.length; n++) {
        readsOrFailsCleanly(Arrays.copyOf(seed, n));
      }
      assertNotNull(readsOrFailsCleanly(seed));
    }
  }

  // ---- (c) hand-crafted hostile messages ----

  /** What a field of a known message holds: a nested message of that kind, or a scalar of a kind. */
  private static final Map<String, Map<Integer, String>> MESSAGES = Map.ofEntries(
      Map.entry("Model", Map.of(1, "int", 2, "string", 3, "string", 7, "Graph", 8, "Opset", 14, "Entry")),
      Map.entry("Opset", Map.of(1, "string", 2, "int")),
      Map.entry("Entry", Map.of(1, "string", 2, "string")),
      Map.entry("Graph", Map.of(1, "Node", 2, "string", 5, "Tensor", 11, "ValueInfo", 12, "ValueInfo")),
      Map.entry("Node", Map.of(1, "string", 2, "string", 3, "string", 4, "string", 5, "Attribute", 7, "string")),
      Map.entry("Attribute", Map.of(1, "string", 20, "int", 2, "float", 3, "int", 4, "string", 5, "Tensor",
          6, "Graph", 7, "floats", 8, "ints")),
      Map.entry("Tensor", Map.of(1, "ints", 2, "int", 4, "floats", 7, "ints", 8, "string", 9, "raw", 10, "doubles",
          14, "int")),
      Map.entry("ValueInfo", Map.of(1, "string", 2, "Type")),
      Map.entry("Type", Map.of(1, "TypeTensor")),
      Map.entry("TypeTensor", Map.of(1, "int", 2, "TensorShape")),
      Map.entry("TensorShape", Map.of(1, "Dim")),
      Map.entry("Dim", Map.of(1, "int", 2, "string")));

  private static final long[] HOSTILE_NUMBERS = {0, 1, -1, 7, 127, 128, 1L << 31, (1L << 31) - 1, 1L << 32,
      1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, 0x7fff_ffffL, 255, 1 << 20};

  /** A message of a kind, its fields mostly well formed, a few hostile, nested up to {@code depth}. */
  static byte[] hostile(Random r, String kind, int depth) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Map<Integer, String> fields = MESSAGES.get(kind);
    List<Integer> numbers = new ArrayList<>(fields.keySet());
    numbers.sort(null);
    int count = r.nextInt(depth > 0 ? 6 : 3);
    for (int f = 0; f < count; f++) {
      int field = r.nextInt(8) == 0 ? (r.nextBoolean() ? r.nextInt(40) : r.nextInt(1 << 29))
          : numbers.get(r.nextInt(numbers.size()));
      String what = fields.getOrDefault(field, "unknown");
      boolean bad = r.nextInt(10) == 0;
      int type = switch (what) {
        case "int" -> 0;
        case "float" -> 5;
        case "ints", "floats", "doubles" -> r.nextBoolean() ? 2 : what.equals("ints") ? 0 : what.equals("floats") ? 5 : 1;
        case "unknown" -> new int[] {0, 1, 2, 5}[r.nextInt(4)];
        default -> 2;
      };
      if (bad) {
        type = r.nextInt(8);
      }
      if (r.nextInt(50) == 0) { // an overlong key varint
        for (int i = 0; i < 10; i++) {
          out.write(0x80);
        }
        out.write(r.nextInt(2));
        continue;
      }
      varint(out, (long) field << 3 | type);
      switch (type) {
        case 0 -> {
          if (r.nextInt(20) == 0) { // 10 or 11 byte varint
            int n = 9 + r.nextInt(2);
            for (int i = 0; i < n; i++) {
              out.write(0x80 | r.nextInt(128));
            }
            out.write(r.nextInt(2));
          } else {
            varint(out, r.nextBoolean() ? HOSTILE_NUMBERS[r.nextInt(HOSTILE_NUMBERS.length)] : r.nextInt(64) - 8);
          }
        }
        case 1 -> out.writeBytes(randomBytes(r, r.nextInt(10) == 0 ? r.nextInt(8) : 8));
        case 5 -> out.writeBytes(randomBytes(r, r.nextInt(10) == 0 ? r.nextInt(4) : 4));
        case 2 -> {
          byte[] payload = payload(r, what, depth);
          int lie = r.nextInt(12);
          if (lie == 0) {
            varint(out, HOSTILE_NUMBERS[r.nextInt(HOSTILE_NUMBERS.length)]);
          } else if (lie == 1) {
            varint(out, payload.length + 1 + r.nextInt(3));
          } else if (lie == 2 && payload.length > 0) {
            varint(out, payload.length - 1);
          } else {
            varint(out, payload.length);
          }
          out.writeBytes(payload);
        }
        default -> out.writeBytes(randomBytes(r, r.nextInt(6))); // groups (3, 4) and no such type (6, 7)
      }
    }
    return out.toByteArray();
  }

  private static byte[] payload(Random r, String what, int depth) {
    if (MESSAGES.containsKey(what)) {
      return depth > 0 ? hostile(r, what, depth - 1) : randomBytes(r, r.nextInt(4));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    switch (what) {
      case "string" -> {
        String[] names = {"", "input", "output", "Gemm", "Conv", "Reshape", "MatMul", "Add", "Relu", "Softmax",
            "Flatten", "x", "w", "b", "perm", "kernel_shape", "ai.onnx", "loss", "\n", "a\nb", "é"};
        out.writeBytes(r.nextInt(8) == 0 ? randomBytes(r, r.nextInt(6))
            : names[r.nextInt(names.length)].getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      case "ints" -> {
        for (int i = r.nextInt(6); i > 0; i--) {
          varint(out, r.nextBoolean() ? HOSTILE_NUMBERS[r.nextInt(HOSTILE_NUMBERS.length)] : r.nextInt(10) - 1);
        }
      }
      case "floats", "raw", "doubles" -> out.writeBytes(randomBytes(r, r.nextInt(5) == 0 ? r.nextInt(20) : 4 * r.nextInt(6)));
      default -> {
        if (depth > 0 && r.nextInt(3) == 0) { // an unknown field holding messages of its own
          return hostile(r, "Dim", depth - 1);
        }
        out.writeBytes(randomBytes(r, r.nextInt(12)));
      }
    }
    return out.toByteArray();
  }

  @Property(tries = 10000)
  void handCraftedHostileMessagesReadOrFailWithOneLineNamingTheFile(@ForAll long seed) {
    Random r = new Random(seed);
    outcome(read(hostile(r, "Model", 3 + r.nextInt(6))));
  }

  /** A valid model with one hostile message spliced in at the end of its graph. */
  @Property(tries = 10000)
  void validModelsWithAHostileMessageSplicedInReadOrFailCleanly(@ForAll long seed, @ForAll("seeds") byte[] valid) {
    Random r = new Random(seed);
    OnnxProto.Model model = OnnxProto.decode(valid);
    ByteArrayOutputStream graph = new ByteArrayOutputStream();
    graph.writeBytes(model.graph().encode().toByteArray());
    String[] kinds = {"Node", "Tensor", "ValueInfo", "Attribute"};
    String kind = kinds[r.nextInt(kinds.length)];
    byte[] extra = hostile(r, kind, 2 + r.nextInt(3));
    int field = switch (kind) {
      case "Node" -> 1;
      case "Tensor" -> 5;
      case "ValueInfo" -> r.nextBoolean() ? 11 : 12;
      default -> 1; // an attribute wrapped in a node
    };
    if (kind.equals("Attribute")) {
      ByteArrayOutputStream node = new ByteArrayOutputStream();
      varint(node, 5 << 3 | 2);
      varint(node, extra.length);
      node.writeBytes(extra);
      extra = node.toByteArray();
    }
    varint(graph, (long) field << 3 | 2);
    varint(graph, extra.length);
    graph.writeBytes(extra);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    varint(out, 1 << 3);
    varint(out, 8);
    varint(out, 7 << 3 | 2);
    varint(out, graph.size());
    out.writeBytes(graph.toByteArray());
    varint(out, 8 << 3 | 2);
    varint(out, 2);
    varint(out, 2 << 3);
    varint(out, 17);
    outcome(read(out.toByteArray()));
  }

  // ---- named hostile cases ----

  static byte[] model(byte[]... fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] f : fields) {
      out.writeBytes(f);
    }
    return out.toByteArray();
  }

  static byte[] key(long field, int type) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    varint(out, field << 3 | type);
    return out.toByteArray();
  }

  static byte[] lengthClaim(int field, long length, int bytesAfter) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    varint(out, (long) field << 3 | 2);
    varint(out, length);
    out.writeBytes(new byte[bytesAfter]);
    return out.toByteArray();
  }

  @Example
  void lengthsOfTwoToThe31And63AndAllOnesFailCleanly() {
    for (long length : new long[] {1L << 31, (1L << 31) - 1, 1L << 32, 1L << 63, -1L, Long.MAX_VALUE}) {
      for (int field : new int[] {2, 7, 8, 14, 99}) {
        failsCleanly(lengthClaim(field, length, 16));
      }
      // inside a graph, a node, a tensor
      byte[] inner = lengthClaim(9, length, 4);
      byte[] tensor = model(key(5, 2), varintBytes(inner.length), inner);
      failsCleanly(model(key(7, 2), varintBytes(tensor.length), tensor));
    }
  }

  @Example
  void overlongVarintsFailCleanly() {
    byte[] ten = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
        (byte) 0x80, (byte) 0x80, 0x01};
    byte[] eleven = new byte[11];
    Arrays.fill(eleven, (byte) 0x80);
    eleven[10] = 0x01;
    byte[] allContinue = new byte[20];
    Arrays.fill(allContinue, (byte) 0xff);
    failsCleanly(model(key(1, 0), ten)); // a 10-byte ir_version, valid varint, but no graph
    failsCleanly(model(key(1, 0), eleven));
    failsCleanly(model(eleven));
    failsCleanly(allContinue);
    failsCleanly(model(key(7, 2), eleven));
    failsCleanly(model(key(7, 2), ten));
  }

  @Example
  void wrongWireTypesForKnownFieldsFailCleanly() {
    failsCleanly(model(key(7, 0), varintBytes(5))); // graph as a varint
    failsCleanly(model(key(7, 5), new byte[4])); // graph as fixed32
    failsCleanly(model(key(1, 2), varintBytes(0))); // ir_version as bytes
    byte[] tensor = model(key(1, 5), new byte[4]); // tensor dims as fixed32
    byte[] graph = model(key(5, 2), varintBytes(tensor.length), tensor);
    String message = failsCleanly(model(key(7, 2), varintBytes(graph.length), graph));
    assertTrue(message.contains("TensorProto"), message);
    for (int type : new int[] {3, 4, 6, 7}) {
      failsCleanly(model(key(1, type), new byte[8]));
      failsCleanly(model(key(99, type), new byte[8]));
    }
    failsCleanly(model(key(0, 0), varintBytes(1))); // field number 0
    failsCleanly(model(key(0, 2), varintBytes(0)));
    failsCleanly(model(key(1L << 29, 0), varintBytes(1))); // beyond the largest field number
  }

  /** Nested length-delimited fields, built from the inside out so that building them is linear. */
  static byte[] nested(int[] fields, int levels, byte[] core) {
    byte[] buf = new byte[core.length + levels * 16];
    int start = buf.length - core.length;
    System.arraycopy(core, 0, buf, start, core.length);
    for (int level = 0; level < levels; level++) {
      int length = buf.length - start;
      byte[] prefix = model(key(fields[level % fields.length], 2), varintBytes(length));
      start -= prefix.length;
      System.arraycopy(prefix, 0, buf, start, prefix.length);
    }
    return Arrays.copyOfRange(buf, start, buf.length);
  }

  @Example
  void deeplyNestedFieldsFinishQuickly() {
    // 100,000 levels of field 7: a graph, then unknown field 7s inside it (skipped unread)
    readsOrFailsCleanly(nested(new int[] {7}, 100_000, new byte[0]));
    // unknown fields nested deep
    readsOrFailsCleanly(nested(new int[] {99}, 100_000, new byte[0]));
    readsOrFailsCleanly(nested(new int[] {7, 1, 5, 5}, 100_000, new byte[] {8, 1}));
    readsOrFailsCleanly(nested(new int[] {7, 11, 2, 1, 2, 1}, 100_000, new byte[0]));
    // a graph holding a node holding an attribute whose graph (field 6) nests deep
    byte[] attribute = nested(new int[] {6, 1, 5}, 99_999, new byte[0]);
    readsOrFailsCleanly(nested(new int[] {5, 1, 7}, 3, attribute));
  }

  // ---- absurd tensors, shapes and weights in otherwise valid models ----

  /** A model with its initializer of that name replaced. */
  static byte[] withInitializer(byte[] valid, String name, OnnxProto.Tensor replacement) {
    OnnxProto.Model m = OnnxProto.decode(valid);
    OnnxProto.Graph g = m.graph();
    List<OnnxProto.Tensor> tensors = new ArrayList<>();
    boolean found = false;
    for (OnnxProto.Tensor t : g.initializers()) {
      found |= t.name().equals(name);
      tensors.add(t.name().equals(name) ? replacement : t);
    }
    assertTrue(found, "no initializer " + name + " in " + g.initializers().stream().map(OnnxProto.Tensor::name).toList());
    return new OnnxProto.Model(m.irVersion(), m.opsets(), m.producerName(), m.producerVersion(),
        new OnnxProto.Graph(g.name(), g.nodes(), tensors, g.inputs(), g.outputs()), m.metadata()).encode();
  }

  static String initializerName(byte[] valid, String contains) {
    return OnnxProto.decode(valid).graph().initializers().stream().map(OnnxProto.Tensor::name)
        .filter(n -> n.contains(contains)).findFirst().orElseThrow();
  }

  @Example
  void tensorsWithAbsurdDimsFailCleanly() {
    byte[] dense = SEEDS.get(0);
    String w = OnnxProto.decode(dense).graph().initializers().get(0).name();
    long[][] absurd = {{1L << 40}, {1L << 20, 1L << 20}, {1L << 40, 4}, {Long.MAX_VALUE, 3}, {1L << 32, 1L << 32},
        {-1, 8}, {4, -8}, {-4, -8}, {Long.MIN_VALUE, -1}, {0, 8}, {3, 1L << 62, 4}, {1L << 31, 1L << 31, 1L << 31},
        {4}, {}, {4, 8, 1}, {8, 4}};
    for (long[] dims : absurd) {
      failsCleanly(withInitializer(dense, w, OnnxProto.Tensor.ofFloats(w, new float[] {1, 2, 3}, dims)));
      failsCleanly(withInitializer(dense, w, new OnnxProto.Tensor(w, OnnxProto.INT64, dims, new float[0],
          new long[] {1, 2}, false)));
      failsCleanly(withInitializer(dense, w, new OnnxProto.Tensor(w, OnnxProto.DOUBLE, dims, new float[] {1},
          new long[0], false)));
    }
  }

  @Example
  void reshapesToHugeShapesFailCleanly() {
    byte[] cnn = SEEDS.get(1);
    String shape = initializerName(cnn, "image_shape");
    long[][] shapes = {{-1, 1L << 40, 1L << 40, 1}, {-1, 1L << 21, 1L << 21, 1L << 21}, {-1, 8, 8, 1L << 40},
        {-1, Long.MAX_VALUE, 2, 2}, {-1, -8, -8, 1}, {-1, 8, -8, -1}, {-1, 1L << 62, 4, 4}, {-1, 1L << 31, 1, 1},
        {-1, 1L << 32, 1L << 32, 4}, {Long.MIN_VALUE, 8, 8, 1}, {-1, 0, 8, 1}, {-1, 64}, {-1, 1L << 40},
        {-1, 8, 8}, {}, {-1, 1, 1, 1, 1, 1}, {-1, 1, 8, 8}, {-1, 2, 4, 8}, {0, 8, 8, 1}};
    for (long[] s : shapes) {
      readsOrFailsCleanly(withInitializer(cnn, shape, OnnxProto.Tensor.ofLongs(shape, s, s.length)));
    }
    // products that overflow to the row width (64) must not pass for it: 4 * (2^62 + 16) = 2^64 + 64
    for (long[] s : new long[][] {{-1, (1L << 62) + 16, 4, 1}, {-1, 4, (1L << 62) + 16, 1}, {-1, 1, 4, (1L << 62) + 16},
        {-1, 1L << 32, 1L << 32, 64}, {-1, (1L << 63) + 8, 8, 2}}) {
      failsCleanly(withInitializer(cnn, shape, OnnxProto.Tensor.ofLongs(shape, s, s.length)));
    }
    failsCleanly(withInitializer(cnn, shape, OnnxProto.Tensor.ofLongs(shape, new long[] {-1, 8, 8, 1}, 1L << 40)));
    failsCleanly(withInitializer(cnn, shape, OnnxProto.Tensor.ofLongs(shape, new long[] {-1, 8, 8, 1}, -4)));
  }

  @Example
  void convWeightsWithAbsurdDimsFailCleanly() {
    byte[] cnn = SEEDS.get(1);
    String w = initializerName(cnn, "weight");
    long[][] dims = {{4, 1, 3, 3}, {1L << 40, 1, 1, 1}, {1, 1, 1L << 20, 1L << 20}, {Integer.MAX_VALUE + 1L, 1, 1, 1},
        {4, 1, 1L << 31, 1L << 31}, {4, 1, 9, 9}, {4, 1, 100, 100}, {4, 2, 3, 3}, {-4, 1, 3, 3}, {4, 1, -3, -3},
        {0, 1, 3, 3}, {4, 1, 3}, {4, 1, 3, 3, 1}, {1, 1, 3, 3}};
    for (long[] d : dims) {
      long n = OnnxProto.Tensor.ofFloats(w, new float[0], d).elements();
      float[] values = new float[n >= 0 && n <= 400 ? (int) n : 36];
      readsOrFailsCleanly(withInitializer(cnn, w, OnnxProto.Tensor.ofFloats(w, values, d)));
    }
    // claims of more values than the file holds
    failsCleanly(withInitializer(cnn, w, OnnxProto.Tensor.ofFloats(w, new float[36], 1L << 40, 1, 3, 3)));
    failsCleanly(withInitializer(cnn, w, OnnxProto.Tensor.ofFloats(w, new float[36], 4, 1, 1L << 31, 1L << 31)));
  }

  /** A model with its graph input's dims replaced. */
  static byte[] withInputDims(byte[] bytes, OnnxProto.Dim... dims) {
    OnnxProto.Model m = OnnxProto.decode(bytes);
    OnnxProto.Graph g = m.graph();
    OnnxProto.ValueInfo in = g.inputs().get(0);
    List<OnnxProto.ValueInfo> inputs = new ArrayList<>(g.inputs());
    inputs.set(0, new OnnxProto.ValueInfo(in.name(), in.elemType(), List.of(dims), true));
    return new OnnxProto.Model(m.irVersion(), m.opsets(), m.producerName(), m.producerVersion(),
        new OnnxProto.Graph(g.name(), g.nodes(), g.initializers(), inputs, g.outputs()), m.metadata()).encode();
  }

  @Example
  void hugeInputsAndImagesFailWithoutAllocatingForThem() {
    OnnxProto.Dim batch = OnnxProto.Dim.named("batch");
    for (long n : new long[] {1L << 30, Integer.MAX_VALUE, 1L << 31, 1L << 40, Long.MAX_VALUE, 0, -5}) {
      failsCleanly(withInputDims(SEEDS.get(0), batch, OnnxProto.Dim.of(n)));
    }
    byte[] cnn = SEEDS.get(1);
    String shape = initializerName(cnn, "image_shape");
    long[][] images = {{1L << 30, -1, 32768, 32768, 1}, {Integer.MAX_VALUE, -1, Integer.MAX_VALUE, 1, 1},
        {1L << 30, -1, 1, 1, 1L << 30}, {1L << 30, -1, 1 << 15, 1 << 15, 1}, {1L << 28, -1, 1 << 14, 1 << 14, 1}};
    for (long[] s : images) {
      byte[] b = withInputDims(cnn, batch, OnnxProto.Dim.of(s[0]));
      failsCleanly(withInitializer(b, shape, OnnxProto.Tensor.ofLongs(shape, Arrays.copyOfRange(s, 1, 5), 4)));
    }
    // NCHW image inputs straight from the graph input: [batch, 1, H, W]
    long[][] nchw = {{1, 1 << 15, 1 << 15}, {1, Integer.MAX_VALUE, 1}, {1, 1L << 31, 1}, {1, 1 << 16, 1 << 16}};
    for (long[] d : nchw) {
      failsCleanly(withInputDims(cnn, batch, OnnxProto.Dim.of(d[0]), OnnxProto.Dim.of(d[1]), OnnxProto.Dim.of(d[2])));
      failsCleanly(withInputDims(cnn, batch, OnnxProto.Dim.of(d[0]), OnnxProto.Dim.of(d[1]), OnnxProto.Dim.of(d[2]),
          OnnxProto.Dim.of(1)));
    }
  }

  /**
   * A tiny network on huge images: [batch, 2^30] rows reshaped to 32768x32768x1, a 1x1 convolution of one filter,
   * a 32768x32768 max pool, a dense layer of 3: every weight fits in a few bytes, and reading it must not allocate
   * for the image.
   */
  @Example
  void aTinyNetworkOnHugeImagesReadsWithoutAllocatingForThem() {
    byte[] cnn = withInputDims(SEEDS.get(1), OnnxProto.Dim.named("batch"), OnnxProto.Dim.of(1L << 30));
    cnn = withInitializer(cnn, initializerName(cnn, "image_shape"),
        OnnxProto.Tensor.ofLongs(initializerName(cnn, "image_shape"), new long[] {-1, 32768, 32768, 1}, 4));
    String w = initializerName(cnn, "weight");
    cnn = withInitializer(cnn, w, OnnxProto.Tensor.ofFloats(w, new float[] {0.5f}, 1, 1, 1, 1));
    OnnxProto.Model m = OnnxProto.decode(cnn);
    List<OnnxProto.Node> nodes = new ArrayList<>();
    List<OnnxProto.Tensor> tensors = new ArrayList<>();
    for (OnnxProto.Tensor t : m.graph().initializers()) {
      if (t.name().contains("bias") && t.values().length == 4) {
        t = OnnxProto.Tensor.ofFloats(t.name(), new float[] {0.1f}, 1);
      } else if (t.dims().length == 2 && t.dataType() == OnnxProto.FLOAT) {
        t = OnnxProto.Tensor.ofFloats(t.name(), new float[] {1, 2, 3}, 1, 3);
      }
      tensors.add(t);
    }
    for (OnnxProto.Node n : m.graph().nodes()) {
      if (n.opType().equals("MaxPool")) {
        List<OnnxProto.Attribute> attributes = new ArrayList<>();
        for (OnnxProto.Attribute a : n.attributes()) {
          attributes.add(a.name().equals("kernel_shape") || a.name().equals("strides")
              ? OnnxProto.Attribute.ofInts(a.name(), 32768, 32768) : a);
        }
        n = new OnnxProto.Node(n.name(), n.opType(), n.domain(), n.inputs(), n.outputs(), attributes);
      } else if (n.opType().equals("Conv")) {
        List<OnnxProto.Attribute> attributes = new ArrayList<>();
        for (OnnxProto.Attribute a : n.attributes()) {
          attributes.add(a.name().equals("kernel_shape") ? OnnxProto.Attribute.ofInts(a.name(), 1, 1)
              : a.name().equals("pads") ? OnnxProto.Attribute.ofInts(a.name(), 0, 0, 0, 0) : a);
        }
        n = new OnnxProto.Node(n.name(), n.opType(), n.domain(), n.inputs(), n.outputs(), attributes);
      }
      nodes.add(n);
    }
    byte[] bytes = new OnnxProto.Model(m.irVersion(), m.opsets(), m.producerName(), m.producerVersion(),
        new OnnxProto.Graph(m.graph().name(), nodes, tensors, m.graph().inputs(), m.graph().outputs()),
        m.metadata()).encode();
    Network n = readsOrFailsCleanly(bytes);
    assertNotNull(n, () -> assertThrows(InputException.class, () -> Onnx.fromBytes(bytes, NAME)).getMessage());
    assertTrue(n.inputs() == 1 << 30, "inputs " + n.inputs());
  }

  @Example
  void hostileMetadataReadsOrFailsCleanly() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    List<String> classNames = List.of(deep, "[" + deep + "]", "[\"a\",\"b\",\"c\"]", "[\"a\",\"a\",\"a\"]",
        "[\"\",\"\",\"\"]", "[\"a\\nb\",\"c\\u0000\",\"d\"]", "[1,2,3]", "[null,null,null]", "{}", "[", "\"x\"",
        "[\"" + "x".repeat(1 << 20) + "\",\"b\",\"c\"]", "[\"\\ud800\",\"b\",\"c\"]", "");
    for (String names : classNames) {
      readsOrFailsCleanly(Onnx.toBytes(DENSE, Map.of(OnnxMetadata.CLASS_NAMES, names)));
      readsOrFailsCleanly(Onnx.toBytes(CNN, Map.of(OnnxMetadata.CLASS_NAMES, names)));
    }
    for (String loss : List.of("mse", "xent\n", "", "\u2028", deep)) {
      failsCleanly(Onnx.toBytes(DENSE, Map.of(OnnxMetadata.LOSS, loss)));
    }
    for (String seed : List.of("-1", "18446744073709551616", "", "\n", "0x10", deep)) {
      failsCleanly(Onnx.toBytes(CNN, Map.of(OnnxMetadata.DROPOUT_SEED, seed)));
    }
  }

  // ---- a tiny protobuf writer of the test's own (it may write what Wire.Writer never would) ----

  static void varint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7fL) != 0) {
      out.write((int) (value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.write((int) value);
  }

  static byte[] varintBytes(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    varint(out, value);
    return out.toByteArray();
  }

  static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }
}
