package dev.cltrain.testing;

import dev.cltrain.Device;
import dev.cltrain.Devices;
import java.util.ArrayList;
import java.util.List;

/**
 * The backends the conformance suite runs on, typed on the kernel contract ({@link Device}, whose
 * {@link Device#openBackend} gives the {@code Kernels}): the Java reference, then every OpenCL device present
 * ({@link OpenClDevices#all()}: with CI=true, finding none is a failure). A new backend inherits every test that
 * takes its devices from here by adding itself to this one list.
 */
public final class Backends {
  private Backends() {}

  /** {@return the Java reference, then each OpenCL device in platform order, for {@code @MethodSource}} */
  public static List<Device> all() {
    List<Device> all = new ArrayList<>();
    all.add(Devices.reference());
    all.addAll(openCl());
    return List.copyOf(all);
  }

  /**
   * The devices other than the reference, for tests that compare a device with the reference (comparing the
   * reference with itself would check nothing). Empty when no OpenCL device is present outside CI.
   *
   * @return every OpenCL device, as {@link Device}s
   */
  public static List<Device> others() {
    return openCl();
  }

  private static List<Device> openCl() {
    if (Devices.openCl().isEmpty() && OpenClDevices.ci()) {
      OpenClDevices.all(); // fails with the reason
    }
    return Devices.openCl();
  }
}
