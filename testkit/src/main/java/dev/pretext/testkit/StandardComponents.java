package dev.pretext.testkit;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The component types {@code pretext-plugin-standard} provides, so that a test whose class path
 * lacks that plugin is told where {@code conv4} or {@code nt-xent} come from rather than only that
 * they are unknown. The kit's own test checks this list against the plugin.
 */
final class StandardComponents {

  /** The plugin's name in its descriptor. */
  static final String PLUGIN = "standard";

  /** Every type the standard plugin provides, all kinds together. */
  static final Set<String> TYPES = Set.of(
      "conv4", "resnet", "resnet20", "resnet18", "mlp",
      "random-resized-crop", "horizontal-flip", "color-jitter", "random-grayscale", "gaussian-blur",
      "gaussian-noise",
      "in-batch", "queue", "patch-grid",
      "cross-entropy", "nt-xent", "info-nce", "negative-cosine", "mse", "binary-cross-entropy");

  /** The runtime's message for a type no loaded plugin provides: "unknown <kind> '<type>'". */
  private static final Pattern UNKNOWN = Pattern.compile("unknown [a-z-]+ '([^']+)'");

  private StandardComponents() {}

  /**
   * What to tell a test that failed with {@code message}, when that failure is a standard type
   * being unknown because the standard plugin is not among the {@code loaded} plugins; null when
   * the failure is something else.
   */
  static String missingHint(String message, Set<String> loaded) {
    if (message == null || loaded.contains(PLUGIN)) {
      return null;
    }
    Matcher m = UNKNOWN.matcher(message);
    while (m.find()) {
      if (TYPES.contains(m.group(1))) {
        return "'" + m.group(1) + "' is provided by pretext-plugin-standard, which the test class path lacks:"
            + " depend on dev.pretext:pretext-testkit (it brings it) with scope test, or add"
            + " dev.pretext:pretext-plugin-standard with scope test";
      }
    }
    return null;
  }
}
