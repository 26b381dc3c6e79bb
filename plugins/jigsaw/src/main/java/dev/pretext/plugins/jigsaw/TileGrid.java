package dev.pretext.plugins.jigsaw;

import dev.pretext.api.ImageShape;
import java.util.Random;

/**
 * How images are cut into a k×k puzzle, as in Noroozi and Favaro (2016), where a 225×225 image
 * gives 75×75 cells and a 64×64 tile is cropped at a random place in each.
 *
 * <p>Arithmetic: a cell is {@code ⌊H/k⌋ × ⌊W/k⌋}; the k×k cells cover the centred
 * {@code k·cell} square (leftover rows and columns, fewer than k, are dropped evenly top/bottom and
 * left/right, the extra one at the bottom/right); a tile is the cell less {@code jitter} pixels in
 * each direction, cropped at an offset drawn uniformly from {@code 0..jitter} on each axis, per
 * tile. Neighbouring tiles are therefore 0 to 2·jitter pixels apart, so their touching edges cannot
 * be matched trivially. For 28×28 Fashion-MNIST: a 3×3 grid gives 9×9 cells over rows and columns
 * 0–26 and, with jitter 1, 8×8 tiles; a 2×2 grid gives 14×14 cells and 13×13 tiles.
 *
 * <p>Tiles are laid out image by image, position by position ({@code [N·T, C, th, tw]}), positions
 * numbered row by row; position i of a puzzle shuffled by permutation p holds original tile
 * {@code p[i]}.
 *
 * @param grid k, tiles per side
 * @param image the shape of the images cut
 * @param jitter how many pixels a cell exceeds its tile along each axis
 */
record TileGrid(int grid, ImageShape image, int jitter) {

  TileGrid {
    if (grid < 1 || jitter < 0 || image.height() / grid - jitter < 1 || image.width() / grid - jitter < 1) {
      throw new IllegalArgumentException("no " + grid + "x" + grid + " grid with jitter " + jitter
          + " fits " + image);
    }
  }

  /** Number of tiles, k². */
  int tiles() {
    return grid * grid;
  }

  int cellHeight() {
    return image.height() / grid;
  }

  int cellWidth() {
    return image.width() / grid;
  }

  int tileHeight() {
    return cellHeight() - jitter;
  }

  int tileWidth() {
    return cellWidth() - jitter;
  }

  /** First row of the area the cells cover. */
  int top() {
    return (image.height() - grid * cellHeight()) / 2;
  }

  /** First column of the area the cells cover. */
  int left() {
    return (image.width() - grid * cellWidth()) / 2;
  }

  /** The shape of one tile. */
  ImageShape tileShape() {
    return new ImageShape(image.channels(), tileHeight(), tileWidth());
  }

  /**
   * Draws the jitter offsets of a batch: {@code (dy, dx)} for each original tile of each image,
   * {@code [N·T·2]}, each in {@code 0..jitter}.
   */
  int[] offsets(int n, Random random) {
    int[] offsets = new int[n * tiles() * 2];
    if (jitter > 0) {
      for (int i = 0; i < offsets.length; i++) {
        offsets[i] = random.nextInt(jitter + 1);
      }
    }
    return offsets;
  }

  /**
   * Cuts the shuffled tiles of a batch.
   *
   * @param images {@code N} images as a C-order {@code [N, C, H, W]} array
   * @param permutations per image, the permutation applied to its tiles
   * @param offsets per image and original tile, the jitter offset {@code (dy, dx)} (see
   *     {@link #offsets})
   * @return {@code [N·T, C, th, tw]} in C order
   */
  float[] cut(float[] images, int[][] permutations, int[] offsets) {
    int n = permutations.length;
    int t = tiles();
    int c = image.channels();
    int h = image.height();
    int w = image.width();
    int th = tileHeight();
    int tw = tileWidth();
    float[] out = new float[n * t * c * th * tw];
    // One row segment per copy: the inner loop is System.arraycopy over a tile's width.
    for (int i = 0; i < n; i++) {
      int[] p = permutations[i];
      for (int pos = 0; pos < t; pos++) {
        int src = p[pos];
        int y0 = top() + (src / grid) * cellHeight() + offsets[(i * t + src) * 2];
        int x0 = left() + (src % grid) * cellWidth() + offsets[(i * t + src) * 2 + 1];
        for (int ch = 0; ch < c; ch++) {
          int from = ((i * c + ch) * h + y0) * w + x0;
          int to = (((i * t + pos) * c + ch) * th) * tw;
          for (int y = 0; y < th; y++) {
            System.arraycopy(images, from + y * w, out, to + y * tw, tw);
          }
        }
      }
    }
    return out;
  }

  /**
   * Puts shuffled tiles back in their original order: the inverse of the permutations applied
   * by {@link #cut}.
   *
   * @param tiles {@code [N·T, C, th, tw]} as cut with {@code permutations}
   * @param permutations per image, the permutation its tiles were shuffled with (or the one a
   *     model predicted)
   */
  float[] reassemble(float[] tiles, int[][] permutations) {
    int t = tiles();
    int size = image.channels() * tileHeight() * tileWidth();
    float[] out = new float[tiles.length];
    for (int i = 0; i < permutations.length; i++) {
      for (int pos = 0; pos < t; pos++) {
        System.arraycopy(tiles, (i * t + pos) * size, out, (i * t + permutations[i][pos]) * size, size);
      }
    }
    return out;
  }

  /**
   * Joins the tiles of each image, in position order, into one picture of {@code k·th × k·tw}
   * pixels, {@code [N, C, k·th, k·tw]}, with {@code gap} pixels of {@code fill} between tiles.
   */
  float[] assemble(float[] tiles, int n, int gap, float fill) {
    int t = tiles();
    int c = image.channels();
    int th = tileHeight();
    int tw = tileWidth();
    int ah = grid * th + (grid - 1) * gap;
    int aw = grid * tw + (grid - 1) * gap;
    float[] out = new float[n * c * ah * aw];
    java.util.Arrays.fill(out, fill);
    for (int i = 0; i < n; i++) {
      for (int pos = 0; pos < t; pos++) {
        int y0 = (pos / grid) * (th + gap);
        int x0 = (pos % grid) * (tw + gap);
        for (int ch = 0; ch < c; ch++) {
          int from = (((i * t + pos) * c + ch) * th) * tw;
          int to = ((i * c + ch) * ah + y0) * aw + x0;
          for (int y = 0; y < th; y++) {
            System.arraycopy(tiles, from + y * tw, out, to + y * aw, tw);
          }
        }
      }
    }
    return out;
  }
}
