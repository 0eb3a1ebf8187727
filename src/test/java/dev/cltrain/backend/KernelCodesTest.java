package dev.cltrain.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.opencl.KernelSource;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The codes the kernels switch on are the Java enums' and registries': prelude.cl's {@code #define ACT_NAME code}
 * lines name every {@link Activation} with its {@link Activation#code}, and nothing else; small_net.cl's
 * {@code #define OPT_ID code} lines every {@link Optimizer.Kind} with its {@link Optimizer.Kind#code}. A constant
 * added in Java without its kernel name, a code changed on one side, or a define left over fails here. Each code
 * must also be handled: activate() and slope() have a {@code case ACT_NAME} for every activation but softmax
 * (which has its own kernel), and small_net.cl's update_one names every rule. Reads the packaged sources, no
 * device needed.
 */
class KernelCodesTest {
  private static final Pattern DEFINE = Pattern.compile("(?m)^#define (ACT|OPT)_(\\w+) \\(?(-?\\d+)\\)?\\s*$");

  /** {@return NAME → code of each {@code #define PREFIX_NAME code} in {@code source}} */
  static Map<String, Integer> defines(String source, String prefix) {
    Map<String, Integer> found = new TreeMap<>();
    Matcher m = DEFINE.matcher(source);
    while (m.find()) {
      if (m.group(1).equals(prefix)) {
        Integer before = found.put(m.group(2), Integer.parseInt(m.group(3)));
        assertEquals(null, before, prefix + "_" + m.group(2) + " defined twice");
      }
    }
    return found;
  }

  /** {@return the text of the C function {@code name} in {@code source}: its signature to its closing brace} */
  static String function(String source, String name) {
    int start = source.indexOf("inline " + (name.equals("update_one") ? "void" : "float") + " " + name + "(");
    assertTrue(start >= 0, name + " found");
    int end = source.indexOf("\n}\n", start);
    assertTrue(end > start, name + " ends");
    return source.substring(start, end);
  }

  /** The activation codes: Java's, and prelude.cl's as defined. */
  static Map<String, Integer> activationCodes() {
    return Arrays.stream(Activation.values())
        .collect(Collectors.toMap(Activation::name, a -> a.code, (a, b) -> a, TreeMap::new));
  }

  /** The optimizer codes: Java's kinds, by id in upper case. */
  static Map<String, Integer> optimizerCodes() {
    return Optimizer.kinds().stream()
        .collect(Collectors.toMap(k -> k.id.toUpperCase(Locale.ROOT), k -> k.code, (a, b) -> a, TreeMap::new));
  }

  @Test
  void preludeDefinesEveryActivationCodeAsJavaHasIt() {
    String prelude = KernelSource.classpath().load("prelude.cl");
    assertEquals(activationCodes(), defines(prelude, "ACT"), "prelude.cl's ACT_ defines against Activation.code");
    for (Activation a : Activation.values()) {
      if (a != Activation.SOFTMAX) {
        for (String f : new String[] {"activate", "slope"}) {
          assertTrue(function(prelude, f).contains("case ACT_" + a.name() + ":"),
              "prelude.cl's " + f + "() has a case for " + a.name());
        }
      }
    }
  }

  @Test
  void smallNetDefinesEveryOptimizerCodeAsJavaHasIt() {
    String smallNet = KernelSource.classpath().load("small_net.cl");
    assertEquals(optimizerCodes(), defines(smallNet, "OPT"),
        "small_net.cl's OPT_ defines against Optimizer.Kind.code");
    String updateOne = function(smallNet, "update_one");
    for (String rule : optimizerCodes().keySet()) {
      assertTrue(updateOne.contains("OPT_" + rule), "small_net.cl's update_one handles OPT_" + rule);
    }
  }

  @Test
  void everyOptimizerHasItsUpdateKernels() {
    String update = KernelSource.classpath().load("update.cl");
    for (Optimizer.Kind k : Optimizer.kinds()) {
      for (String kernel : new String[] {k.id + "_update(", k.id + "_update_layers("}) {
        assertTrue(update.contains("__kernel void " + kernel), "update.cl has " + kernel + ")");
      }
    }
  }

  @Test
  void theCodesAreDistinct() {
    assertEquals(activationCodes().size(), Set.copyOf(activationCodes().values()).size(), "activation codes distinct");
    assertEquals(optimizerCodes().size(), Set.copyOf(optimizerCodes().values()).size(), "optimizer codes distinct");
  }
}
