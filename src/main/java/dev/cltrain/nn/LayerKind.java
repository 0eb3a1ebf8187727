package dev.cltrain.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.core.InputException;
import java.util.List;

/**
 * THE table of layer kinds: one row per permitted {@link Layer} class, with its ids (the model JSON's
 * {@code "type"} and the {@code --net} item's name), its class and its model-JSON codec. A layer's
 * {@code --net} item is {@link Layer#spec()}. The ONNX mapping ({@code onnx.LayerMappings}) and the training
 * op ({@code train.LayerOps}) are tables keyed by this enum, each with one row per kind; {@code
 * LayerKindCoverageTest} fails when a kind lacks a row in any of them.
 */
public enum LayerKind {
  /** {@link Dense}: {@code dense:N}; JSON inputs, outputs, activation, weights (inputs rows), bias. */
  DENSE(Dense.class, "dense") {
    @Override
    void write(Layer layer, ObjectNode node) {
      node.put("type", "dense");
      writeDense((Dense) layer, node);
    }

    @Override
    Layer read(JsonNode node, String type, Shape at, String where) {
      return readDense(node, where);
    }
  },
  /** {@link Conv}: {@code conv:F:K[:sS][:valid]}; JSON inputShape, filters, kernel, stride, padding, activation. */
  CONV(Conv.class, "conv") {
    @Override
    void write(Layer layer, ObjectNode node) {
      Conv c = (Conv) layer;
      node.put("type", "conv");
      ModelJson.putShape(node.putArray("inputShape"), c.input());
      node.put("filters", c.filters());
      node.put("kernel", c.kernel());
      node.put("stride", c.stride());
      node.put("padding", c.same() ? "same" : "valid");
      node.put("activation", c.activation().id);
      ModelJson.putMatrix(node.putArray("weights"), c.weights(), c.patch(), c.filters());
      ModelJson.putFloats(node.putArray("bias"), c.bias());
    }

    @Override
    Layer read(JsonNode node, String type, Shape at, String where) {
      Shape input = ModelJson.shape(node.get("inputShape"), where + ".inputShape");
      if (!input.equals(at)) {
        throw new InputException(where + ".inputShape: " + input + " but the layers before it give " + at);
      }
      int filters = ModelJson.positiveInt(node, "filters", where);
      int kernel = ModelJson.positiveInt(node, "kernel", where);
      int stride = ModelJson.positiveInt(node, "stride", where);
      String padding = ModelJson.text(node, "padding", where);
      if (!padding.equals("same") && !padding.equals("valid")) {
        throw new InputException(where + ".padding: '" + padding + "' is neither 'same' nor 'valid'");
      }
      boolean same = padding.equals("same");
      if (!same && (kernel > at.height() || kernel > at.width())) {
        throw new InputException(where + ".kernel: " + kernel + " does not fit a " + at.height() + "x" + at.width()
            + " input with valid padding");
      }
      Activation activation = Activation.parse(ModelJson.text(node, "activation", where), where + ".activation");
      if (activation == Activation.SOFTMAX) {
        throw new InputException(where + ".activation: softmax is only for the output layer");
      }
      long patch = (long) kernel * kernel; // each step at most 2^30 · 2^31: no long overflows
      if (patch <= Network.MAX_LAYER_WEIGHTS) {
        patch *= at.channels();
      }
      if (patch > Network.MAX_LAYER_WEIGHTS || patch * filters > Network.MAX_LAYER_WEIGHTS) {
        throw new InputException(where + ": a " + kernel + "x" + kernel + "x" + at.channels() + " kernel of "
            + filters + " filters is too large");
      }
      float[] weights = ModelJson.matrix(node.path("weights"), (int) patch, filters, where + ".weights",
          "one per kernel position and input channel");
      float[] bias = ModelJson.vector(node.path("bias"), filters, where + ".bias");
      return new Conv(at, filters, kernel, stride, same, activation, weights, bias);
    }
  },
  /** {@link Pool}: {@code maxpool:P}, {@code avgpool:P}; JSON size. */
  POOL(Pool.class, "maxpool", "avgpool") {
    @Override
    void write(Layer layer, ObjectNode node) {
      Pool p = (Pool) layer;
      node.put("type", p.max() ? "maxpool" : "avgpool");
      node.put("size", p.size());
    }

    @Override
    Layer read(JsonNode node, String type, Shape at, String where) {
      int size = ModelJson.positiveInt(node, "size", where);
      if (size > at.height() || size > at.width()) {
        throw new InputException(where + ".size: a " + size + "x" + size + " pool does not fit a " + at.height()
            + "x" + at.width() + " input");
      }
      return new Pool(at, type.equals("maxpool"), size);
    }
  },
  /** {@link Dropout}: {@code dropout:RATE}; JSON rate. */
  DROPOUT(Dropout.class, "dropout") {
    @Override
    void write(Layer layer, ObjectNode node) {
      node.put("type", "dropout");
      node.put("rate", ((Dropout) layer).rate());
    }

    @Override
    Layer read(JsonNode node, String type, Shape at, String where) {
      float rate = ModelJson.finite(node.get("rate"), where + ".rate");
      if (!(rate >= 0f && rate < 1f)) {
        throw new InputException(where + ".rate: " + rate + " is outside [0, 1)");
      }
      return new Dropout(at, rate);
    }
  },
  /** {@link GlobalPool}: {@code gap}; JSON no fields but its type. */
  GAP(GlobalPool.class, "gap") {
    @Override
    void write(Layer layer, ObjectNode node) {
      node.put("type", "gap");
    }

    @Override
    Layer read(JsonNode node, String type, Shape at, String where) {
      return new GlobalPool(at);
    }
  },
  /**
   * {@link BatchNorm}: {@code bn[:MOMENTUM:EPSILON]}, {@code batchnorm[...]}; JSON momentum, epsilon, activation,
   * gamma, beta, runningMean, runningVariance (one per channel each).
   */
  BATCHNORM(BatchNorm.class, "batchnorm", "bn") {
    @Override
    void write(Layer layer, ObjectNode node) {
      BatchNorm b = (BatchNorm) layer;
      node.put("type", "batchnorm");
      node.put("momentum", b.momentum());
      node.put("epsilon", b.epsilon());
      node.put("activation", b.activation().id);
      ModelJson.putFloats(node.putArray("gamma"), b.gamma());
      ModelJson.putFloats(node.putArray("beta"), b.beta());
      ModelJson.putFloats(node.putArray("runningMean"), b.runningMean());
      ModelJson.putFloats(node.putArray("runningVariance"), b.runningVariance());
    }

    @Override
    Layer read(JsonNode node, String type, Shape at, String where) {
      float momentum = ModelJson.finite(node.get("momentum"), where + ".momentum");
      float epsilon = ModelJson.finite(node.get("epsilon"), where + ".epsilon");
      String bad = BatchNorm.check(momentum, epsilon);
      if (bad != null) {
        throw new InputException(where + ": " + bad);
      }
      Activation activation = Activation.parse(ModelJson.text(node, "activation", where), where + ".activation");
      if (activation == Activation.SOFTMAX) {
        throw new InputException(where + ".activation: softmax is only for the output layer");
      }
      int c = at.channels();
      return new BatchNorm(at, momentum, epsilon, activation, ModelJson.vector(node.path("gamma"), c, where + ".gamma"),
          ModelJson.vector(node.path("beta"), c, where + ".beta"),
          ModelJson.vector(node.path("runningMean"), c, where + ".runningMean"),
          ModelJson.vector(node.path("runningVariance"), c, where + ".runningVariance"));
    }
  };

  /** The permitted class of this kind's layers. */
  public final Class<? extends Layer> type;
  /** Its names: the model JSON's {@code "type"} values and the {@code --net} items' names (pooling has two). */
  public final List<String> ids;

  LayerKind(Class<? extends Layer> type, String... ids) {
    this.type = type;
    this.ids = List.of(ids);
  }

  /**
   * Writes a layer of this kind as a version 2 model file's entry: its {@code "type"} and its fields.
   *
   * @param layer a layer of this kind
   * @param node  the empty object to fill
   */
  abstract void write(Layer layer, ObjectNode node);

  /**
   * Reads a version 2 model file's entry of this kind.
   *
   * @param node  the entry
   * @param type  its {@code "type"}, one of {@link #ids}
   * @param at    the shape the layers before it give
   * @param where the entry's place, to begin messages with
   * @return the layer
   * @throws InputException naming the field at fault
   */
  abstract Layer read(JsonNode node, String type, Shape at, String where);

  /**
   * @param id a model JSON {@code "type"} or {@code --net} item name
   * @return its kind, or null for none
   */
  public static LayerKind forId(String id) {
    for (LayerKind k : values()) {
      if (k.ids.contains(id)) {
        return k;
      }
    }
    return null;
  }

  /** A dense layer's fields (a version 1 file's whole entry). */
  static void writeDense(Dense layer, ObjectNode node) {
    node.put("inputs", layer.inputs());
    node.put("outputs", layer.outputs());
    node.put("activation", layer.activation().id);
    ModelJson.putMatrix(node.putArray("weights"), layer.weights(), layer.inputs(), layer.outputs());
    ModelJson.putFloats(node.putArray("bias"), layer.bias());
  }

  /** Reads a dense layer's fields, as {@link #writeDense} writes them. */
  static Dense readDense(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new InputException(where + ": expected an object");
    }
    int inputs = ModelJson.positiveInt(node, "inputs", where);
    int outputs = ModelJson.positiveInt(node, "outputs", where);
    if ((long) inputs * outputs > Network.MAX_LAYER_WEIGHTS) {
      throw new InputException(where + ": " + inputs + " x " + outputs + " weights is too large");
    }
    Activation activation = Activation.parse(ModelJson.text(node, "activation", where), where + ".activation");
    float[] weights = ModelJson.matrix(node.path("weights"), inputs, outputs, where + ".weights", "one per input");
    float[] bias = ModelJson.vector(node.path("bias"), outputs, where + ".bias");
    return new Dense(inputs, outputs, activation, weights, bias);
  }
}
