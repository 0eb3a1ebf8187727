package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Residual;
import java.util.ArrayList;
import java.util.List;

/**
 * A residual block's op: the inner layers' ops and the projection's (a {@link ConvOp}), made by their kinds'
 * rows of {@link LayerOps}.
 * <pre>
 * forward   h = inner ops in turn on x;  s = x, or projection(x), or its norm's;  out = f(h + s)   residual_add
 * backward  g ⊙= f'(out), copied to g_h                                                 residual_delta
 *           the projection's norm backward from g (its input gradient to g_p, g left as it is: no activation)
 *           projection backward from g or g_p (its input gradient to g_s; a conv without activation leaves it)
 *           inner ops backward from g_h, the first's input gradient to g_x
 *           g_in = g_x + g_s   (inner branch first, then shortcut; g_s = g for the identity)  residual_add
 * </pre>
 * With no input gradient wanted (the block is the first layer with parameters), the inner ops go back only as
 * far as the first one with parameters, and the projection computes only its own gradients.
 *
 * <p>Parameters, in the table and in {@link Residual#parameters()}'s order: the inner ops' in order, then the
 * projection's, then its norm's. State: the inner ops' in order, then the projection's norm's.
 */
final class ResidualOp<B> implements LayerOp<B> {
  private final Backend<B, ?> backend;
  private final Residual r;
  private final List<LayerOp<B>> inner = new ArrayList<>();
  private final LayerOp<B> projection;
  /** The projection's batch norm, or null. */
  private final LayerOp<B> projectionNorm;
  /** Training, with a projection's batch norm: the gradient with respect to the projection's output. */
  private final B projectedGradient;
  /** What the projection gave in the last forward pass (its norm's input). */
  private B projected;
  /** Per inner op but the last, training only: the gradient with respect to its output. */
  private final List<B> grads = new ArrayList<>();
  /** What each inner op read in the last forward pass. */
  private final List<B> inputs = new ArrayList<>();
  private final B out;
  /** Training only: the sum's gradient for the inner branch; the inner branch's input gradient; the shortcut's. */
  private final B innerGradient;
  private final B innerInputGradient;
  private final B shortcutInputGradient;
  private final int firstTrained;
  private final long floats;

  ResidualOp(LayerOps.Context<B, ?> context, Residual r) {
    this.backend = context.backend();
    this.r = r;
    int capacity = context.capacity();
    boolean training = context.training();
    int first = -1;
    for (Layer layer : r.layers()) {
      LayerOp<B> op = LayerOps.make(context, layer, -1);
      first = first < 0 && !op.parameters().isEmpty() ? inner.size() : first;
      inner.add(op);
    }
    this.firstTrained = first < 0 ? inner.size() : first; // none: the inner branch needs no backward pass then
    this.projection = r.projection() == null ? null : LayerOps.make(context, r.projection(), -1);
    this.projectionNorm = r.projectionNorm() == null ? null : LayerOps.make(context, r.projectionNorm(), -1);
    this.projectedGradient = training && projectionNorm != null ? backend.allocate(capacity * r.output().size())
        : null;
    for (int i = 0; i + 1 < r.layers().size(); i++) {
      grads.add(training ? backend.allocate(capacity * r.layers().get(i).output().size()) : null);
    }
    this.out = backend.allocate(capacity * r.output().size());
    this.innerGradient = training ? backend.allocate(capacity * r.output().size()) : null;
    this.innerInputGradient = training ? backend.allocate(capacity * r.input().size()) : null;
    this.shortcutInputGradient = training && projection != null ? backend.allocate(capacity * r.input().size())
        : null;
    this.floats = floats(r, capacity, training);
  }

  /**
   * {@return floats the op of {@code r} allocates: its inner ops' and its projection's (their kinds' rows), the
   * output and, training, the gradients between inner ops, the inner branch's output and input gradients and
   * the projection's input gradient}
   */
  static long floats(Residual r, long capacity, boolean training) {
    long floats = capacity * r.output().size();
    for (Layer layer : r.layers()) {
      floats += LayerOps.floats(layer, capacity, training);
    }
    if (r.projection() != null) {
      floats += LayerOps.floats(r.projection(), capacity, training);
    }
    if (r.projectionNorm() != null) {
      floats += LayerOps.floats(r.projectionNorm(), capacity, training) + (training ? capacity * r.output().size() : 0);
    }
    if (training) {
      for (int i = 0; i + 1 < r.layers().size(); i++) {
        floats += capacity * r.layers().get(i).output().size();
      }
      floats += capacity * r.output().size() + capacity * r.input().size();
      floats += r.projection() != null ? capacity * r.input().size() : 0;
    }
    return floats;
  }

  @Override
  public B forward(B in, int rows, long step) {
    B h = in;
    inputs.clear();
    for (LayerOp<B> op : inner) {
      inputs.add(h);
      h = op.forward(h, rows, step);
    }
    B shortcut = projection == null ? in : projection.forward(in, rows, step);
    if (projectionNorm != null) {
      projected = shortcut;
      shortcut = projectionNorm.forward(projected, rows, step);
    }
    backend.residualAdd(rows * r.output().size(), r.activation().code, h, shortcut, out);
    return out;
  }

  @Override
  public void backward(int rows, long step, float perSample, B in, B g, B gIn) {
    backend.residualDelta(rows * r.output().size(), r.activation().code, out, g, innerGradient);
    if (projectionNorm != null) { // the norm's input gradient, always: the projection's weights need it
      projectionNorm.backward(rows, step, perSample, projected, g, projectedGradient);
    }
    if (projection != null) {
      projection.backward(rows, step, perSample, in, projectionNorm == null ? g : projectedGradient,
          gIn == null ? null : shortcutInputGradient);
    }
    int last = inner.size() - 1;
    int stop = gIn == null ? firstTrained : 0;
    for (int i = last; i >= stop; i--) {
      B gOut = i == last ? innerGradient : grads.get(i);
      B gInner = i > stop ? grads.get(i - 1) : gIn == null ? null : innerInputGradient;
      inner.get(i).backward(rows, step, perSample, inputs.get(i), gOut, gInner);
    }
    if (gIn != null) {
      backend.residualAdd(rows * r.input().size(), 0, innerInputGradient,
          projection == null ? g : shortcutInputGradient, gIn);
    }
  }

  @Override
  public List<B> parameters() {
    List<B> all = new ArrayList<>();
    inner.forEach(op -> all.addAll(op.parameters()));
    if (projection != null) {
      all.addAll(projection.parameters());
    }
    if (projectionNorm != null) {
      all.addAll(projectionNorm.parameters());
    }
    return all;
  }

  @Override
  public List<B> gradients() {
    List<B> all = new ArrayList<>();
    inner.forEach(op -> all.addAll(op.gradients()));
    if (projection != null) {
      all.addAll(projection.gradients());
    }
    if (projectionNorm != null) {
      all.addAll(projectionNorm.gradients());
    }
    return all;
  }

  @Override
  public void addParameters(ParameterTable<B> table) {
    inner.forEach(op -> op.addParameters(table));
    if (projection != null) {
      projection.addParameters(table);
    }
    if (projectionNorm != null) {
      projectionNorm.addParameters(table);
    }
  }

  @Override
  public long floats() {
    return floats;
  }

  /** @return the inner ops' state buffers in order, then the projection's norm's ({@link Residual#state()}'s) */
  @Override
  public List<B> state() {
    List<B> all = new ArrayList<>();
    inner.forEach(op -> all.addAll(op.state()));
    if (projectionNorm != null) {
      all.addAll(projectionNorm.state());
    }
    return all;
  }

  @Override
  public Layer current() {
    return LayerOps.current(backend, r, this);
  }
}
