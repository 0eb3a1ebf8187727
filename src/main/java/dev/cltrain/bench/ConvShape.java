package dev.cltrain.bench;

import dev.cltrain.core.InputException;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One convolution layer to time ({@code bench --conv}): {@code rows} samples of height × width × channels,
 * {@code filters} kernels of kernel × kernel, stride and padding as {@link Conv} (same padding unless valid).
 * Its geometry (output size, padding) is {@link Conv}'s own, so the bench runs exactly what training runs.
 *
 * @param rows     samples in the batch
 * @param input    the input's shape, HWC
 * @param filters  output channels
 * @param kernel   the kernel's side k
 * @param stride   s
 * @param same     same padding (true) or valid (false)
 */
public record ConvShape(int rows, Shape input, int filters, int kernel, int stride, boolean same) {
  private static final Pattern SPEC = Pattern.compile(
      "(\\d{1,6}):(\\d{1,5})x(\\d{1,5})x(\\d{1,5}):(\\d{1,5}):(\\d{1,3})(?::s(\\d{1,3}))?(:valid)?");
  /** Elements of the largest buffer a shape may have (1 GiB of float32), as --gemm's shapes. */
  private static final long MAX_ELEMENTS = 1L << 28;

  /** The default shapes: the Fashion-MNIST CNN recipe's two convolutions at batch 128, and a larger one. */
  public static final String DEFAULTS = "128:28x28x1:32:3,128:14x14x32:64:3,128:7x7x64:128:3";

  /** @return "N:HxWxC:F:K[:sS][:valid]", as parsed */
  public String label() {
    return rows + ":" + input.height() + "x" + input.width() + "x" + input.channels() + ":" + filters + ":" + kernel
        + (stride != 1 ? ":s" + stride : "") + (same ? "" : ":valid");
  }

  /**
   * The layer's geometry as training computes it: a {@link Conv} of the same height, width, kernel, stride and
   * padding, with one channel and one filter (output size and padding depend on neither; its weights stay small).
   *
   * @return a convolution whose outHeight, outWidth, padTop and padLeft are this shape's
   */
  public Conv geometry() {
    return new Conv(new Shape(input.height(), input.width(), 1), 1, kernel, stride, same, Activation.RELU,
        new float[kernel * kernel], new float[1]);
  }

  /** @return k·k·C, the patch length: the matmul's shared dimension */
  public int patch() {
    return kernel * kernel * input.channels();
  }

  /** @return output pixels of the whole batch, rows·outH·outW: the matmul's m */
  public long pixels() {
    Conv c = geometry();
    return (long) rows * c.outHeight() * c.outWidth();
  }

  /** @return the forward pass's FLOPs, 2·N·outH·outW·k·k·C·F (the patch matmul) */
  public long forwardFlops() {
    return FlopCount.gemmFlops(pixels(), filters, patch());
  }

  /** @return the backward pass's FLOPs, twice the forward's: the dW product and the dX product */
  public long backwardFlops() {
    return 2 * forwardFlops();
  }

  /**
   * Parses "N:HxWxC:F:K[:sS][:valid],..." for {@code --conv-shapes}.
   *
   * @param spec comma-separated shapes
   * @return the shapes, in the order given
   * @throws InputException if a shape is malformed, has a zero size, a valid kernel larger than the input,
   *     or a buffer of more than 2²⁸ floats
   */
  public static List<ConvShape> parseList(String spec) {
    List<ConvShape> shapes = new ArrayList<>();
    for (String part : spec.split(",", -1)) {
      Matcher m = SPEC.matcher(part.strip().toLowerCase(Locale.ROOT));
      String where = spec + ": '" + part + "'"; // after the parameter's name, convShapes
      if (!m.matches()) {
        throw InputException.parameter("convShapes", where + " is not N:HxWxC:F:K[:sS][:valid], e.g. 128:28x28x1:16:3");
      }
      int[] v = new int[6];
      for (int i = 0; i < 6; i++) {
        v[i] = Integer.parseInt(m.group(i + 1));
        if (v[i] == 0) {
          throw InputException.parameter("convShapes", where + " has a zero size");
        }
      }
      int stride = m.group(7) == null ? 1 : Integer.parseInt(m.group(7));
      if (stride == 0) {
        throw InputException.parameter("convShapes", where + " has stride 0");
      }
      boolean same = m.group(8) == null;
      if (!same && (v[5] > v[1] || v[5] > v[2])) {
        throw InputException.parameter("convShapes", where + ": a " + v[5] + "x" + v[5] + " kernel does not fit the input without padding");
      }
      long patch = (long) v[5] * v[5] * v[3];
      if ((long) v[0] * v[1] * v[2] * v[3] > MAX_ELEMENTS || patch > MAX_ELEMENTS || patch * v[4] > MAX_ELEMENTS) {
        throw InputException.parameter("convShapes", where + " has a buffer of more than " + MAX_ELEMENTS + " floats");
      }
      ConvShape shape = new ConvShape(v[0], new Shape(v[1], v[2], v[3]), v[4], v[5], stride, same);
      if (Math.max(shape.pixels() * patch, shape.pixels() * v[4]) > MAX_ELEMENTS) {
        throw InputException.parameter("convShapes", where + " has a buffer of more than " + MAX_ELEMENTS + " floats");
      }
      shapes.add(shape);
    }
    return shapes;
  }
}
