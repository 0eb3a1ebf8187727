package dev.cltrain.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The protobuf wire format (https://protobuf.dev/programming-guides/encoding/), the part ONNX files use:
 * varints, 32-bit floats, length-delimited strings, bytes, packed arrays and nested messages. A hand-written
 * codec rather than protobuf-java and classes generated from onnx.proto, because:
 * <ul>
 *   <li>cltrain reads and writes ten small messages and about forty fields of them, while the generated
 *       classes of onnx.proto run to tens of thousands of lines and protobuf-java adds 1.9 MB that every library
 *       user would carry (DEVELOPERS.md: library users get only what the library needs);</li>
 *   <li>generating at build time needs protoc, a native tool the offline build cannot count on;</li>
 *   <li>the reader must fail with one line on hostile files. Here every length is checked against the bytes left
 *       before anything is allocated, so memory stays within the file's size; nesting is only as deep as the
 *       five message types cltrain descends into, since unknown fields are skipped unread; and every loop
 *       moves forward by at least one byte, so a file cannot make it hang.</li>
 * </ul>
 */
final class Wire {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LEN = 2;
  static final int FIXED32 = 5;

  private Wire() {}

  /** A malformed message: the reader's one exception, turned into an input error naming the file by its caller. */
  static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  /** Reads the fields of one message from {@code bytes[start, end)}, in order. */
  static final class Reader {
    private final byte[] bytes;
    private final String message;
    private int pos;
    private final int end;
    private int field;
    private int type;

    Reader(byte[] bytes, int start, int end, String message) {
      this.bytes = bytes;
      this.pos = start;
      this.end = end;
      this.message = message;
    }

    /** {@return whether another field follows; if so, {@link #field} and {@link #type} are its number and wire type} */
    boolean next() {
      if (pos >= end) {
        return false;
      }
      long key = varint();
      type = (int) (key & 7);
      long number = key >>> 3;
      if (number < 1 || number > 536_870_911L) {
        throw new Malformed(message + ": field number " + number + " out of range");
      }
      field = (int) number;
      if (type != VARINT && type != FIXED64 && type != LEN && type != FIXED32) {
        throw new Malformed(message + ": field " + field + " has wire type " + type
            + (type == 3 || type == 4 ? " (groups, which ONNX never uses)" : " (no such wire type)"));
      }
      return true;
    }

    int field() {
      return field;
    }

    /** Skips the current field's value (an unknown field), unread. */
    void skip() {
      switch (type) {
        case VARINT -> varint();
        case FIXED64 -> advance(8);
        case FIXED32 -> advance(4);
        default -> advance(length());
      }
    }

    long int64() {
      expect(VARINT);
      return varint();
    }

    /** An int32 field: a varint that must fit in 32 bits (negative ones are written as 64-bit varints). */
    int int32() {
      long v = int64();
      if (v != (int) v) {
        throw new Malformed(message + ": field " + field + " holds " + v + ", beyond a 32-bit integer");
      }
      return (int) v;
    }

    float float32() {
      expect(FIXED32);
      int at = advance(4);
      return Float.intBitsToFloat(littleInt(bytes, at));
    }

    String string() {
      expect(LEN);
      int length = length();
      int at = advance(length);
      try {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(java.nio.ByteBuffer.wrap(bytes, at, length)).toString();
      } catch (CharacterCodingException e) {
        throw new Malformed(message + ": field " + field + " is not UTF-8 text");
      }
    }

    /** The current length-delimited field's bytes, as a reader of the message they hold. */
    Reader message(String name) {
      expect(LEN);
      int length = length();
      int at = advance(length);
      return new Reader(bytes, at, at + length, name);
    }

    /** The current length-delimited field's bytes, copied. */
    byte[] bytes() {
      expect(LEN);
      int length = length();
      int at = advance(length);
      return java.util.Arrays.copyOfRange(bytes, at, at + length);
    }

    /** A repeated int64 field, packed (one length-delimited run) or not (one varint): appended to {@code out}. */
    void int64s(LongList out) {
      if (type == VARINT) {
        out.add(varint());
        return;
      }
      expect(LEN);
      int length = length();
      int stop = pos + length;
      Reader run = new Reader(bytes, pos, stop, message);
      run.field = field; // a truncated varint in the run names this field
      while (run.pos < stop) {
        out.add(run.varint());
      }
      pos = stop;
    }

    /** A repeated fixed64 field (doubles), packed or not: the raw bits appended to {@code out}. */
    void fixed64s(LongList out) {
      if (type == FIXED64) {
        out.add(littleLong(bytes, advance(8)));
        return;
      }
      expect(LEN);
      int length = length();
      if (length % 8 != 0) {
        throw new Malformed(message + ": field " + field + " holds " + length + " bytes of doubles, not a multiple of 8");
      }
      int at = advance(length);
      for (int i = 0; i < length; i += 8) {
        out.add(littleLong(bytes, at + i));
      }
    }

    /** A repeated float field, packed or not: appended to {@code out}. */
    void floats(FloatList out) {
      if (type == FIXED32) {
        out.add(float32());
        return;
      }
      expect(LEN);
      int length = length();
      if (length % 4 != 0) {
        throw new Malformed(message + ": field " + field + " holds " + length + " bytes of floats, not a multiple of 4");
      }
      int at = advance(length);
      out.reserve(length / 4);
      for (int i = 0; i < length; i += 4) {
        out.add(Float.intBitsToFloat(littleInt(bytes, at + i)));
      }
    }

    private void expect(int wanted) {
      if (type != wanted) {
        throw new Malformed(message + ": field " + field + " has wire type " + type + ", expected " + wanted);
      }
    }

    private int length() {
      long length = varint();
      if (length < 0 || length > end - pos) {
        throw new Malformed(message + ": field " + field + " claims " + Long.toUnsignedString(length)
            + " bytes, but only " + (end - pos) + " are left");
      }
      return (int) length;
    }

    /** Moves past {@code count} bytes; {@return where they start} */
    private int advance(int count) {
      if (count > end - pos) {
        throw new Malformed(message + ": truncated in field " + field);
      }
      int at = pos;
      pos += count;
      return at;
    }

    private long varint() {
      long value = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        if (pos >= end) {
          throw new Malformed(message + ": truncated varint" + (field > 0 ? " in field " + field : ""));
        }
        byte b = bytes[pos++];
        value |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return value;
        }
      }
      throw new Malformed(message + ": a varint longer than 10 bytes");
    }
  }

  /** Writes the fields of one message. */
  static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Writer int64(int field, long value) {
      tag(field, VARINT);
      varint(value);
      return this;
    }

    Writer float32(int field, float value) {
      tag(field, FIXED32);
      int bits = Float.floatToRawIntBits(value);
      for (int i = 0; i < 4; i++) {
        out.write(bits >>> (8 * i));
      }
      return this;
    }

    Writer string(int field, String value) {
      return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Writer bytes(int field, byte[] value) {
      tag(field, LEN);
      varint(value.length);
      out.writeBytes(value);
      return this;
    }

    Writer message(int field, Writer message) {
      return bytes(field, message.toByteArray());
    }

    /** A packed repeated int64 field (written even when empty only if {@code values} is not). */
    Writer int64s(int field, long[] values) {
      if (values.length == 0) {
        return this;
      }
      Writer run = new Writer();
      for (long v : values) {
        run.varint(v);
      }
      return bytes(field, run.toByteArray());
    }

    /** Floats little-endian, as packed repeated floats and TensorProto.raw_data hold them. */
    static byte[] littleEndian(float[] values) {
      byte[] raw = new byte[values.length * 4];
      for (int i = 0; i < values.length; i++) {
        int bits = Float.floatToRawIntBits(values[i]);
        for (int b = 0; b < 4; b++) {
          raw[4 * i + b] = (byte) (bits >>> (8 * b));
        }
      }
      return raw;
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }

    private void tag(int field, int type) {
      varint((long) field << 3 | type);
    }

    private void varint(long value) {
      while ((value & ~0x7fL) != 0) {
        out.write((int) (value & 0x7f) | 0x80);
        value >>>= 7;
      }
      out.write((int) value);
    }
  }

  static int littleInt(byte[] bytes, int at) {
    return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16
        | (bytes[at + 3] & 0xff) << 24;
  }

  static long littleLong(byte[] bytes, int at) {
    return (littleInt(bytes, at) & 0xffffffffL) | (long) littleInt(bytes, at + 4) << 32;
  }

  /** A growable long array (repeated int64 fields). */
  static final class LongList {
    private long[] values = new long[4];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    int size() {
      return size;
    }

    long[] toArray() {
      return java.util.Arrays.copyOf(values, size);
    }
  }

  /** A growable float array (repeated float fields); grows only by what the bytes read so far hold. */
  static final class FloatList {
    private float[] values = new float[4];
    private int size;

    void reserve(int more) {
      if (size + more > values.length) {
        values = java.util.Arrays.copyOf(values, Math.max(size + more, values.length * 2));
      }
    }

    void add(float v) {
      reserve(1);
      values[size++] = v;
    }

    int size() {
      return size;
    }

    float[] toArray() {
      return java.util.Arrays.copyOf(values, size);
    }
  }
}
