package dev.pretext.plugins.jigsaw;

import com.typesafe.config.Config;
import dev.pretext.api.ImageShape;
import dev.pretext.toolkit.Settings;

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

  /** Reads the settings, naming the offending key (with its file and line) when one is out of range. */
  static JigsawSettings from(Config c, String path, ImageShape image) {
    Settings s = new Settings(c, path);
    int grid = s.intIn("grid", 2, MAX_GRID);
    int jitter = s.intAtLeast("jitter", 0);
    int cellH = image.height() / grid;
    int cellW = image.width() / grid;
    if (Math.min(cellH, cellW) < MIN_TILE) {
      int largest = Math.min(image.height(), image.width()) / MIN_TILE;
      throw s.bad("grid", grid + " cuts " + image.height() + "x" + image.width()
          + " images into cells of " + cellH + "x" + cellW + " pixels, smaller than the minimum tile of "
          + MIN_TILE + "x" + MIN_TILE + (largest >= 2 ? "; use a grid of at most " + largest
              : "; these images are too small for a jigsaw puzzle"));
    }
    if (Math.min(cellH, cellW) - jitter < MIN_TILE) {
      throw s.bad("jitter", jitter + " leaves tiles of " + (cellH - jitter) + "x"
          + (cellW - jitter) + " pixels in the " + cellH + "x" + cellW + " cells of a " + grid + "x"
          + grid + " grid, smaller than the minimum of " + MIN_TILE + "x" + MIN_TILE + "; use at most "
          + (Math.min(cellH, cellW) - MIN_TILE));
    }
    int tiles = grid * grid;
    long possible = PermutationSet.factorial(tiles);
    String limit = possible <= MAX_PERMUTATIONS
        ? "a " + grid + "x" + grid + " grid has only " + tiles + "! = " + possible
            + " permutations of its tiles"
        : "at most " + MAX_PERMUTATIONS + " classes";
    int permutations = s.intIn("permutations", 2, (int) Math.min(possible, MAX_PERMUTATIONS), limit);
    int headHidden = s.intIn("head-hidden", 0, 65_536, "0 = a linear classifier");
    return new JigsawSettings(grid, jitter, permutations, headHidden, image);
  }

  /** How the images are cut. */
  TileGrid tileGrid() {
    return new TileGrid(grid, image, jitter);
  }
}
