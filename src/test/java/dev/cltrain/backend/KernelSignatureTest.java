package dev.cltrain.backend;

import dev.cltrain.opencl.OpenClKernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.ClProgram;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.testing.OpenClDevices;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps kernels/*.cl and {@link Kernels} in step: every kernel has a method of the same name in camelCase,
 * with the same parameter names in the same order (kernel argument names come from -cl-kernel-arg-info;
 * Java's from compiling with -parameters), and every method has its kernel. No method of Kernels does
 * more than one kernel, so there is no exception list. One rule of expansion: a Java parameter that is an
 * array or a list ({@code int[] count}, {@code List<B> dw} of the {@code *UpdateLayers} methods) stands for
 * the kernel's {@link Kernels#SEGMENTS} slot arguments {@code count0 … count7}, {@code dw0 … dw7}; and one
 * of naming: a record parameter stands for its components in order, a record component for its own
 * ({@link AdamConstants} {@code adam} for {@code beta1, beta2, epsilon}; {@link SmallNetOptimizer} for
 * {@code optimizer, momentum, beta1, beta2, epsilon}).
 */
class KernelSignatureTest {
  static List<ClDevice> devices() {
    return OpenClDevices.all();
  }

  static String camel(String snake) {
    StringBuilder s = new StringBuilder();
    boolean upper = false;
    for (char c : snake.toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        s.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return s.toString();
  }

  /** A record's kernel argument names: each component's name, or a record component's own components. */
  static Stream<String> components(Class<?> record) {
    return Arrays.stream(record.getRecordComponents())
        .flatMap(c -> c.getType().isRecord() ? components(c.getType()) : Stream.of(c.getName()));
  }

  /**
   * A parameter's kernel argument names: its own, name0 … name7 for an array or list (one per slot), or its
   * components' for a record.
   */
  static Stream<String> slotNames(Parameter p) {
    if (p.getType().isRecord()) {
      return components(p.getType());
    }
    if (p.getType().isArray() || List.class.isAssignableFrom(p.getType())) {
      return IntStream.range(0, Kernels.SEGMENTS).mapToObj(s -> p.getName() + s);
    }
    return Stream.of(p.getName());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void everyKernelMatchesItsKernelsMethodByNameAndParameters(ClDevice device) {
    Set<String> methodsSeen = new HashSet<>();
    try (OpenClKernels kernels = new OpenClKernels(device, KernelSource.classpath())) {
      for (String file : OpenClKernels.FILES) {
        ClProgram program = kernels.context().program(file, OpenClKernels.buildOptions(kernels.plan(), 64));
        List<String> names = program.kernelNames();
        assertTrue(!names.isEmpty(), file + " has kernels");
        for (String kernel : names) {
          Method method = Arrays.stream(Kernels.class.getDeclaredMethods())
              .filter(m -> m.getName().equals(camel(kernel))).findFirst()
              .orElseThrow(() -> new AssertionError(file + ": kernel " + kernel + " has no Kernels." + camel(kernel)));
          List<String> javaNames = Arrays.stream(method.getParameters()).flatMap(KernelSignatureTest::slotNames)
              .collect(Collectors.toList());
          List<String> clNames = program.kernel(kernel).argumentNames().stream().map(KernelSignatureTest::camel)
              .collect(Collectors.toList());
          assertEquals(clNames, javaNames, file + ": " + kernel + " parameters");
          methodsSeen.add(method.getName());
        }
      }
    }
    Set<String> declared = Arrays.stream(Kernels.class.getDeclaredMethods()).map(Method::getName)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(declared, new TreeSet<>(methodsSeen), "every Kernels method has a kernel");
  }
}
