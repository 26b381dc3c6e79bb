/**
 * The Pretext toolkit: helpers plugins share, outside the SPI so that they can change without an
 * SPI change. {@link dev.pretext.toolkit.Settings} reads a component's settings with range checks;
 * {@code graph} holds layer helpers and op classes, {@code visual} and {@code metrics} help with a
 * task's visuals and pretext metrics. The runtime provides one toolkit to every plugin (plugins
 * declare {@code toolkit-version} in their descriptor and do not bundle it).
 */
package dev.pretext.toolkit;
