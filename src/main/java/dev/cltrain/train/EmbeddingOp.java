package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Embedding;
import dev.cltrain.nn.Layer;
import java.util.List;

/**
 * An embedding's op, kernels/recurrent.cl; the input is rows × T ids.
 * <pre>
 * forward   out(n, t) = W(id(n, t)), 0 for padding         embedding_forward
 *           lengths(n) = the index of the first 0 id        sequence_lengths   (what masks the recurrent ops after it)
 * backward  dW(v) = Σ g over the positions with id v / rows, in position order; dW(0) = 0     embedding_backward
 * </pre>
 * It is a network's first layer, so no input gradient is passed back.
 */
final class EmbeddingOp<B> implements LayerOp<B> {
  private final Backend<B, ?> backend;
  private final Embedding e;
  private final B weights;
  private final B out;
  private final B lengths;
  private final B weightGradient;
  private final long floats;

  EmbeddingOp(Backend<B, ?> backend, Embedding e, int capacity, boolean training) {
    this.backend = backend;
    this.e = e;
    this.weights = backend.upload(e.weights());
    this.out = backend.allocate(capacity * e.output().size());
    this.lengths = backend.allocate(capacity);
    this.weightGradient = training ? backend.allocate(e.vocabulary() * e.dims()) : null;
    this.floats = floats(e, capacity, training);
  }

  /** {@return floats the op of {@code e} allocates: weights (and their gradient), output, lengths} */
  static long floats(Embedding e, long capacity, boolean training) {
    return e.parameterCount() * (training ? 2 : 1) + capacity * e.output().size() + capacity;
  }

  /** {@return the rows' lengths its last forward pass computed (index of the first 0 id, else T)} */
  B lengths() {
    return lengths;
  }

  @Override
  public B forward(B in, int rows, long step) {
    backend.embeddingForward(rows, e.steps(), e.vocabulary(), e.dims(), in, weights, out);
    backend.sequenceLengths(rows, e.steps(), in, lengths);
    return out;
  }

  @Override
  public void backward(int rows, long step, float perSample, B in, B g, B gIn) {
    backend.embeddingBackward(rows * e.steps(), e.vocabulary(), e.dims(), perSample, in, g, weightGradient);
  }

  @Override
  public List<B> parameters() {
    return List.of(weights);
  }

  @Override
  public List<B> gradients() {
    return weightGradient == null ? List.of() : List.of(weightGradient);
  }

  /** The weights, decayed (row 0 stays 0: its gradient is 0 and so is its decay). */
  @Override
  public void addParameters(ParameterTable<B> table) {
    table.add(e.vocabulary() * e.dims(), true, weights, weightGradient, true);
  }

  @Override
  public long floats() {
    return floats;
  }

  @Override
  public Layer current() {
    return LayerOps.current(backend, e, parameters());
  }
}
