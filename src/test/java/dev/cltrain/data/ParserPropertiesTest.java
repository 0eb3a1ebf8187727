package dev.cltrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.Network;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The parsers never crash: random bytes and mutations of valid files either parse into data consistent with
 * themselves or fail with the project's own one-line {@link InputException} naming the file, never another
 * exception, never a hang, and never an allocation larger than the file could fill (IDX sizes are checked
 * against the file's length before any array is made). 10,000 tries per property.
 */
@Tag("slow")
class ParserPropertiesTest {
  private static Path dir;

  @BeforeContainer
  static void makeDir() throws IOException {
    dir = Files.createTempDirectory("cltrain-properties");
  }

  @AfterContainer
  static void removeDir() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }

  /** A mutation of a valid file: each edit overwrites, inserts or deletes one byte, or cuts the file short. */
  record Edit(int kind, int position, byte value) {}

  @Provide
  Arbitrary<List<Edit>> edits() {
    Arbitrary<Edit> edit = Combinators.combine(Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(0, 1 << 20), Arbitraries.bytes()).as(Edit::new);
    return edit.list().ofMinSize(1).ofMaxSize(6);
  }

  static byte[] mutate(byte[] valid, List<Edit> edits) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] data = valid;
    for (Edit e : edits) {
      int at = data.length == 0 ? 0 : e.position() % (data.length + (e.kind() == 1 ? 1 : 0));
      out.reset();
      switch (e.kind()) {
        case 0 -> { // overwrite
          if (data.length == 0) {
            continue;
          }
          data = data.clone();
          data[at % data.length] = e.value();
          continue;
        }
        case 1 -> { // insert
          out.write(data, 0, at);
          out.write(e.value());
          out.write(data, at, data.length - at);
        }
        case 2 -> { // delete
          if (data.length == 0) {
            continue;
          }
          int i = at % data.length;
          out.write(data, 0, i);
          out.write(data, i + 1, data.length - i - 1);
        }
        default -> out.write(data, 0, at % (data.length + 1)); // truncate
      }
      data = out.toByteArray();
    }
    return data;
  }

  static Path write(String name, byte[] bytes) {
    try {
      Path file = dir.resolve(name);
      Files.write(file, bytes);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a read: success (checked by the caller) or an InputException of one line naming the file. */
  static <T> T parsesOrFailsCleanly(Path file, Supplier<T> read) {
    try {
      return read.get();
    } catch (InputException e) {
      String message = e.getMessage();
      assertTrue(!message.contains("\n"), "one line: " + message);
      assertTrue(message.contains(file.getFileName().toString()), "names the file: " + message);
      return null;
    }
  }

  // ---- CSV ----

  static final byte[] VALID_CSV = "x1,x2,label\n0.5,1e-3,1\n-2,3.25,0\n\n7,8,2\n".getBytes(StandardCharsets.UTF_8);

  private static void checkCsv(byte[] bytes) {
    Path file = write("data.csv", bytes);
    DataSet plain = parsesOrFailsCleanly(file, () -> CsvReader.read(file, 1));
    if (plain != null) {
      assertEquals(plain.rows() * plain.inputs(), plain.x().length);
      assertEquals(plain.rows(), plain.y().length);
    }
    DataSet classes = parsesOrFailsCleanly(file, () -> CsvReader.readClassification(file, 0));
    if (classes != null) {
      assertEquals(classes.rows() * classes.outputs(), classes.y().length);
      assertTrue(classes.outputs() >= 2);
    }
    DataSet inputs = parsesOrFailsCleanly(file, () -> CsvReader.readInputs(file, 2));
    if (inputs != null) {
      assertEquals(inputs.rows() * 2, inputs.x().length);
    }
  }

  @Property(tries = 10000)
  void csvFromRandomBytesParsesOrFailsCleanly(@ForAll byte[] bytes) {
    checkCsv(bytes);
  }

  @Property(tries = 10000)
  void csvFromMutatedFilesParsesOrFailsCleanly(@ForAll("edits") List<Edit> edits) {
    checkCsv(mutate(VALID_CSV, edits));
  }

  // ---- CSV numbers, long cells included ----

  /** The number grammar as the reader once matched it with a regex: the oracle for short cells. */
  private static final Pattern NUMBER_REGEX = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  /**
   * A cell built from parts: sign, integer digits, a point and fraction digits, an exponent and its digits, and a
   * tail that spoils whatever comes before it (none of the tails begins with a digit or is a lone point).
   */
  record Cell(String sign, int integerDigits, boolean point, int fractionDigits, String exponent, int exponentDigits,
      String tail, char digit) {
    String text() {
      String d = String.valueOf(digit);
      return sign + d.repeat(integerDigits) + (point ? "." + d.repeat(fractionDigits) : "")
          + (exponent.isEmpty() ? "" : exponent + d.repeat(exponentDigits)) + tail;
    }

    /** Whether the grammar accepts it, worked out from the parts rather than by matching. */
    boolean wellFormed() {
      return (integerDigits > 0 || (point && fractionDigits > 0)) && (exponent.isEmpty() || exponentDigits > 0)
          && tail.isEmpty();
    }
  }

  private static Arbitrary<Cell> cells(int maxDigits) {
    Arbitrary<Integer> count = Arbitraries.integers().between(0, maxDigits);
    return Combinators.combine(Arbitraries.of("", "+", "-"), count, Arbitraries.of(false, true), count,
        Arbitraries.of("", "e", "E", "e+", "E-"), count, Arbitraries.of("", "", "", "x", "..", " 5", "e", "+", "-x", "e+"),
        Arbitraries.chars().range('0', '9')).as(Cell::new);
  }

  @Provide
  Arbitrary<String> shortCells() {
    return Arbitraries.oneOf(cells(6).map(Cell::text),
        Arbitraries.strings().withChars("0123456789+-.eEx ").ofMaxLength(24));
  }

  @Property(tries = 10000)
  void numbersAreJudgedExactlyAsTheGrammarsRegexJudgesThem(@ForAll("shortCells") String cell) {
    assertEquals(NUMBER_REGEX.matcher(cell).matches(), CsvNumbers.isNumber(cell), "'" + cell + "'");
  }

  @Provide
  Arbitrary<Cell> longCells() {
    return cells(100_000);
  }

  /**
   * Cells of up to about 300,000 characters (runs of up to 100,000 digits) are read as numbers or refused as
   * "not a number" exactly as the grammar says, each within a generous bound (a hang check: the regex this
   * replaced took over two minutes on one such cell).
   */
  @Property(tries = 300)
  void longCellsAreJudgedByTheGrammarWithoutHanging(@ForAll("longCells") Cell cell) {
    String text = cell.text();
    Path file = write("long.csv", ("a,y\n1,2\n" + text + ",3\n").getBytes(StandardCharsets.UTF_8));
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      try {
        DataSet set = CsvReader.read(file, 1);
        assertTrue(cell.wellFormed(), "read although not a number: " + cell);
        assertTrue(Float.isFinite(set.x()[1]));
      } catch (InputException e) {
        String message = e.getMessage();
        assertTrue(message.contains(file + ":3, column 1"), message);
        if (text.isEmpty()) {
          assertTrue(message.contains("empty cell"), message);
        } else if (cell.wellFormed()) {
          assertTrue(message.contains("out of float32 range"), message);
        } else {
          assertTrue(message.contains("is not a number"), message);
        }
      }
    });
  }

  // ---- IDX ----

  static byte[] idx(int magic, int[] dims, int payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    for (int i = 0; i < payload; i++) {
      b.put((byte) (i * 37));
    }
    return b.array();
  }

  static byte[] gzip(byte[] data) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(out)) {
        z.write(data);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final byte[] VALID_IMAGES = idx(IdxReader.IMAGES_MAGIC, new int[] {3, 4, 5}, 60);
  static final byte[] VALID_LABELS = idx(IdxReader.LABELS_MAGIC, new int[] {6}, 6);

  private static void checkIdx(byte[] bytes) {
    Path file = write("images-idx3-ubyte", bytes);
    IdxReader.Images images = parsesOrFailsCleanly(file, () -> IdxReader.readImages(file));
    if (images != null) {
      assertEquals((long) images.count() * images.rows() * images.cols(), images.pixels().length);
      assertTrue(images.pixels().length <= bytes.length * 1100L, "no more pixels than the file can describe");
    }
    Path labelsFile = write("labels-idx1-ubyte", bytes);
    int[] labels = parsesOrFailsCleanly(labelsFile, () -> IdxReader.readLabels(labelsFile));
    if (labels != null) {
      assertTrue(labels.length <= bytes.length * 1100L);
    }
  }

  @Property(tries = 10000)
  void idxFromRandomBytesParsesOrFailsCleanly(@ForAll byte[] bytes) {
    checkIdx(bytes);
  }

  @Property(tries = 10000)
  void idxFromMutatedFilesRawAndGzippedParsesOrFailsCleanly(@ForAll("edits") List<Edit> edits) {
    checkIdx(mutate(VALID_IMAGES, edits));
    checkIdx(mutate(VALID_LABELS, edits));
    checkIdx(mutate(gzip(VALID_IMAGES), edits));
    checkIdx(gzip(mutate(VALID_IMAGES, edits)));
  }

  @Property(tries = 10000)
  void idxHeadersDeclaringHugeSizesFailFastWithoutAllocating(@ForAll("dimensions") int[] dims, @ForAll boolean zip) {
    byte[] file = idx(IdxReader.IMAGES_MAGIC, dims, 16);
    long before = System.nanoTime();
    checkIdx(zip ? gzip(file) : file);
    assertTrue(System.nanoTime() - before < 2_000_000_000L, "no hang reading a header that lies");
  }

  @Provide
  Arbitrary<int[]> dimensions() {
    Arbitrary<Integer> size = Arbitraries.oneOf(Arbitraries.integers().between(0, 70000),
        Arbitraries.of(Integer.MAX_VALUE, -1, 1 << 30, 60000, 28, 65536));
    return size.array(int[].class).ofSize(3);
  }

  // ---- model JSON ----

  static final byte[] VALID_MODEL = ModelJson.toJson(Network.initNormal(new int[] {3, 2, 1}, 1))
      .getBytes(StandardCharsets.UTF_8);

  private static void checkModel(byte[] bytes) {
    Path file = write("model.json", bytes);
    Network network = parsesOrFailsCleanly(file, () -> ModelJson.read(file));
    if (network != null) {
      int[] widths = network.widths();
      for (int l = 0; l < network.dense().size(); l++) {
        assertEquals(widths[l] * widths[l + 1], network.dense().get(l).weights().length);
      }
    }
  }

  @Property(tries = 10000)
  void modelJsonFromRandomBytesParsesOrFailsCleanly(@ForAll byte[] bytes) {
    checkModel(bytes);
  }

  @Property(tries = 10000)
  void modelJsonFromMutatedFilesParsesOrFailsCleanly(@ForAll("edits") List<Edit> edits) {
    checkModel(mutate(VALID_MODEL, edits));
  }

  @Property(tries = 10000)
  void modelJsonWithWrongValuesInValidJsonFailsCleanly(@ForAll("jsonValues") String value,
      @ForAll("modelFields") String field) {
    String text = new String(VALID_MODEL, StandardCharsets.UTF_8);
    String mutated = text.replaceFirst("\"" + field + "\" : [^,\\n]+",
        java.util.regex.Matcher.quoteReplacement("\"" + field + "\" : " + value)); // the value may hold $ or \\
    checkModel(mutated.getBytes(StandardCharsets.UTF_8));
  }

  /** A version 2 model: 5x5x2 -> conv:2:3 relu -> maxpool:2 -> dropout:0.5 -> dense 8x3 tanh -> dropout:0.25 -> dense 3x1. */
  static final byte[] VALID_CONV_MODEL = ModelJson.toJson(convNetwork()).getBytes(StandardCharsets.UTF_8);

  private static Network convNetwork() {
    var input = new dev.cltrain.nn.Shape(5, 5, 2);
    float[] w = new float[3 * 3 * 2 * 2];
    for (int i = 0; i < w.length; i++) {
      w[i] = (i - 17) / 7f;
    }
    var conv = new dev.cltrain.nn.Conv(input, 2, 3, 1, true, dev.cltrain.nn.Activation.RELU, w, new float[] {0.5f, -1});
    var pool = new dev.cltrain.nn.Pool(conv.output(), true, 2);
    var dropout = new dev.cltrain.nn.Dropout(pool.output(), 0.5f);
    Network dense = Network.initNormal(new int[] {8, 3, 1}, 2);
    var hidden = dense.dense().get(0);
    var first = new dev.cltrain.nn.Dense(8, 3, dev.cltrain.nn.Activation.TANH, hidden.weights(), hidden.bias());
    return new Network(input, List.of(conv, pool, dropout, first, new dev.cltrain.nn.Dropout(first.output(), 0.25f),
        dense.dense().get(1)), dev.cltrain.nn.Loss.MSE, 1f, null, null, 12345);
  }

  private static void checkConvModel(byte[] bytes) {
    checkModel(bytes);
    Path file = write("model.json", bytes);
    Network network = parsesOrFailsCleanly(file, () -> ModelJson.read(file));
    if (network != null && network.hasFeatures()) {
      List<dev.cltrain.nn.Layer> stages = network.stages();
      assertEquals(stages.isEmpty() ? network.inputs() : stages.get(stages.size() - 1).output().size(),
          network.dense().get(0).inputs());
      for (var conv : network.convs()) {
        assertEquals(conv.patch() * conv.filters(), conv.weights().length);
      }
    }
  }

  @Property(tries = 5000)
  void convModelJsonFromMutatedFilesParsesOrFailsCleanly(@ForAll("edits") List<Edit> edits) {
    checkConvModel(mutate(VALID_CONV_MODEL, edits));
  }

  @Property(tries = 5000)
  void convModelJsonWithWrongValuesInValidJsonFailsCleanly(@ForAll("jsonValues") String value,
      @ForAll("convModelFields") String field) {
    String text = new String(VALID_CONV_MODEL, StandardCharsets.UTF_8);
    String mutated = text.replaceFirst("\"" + field + "\" : [^,\\n]+",
        java.util.regex.Matcher.quoteReplacement("\"" + field + "\" : " + value));
    checkConvModel(mutated.getBytes(StandardCharsets.UTF_8));
  }

  @Provide
  Arbitrary<String> convModelFields() {
    return Arbitraries.of("version", "inputShape", "dropoutSeed", "type", "filters", "kernel", "stride", "padding",
        "activation", "size", "rate", "inputs", "outputs");
  }

  @Provide
  Arbitrary<String> modelFields() {
    return Arbitraries.of("format", "version", "loss", "inputScale", "inputs", "outputs", "activation");
  }

  @Provide
  Arbitrary<String> jsonValues() {
    return Arbitraries.oneOf(Arbitraries.of("null", "true", "-1", "0", "1e400", "\"NaN\"", "NaN", "[]", "{}",
        "2147483648", "99999999999999999999", "\"sigmoid\"", "[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]", "\"\"", "1.5"),
        Arbitraries.integers().map(String::valueOf),
        Arbitraries.strings().ofMaxLength(8).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""));
  }
}
