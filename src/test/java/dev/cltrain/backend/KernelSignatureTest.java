package dev.cltrain.backend;

import dev.cltrain.opencl.OpenClKernels;
import dev.cltrain.opencl.ProgramOptions;

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
 * {@code optimizer, momentum, beta1, beta2, epsilon}). The launch primitive {@link Kernels#launch} is no kernel.
 *
 * <p>A plain kernel's default method states its launch once: {@link #everyDefaultMethodLaunchesItsKernelWithItsParametersInOrder}
 * calls each with distinct arguments and checks the kernel name and the argument order it hands to
 * {@link Kernels#launch} (the parameters' order, which the test above ties to the .cl file's), on no device;
 * {@link #theReferenceOverridesEveryKernelWithItsTwin} checks that no method reaches the reference's launch.
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

  /**
   * {@return every method of Kernels that stands for a kernel, its families' ({@link Kernels#kernelMethods}): all
   * but the launch primitive and the static helpers that size ranges (normBlocks), which no backend overrides}
   */
  static Stream<Method> kernelMethods() {
    return Kernels.kernelMethods().stream();
  }

  /** snake_case of a camelCase method name: the kernel's name. */
  static String snake(String camel) {
    return camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
  }

  /** The value a test passes for parameter number {@code index} of type {@code type}: each one distinct. */
  private static Object distinct(Class<?> type, int index) {
    if (type == int.class) {
      return 1000 + index;
    }
    if (type == float.class) {
      return 0.5f + index;
    }
    if (type == AdamConstants.class) {
      return new AdamConstants(1f / (index + 3), 1f / (index + 7), 1f / (index + 11)); // each in (0, 1), unlike the others
    }
    return "buffer " + index; // B and I erase to Object
  }

  /** The arguments a launch must receive for {@code values}: each value, a record as its components. */
  private static Stream<Object> expanded(Object value) {
    if (value instanceof AdamConstants adam) {
      return Stream.of(adam.beta1(), adam.beta2(), adam.epsilon());
    }
    return Stream.of(value);
  }

  @org.junit.jupiter.api.Test
  void everyDefaultMethodLaunchesItsKernelWithItsParametersInOrder() throws Throwable {
    List<Method> plain = kernelMethods().filter(Method::isDefault).collect(Collectors.toList());
    assertTrue(plain.size() >= 25, "the plain kernels are default methods: " + plain.size());
    for (Method method : plain) {
      List<Object> launched = new java.util.ArrayList<>();
      @SuppressWarnings("unchecked")
      Kernels<Object, Object> recorder = (Kernels<Object, Object>) java.lang.reflect.Proxy.newProxyInstance(
          Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class}, (proxy, m, args) -> {
            if (m.isDefault()) {
              return java.lang.reflect.InvocationHandler.invokeDefault(proxy, m, args);
            }
            assertEquals(Kernels.LAUNCH, m.getName(), method.getName() + " calls only the launch primitive");
            launched.add(args[0]);
            launched.add(args[1]);
            launched.addAll(Arrays.asList((Object[]) args[2]));
            return null;
          });
      Parameter[] parameters = method.getParameters();
      Object[] values = new Object[parameters.length];
      for (int i = 0; i < values.length; i++) {
        values[i] = distinct(parameters[i].getType(), i);
      }
      method.invoke(recorder, values);
      assertTrue(launched.size() >= 2, method.getName() + " launches");
      assertEquals(snake(method.getName()), launched.get(0), method.getName() + ": the kernel launched");
      assertTrue(launched.get(1) instanceof Range, method.getName() + ": a range");
      List<Object> expected = Arrays.stream(values).flatMap(KernelSignatureTest::expanded).collect(Collectors.toList());
      assertEquals(expected, launched.subList(2, launched.size()), method.getName() + ": the arguments, in order");
    }
  }

  @org.junit.jupiter.api.Test
  void theReferenceOverridesEveryKernelWithItsTwin() {
    List<String> missing = kernelMethods()
        .filter(m -> {
          try {
            return dev.cltrain.reference.ReferenceKernels.class.getMethod(m.getName(), m.getParameterTypes())
                .getDeclaringClass().isInterface();
          } catch (NoSuchMethodException e) {
            return true;
          }
        })
        .map(Method::getName).sorted().collect(Collectors.toList());
    assertEquals(List.of(), missing, "Kernels methods the reference has no twin of (they would reach launch)");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void everyKernelMatchesItsKernelsMethodByNameAndParameters(ClDevice device) {
    Set<String> methodsSeen = new HashSet<>();
    try (OpenClKernels kernels = new OpenClKernels(device, KernelSource.classpath())) {
      for (String file : OpenClKernels.FILES) {
        ClProgram program = kernels.context().program(file, ProgramOptions.buildOptions(kernels.plan(), 64));
        List<String> names = program.kernelNames();
        assertTrue(!names.isEmpty(), file + " has kernels");
        for (String kernel : names) {
          Method method = kernelMethods()
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
    Set<String> declared = kernelMethods().map(Method::getName)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(declared, new TreeSet<>(methodsSeen), "every Kernels method has a kernel");
  }
}
