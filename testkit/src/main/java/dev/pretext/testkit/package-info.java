/**
 * The plugin author's testkit: the embedded Fashion-MNIST sample ({@link dev.pretext.testkit.TestImages}),
 * components created from their defaults as the runtime creates them ({@link dev.pretext.testkit.TestKit}),
 * a step-by-step harness ({@link dev.pretext.testkit.OneStep}) and the conformance test every task
 * extends ({@link dev.pretext.testkit.PretextTaskConformance}).
 *
 * <p>Depending on {@code dev.pretext:pretext-testkit} (scope test) is all a plugin's tests need:
 * it brings the API, the runtime and {@code pretext-plugin-standard} (conv4, the augmentations,
 * the standard samplers and losses a task creates from its defaults).
 *
 * <p><b>No runtime types in this API.</b> The kit runs the runtime internally — its training
 * engine, checkpoints, evaluation graph and graph runner are the code a suite runs, so the
 * conformance checks the real path, and a second runner of the kit's own would drift from it —
 * but its public and protected signatures name only API, JDK, ND4J/SameDiff, Typesafe Config,
 * JUnit types and the kit's own ({@code TestImages}, {@code TrainedTask}, …). A test in this
 * module fails on any signature naming a {@code dev.pretext.runtime} type, so the runtime can
 * change without breaking a plugin's tests.
 */
package dev.pretext.testkit;
