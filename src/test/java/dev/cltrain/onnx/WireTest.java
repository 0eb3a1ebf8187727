package dev.cltrain.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The protobuf codec: varints, floats, repeated fields packed and not, a whole ModelProto, truncation messages. */
class WireTest {
  private static Wire.Reader reader(byte[] bytes, String message) {
    return new Wire.Reader(bytes, 0, bytes.length, message);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] key(int field, int type) {
    return OnnxFuzzTest.varintBytes((long) field << 3 | type);
  }

  private static byte[] varint(long v) {
    return OnnxFuzzTest.varintBytes(v);
  }

  private static byte[] lengthDelimited(int field, byte[] payload) {
    return concat(key(field, 2), varint(payload.length), payload);
  }

  @Test
  void varintsRoundTripWithTheirWireLengths() {
    long[] values = {0, 1, 127, 128, 1L << 31, -1, Long.MIN_VALUE, Long.MAX_VALUE, 300};
    int[] lengths = {1, 1, 1, 2, 5, 10, 10, 9, 2};
    for (int i = 0; i < values.length; i++) {
      byte[] bytes = new Wire.Writer().int64(1, values[i]).toByteArray();
      assertEquals(1 + lengths[i], bytes.length, "bytes of " + values[i]);
      assertArrayEquals(concat(key(1, 0), varint(values[i])), bytes);
      Wire.Reader r = reader(bytes, "M");
      assertTrue(r.next());
      assertEquals(1, r.field());
      assertEquals(values[i], r.int64());
      assertFalse(r.next());
    }
  }

  @Test
  void int32FieldsRejectVarintsBeyond32Bits() {
    Wire.Reader ok = reader(new Wire.Writer().int64(2, -5).toByteArray(), "M");
    ok.next();
    assertEquals(-5, ok.int32());
    Wire.Reader r = reader(new Wire.Writer().int64(2, 1L << 31).toByteArray(), "M");
    r.next();
    Wire.Malformed e = assertThrows(Wire.Malformed.class, r::int32);
    assertTrue(e.getMessage().contains("field 2"), e.getMessage());
  }

  @Test
  void float32BitsRoundTrip() {
    int[] bits = {0x7fc12345, 0xffc00001, 0x80000000, 0x00000001, 0x7f7fffff, 0x7f800000, 0xff800000,
        Float.floatToRawIntBits(1.5f)};
    for (int b : bits) {
      float f = Float.intBitsToFloat(b);
      byte[] bytes = new Wire.Writer().float32(2, f).toByteArray();
      assertEquals(5, bytes.length);
      Wire.Reader r = reader(bytes, "M");
      assertTrue(r.next());
      assertEquals(b, Float.floatToRawIntBits(r.float32()), Integer.toHexString(b));
    }
    // -0.0 keeps its sign, a NaN its payload, through a whole attribute too
    OnnxProto.Attribute a = OnnxProto.Attribute.ofFloat("alpha", -0.0f);
    byte[] bytes = a.encode().toByteArray();
    Wire.Reader r = reader(bytes, "AttributeProto");
    float read = Float.NaN;
    while (r.next()) {
      if (r.field() == 2) {
        read = r.float32();
      } else {
        r.skip();
      }
    }
    assertEquals(0x80000000, Float.floatToRawIntBits(read));
  }

  @Test
  void repeatedInt64sReadPackedAndUnpackedAlike() {
    long[] values = {3, 0, -1, 1L << 40, Long.MIN_VALUE, 127, 128};
    ByteArrayOutputStream unpacked = new ByteArrayOutputStream();
    for (long v : values) {
      unpacked.writeBytes(concat(key(8, 0), varint(v)));
    }
    byte[] packed = new Wire.Writer().int64s(8, values).toByteArray();
    byte[] mixed = concat(new Wire.Writer().int64s(8, new long[] {3, 0, -1}).toByteArray(),
        key(8, 0), varint(1L << 40), new Wire.Writer().int64s(8, new long[] {Long.MIN_VALUE, 127, 128}).toByteArray());
    for (byte[] bytes : List.of(unpacked.toByteArray(), packed, mixed)) {
      Wire.LongList out = new Wire.LongList();
      Wire.Reader r = reader(bytes, "AttributeProto");
      while (r.next()) {
        assertEquals(8, r.field());
        r.int64s(out);
      }
      assertArrayEquals(values, out.toArray());
    }
  }

  @Test
  void repeatedFloatsReadPackedAndUnpackedAlike() {
    float[] values = {1.5f, -0.0f, Float.MIN_VALUE, 3e38f, -7f};
    ByteArrayOutputStream unpacked = new ByteArrayOutputStream();
    for (float v : values) {
      unpacked.writeBytes(new Wire.Writer().float32(4, v).toByteArray());
    }
    byte[] packed = lengthDelimited(4, Wire.Writer.littleEndian(values));
    for (byte[] bytes : List.of(unpacked.toByteArray(), packed)) {
      Wire.FloatList out = new Wire.FloatList();
      Wire.Reader r = reader(bytes, "TensorProto");
      while (r.next()) {
        r.floats(out);
      }
      float[] read = out.toArray();
      assertEquals(values.length, read.length);
      for (int i = 0; i < values.length; i++) {
        assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(read[i]));
      }
    }
    Wire.Reader odd = reader(lengthDelimited(4, new byte[6]), "TensorProto");
    odd.next();
    assertThrows(Wire.Malformed.class, () -> odd.floats(new Wire.FloatList()));
  }

  @Test
  void aTensorDecodesFromUnpackedDimsAndFloatData() {
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    t.writeBytes(concat(key(1, 0), varint(2), key(1, 0), varint(3))); // dims 2, 3 unpacked
    t.writeBytes(concat(key(2, 0), varint(OnnxProto.FLOAT)));
    for (int i = 0; i < 6; i++) {
      t.writeBytes(new Wire.Writer().float32(4, i + 0.5f).toByteArray()); // float_data unpacked
    }
    t.writeBytes(new Wire.Writer().string(8, "w").toByteArray());
    byte[] graph = concat(lengthDelimited(5, t.toByteArray()), new Wire.Writer().string(2, "g").toByteArray());
    OnnxProto.Model m = OnnxProto.decode(concat(key(1, 0), varint(8), lengthDelimited(7, graph)));
    OnnxProto.Tensor tensor = m.graph().initializers().get(0);
    assertEquals("w", tensor.name());
    assertArrayEquals(new long[] {2, 3}, tensor.dims());
    assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f}, tensor.values());
  }

  @Test
  void aModelRoundTripsEveryField() {
    OnnxProto.Tensor weights = OnnxProto.Tensor.ofFloats("w", new float[] {1, -0.0f, 2.5f, 1e-30f, 7, 8}, 2, 3);
    OnnxProto.Tensor shape = OnnxProto.Tensor.ofLongs("shape", new long[] {-1, Long.MAX_VALUE, 0}, 3);
    List<OnnxProto.Attribute> attributes = List.of(OnnxProto.Attribute.ofFloat("alpha", 0.25f),
        OnnxProto.Attribute.ofInt("axis", -1), OnnxProto.Attribute.ofString("auto_pad", "SAME_UPPER"),
        OnnxProto.Attribute.ofInts("perm", 0, 3, 1, 2),
        new OnnxProto.Attribute("value", OnnxProto.ATTR_TENSOR, 0, 0, "", weights, new float[0], new long[0]),
        new OnnxProto.Attribute("scales", OnnxProto.ATTR_FLOATS, 0, 0, "", null, new float[] {1.5f, -2}, new long[0]));
    OnnxProto.Node node = new OnnxProto.Node("gemm_0", "Gemm", "ai.onnx", List.of("input", "w", ""),
        List.of("y", "mask"), attributes);
    OnnxProto.Node plain = new OnnxProto.Node("relu", "Relu", "", List.of("y"), List.of("output"), List.of());
    OnnxProto.ValueInfo in = new OnnxProto.ValueInfo("input", OnnxProto.FLOAT,
        List.of(OnnxProto.Dim.named("batch"), OnnxProto.Dim.of(2)), true);
    OnnxProto.ValueInfo out = new OnnxProto.ValueInfo("output", OnnxProto.FLOAT,
        List.of(OnnxProto.Dim.named("batch"), OnnxProto.Dim.of(3), OnnxProto.Dim.of(0)), true);
    OnnxProto.Graph graph = new OnnxProto.Graph("main graph", List.of(node, plain), List.of(weights, shape),
        List.of(in), List.of(out));
    Map<String, Long> opsets = new LinkedHashMap<>();
    opsets.put("", 17L);
    opsets.put("com.example", 1L);
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("loss", "xent");
    metadata.put("classes", "[\"a\",\"é\"]");
    metadata.put("", "");
    OnnxProto.Model model = new OnnxProto.Model(8, opsets, "cltrain", "0.1.0", graph, metadata);

    OnnxProto.Model back = OnnxProto.decode(model.encode());
    assertEquals(8, back.irVersion());
    assertEquals(List.copyOf(opsets.entrySet()), List.copyOf(back.opsets().entrySet()));
    assertEquals("cltrain", back.producerName());
    assertEquals("0.1.0", back.producerVersion());
    assertEquals(List.copyOf(metadata.entrySet()), List.copyOf(back.metadata().entrySet()));
    OnnxProto.Graph g = back.graph();
    assertEquals("main graph", g.name());
    assertEquals(List.of(in), g.inputs());
    assertEquals(List.of(out), g.outputs());
    assertEquals(2, g.initializers().size());
    assertTensorEquals(weights, g.initializers().get(0));
    assertTensorEquals(shape, g.initializers().get(1));
    assertEquals(2, g.nodes().size());
    for (int n = 0; n < 2; n++) {
      OnnxProto.Node want = graph.nodes().get(n);
      OnnxProto.Node got = g.nodes().get(n);
      assertEquals(want.name(), got.name());
      assertEquals(want.opType(), got.opType());
      assertEquals(want.domain(), got.domain());
      assertEquals(want.inputs(), got.inputs());
      assertEquals(want.outputs(), got.outputs());
      assertEquals(want.attributes().size(), got.attributes().size());
      for (int i = 0; i < want.attributes().size(); i++) {
        OnnxProto.Attribute a = want.attributes().get(i);
        OnnxProto.Attribute b = got.attributes().get(i);
        assertEquals(a.name(), b.name());
        assertEquals(a.type(), b.type());
        assertEquals(Float.floatToRawIntBits(a.f()), Float.floatToRawIntBits(b.f()));
        assertEquals(a.i(), b.i());
        assertEquals(a.s(), b.s());
        assertArrayEquals(a.floats(), b.floats());
        assertArrayEquals(a.ints(), b.ints());
        if (a.t() == null) {
          assertEquals(null, b.t());
        } else {
          assertTensorEquals(a.t(), b.t());
        }
      }
    }
    // and the bytes are a fixed point
    assertArrayEquals(model.encode(), back.encode());
  }

  private static void assertTensorEquals(OnnxProto.Tensor want, OnnxProto.Tensor got) {
    assertEquals(want.name(), got.name());
    assertEquals(want.dataType(), got.dataType());
    assertArrayEquals(want.dims(), got.dims());
    assertEquals(want.values().length, got.values().length);
    for (int i = 0; i < want.values().length; i++) {
      assertEquals(Float.floatToRawIntBits(want.values()[i]), Float.floatToRawIntBits(got.values()[i]));
    }
    assertArrayEquals(want.longs(), got.longs());
    assertEquals(want.external(), got.external());
  }

  /** The message Onnx.fromBytes gives for a model whose graph holds these tensor bytes (outer lengths right). */
  private static String tensorFailure(byte[] tensor) {
    byte[] graph = lengthDelimited(5, tensor);
    byte[] model = concat(key(1, 0), varint(8), lengthDelimited(7, graph));
    String m = assertThrows(InputException.class, () -> Onnx.fromBytes(model, "x.onnx")).getMessage();
    assertTrue(m.startsWith("x.onnx: not a readable ONNX model: "), m);
    assertFalse(m.contains("\n"), m);
    return m;
  }

  @Test
  void truncatedInputNamesTheMessageAndField() {
    assertTrue(tensorFailure(concat(key(2, 0), new byte[] {(byte) 0x81})).endsWith("TensorProto: truncated varint in field 2"));
    assertTrue(tensorFailure(concat(key(9, 2), varint(10), new byte[3]))
        .endsWith("TensorProto: field 9 claims 10 bytes, but only 3 are left"));
    assertTrue(tensorFailure(lengthDelimited(1, new byte[] {3, (byte) 0x80})).endsWith("TensorProto: truncated varint in field 1"));
    assertTrue(tensorFailure(concat(key(4, 5), new byte[2])).endsWith("TensorProto: truncated in field 4"));
    assertTrue(tensorFailure(concat(key(10, 1), new byte[5])).endsWith("TensorProto: truncated in field 10"));
    // truncated at the top level: the model's field 7 claims more than is left
    byte[] valid = OnnxFuzzTest.SEEDS.get(0);
    Wire.Malformed e = assertThrows(Wire.Malformed.class, () -> OnnxProto.decode(java.util.Arrays.copyOf(valid, valid.length - 1)));
    assertTrue(e.getMessage().startsWith("ModelProto: field "), e.getMessage());
    // every truncation of a valid model that fails names a message, and a field or what is missing (a cut at a
    // top-level field's end, after the graph, leaves a shorter message that decodes)
    for (int n = 1; n < valid.length; n++) {
      byte[] cut = java.util.Arrays.copyOf(valid, n);
      String m;
      try {
        OnnxProto.decode(cut);
        continue;
      } catch (Wire.Malformed failure) {
        m = failure.getMessage();
      }
      assertTrue(m.matches("[A-Za-z.]+Proto(: .*field \\d+.*| has no graph \\(field 7\\).*)"), m);
    }
  }
}
