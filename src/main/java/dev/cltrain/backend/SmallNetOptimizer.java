package dev.cltrain.backend;

/**
 * The update rule as small_net.cl's train_small takes it: its code and every rule's constants, as one named
 * record where the kernel has five arguments ({@code optimizer, momentum, beta1, beta2, epsilon}). The kernel
 * reads only the rule's own: μ for momentum, Adam's for adam; a rule passes 0 and {@link AdamConstants#DEFAULT}
 * for the others.
 *
 * @param optimizer the rule's code: small_net.cl's OPT_SGD, OPT_MOMENTUM, OPT_ADAM ({@code Optimizer.Kind.code})
 * @param momentum  μ (momentum only)
 * @param adam      β1, β2, ε (adam only)
 */
public record SmallNetOptimizer(int optimizer, float momentum, AdamConstants adam) {}
