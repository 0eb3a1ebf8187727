package dev.cltrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.backend.Kernels;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** verify's table of kernel checks names every kernel of the contract, and nothing else: one list, kept in step. */
class DeviceCheckCoverageTest {
  @Test
  void everyKernelOfTheContractIsCheckedByVerify() {
    Set<String> contract = new TreeSet<>();
    for (Method m : Kernels.kernelMethods()) { // every family's; not launch nor the static range helpers
      contract.add(m.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT));
    }
    Set<String> checked = Arrays.stream(DeviceCheck.KERNELS).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(contract, checked, "DeviceCheck.KERNELS must list each method of Kernels once (snake_case)");
  }
}
