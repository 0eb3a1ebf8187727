package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Dropout;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.LayerKind;
import dev.cltrain.nn.Pool;
import dev.cltrain.nn.Residual;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * THE training side's table of layer kinds: one op factory per {@link LayerKind}, which {@link Inference}
 * and {@link Backprop} make every layer's op with.
 */
final class LayerOps {
  private LayerOps() {}

  /** What every op of one network is made with. */
  record Context<B, I>(Backend<B, I> backend, int capacity, boolean training, DropoutMasks<B> masks) {}

  /** Makes a layer's op; {@code stream} is its dropout stream (dropout only). */
  interface Factory {
    <B, I> LayerOp<B> make(Context<B, I> context, Layer layer, int stream);

    /** {@return the floats the op of {@code layer} allocates for {@code capacity} rows: {@link LayerOp#floats()}} */
    long floats(Layer layer, long capacity, boolean training);

    /** {@return the op's largest buffer for {@code capacity} rows, in floats (its output's, unless it says more)} */
    default long largestBuffer(Layer layer, long capacity) {
      return capacity * layer.output().size();
    }

    /** {@return whether the op draws dropout masks: it takes the next dropout stream of the stages} */
    default boolean drawsMasks() {
      return false;
    }
  }

  /** The table: one row per kind. */
  static final Map<LayerKind, Factory> TABLE = table();

  private static Map<LayerKind, Factory> table() {
    Map<LayerKind, Factory> t = new EnumMap<>(LayerKind.class);
    t.put(LayerKind.CONV, new Factory() {
      @Override
      public <B, I> LayerOp<B> make(Context<B, I> c, Layer layer, int stream) {
        return new ConvOp<>(c.backend(), (Conv) layer, c.capacity(), c.training());
      }

      @Override
      public long floats(Layer layer, long capacity, boolean training) {
        return ConvOp.floats((Conv) layer, capacity, training);
      }

      @Override
      public long largestBuffer(Layer layer, long capacity) {
        Conv c = (Conv) layer; // the patches, k·k·C per output pixel, or the output
        return Math.max(capacity * c.outHeight() * c.outWidth() * c.patch(), capacity * c.output().size());
      }
    });
    t.put(LayerKind.CONV1D, new Factory() {
      @Override
      public <B, I> LayerOp<B> make(Context<B, I> c, Layer layer, int stream) {
        return new ConvOp<>(c.backend(), (dev.cltrain.nn.Conv1d) layer, c.capacity(), c.training());
      }

      @Override
      public long floats(Layer layer, long capacity, boolean training) {
        return ConvOp.floats((dev.cltrain.nn.Conv1d) layer, capacity, training);
      }

      @Override
      public long largestBuffer(Layer layer, long capacity) {
        return ConvOp.largestBuffer((dev.cltrain.nn.Conv1d) layer, capacity); // the windows, or the output
      }
    });
    t.put(LayerKind.MAXPOOL1D, new Factory() {
      @Override
      public <B, I> LayerOp<B> make(Context<B, I> c, Layer layer, int stream) {
        return new Pool1dOp<>(c.backend(), (dev.cltrain.nn.Pool1d) layer, c.capacity());
      }

      @Override
      public long floats(Layer layer, long capacity, boolean training) {
        return capacity * layer.output().size();
      }
    });
    t.put(LayerKind.POOL, new Factory() {
      @Override
      public <B, I> LayerOp<B> make(Context<B, I> c, Layer layer, int stream) {
        return new PoolOp<>(c.backend(), (Pool) layer, c.capacity());
      }

      @Override
      public long floats(Layer layer, long capacity, boolean training) {
        return capacity * layer.output().size();
      }
    });
    t.put(LayerKind.GAP, new Factory() {
      @Override
      public <B, I> LayerOp<B> make(Context<B, I> c, Layer layer, int stream) {
        return new GlobalPoolOp<>(c.backend(), (dev.cltrain.nn.GlobalPool) layer, c.capacity());
      }

      @Override
      public long floats(Layer layer, long capacity, boolean training) {
        return capacity * layer.output().size();
      }
    });
    t.put(LayerKind.BATCHNORM, new Factory() {
      @Override
      public <B, I> LayerOp<B> make(Context<B, I> c, Layer layer, int stream) {
        return new BatchNormOp<>(c.backend(), (dev.cltrain.nn.BatchNorm) layer, c.capacity(), c.training());
      }

      @Override
      public long floats(Layer layer, long capacity, boolean training) {
        return BatchNormOp.floats((dev.cltrain.nn.BatchNorm) layer, capacity, training);
      }
    });
    t.put(LayerKind.DROPOUT, new Factory() {
      @Override
      public <B, I> LayerOp<B> make(Context<B, I> c, Layer layer, int stream) {
        Dropout d = (Dropout) layer;
        B out = c.training() && d.rate() > 0 ? c.backend().allocate(c.capacity() * d.input().size()) : null;
        return new DropoutOp<>(c.masks(), d, c.capacity(), c.training(), stream, out);
      }

      @Override
      public long floats(Layer layer, long capacity, boolean training) {
        return training && ((Dropout) layer).rate() > 0 ? capacity * layer.input().size() : 0;
      }

      @Override
      public boolean drawsMasks() {
        return true;
      }
    });
    t.put(LayerKind.DENSE, new Factory() {
      @Override
      public <B, I> LayerOp<B> make(Context<B, I> c, Layer layer, int stream) {
        return new DenseOp<>(c.backend(), (Dense) layer, c.capacity(), c.training());
      }

      @Override
      public long floats(Layer layer, long capacity, boolean training) {
        return DenseOp.floats((Dense) layer, capacity, training);
      }
    });
    t.put(LayerKind.RESIDUAL, new Factory() {
      @Override
      public <B, I> LayerOp<B> make(Context<B, I> c, Layer layer, int stream) {
        return new ResidualOp<>(c, (Residual) layer);
      }

      @Override
      public long floats(Layer layer, long capacity, boolean training) {
        return ResidualOp.floats((Residual) layer, capacity, training);
      }

      @Override
      public long largestBuffer(Layer layer, long capacity) {
        Residual r = (Residual) layer; // the inner ops' and the projection's largest, or the output
        long largest = Math.max(capacity * r.output().size(), capacity * r.input().size());
        for (Layer inner : r.layers()) {
          largest = Math.max(largest, LayerOps.largestBuffer(inner, capacity));
        }
        return r.projection() == null ? largest : Math.max(largest, LayerOps.largestBuffer(r.projection(), capacity));
      }
    });
    t.put(LayerKind.RECURRENT, new Factory() {
      @Override
      public <B, I> LayerOp<B> make(Context<B, I> c, Layer layer, int stream) {
        return new RecurrentOp<>(c.backend(), (dev.cltrain.nn.Recurrent) layer, c.capacity(), c.training());
      }

      @Override
      public long floats(Layer layer, long capacity, boolean training) {
        return RecurrentOp.floats((dev.cltrain.nn.Recurrent) layer, capacity, training);
      }

      @Override
      public long largestBuffer(Layer layer, long capacity) {
        return RecurrentOp.largestBuffer((dev.cltrain.nn.Recurrent) layer, capacity);
      }
    });
    t.put(LayerKind.EMBEDDING, new Factory() {
      @Override
      public <B, I> LayerOp<B> make(Context<B, I> c, Layer layer, int stream) {
        return new EmbeddingOp<>(c.backend(), (dev.cltrain.nn.Embedding) layer, c.capacity(), c.training());
      }

      @Override
      public long floats(Layer layer, long capacity, boolean training) {
        return EmbeddingOp.floats((dev.cltrain.nn.Embedding) layer, capacity, training);
      }
    });
    return t;
  }

  /**
   * @param context what the op is made with
   * @param layer   the layer
   * @param stream  its dropout stream (dropout only)
   * @return the layer's op, from its kind's row
   * @throws IllegalStateException if its kind has no row
   */
  static <B, I> LayerOp<B> make(Context<B, I> context, Layer layer, int stream) {
    return row(layer).make(context, layer, stream);
  }

  /**
   * @param layer a layer
   * @return whether its op draws dropout masks (one stream each, numbered in list order)
   */
  static boolean drawsMasks(Layer layer) {
    return row(layer).drawsMasks();
  }

  /**
   * @param layer    a layer
   * @param capacity the most rows one pass takes
   * @return the largest buffer its op allocates, in floats (what {@link MemoryPlan} checks a device's limit with)
   */
  static long largestBuffer(Layer layer, long capacity) {
    return row(layer).largestBuffer(layer, capacity);
  }

  private static Factory row(Layer layer) {
    Factory f = TABLE.get(layer.kind());
    if (f == null) {
      throw new IllegalStateException("no training op for layer kind " + layer.kind());
    }
    return f;
  }

  /**
   * @param layer    the layer
   * @param capacity the most rows one pass takes
   * @param training whether for training
   * @return the floats its op allocates, from its kind's row (what {@link MemoryPlan} sums)
   */
  static long floats(Layer layer, long capacity, boolean training) {
    return row(layer).floats(layer, capacity, training);
  }

  /**
   * The layer with the values its op's parameter buffers hold now (waits for the work enqueued before).
   *
   * @param backend where the buffers live
   * @param layer   the layer the op was made from (its shapes)
   * @param buffers the op's {@link LayerOp#parameters()}, in {@link Layer#parameters()}'s order
   * @return the layer with those values
   */
  static <B> Layer current(Backend<B, ?> backend, Layer layer, List<B> buffers) {
    return layer.withParameters(download(backend, layer.parameters(), buffers));
  }

  /**
   * The layer with the values its op's parameter and state buffers hold now (waits for the work enqueued before).
   *
   * @param backend where the buffers live
   * @param layer   the layer the op was made from (its shapes)
   * @param op      its op: {@link LayerOp#parameters()} in {@link Layer#parameters()}'s order, {@link LayerOp#state()}
   *                in {@link Layer#state()}'s
   * @return the layer with those values
   */
  static <B> Layer current(Backend<B, ?> backend, Layer layer, LayerOp<B> op) {
    Layer now = current(backend, layer, op.parameters());
    return op.state().isEmpty() ? now : now.withState(download(backend, layer.state(), op.state()));
  }

  private static <B> List<float[]> download(Backend<B, ?> backend, List<float[]> shapes, List<B> buffers) {
    List<float[]> values = new java.util.ArrayList<>(buffers.size());
    for (int i = 0; i < buffers.size(); i++) {
      float[] v = new float[shapes.get(i).length];
      backend.download(buffers.get(i), v);
      values.add(v);
    }
    return values;
  }

  /** @return the kinds that have a row */
  static List<LayerKind> kinds() {
    return List.copyOf(TABLE.keySet());
  }
}
