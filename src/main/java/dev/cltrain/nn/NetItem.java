package dev.cltrain.nn;

import dev.cltrain.core.InputException;
import dev.cltrain.core.Wording;
import java.util.List;

/**
 * One {@code --net} item of a layer kind, as its {@link LayerKind} row's parser ({@link LayerKind#item}) read it
 * from the item's {@link Text}: the shape it gives from the shape before it ({@link #check}, which draws nothing)
 * and its layer ({@link #build}). {@link NetSpec} holds the generic grammar around it: the items' order, where a
 * kind may stand ({@link LayerKind#place}), the activation items and the output layer.
 */
interface NetItem {
  /**
   * One item's text as the grammar split it: {@code name[(GROUP)][:arg]*}.
   *
   * @param position its 1-based position in the {@code --net}
   * @param text     the item, stripped, as given
   * @param name     the part before the first {@code :} or {@code (}: the kind's id
   * @param group    what a pair of parentheses after the name holds (a kind's own item list), or null for none
   * @param args     the {@code :}-separated arguments after the name (and group)
   */
  record Text(int position, String text, String name, String group, List<String> args) {
    /** @return an error of one line naming this item and its position, e.g. "net: item 3 'maxpool:40': ..." */
    InputException error(String message) {
      return error(Wording.of(message));
    }

    /** @return an error of one line naming this item and its position, its message naming other parameters */
    InputException error(Wording message) {
      return InputException.parameter("net", Wording.of(": item ", position, " '", text, "': ", message));
    }

    /**
     * Refuses a group and any argument count outside {@code [min, max]}.
     *
     * @param usage the item's form, e.g. "expected dense:N, e.g. dense:128"
     * @throws InputException with {@code usage} (or "NAME takes no arguments" when {@code max} is 0)
     */
    void arity(int min, int max, String usage) {
      if (group != null || args.size() < min || args.size() > max) {
        throw error(usage);
      }
    }

    /**
     * @param index which argument, from 0
     * @param what  its name for the message, e.g. "FILTERS"
     * @return it as a positive integer of at most 7 digits
     */
    int count(int index, String what) {
      String arg = args.get(index);
      if (!arg.matches("\\d{1,7}") || Integer.parseInt(arg) == 0) {
        throw error(what + " '" + arg + "' is not a positive integer (at most 7 digits)");
      }
      return Integer.parseInt(arg);
    }
  }

  /** @return the item's text, for its errors */
  Text text();

  /** @return its kind's row: where it may stand ({@link LayerKind#place}) */
  LayerKind kind();

  /** @return what messages call it, e.g. "a convolution", "pooling", "dropout" */
  String what();

  /** @return whether an activation item may follow it (the activation of its layer) */
  default boolean takesActivation() {
    return false;
  }

  /** @return the activation the item itself gives its layer (resblock's relu), or null: the next item's, if any */
  default Activation ownActivation() {
    return null;
  }

  /** @return whether it needs the input's image shape (a 1 × 1 × n row does not do) */
  default boolean needsImage() {
    return false;
  }

  /** @return whether it gives a sequence (T×1×F: a recurrent layer, an embedding), which no image item may follow */
  default boolean givesSequence() {
    return false;
  }

  /** @return whether it may follow an item that gives a sequence: any that needs no image, and recurrent layers, gap */
  default boolean takesSequence() {
    return !needsImage();
  }

  /**
   * Checks that the item fits, without drawing anything.
   *
   * @param at the shape the items before it give
   * @return the shape it gives
   * @throws InputException naming the item ({@link Text#error})
   */
  Shape check(Shape at);

  /**
   * Its layer, after {@link #check} passed at the same shape.
   *
   * @param at         the shape the items before it give
   * @param afterDense whether a dense layer comes before it
   * @param activation its activation (the item after it, the loss's for the output layer, else identity)
   * @param init       how weights are drawn
   * @param random     the generator to draw from, in layer order
   * @return the layer, or null for none (dropout:0 after a dense layer)
   */
  Layer build(Shape at, boolean afterDense, Activation activation, Init init, NumpyRandom random);
}
