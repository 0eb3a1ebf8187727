package dev.cltrain.nn;

import dev.cltrain.core.InputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The items a kind holds in its parentheses, {@code name(ITEMS)} (a residual block's): conv, pooling and bn
 * items and the activation items after conv and bn items, as in a {@code --net}'s stages; no dense item, no flatten and
 * no rule about the end. An error names the outer item and the inner one, e.g. {@code --net: item 2
 * 'residual(conv:8:3,dense:4)': inside it, item 2 'dense:4': ...}.
 */
final class NetGroup {
  private final NetItem.Text outer;
  private final List<NetSpec.Entry> items;

  private NetGroup(NetItem.Text outer, List<NetSpec.Entry> items) {
    this.outer = outer;
    this.items = List.copyOf(items);
  }

  /**
   * @param outer   the item holding the group ({@link NetItem.Text#group()} not null)
   * @param allowed the kinds that may stand inside
   * @param what    what the outer item is called in messages, e.g. "a residual block"
   * @return the parsed items
   * @throws InputException naming the outer item (and the inner one): an empty group, an unknown item, a kind
   *     not allowed inside, a misplaced activation
   */
  static NetGroup parse(NetItem.Text outer, java.util.function.Predicate<LayerKind> allowed, String what) {
    if (outer.group() == null || outer.group().isBlank()) {
      throw outer.error(what + " needs items inside its parentheses, e.g. " + outer.name()
          + "(conv:16:3,relu,conv:16:3)");
    }
    return inside(outer, () -> {
      List<NetSpec.Entry> items = new ArrayList<>();
      for (NetItem.Text t : NetSpec.split(outer.group())) {
        NetSpec.Entry prev = items.isEmpty() ? null : items.get(items.size() - 1);
        if (t.text().isEmpty()) {
          throw t.error("an empty item (two commas in a row, or a comma at an end)");
        }
        if (NetSpec.isActivation(t.name())) {
          t.arity(0, 0, "an activation takes no arguments");
          Activation a = NetSpec.activationNamed(t.name());
          if (prev == null || prev.layer() == null || !prev.layer().takesActivation() || a == Activation.SOFTMAX) {
            throw a == Activation.SOFTMAX ? t.error(NetSpec.softmaxOnlyOutput())
                : t.error("an activation applies to the conv or bn item just before it");
          }
          items.add(new NetSpec.Entry(t, null, a));
          continue;
        }
        LayerKind kind = LayerKind.forId(t.name());
        if (kind == null || !allowed.test(kind)) {
          throw t.error(kind == null && !t.name().equals("flatten") ? "unknown item (the items are " + NetSpec.grammar()
              + ")" : "'" + t.name() + "' cannot stand inside " + what + " (conv, pooling and bn items and "
              + "the activations after conv and bn items)");
        }
        items.add(new NetSpec.Entry(t, kind.item(t), null));
      }
      return new NetGroup(outer, items);
    });
  }

  /** Runs {@code work}; an error of an inner item becomes one naming the outer item too. */
  private static <T> T inside(NetItem.Text outer, java.util.function.Supplier<T> work) {
    try {
      return work.get();
    } catch (InputException e) { // the inner item's message less its option prefix (NetItem.Text#error)
      String m = e.getMessage();
      throw outer.error("inside it, " + m.substring(m.indexOf(": ") + 2));
    }
  }

  /**
   * @param at the shape the group's items take
   * @return the shape its last item gives
   * @throws InputException naming the outer and the inner item where one does not fit
   */
  Shape check(Shape at) {
    return inside(outer, () -> {
      Shape shape = at;
      for (NetSpec.Entry e : items) {
        shape = e.layer() == null ? shape : e.layer().check(shape);
      }
      return shape;
    });
  }

  /**
   * @param at     the shape the group's items take (after {@link #check} passed there)
   * @param init   how weights are drawn
   * @param random the generator, drawn from item by item
   * @return the items' layers, each with the activation item after it (identity when none)
   */
  List<Layer> build(Shape at, Init init, NumpyRandom random) {
    List<Layer> layers = new ArrayList<>();
    Shape shape = at;
    for (int i = 0; i < items.size(); i++) {
      NetItem item = items.get(i).layer();
      if (item != null) {
        Layer layer = item.build(shape, false, NetSpec.activationAfter(items, i), init, random);
        layers.add(layer);
        shape = layer.output();
      }
    }
    return layers;
  }
}

