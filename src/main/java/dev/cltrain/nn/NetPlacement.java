package dev.cltrain.nn;

import dev.cltrain.nn.NetSpec.Entry;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each {@code --net} item may stand, item by item as {@link NetSpec#parse} reads them: {@code flatten} once,
 * before the first dense item; an activation right after an item that takes one (softmax only on the output
 * layer); after an item that gives a sequence, only items that take one; each kind by its
 * {@link LayerKind.Place}; and at the end, a dense item as the output layer with no layer after it. Every refusal
 * is one line naming the item and its position.
 */
final class NetPlacement {
  private final List<Entry> items = new ArrayList<>();
  private boolean sawDense;
  private boolean sawFlatten;
  private NetItem sequence; // the last item that gives a sequence

  /** Places {@code flatten}. */
  void flatten(NetItem.Text t) {
    if (sawDense) {
      throw t.error("flatten comes before the first dense item");
    }
    if (sawFlatten) {
      throw t.error("flatten is given twice");
    }
    sawFlatten = true;
    items.add(new Entry(t, null, null));
  }

  /** Places an activation item: it applies to the item just before it. */
  void activation(NetItem.Text t, Activation a) {
    Entry prev = items.isEmpty() ? null : items.get(items.size() - 1);
    if (prev == null || prev.layer() == null || !prev.layer().takesActivation()) {
      throw t.error("an activation applies to the conv, bn or dense item just before it"
          + (prev == null ? ", and there is none"
              : prev.activation() != null ? " (item " + prev.text().position() + " already gives one)"
              : ", not to '" + prev.text().text() + "'"));
    }
    if (a == Activation.SOFTMAX && !prev.dense()) {
      throw t.error(NetSpec.softmaxOnlyOutput());
    }
    items.add(new Entry(t, null, a));
  }

  /** Places the item of a layer kind by the kind's {@link LayerKind.Place}. */
  void layer(NetItem.Text t, LayerKind kind, NetItem item) {
    if (sequence != null && !item.takesSequence()) {
      throw t.error(item.what() + " cannot follow '" + sequence.text().text() + "' (item "
          + sequence.text().position() + "): it gives a sequence, not an image");
    }
    sequence = item.givesSequence() ? item : sequence;
    switch (kind.place) {
      case STAGE -> placeStage(sawDense, sawFlatten, item);
      case DENSE -> sawDense = true;
      case BETWEEN -> placeBetween(sawDense, item);
      case STAGE_OR_BETWEEN -> {
        if (sawDense) {
          placeBetween(true, item);
        } else {
          placeStage(false, sawFlatten, item);
        }
      }
      default -> throw new IllegalStateException("no placement rule for " + kind.place);
    }
    items.add(new Entry(t, item, null));
  }

  /**
   * {@return the items placed, checked as a whole: the last dense item is the output layer, with no softmax before
   * it and no layer after it}
   */
  List<Entry> items() {
    int last = NetSpec.lastDense(items);
    if (last < 0) {
      throw items.get(items.size() - 1).text().error("a net ends with a dense item, the output layer (e.g. "
          + "...,dense:10)");
    }
    for (int i = 0; i < last; i++) {
      if (items.get(i).activation() == Activation.SOFTMAX) {
        throw items.get(i).text().error(NetSpec.softmaxOnlyOutput());
      }
    }
    for (int i = last + 1; i < items.size(); i++) {
      if (items.get(i).layer() != null) {
        throw items.get(i).text().error("the output layer (the last dense item) cannot have "
            + items.get(i).layer().what());
      }
    }
    return items;
  }

  private static void placeStage(boolean sawDense, boolean sawFlatten, NetItem item) {
    if (sawDense) {
      throw item.text().error(item.what() + " cannot follow a dense item (convolutions and pooling come before the "
          + "first dense)");
    }
    if (sawFlatten) {
      throw item.text().error(item.what() + " cannot follow flatten (flatten ends the convolution and pooling "
          + "stages)");
    }
  }

  /**
   * An item that may stand right after a dense layer: after it (or its activation) directly, or, for a
   * {@link LayerKind.Place#BETWEEN} item, after that layer's {@link LayerKind.Place#STAGE_OR_BETWEEN} item (bn, then
   * dropout); each at most once per dense layer.
   */
  private void placeBetween(boolean sawDense, NetItem item) {
    if (!sawDense) {
      return;
    }
    Entry prev = items.get(items.size() - 1);
    Entry owner = prev.activation() != null ? items.get(items.size() - 2) : prev;
    LayerKind kind = item.kind();
    if (owner.dense() || kind.place == LayerKind.Place.BETWEEN && owner.layer() != null
        && owner.layer().kind().place == LayerKind.Place.STAGE_OR_BETWEEN) {
      return;
    }
    if (owner.layer() != null && owner.layer().kind() == kind) {
      throw item.text().error("a dense layer takes one " + item.what() + " (item " + owner.text().position()
          + " is its " + item.what() + ")");
    }
    if (owner.layer() != null && owner.layer().kind().place == LayerKind.Place.BETWEEN) {
      throw item.text().error(item.what() + " after a dense layer comes before its " + owner.layer().what() + " (item "
          + owner.text().position() + ")");
    }
    throw item.text().error(item.what() + " after a dense layer follows it (or its activation) directly");
  }
}
