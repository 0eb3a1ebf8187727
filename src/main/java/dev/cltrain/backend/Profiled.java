package dev.cltrain.backend;

import dev.cltrain.core.KernelTime;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Profiling for the reference: wraps a synchronous backend so that every {@link Kernels} call is timed with
 * System.nanoTime, named as its OpenCL kernel (matmulTransposeA → matmul_transpose_a). OpenCL backends use
 * profiling events instead, because their calls only enqueue.
 */
public final class Profiled implements InvocationHandler {
  private static final Set<String> KERNELS = kernelMethods();
  private final Backend<?, ?> target;
  private final Map<String, long[]> totals = new LinkedHashMap<>();

  private Profiled(Backend<?, ?> target) {
    this.target = target;
  }

  /**
   * {@code backend} with every kernel call timed; {@link Backend#takeProfile()} returns and clears the totals.
   *
   * @param <B> the backend's float buffer
   * @param <I> the backend's int buffer
   * @param backend a synchronous backend (each kernel call has finished when it returns), e.g. the reference
   * @return a proxy that forwards every call to {@code backend} and rethrows what it throws
   */
  @SuppressWarnings("unchecked")
  public static <B, I> Backend<B, I> wrap(Backend<B, I> backend) {
    return (Backend<B, I>) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
        new Profiled(backend));
  }

  private static Set<String> kernelMethods() {
    Set<String> names = new java.util.HashSet<>();
    for (Method m : Kernels.kernelMethods()) { // not launch: the primitive under the plain kernels', timed as theirs
      names.add(m.getName());
    }
    return names;
  }

  /** camelCase → snake_case, the kernel's name in kernels/*.cl. */
  static String kernelName(String method) {
    StringBuilder s = new StringBuilder();
    for (char c : method.toCharArray()) {
      if (Character.isUpperCase(c)) {
        s.append('_').append(Character.toLowerCase(c));
      } else {
        s.append(c);
      }
    }
    return s.toString();
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getName().equals("takeProfile") && method.getParameterCount() == 0) {
      List<KernelTime> times = new ArrayList<>();
      totals.forEach((k, t) -> times.add(new KernelTime(k, (int) t[0], t[1])));
      totals.clear();
      return times;
    }
    boolean kernel = KERNELS.contains(method.getName());
    long start = kernel ? System.nanoTime() : 0;
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    } finally {
      if (kernel) {
        long[] t = totals.computeIfAbsent(kernelName(method.getName()), k -> new long[2]);
        t[0]++;
        t[1] += System.nanoTime() - start;
      }
    }
  }
}
