package dev.cltrain.core;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A message or a hint that names library parameters: read as Java names them ({@link #toString()}: "try a smaller
 * batchSize"), or with each parameter called otherwise, e.g. by a command's option ({@link #named}: "try a smaller
 * --batch-size"). The parameters are marked where they stand, so nothing is found again by searching the text.
 */
public final class Wording implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Text and parameter names, alternating: even indices are text, odd indices are parameters' Java names. */
  private final List<String> parts;

  private Wording(ArrayList<String> parts) {
    this.parts = parts;
  }

  /** A parameter's Java name inside a wording, e.g. {@code param("batchSize")}. */
  public record Param(String name) {
    public Param {
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * @param name a library parameter's Java name, e.g. "batchSize"
   * @return the mark for it, to place among the parts of {@link #of}
   */
  public static Param param(String name) {
    return new Param(name);
  }

  /**
   * @param parts text (any object, by its {@code String.valueOf}), {@link Param}s, and other wordings (inlined)
   * @return the wording of the parts in order
   */
  public static Wording of(Object... parts) {
    ArrayList<String> out = new ArrayList<>();
    out.add("");
    for (Object part : parts) {
      if (part instanceof Param p) {
        out.add(p.name());
        out.add("");
      } else if (part instanceof Wording w) {
        for (int i = 0; i < w.parts.size(); i++) {
          if (i % 2 == 0) {
            out.set(out.size() - 1, out.get(out.size() - 1) + w.parts.get(i));
          } else {
            out.add(w.parts.get(i));
            out.add("");
          }
        }
      } else {
        out.set(out.size() - 1, out.get(out.size() - 1) + part);
      }
    }
    return new Wording(out);
  }

  /** {@return the parameters named, in order, as Java names them} */
  public List<String> parameters() {
    List<String> names = new ArrayList<>();
    for (int i = 1; i < parts.size(); i += 2) {
      names.add(parts.get(i));
    }
    return names;
  }

  /**
   * @param call what to call a parameter, given its Java name; null keeps the Java name
   * @return the text with each parameter called so
   */
  public String named(Function<String, String> call) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      String called = i % 2 == 1 ? call.apply(parts.get(i)) : null;
      s.append(called == null ? parts.get(i) : called);
    }
    return s.toString();
  }

  /** {@return the text with the parameters named as Java names them} */
  @Override
  public String toString() {
    return String.join("", parts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Wording w && w.parts.equals(parts);
  }

  @Override
  public int hashCode() {
    return parts.hashCode();
  }
}
