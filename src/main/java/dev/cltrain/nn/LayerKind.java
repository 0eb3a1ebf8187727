package dev.cltrain.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.core.InputException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * THE table of layer kinds: one row per permitted {@link Layer} class, with its ids (the model JSON's
 * {@code "type"} and the {@code --net} item's name), its class, where its layers may stand ({@link Place}), its
 * {@code --net} item parser ({@link #item}) and its model-JSON codec. A layer's {@code --net} item is
 * {@link Layer#spec()}. The ONNX mapping ({@code onnx.LayerMappings}) and the training
 * op ({@code train.LayerOps}) are tables keyed by this enum, each with one row per kind; {@code
 * LayerKindCoverageTest} fails when a kind lacks a row in any of them.
 */
public enum LayerKind {
  /** {@link Dense}: {@code dense:N}; JSON inputs, outputs, activation, weights (inputs rows), bias. */
  DENSE(Dense.class, Place.DENSE, "dense:N", "dense") {
    @Override
    NetItem item(NetItem.Text t) {
      t.arity(1, 1, "expected dense:N, e.g. dense:128");
      int units = t.count(0, "N");
      return new Item(t, this, "a dense layer", true, false) {
        @Override
        public Shape check(Shape at) {
          long weights = (long) at.size() * units;
          if (weights > Network.MAX_LAYER_WEIGHTS) {
            throw t.error(at.size() + " inputs to " + units + " units make " + weights + " weights, more than "
                + Network.MAX_LAYER_WEIGHTS);
          }
          return new Shape(1, 1, units);
        }

        @Override
        public Layer build(Shape at, boolean afterDense, Activation activation, Init init, NumpyRandom random) {
          float[][] drawn = init.draw(random, at.size(), units);
          return new Dense(at.size(), units, activation, drawn[0], drawn[1]);
        }
      };
    }

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
  CONV(Conv.class, Place.STAGE, "conv:FILTERS:K[:sS][:valid]", "conv") {
    @Override
    NetItem item(NetItem.Text t) {
      ConvArgs args = ConvArgs.parse(t, "conv:32:3");
      int filters = args.filters();
      int k = args.kernel();
      int s = args.stride();
      boolean same = args.same();
      return new Item(t, this, "a convolution", true, true) {
        @Override
        public Shape check(Shape at) {
          if (!same && (k > at.height() || k > at.width())) {
            throw t.error("a " + k + "x" + k + " kernel does not fit the " + at.height() + "x" + at.width()
                + " input without padding (valid)");
          }
          args.checkWeights(t, k + "x" + k + "x" + at.channels(), (long) k * k * at.channels() * filters);
          long h = same ? (at.height() + s - 1) / s : (at.height() - k) / s + 1;
          long w = same ? (at.width() + s - 1) / s : (at.width() - k) / s + 1;
          if (h * w * filters > Integer.MAX_VALUE) {
            throw t.error("its output of " + h + "x" + w + "x" + filters + " is too large");
          }
          return new Shape((int) h, (int) w, filters);
        }

        @Override
        public Layer build(Shape at, boolean afterDense, Activation activation, Init init, NumpyRandom random) {
          float[][] drawn = init.draw(random, k * k * at.channels(), filters); // as a dense layer of k·k·C inputs
          return new Conv(at, filters, k, s, same, activation, drawn[0], drawn[1]);
        }
      };
    }

    @Override
    void write(Layer layer, ObjectNode node) {
      Conv c = (Conv) layer;
      ConvFields.write(node, "conv", c.input(), new ConvFields(c.filters(), c.kernel(), c.stride(), c.same(),
          c.activation()), c.weights(), c.patch(), c.bias());
    }

    @Override
    Layer read(JsonNode node, String type, Shape at, String where) {
      ConvFields f = ConvFields.read(node, at, where);
      int filters = f.filters();
      int kernel = f.kernel();
      boolean same = f.same();
      Activation activation = f.activation();
      if (!same && (kernel > at.height() || kernel > at.width())) {
        throw new InputException(where + ".kernel: " + kernel + " does not fit a " + at.height() + "x" + at.width()
            + " input with valid padding");
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
      return new Conv(at, filters, kernel, f.stride(), same, activation, weights, bias);
    }
  },
  /** {@link Pool}: {@code maxpool:P}, {@code avgpool:P}; JSON size. */
  POOL(Pool.class, Place.STAGE, "maxpool:P, avgpool:P", "maxpool", "avgpool") {
    @Override
    NetItem item(NetItem.Text t) {
      int size = poolSize(t);
      boolean max = t.name().equals("maxpool");
      return new Item(t, this, "pooling", false, true) {
        @Override
        public Shape check(Shape at) {
          if (size > at.height() || size > at.width()) {
            throw t.error("a " + size + "x" + size + " pool does not fit the " + at.height() + "x" + at.width()
                + " input");
          }
          return new Pool(at, max, size).output();
        }

        @Override
        public Layer build(Shape at, boolean afterDense, Activation activation, Init init, NumpyRandom random) {
          return new Pool(at, max, size);
        }
      };
    }

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
  DROPOUT(Dropout.class, Place.BETWEEN, "dropout:RATE", "dropout") {
    @Override
    NetItem item(NetItem.Text t) {
      t.arity(1, 1, "expected dropout:RATE, e.g. dropout:0.5");
      String arg = t.args().get(0);
      float rate = number(arg);
      if (!(rate >= 0f && rate < 1f)) {
        throw t.error("the dropout rate must be a number in [0, 1), got '" + arg + "'");
      }
      return new Item(t, this, "dropout", false, false) {
        @Override
        public Shape check(Shape at) {
          return at;
        }

        @Override
        public Layer build(Shape at, boolean afterDense, Activation activation, Init init, NumpyRandom random) {
          return afterDense && rate == 0f ? null : new Dropout(at, rate); // dropout:0 after a dense layer is none
        }
      };
    }

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
  /**
   * {@link GlobalPool}: {@code gap}; JSON no fields but its type. {@code gap1d} is the same layer read on a
   * sequence T×1×F: each feature's mean over the T steps (it prints as gap).
   */
  GAP(GlobalPool.class, Place.STAGE, "gap, gap1d", "gap", "gap1d") {
    @Override
    NetItem item(NetItem.Text t) {
      t.arity(0, 0, t.name() + " takes no arguments");
      return new Item(t, this, "global pooling", false, true) {
        @Override
        public boolean takesSequence() {
          return true; // over a sequence T×1×F: the mean over time
        }

        @Override
        public Shape check(Shape at) {
          return new GlobalPool(at).output();
        }

        @Override
        public Layer build(Shape at, boolean afterDense, Activation activation, Init init, NumpyRandom random) {
          return new GlobalPool(at);
        }
      };
    }

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
   * {@link BatchNorm}: {@code bn[:MOMENTUM:EPSILON]}, {@code batchnorm[...]}, per channel on an image or per unit
   * right after a dense layer; JSON momentum, epsilon, activation, gamma, beta, runningMean, runningVariance (one
   * per channel or unit each).
   */
  BATCHNORM(BatchNorm.class, Place.STAGE_OR_BETWEEN, "bn[:MOMENTUM:EPSILON], batchnorm[:MOMENTUM:EPSILON]", "batchnorm", "bn") {
    @Override
    NetItem item(NetItem.Text t) {
      String name = t.name();
      t.arity(0, 2, "expected " + name + " or " + name + ":MOMENTUM:EPSILON, e.g. " + name + ":0.1:1e-5");
      if (t.args().size() == 1) {
        throw t.error("expected " + name + " or " + name + ":MOMENTUM:EPSILON, e.g. " + name + ":0.1:1e-5");
      }
      float momentum = t.args().isEmpty() ? BatchNorm.MOMENTUM : number(t.args().get(0));
      float epsilon = t.args().isEmpty() ? BatchNorm.EPSILON : number(t.args().get(1));
      String bad = BatchNorm.check(momentum, epsilon);
      if (bad != null) {
        throw t.error(bad.replace("NaN", "'" + t.args().get(Float.isNaN(momentum) ? 0 : 1) + "'"));
      }
      return new Item(t, this, "batch normalization", true, false) {
        @Override
        public Shape check(Shape at) {
          return at;
        }

        @Override
        public Layer build(Shape at, boolean afterDense, Activation activation, Init init, NumpyRandom random) {
          return BatchNorm.fresh(at, momentum, epsilon, activation);
        }
      };
    }

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
  },
  /**
   * {@link Residual}: {@code residual(ITEMS)} (conv, pooling and bn items with their activations; the item after
   * it is the block's activation); {@code resblock:FILTERS[:sS]}, the basic block
   * {@code residual(conv:F:3[:sS],bn,relu,conv:F:3,bn),relu} (relu its own).
   * JSON inputShape, activation, layers (each by its own kind's codec), shortcut (a conv entry, or null),
   * shortcutNorm (a batchnorm entry after the shortcut's conv; absent for none).
   */
  RESIDUAL(Residual.class, Place.STAGE, "residual(ITEMS), resblock:FILTERS[:sS]", "residual", "resblock") {
    @Override
    NetItem item(NetItem.Text t) {
      return Residual.item(t, this);
    }

    @Override
    void write(Layer layer, ObjectNode node) {
      Residual.write((Residual) layer, node);
    }

    @Override
    Layer read(JsonNode node, String type, Shape at, String where) {
      return Residual.read(node, type, at, where);
    }
  },
  /**
   * {@link Conv1d}: {@code conv1d:F:K[:sS][:valid]} on a sequence T×1×F; JSON inputShape, filters, kernel, stride,
   * padding, activation, weights ((k·F) rows), bias.
   */
  CONV1D(Conv1d.class, Place.STAGE, "conv1d:FILTERS:K[:sS][:valid]", "conv1d") {
    @Override
    NetItem item(NetItem.Text t) {
      ConvArgs args = ConvArgs.parse(t, "conv1d:64:5");
      int filters = args.filters();
      int k = args.kernel();
      return new SequenceItem(t, this, "a 1-D convolution", true, true) {
                @Override
        public Shape check(Shape at) {
          if (at.width() != 1) {
            throw t.error("conv1d takes a sequence of steps × 1 × features, not the " + at + " input");
          }
          if (!args.same() && k > at.height()) {
            throw t.error("a kernel of " + k + " steps does not fit the " + at.height() + " steps without padding "
                + "(valid)");
          }
          args.checkWeights(t, k + "x" + at.channels(), (long) k * at.channels() * filters);
          int s = args.stride();
          long steps = args.same() ? (at.height() + (long) s - 1) / s : (at.height() - k) / s + 1;
          return new Shape((int) steps, 1, filters);
        }

        @Override
        public Layer build(Shape at, boolean afterDense, Activation activation, Init init, NumpyRandom random) {
          float[][] drawn = init.draw(random, k * at.channels(), filters); // as a dense layer of k·F inputs
          return new Conv1d(at, filters, k, args.stride(), args.same(), activation, drawn[0], drawn[1]);
        }
      };
    }

    @Override
    void write(Layer layer, ObjectNode node) {
      Conv1d c = (Conv1d) layer;
      ConvFields.write(node, "conv1d", c.input(), new ConvFields(c.filters(), c.kernel(), c.stride(), c.same(),
          c.activation()), c.weights(), c.patch(), c.bias());
    }

    @Override
    Layer read(JsonNode node, String type, Shape at, String where) {
      if (at.width() != 1) {
        throw new InputException(where + ": the layers before it give " + at + "; conv1d takes steps x 1 x features");
      }
      ConvFields f = ConvFields.read(node, at, where);
      int filters = f.filters();
      int kernel = f.kernel();
      if (!f.same() && kernel > at.height()) {
        throw new InputException(where + ".kernel: " + kernel + " does not fit " + at.height()
            + " steps with valid padding");
      }
      long patch = (long) kernel * at.channels();
      if (patch > Network.MAX_LAYER_WEIGHTS || patch * filters > Network.MAX_LAYER_WEIGHTS) {
        throw new InputException(where + ": a " + kernel + "x" + at.channels() + " kernel of " + filters
            + " filters is too large");
      }
      float[] weights = ModelJson.matrix(node.path("weights"), (int) patch, filters, where + ".weights",
          "one per kernel step and input feature");
      float[] bias = ModelJson.vector(node.path("bias"), filters, where + ".bias");
      return new Conv1d(at, filters, kernel, f.stride(), f.same(), f.activation(), weights, bias);
    }
  },
  /** {@link Pool1d}: {@code maxpool1d:P} on a sequence T×1×F; JSON size. */
  MAXPOOL1D(Pool1d.class, Place.STAGE, "maxpool1d:P", "maxpool1d") {
    @Override
    NetItem item(NetItem.Text t) {
      int size = poolSize(t);
      return new SequenceItem(t, this, "1-D pooling", false, true) {
                @Override
        public Shape check(Shape at) {
          if (at.width() != 1) {
            throw t.error("maxpool1d takes a sequence of steps × 1 × features, not the " + at + " input");
          }
          if (size > at.height()) {
            throw t.error("a pool of " + size + " steps does not fit the " + at.height() + " steps");
          }
          return new Pool1d(at, size).output();
        }

        @Override
        public Layer build(Shape at, boolean afterDense, Activation activation, Init init, NumpyRandom random) {
          return new Pool1d(at, size);
        }
      };
    }

    @Override
    void write(Layer layer, ObjectNode node) {
      node.put("type", "maxpool1d");
      node.put("size", ((Pool1d) layer).size());
    }

    @Override
    Layer read(JsonNode node, String type, Shape at, String where) {
      int size = ModelJson.positiveInt(node, "size", where);
      if (at.width() != 1 || size > at.height()) {
        throw new InputException(where + ".size: a pool of " + size + " steps does not fit a " + at + " input "
            + "(maxpool1d takes steps x 1 x features)");
      }
      return new Pool1d(at, size);
    }
  },
  /**
   * {@link Recurrent}: {@code lstm:H[:seq]}, {@code gru:H[:seq]}, on a sequence (T×1×F, or an image read as its
   * rows: T = height, F = width·channels); JSON type (lstm, gru), inputShape, hidden, sequence, inputWeights,
   * recurrentWeights (G·H rows each), inputBias, recurrentBias.
   */
  RECURRENT(Recurrent.class, Place.STAGE, "lstm:H[:seq], gru:H[:seq]", "lstm", "gru") {
    @Override
    NetItem item(NetItem.Text t) {
      return Recurrent.item(t, this);
    }

    @Override
    void write(Layer layer, ObjectNode node) {
      Recurrent.write((Recurrent) layer, node);
    }

    @Override
    Layer read(JsonNode node, String type, Shape at, String where) {
      return Recurrent.read(node, type, at, where);
    }
  },
  /**
   * {@link Embedding}: {@code embedding:V:D}, the first item only (it reads the row's token ids); JSON steps,
   * vocabulary, dims, weights (V rows, row 0 zero).
   */
  EMBEDDING(Embedding.class, Place.STAGE, "embedding:V:D", "embedding") {
    @Override
    NetItem item(NetItem.Text t) {
      t.arity(2, 2, "expected embedding:V:D, e.g. embedding:10000:64");
      int vocabulary = t.count(0, "V");
      int dims = t.count(1, "D");
      if (t.position() != 1) {
        throw t.error("an embedding is the first item (it reads the row's token ids)");
      }
      if ((long) vocabulary * dims > Network.MAX_LAYER_WEIGHTS) {
        throw t.error(vocabulary + " ids of " + dims + " make " + (long) vocabulary * dims + " weights, more than "
            + Network.MAX_LAYER_WEIGHTS);
      }
      return new Item(t, this, "an embedding", false, false) {
        @Override
        public boolean givesSequence() {
          return true;
        }

        @Override
        public Shape check(Shape at) {
          if ((long) at.size() * dims > Integer.MAX_VALUE) {
            throw t.error("its output of " + at.size() + "x" + dims + " is too large");
          }
          return new Shape(at.size(), 1, dims);
        }

        @Override
        public Layer build(Shape at, boolean afterDense, Activation activation, Init init, NumpyRandom random) {
          return Embedding.draw(at.size(), vocabulary, dims, random);
        }
      };
    }

    @Override
    void write(Layer layer, ObjectNode node) {
      Embedding e = (Embedding) layer;
      node.put("type", "embedding");
      node.put("steps", e.steps());
      node.put("vocabulary", e.vocabulary());
      node.put("dims", e.dims());
      ModelJson.putMatrix(node.putArray("weights"), e.weights(), e.vocabulary(), e.dims());
    }

    @Override
    Layer read(JsonNode node, String type, Shape at, String where) {
      int steps = ModelJson.positiveInt(node, "steps", where);
      if (steps != at.size()) {
        throw new InputException(where + ".steps: " + steps + " but the input gives " + at.size() + " values per row");
      }
      int vocabulary = ModelJson.positiveInt(node, "vocabulary", where);
      int dims = ModelJson.positiveInt(node, "dims", where);
      if ((long) vocabulary * dims > Network.MAX_LAYER_WEIGHTS) {
        throw new InputException(where + ": " + vocabulary + " x " + dims + " weights is too large");
      }
      float[] weights = ModelJson.matrix(node.path("weights"), vocabulary, dims, where + ".weights", "one per id");
      try {
        return new Embedding(steps, vocabulary, dims, weights);
      } catch (IllegalArgumentException e) {
        throw new InputException(where + ".weights: " + e.getMessage());
      }
    }
  };

  /** A convolution's model-JSON fields beside its arrays: filters, kernel, stride, padding, activation. */
  private record ConvFields(int filters, int kernel, int stride, boolean same, Activation activation) {
    /** Writes type, inputShape, these fields, then the weights ({@code patch} rows) and the bias. */
    static void write(ObjectNode node, String type, Shape input, ConvFields f, float[] weights, int patch,
        float[] bias) {
      node.put("type", type);
      ModelJson.putShape(node.putArray("inputShape"), input);
      node.put("filters", f.filters());
      node.put("kernel", f.kernel());
      node.put("stride", f.stride());
      node.put("padding", f.same() ? "same" : "valid");
      node.put("activation", f.activation().id);
      ModelJson.putMatrix(node.putArray("weights"), weights, patch, f.filters());
      ModelJson.putFloats(node.putArray("bias"), bias);
    }

    /** Reads them, checking that inputShape is {@code at} and the activation is not softmax. */
    static ConvFields read(JsonNode node, Shape at, String where) {
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
      Activation activation = Activation.parse(ModelJson.text(node, "activation", where), where + ".activation");
      if (activation == Activation.SOFTMAX) {
        throw new InputException(where + ".activation: softmax is only for the output layer");
      }
      return new ConvFields(filters, kernel, stride, padding.equals("same"), activation);
    }
  }

  /**
   * A convolution item's arguments (conv, conv1d): {@code FILTERS:K}, then its options, {@code sS} once for a
   * stride and {@code valid} once for no padding.
   */
  private record ConvArgs(int filters, int kernel, int stride, boolean same) {
    /** Reads them; {@code example} is the item's, for the message of a missing argument. */
    static ConvArgs parse(NetItem.Text t, String example) {
      t.arity(2, Integer.MAX_VALUE, "expected " + t.name() + ":FILTERS:K[:sS][:valid], e.g. " + example);
      int filters = t.count(0, "FILTERS");
      int kernel = t.count(1, "K");
      int stride = 0;
      boolean valid = false;
      for (String option : t.args().subList(2, t.args().size())) {
        Matcher m = STRIDE.matcher(option);
        if (option.equals("valid") && !valid) {
          valid = true;
        } else if (m.matches() && stride == 0) {
          stride = Integer.parseInt(m.group(1));
          if (stride == 0) {
            throw t.error("the stride must be at least 1, got " + option);
          }
        } else {
          throw t.error("'" + option + "' is not a " + t.name() + " option (sS once for a stride, valid once for no "
              + "padding)");
        }
      }
      return new ConvArgs(filters, kernel, stride == 0 ? 1 : stride, !valid);
    }

    /** Refuses {@code weights} (kernels of {@code kernels} values, e.g. "3x3x16", to the filters) over the limit. */
    void checkWeights(NetItem.Text t, String kernels, long weights) {
      if (weights > Network.MAX_LAYER_WEIGHTS) {
        throw t.error(kernels + " kernels to " + filters + " filters make " + weights + " weights, more than "
            + Network.MAX_LAYER_WEIGHTS);
      }
    }
  }

  /** {@return a pooling item's size: {@code NAME:P} (maxpool, avgpool, maxpool1d)} */
  private static int poolSize(NetItem.Text t) {
    t.arity(1, 1, "expected " + t.name() + ":P, e.g. " + t.name() + ":2");
    return t.count(0, "P");
  }

  /** Where a kind's layers may stand in a network (and its items in a {@code --net}). */
  public enum Place {
    /** Before the first dense layer, on the image (convolution, pooling); not after {@code flatten}. */
    STAGE,
    /** A dense layer: takes any shape of its input size and gives 1 × 1 × units; a network ends with one. */
    DENSE,
    /** Before the first dense layer, or at most one right after each dense layer but the output layer. */
    BETWEEN,
    /**
     * As {@link #STAGE}, or at most one right after each dense layer but the output layer (or its activation),
     * before that layer's {@link #BETWEEN} item (batch normalization per unit, then dropout).
     */
    STAGE_OR_BETWEEN
  }

  /** A stride option of a --net item: {@code sS}. */
  static final Pattern STRIDE = Pattern.compile("s(\\d{1,7})");

  /** A non-negative decimal number as {@code --net} writes them (e.g. 0.1, 1e-5), else NaN. */
  private static float number(String text) {
    return text.matches("\\d*\\.?\\d+([eE][-+]?\\d{1,3})?") ? Float.parseFloat(text) : Float.NaN;
  }

  /** The permitted class of this kind's layers. */
  public final Class<? extends Layer> type;
  /** Where its layers may stand. */
  public final Place place;
  /** Its {@code --net} items' forms, for messages, e.g. "maxpool:P, avgpool:P". */
  public final String usage;
  /** Its names: the model JSON's {@code "type"} values and the {@code --net} items' names (pooling has two). */
  public final List<String> ids;

  LayerKind(Class<? extends Layer> type, Place place, String usage, String... ids) {
    this.type = type;
    this.place = place;
    this.usage = usage;
    this.ids = List.of(ids);
  }

  /**
   * Parses a {@code --net} item of this kind; its shape is checked later, when the items before it are known
   * ({@link NetItem#check}).
   *
   * @param text the item as the grammar split it; its name is one of {@link #ids}
   * @return the item
   * @throws InputException naming the item ({@link NetItem.Text#error}): a missing or bad argument
   */
  abstract NetItem item(NetItem.Text text);

  /** The part of an item every row's shares: its text, kind, name in messages and two properties. */
  abstract static class Item implements NetItem {
    private final Text text;
    private final LayerKind kind;
    private final String what;
    private final boolean takesActivation;
    private final boolean needsImage;

    Item(Text text, LayerKind kind, String what, boolean takesActivation, boolean needsImage) {
      this.text = text;
      this.kind = kind;
      this.what = what;
      this.takesActivation = takesActivation;
      this.needsImage = needsImage;
    }

    @Override
    public Text text() {
      return text;
    }

    @Override
    public LayerKind kind() {
      return kind;
    }

    @Override
    public String what() {
      return what;
    }

    @Override
    public boolean takesActivation() {
      return takesActivation;
    }

    @Override
    public boolean needsImage() {
      return needsImage;
    }
  }

  /** An item that takes a sequence and gives one (conv1d, maxpool1d, lstm, gru). */
  abstract static class SequenceItem extends Item {
    SequenceItem(Text text, LayerKind kind, String what, boolean takesActivation, boolean needsImage) {
      super(text, kind, what, takesActivation, needsImage);
    }

    @Override
    public boolean givesSequence() {
      return true;
    }

    @Override
    public boolean takesSequence() {
      return true;
    }
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
