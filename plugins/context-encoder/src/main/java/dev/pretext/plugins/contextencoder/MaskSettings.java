package dev.pretext.plugins.contextencoder;

import dev.pretext.toolkit.Settings;
import java.util.Arrays;

/**
 * Which pixels the context encoder hides, and how its loss weighs them.
 *
 * @param mode the shape and placement of the hidden region
 * @param size the side of the hidden square as a fraction of the image side; random regions cover
 *     the same area (size² of the image)
 * @param overlap width in pixels of the visible band around the hidden region that the loss also
 *     counts (0 = none)
 * @param overlapWeight the loss weight of a band pixel relative to a hidden pixel's 1
 */
record MaskSettings(Mode mode, double size, int overlap, double overlapWeight) {

  /** Shapes of the hidden region (Pathak et al. 2016, section 3.3). */
  enum Mode {
    /** The centred square. */
    CENTRAL_BLOCK("central-block"),
    /** A square at a random position inside each image. */
    RANDOM_BLOCK("random-block"),
    /** A random blob per image: the highest values of smoothed noise, of the block's area. */
    RANDOM_REGION("random-region");

    final String key;

    Mode(String key) {
      this.key = key;
    }
  }

  /**
   * Reads {@code mask { mode, size, overlap, overlap-weight }}, naming the offending key (with its
   * file and line) when one is out of range.
   */
  static MaskSettings from(Settings s) {
    String name = s.oneOf("mode",
        Arrays.stream(Mode.values()).map(m -> m.key).toArray(String[]::new));
    Mode mode = Arrays.stream(Mode.values()).filter(m -> m.key.equals(name)).findFirst().orElseThrow();
    return new MaskSettings(mode, s.fraction("size"), s.intIn("overlap", 0, 64),
        s.doubleIn("overlap-weight", 0, 1000));
  }

  /** Side in pixels of the hidden square along an image side of {@code pixels}. */
  int side(int pixels) {
    return Math.max(1, (int) Math.round(size * pixels));
  }
}
