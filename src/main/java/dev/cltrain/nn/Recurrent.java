package dev.cltrain.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.core.InputException;
import java.util.Arrays;
import java.util.List;

/**
 * A recurrent layer ({@code lstm:H}, {@code gru:H}, {@code :seq} to return every step): it reads its input
 * H×W×C as T = H steps of F = W·C features (a sequence T×F is the shape T×1×F, {@code --input-shape TxF}) and
 * runs PyTorch's {@code nn.LSTM} or {@code nn.GRU} cell over the steps from a zero state, giving the last step's
 * hidden state (1×1×H) or, with {@code sequence}, every step's (T×1×H). The weights are PyTorch's, so they map
 * 1:1: W_ih (G·H × F), W_hh (G·H × H), b_ih and b_hh (G·H), the G gates stacked in PyTorch's order (LSTM: i, f,
 * g, o; GRU: r, z, n). After an {@link Embedding} the steps at or past a row's length (the index of its first 0
 * id) are skipped: the state is carried and a sequence's output is 0 there (kernels/recurrent.cl). An immutable
 * value: the arrays are copied in and out.
 *
 * <pre>{@code
 * Recurrent lstm = Recurrent.draw(Recurrent.Cell.LSTM, new Shape(28, 1, 28), 128, false, new NumpyRandom(0));
 * String item = lstm.spec(); // "lstm:128"
 * }</pre>
 *
 * @param cell             LSTM or GRU
 * @param input            the shape taken: T = height steps of width·channels features
 * @param hidden           H, the state's width
 * @param sequence         whether it gives every step's state (T×1×H) rather than the last (1×1×H)
 * @param inputWeights     W_ih, G·H × F row-major
 * @param recurrentWeights W_hh, G·H × H row-major
 * @param inputBias        b_ih, G·H
 * @param recurrentBias    b_hh, G·H
 */
public record Recurrent(Cell cell, Shape input, int hidden, boolean sequence, float[] inputWeights,
    float[] recurrentWeights, float[] inputBias, float[] recurrentBias) implements Layer {
  /** The cell: its {@code --net} and model-JSON id and its gates per unit, in PyTorch's order. */
  public enum Cell {
    /** {@code nn.LSTM}: gates i, f, g, o; c' = f·c + i·g, h' = o·tanh(c'). */
    LSTM("lstm", 4),
    /** {@code nn.GRU}: gates r, z, n; n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h' = (1 − z)·n + z·h. */
    GRU("gru", 3);

    /** The {@code --net} item's and the model JSON's name. */
    public final String id;
    /** G: gates per hidden unit. */
    public final int gates;

    Cell(String id, int gates) {
      this.id = id;
      this.gates = gates;
    }

    /** {@return the cell of that id, or null} */
    public static Cell forId(String id) {
      for (Cell c : values()) {
        if (c.id.equals(id)) {
          return c;
        }
      }
      return null;
    }
  }

  /**
   * @throws IllegalArgumentException if H is below 1 or an array's length does not fit the shapes
   */
  public Recurrent {
    if (cell == null || hidden < 1) {
      throw new IllegalArgumentException("a recurrent layer needs a cell and at least 1 hidden unit, got " + hidden);
    }
    long rows = (long) cell.gates * hidden;
    long features = (long) input.width() * input.channels();
    if (inputWeights.length != rows * features || recurrentWeights.length != rows * hidden
        || inputBias.length != rows || recurrentBias.length != rows) {
      throw new IllegalArgumentException(cell.id + ":" + hidden + " on " + features + " features given arrays of "
          + inputWeights.length + ", " + recurrentWeights.length + ", " + inputBias.length + " and "
          + recurrentBias.length);
    }
    inputWeights = inputWeights.clone();
    recurrentWeights = recurrentWeights.clone();
    inputBias = inputBias.clone();
    recurrentBias = recurrentBias.clone();
  }

  /**
   * A new layer with PyTorch's initial values: every weight and bias uniform in [−1/√H, 1/√H), drawn from
   * {@code random} as NumPy's {@code uniform(-k, k)} (−k + 2k·u), W_ih, W_hh, b_ih, b_hh in that order.
   *
   * @param cell     LSTM or GRU
   * @param input    the shape taken
   * @param hidden   H
   * @param sequence whether it gives every step
   * @param random   the generator, left where the draws end
   * @return the layer
   */
  public static Recurrent draw(Cell cell, Shape input, int hidden, boolean sequence, NumpyRandom random) {
    int rows = cell.gates * hidden;
    double k = 1.0 / Math.sqrt(hidden);
    float[][] arrays = {new float[rows * input.width() * input.channels()], new float[rows * hidden],
        new float[rows], new float[rows]};
    for (float[] a : arrays) {
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) (-k + 2 * k * random.nextDouble());
      }
    }
    return new Recurrent(cell, input, hidden, sequence, arrays[0], arrays[1], arrays[2], arrays[3]);
  }

  /** {@return T: the steps, the input's height} */
  public int steps() {
    return input.height();
  }

  /** {@return F: the features per step, the input's width · channels} */
  public int features() {
    return input.width() * input.channels();
  }

  /** {@return G·H: the rows of each weight matrix} */
  public int gateRows() {
    return cell.gates * hidden;
  }

  @Override
  public float[] inputWeights() {
    return inputWeights.clone();
  }

  @Override
  public float[] recurrentWeights() {
    return recurrentWeights.clone();
  }

  @Override
  public float[] inputBias() {
    return inputBias.clone();
  }

  @Override
  public float[] recurrentBias() {
    return recurrentBias.clone();
  }

  /** @return T×1×H with {@link #sequence}, else 1×1×H */
  @Override
  public Shape output() {
    return new Shape(sequence ? steps() : 1, 1, hidden);
  }

  @Override
  public LayerKind kind() {
    return LayerKind.RECURRENT;
  }

  @Override
  public long parameterCount() {
    return (long) inputWeights.length + recurrentWeights.length + inputBias.length + recurrentBias.length;
  }

  /** @return W_ih, W_hh, b_ih, b_hh */
  @Override
  public List<float[]> parameters() {
    return List.of(inputWeights(), recurrentWeights(), inputBias(), recurrentBias());
  }

  @Override
  public Recurrent withParameters(List<float[]> values) {
    return new Recurrent(cell, input, hidden, sequence, values.get(0), values.get(1), values.get(2), values.get(3));
  }

  /** @return e.g. "lstm:128", "gru:64:seq" */
  @Override
  public String spec() {
    return cell.id + ":" + hidden + (sequence ? ":seq" : "");
  }

  /** @return e.g. "lstm:128 28x28": the item and its steps × features */
  @Override
  public String describe() {
    return spec() + " " + steps() + "x" + features();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Recurrent r && cell == r.cell && input.equals(r.input) && hidden == r.hidden
        && sequence == r.sequence && Arrays.equals(inputWeights, r.inputWeights)
        && Arrays.equals(recurrentWeights, r.recurrentWeights) && Arrays.equals(inputBias, r.inputBias)
        && Arrays.equals(recurrentBias, r.recurrentBias);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(cell, input, hidden, sequence, Arrays.hashCode(inputWeights),
        Arrays.hashCode(recurrentWeights), Arrays.hashCode(inputBias), Arrays.hashCode(recurrentBias));
  }

  @Override
  public String toString() {
    return "Recurrent(" + describe() + ")";
  }

  /** {@link LayerKind#RECURRENT}'s {@code --net} item: {@code lstm:H[:seq]} or {@code gru:H[:seq]}. */
  static NetItem item(NetItem.Text t, LayerKind kind) {
    t.arity(1, 2, "expected " + t.name() + ":H[:seq], e.g. " + t.name() + ":128");
    int hidden = t.count(0, "H");
    if (t.args().size() == 2 && !t.args().get(1).equals("seq")) {
      throw t.error("'" + t.args().get(1) + "' is not a " + t.name() + " option (seq: every step's state)");
    }
    boolean sequence = t.args().size() == 2;
    Recurrent.Cell cell = Recurrent.Cell.forId(t.name());
    return new LayerKind.SequenceItem(t, kind, "a recurrent layer", false, true) {
            @Override
      public Shape check(Shape at) {
        long weights = (long) cell.gates * hidden * Math.max(hidden, (long) at.width() * at.channels());
        if (weights > Network.MAX_LAYER_WEIGHTS) {
          throw t.error(at.width() * at.channels() + " features to " + hidden + " units make " + weights
              + " weights, more than " + Network.MAX_LAYER_WEIGHTS);
        }
        return new Shape(sequence ? at.height() : 1, 1, hidden);
      }

      @Override
      public Layer build(Shape at, boolean afterDense, Activation activation, Init init, NumpyRandom random) {
        return Recurrent.draw(cell, at, hidden, sequence, random);
      }
    };
  }

  /** Writes {@code r} as {@link LayerKind#RECURRENT}'s model-JSON entry. */
  static void write(Recurrent r, ObjectNode node) {
    node.put("type", r.cell().id);
    ModelJson.putShape(node.putArray("inputShape"), r.input());
    node.put("hidden", r.hidden());
    node.put("sequence", r.sequence());
    ModelJson.putMatrix(node.putArray("inputWeights"), r.inputWeights(), r.gateRows(), r.features());
    ModelJson.putMatrix(node.putArray("recurrentWeights"), r.recurrentWeights(), r.gateRows(), r.hidden());
    ModelJson.putFloats(node.putArray("inputBias"), r.inputBias());
    ModelJson.putFloats(node.putArray("recurrentBias"), r.recurrentBias());
  }

  /** Reads {@link LayerKind#RECURRENT}'s model-JSON entry, as {@link #write} writes it. */
  static Recurrent read(JsonNode node, String type, Shape at, String where) {
    Shape input = ModelJson.shape(node.get("inputShape"), where + ".inputShape");
    if (!input.equals(at)) {
      throw new InputException(where + ".inputShape: " + input + " but the layers before it give " + at);
    }
    Recurrent.Cell cell = Recurrent.Cell.forId(type);
    int hidden = ModelJson.positiveInt(node, "hidden", where);
    JsonNode sequence = node.get("sequence");
    if (sequence == null || !sequence.isBoolean()) {
      throw new InputException(where + ": \"sequence\" must be true or false");
    }
    int features = input.width() * input.channels();
    if ((long) cell.gates * hidden * Math.max(hidden, features) > Network.MAX_LAYER_WEIGHTS) {
      throw new InputException(where + ": " + type + " of " + hidden + " units on " + features + " features is too "
          + "large");
    }
    int rows = cell.gates * hidden;
    float[] wIh = ModelJson.matrix(node.path("inputWeights"), rows, features, where + ".inputWeights",
        "one per gate and unit");
    float[] wHh = ModelJson.matrix(node.path("recurrentWeights"), rows, hidden, where + ".recurrentWeights",
        "one per gate and unit");
    float[] bIh = ModelJson.vector(node.path("inputBias"), rows, where + ".inputBias");
    float[] bHh = ModelJson.vector(node.path("recurrentBias"), rows, where + ".recurrentBias");
    return new Recurrent(cell, input, hidden, sequence.booleanValue(), wIh, wHh, bIh, bHh);
  }
}
