package dev.pretext.plugins.jigsaw;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.pretext.api.ImageShape;

/**
 * Validated settings of the jigsaw task.
 *
 * @param grid tiles per side, k (k² tiles)
 * @param jitter pixels by which a cell exceeds its tile along each axis
 * @param permutations N, the size of the permutation set (the classifier's classes)
 * @param headHidden hidden units of the classifier MLP; 0 = a linear classifier
 * @param image the shape of the dataset's images
 */
record JigsawSettings(int grid, int jitter, int permutations, int headHidden, ImageShape image) {

  /** The smallest tile side: less leaves a 3×3-convolution encoder with two poolings almost nothing. */
  static final int MIN_TILE = 8;
  /** The largest grid considered (25 tiles). */
  static final int MAX_GRID = 5;
  /** The largest permutation set; the paper's largest is 1000. */
  static final int MAX_PERMUTATIONS = 1000;

  /** An out-of-range setting, with its key. */
  static final class InvalidSetting extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    final String key;

    InvalidSetting(String key, String message) {
      super(key + " " + message);
      this.key = key;
    }
  }

  JigsawSettings {
    if (grid < 2 || grid > MAX_GRID) {
      throw new InvalidSetting("grid", "must be between 2 and " + MAX_GRID + ", got " + grid);
    }
    if (jitter < 0) {
      throw new InvalidSetting("jitter", "must be >= 0 pixels, got " + jitter);
    }
    int cellH = image.height() / grid;
    int cellW = image.width() / grid;
    if (Math.min(cellH, cellW) < MIN_TILE) {
      int largest = Math.min(image.height(), image.width()) / MIN_TILE;
      throw new InvalidSetting("grid", grid + " cuts " + image.height() + "x" + image.width()
          + " images into cells of " + cellH + "x" + cellW + " pixels, smaller than the minimum tile of "
          + MIN_TILE + "x" + MIN_TILE + (largest >= 2 ? "; use a grid of at most " + largest
              : "; these images are too small for a jigsaw puzzle"));
    }
    if (Math.min(cellH, cellW) - jitter < MIN_TILE) {
      throw new InvalidSetting("jitter", jitter + " leaves tiles of " + (cellH - jitter) + "x"
          + (cellW - jitter) + " pixels in the " + cellH + "x" + cellW + " cells of a " + grid + "x"
          + grid + " grid, smaller than the minimum of " + MIN_TILE + "x" + MIN_TILE + "; use at most "
          + (Math.min(cellH, cellW) - MIN_TILE));
    }
    int tiles = grid * grid;
    long possible = PermutationSet.factorial(tiles);
    if (permutations < 2 || permutations > Math.min(possible, MAX_PERMUTATIONS)) {
      String limit = possible <= MAX_PERMUTATIONS
          ? "a " + grid + "x" + grid + " grid has only " + tiles + "! = " + possible
              + " permutations of its tiles"
          : "at most " + MAX_PERMUTATIONS + " classes";
      throw new InvalidSetting("permutations", "must be between 2 and "
          + Math.min(possible, MAX_PERMUTATIONS) + " (" + limit + "), got " + permutations);
    }
    if (headHidden < 0 || headHidden > 65_536) {
      throw new InvalidSetting("head-hidden", "must be between 0 (a linear classifier) and 65536, got "
          + headHidden);
    }
  }

  /** Reads the settings, naming the offending key (with its file and line) when one is out of range. */
  static JigsawSettings from(Config c, String path, ImageShape image) {
    int grid = c.getInt("grid");
    int jitter = c.getInt("jitter");
    int permutations = c.getInt("permutations");
    int headHidden = c.getInt("head-hidden");
    try {
      return new JigsawSettings(grid, jitter, permutations, headHidden, image);
    } catch (InvalidSetting e) {
      throw new ConfigException.BadValue(c.getValue(e.key).origin(), path + "." + e.key, e.getMessage());
    }
  }

  /** How the images are cut. */
  TileGrid tileGrid() {
    return new TileGrid(grid, image, jitter);
  }
}
