package dev.cltrain.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cltrain.core.InputException;
import org.junit.jupiter.api.Test;

/** {@link Augment}'s grammar: items in any order, one spec; bad items refused naming the item and "augment". */
class AugmentTest {
  @Test
  void itemsParseInAnyOrderToOneSpec() {
    assertEquals(new Augment(true, 2, 9), Augment.parse("crop:2,flip", 9));
    assertEquals("flip,crop:2", Augment.parse(" crop:2 , flip", 9).spec());
    assertEquals("flip", Augment.parse("flip", 0).spec());
    assertEquals("crop:65535", Augment.parse("crop:65535", 0).spec());
  }

  @Test
  void badItemsAreRefusedNamingTheItemAsTheParameterAugment() {
    for (String[] c : new String[][] {{"crop:-1", "item 'crop:-1'"}, {"crop:x", "item 'crop:x'"},
        {"flip:3", "item 'flip:3' takes no value"}, {"blur", "item 'blur' is not an item"},
        {"crop:1,crop:2", "item 'crop:2' is given twice"}, {"crop:65536", "item 'crop:65536'"}, {"", "item ''"}}) {
      InputException e = assertThrows(InputException.class, () -> Augment.parse(c[0], 0), c[0]);
      assertEquals("augment", e.parameter(), c[0]);
      assertEquals(true, e.getMessage().startsWith("augment " + c[1]), e.getMessage());
    }
    InputException none = assertThrows(InputException.class, () -> new Augment(false, 0, 0));
    assertEquals("augment", none.parameter());
    InputException features = assertThrows(InputException.class, () -> new Augment(true, 0, 0).check(new Shape(1, 1, 7)));
    assertEquals("augment flip needs image-shaped input (IDX images, or a network whose input is an image shape), "
        + "but the rows are plain features", features.getMessage());
  }
}
