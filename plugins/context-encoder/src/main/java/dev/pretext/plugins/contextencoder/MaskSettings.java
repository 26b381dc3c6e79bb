package dev.pretext.plugins.contextencoder;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Arrays;
import java.util.stream.Collectors;

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

  /** An out-of-range setting, with its key. */
  static final class InvalidSetting extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    final String key;

    InvalidSetting(String key, String message) {
      super(key + " " + message);
      this.key = key;
    }
  }

  MaskSettings {
    if (!(size > 0 && size < 1)) {
      throw new InvalidSetting("size", "must be a fraction of the image side in (0, 1), got " + size);
    }
    if (overlap < 0 || overlap > 64) {
      throw new InvalidSetting("overlap", "must be between 0 and 64 pixels, got " + overlap);
    }
    if (!(overlapWeight >= 0 && overlapWeight <= 1000)) {
      throw new InvalidSetting("overlap-weight", "must be between 0 and 1000, got " + overlapWeight);
    }
  }

  /** Reads {@code mask { mode, size, overlap, overlap-weight }}. */
  static MaskSettings from(Config c, String path) {
    String name = c.getString("mode");
    Mode mode = Arrays.stream(Mode.values()).filter(m -> m.key.equals(name)).findFirst()
        .orElseThrow(() -> new ConfigException.BadValue(c.getValue("mode").origin(), path + ".mode",
            "unknown mode '" + name + "'; known: "
                + Arrays.stream(Mode.values()).map(m -> m.key).collect(Collectors.joining(", "))));
    double size = c.getDouble("size");
    int overlap = c.getInt("overlap");
    double overlapWeight = c.getDouble("overlap-weight");
    try {
      return new MaskSettings(mode, size, overlap, overlapWeight);
    } catch (InvalidSetting e) {
      throw new ConfigException.BadValue(c.getValue(e.key).origin(), path + "." + e.key, e.getMessage());
    }
  }

  /** Side in pixels of the hidden square along an image side of {@code pixels}. */
  int side(int pixels) {
    return Math.max(1, (int) Math.round(size * pixels));
  }
}
