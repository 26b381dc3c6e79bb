package dev.pretext.plugins.jigsaw;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.api.ImageShape;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TileGridTest {

  private static final ImageShape FASHION = new ImageShape(1, 28, 28);

  /** {@code n} images of {@code shape} whose every pixel holds its own index: all values distinct. */
  private static float[] numbered(int n, ImageShape shape) {
    float[] v = new float[n * shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    return v;
  }

  @Test
  void tileSizesFollowTheCellArithmetic() {
    TileGrid three = new TileGrid(3, FASHION, 1);
    assertThat(three.cellHeight()).isEqualTo(9);
    assertThat(three.tileHeight()).isEqualTo(8);
    assertThat(three.top()).isZero();
    TileGrid two = new TileGrid(2, FASHION, 1);
    assertThat(two.cellWidth()).isEqualTo(14);
    assertThat(two.tileShape()).isEqualTo(new ImageShape(1, 13, 13));
    TileGrid cifar = new TileGrid(3, new ImageShape(3, 32, 32), 2);
    assertThat(cifar.cellHeight()).isEqualTo(10);
    assertThat(cifar.top()).isEqualTo(1);
    assertThat(cifar.tileShape()).isEqualTo(new ImageShape(3, 8, 8));
  }

  @Test
  void withoutJitterTheTilesPutBackFormTheCroppedImage() {
    ImageShape rgb = new ImageShape(3, 29, 28);
    TileGrid grid = new TileGrid(3, rgb, 0);
    int n = 2;
    float[] images = numbered(n, rgb);
    int[][] perms = {{4, 0, 8, 1, 3, 2, 7, 5, 6}, {8, 7, 6, 5, 4, 3, 2, 1, 0}};
    float[] shuffled = grid.cut(images, perms, grid.offsets(n, new Random(1)));
    float[] assembled = grid.assemble(grid.reassemble(shuffled, perms), n, 0, 0f);
    // 29 rows: cells of 9 cover rows 1..27; columns 0..26.
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 27; y++) {
          for (int x = 0; x < 27; x++) {
            float expected = images[((i * 3 + c) * 29 + y + 1) * 28 + x];
            assertThat(assembled[((i * 3 + c) * 27 + y) * 27 + x]).isEqualTo(expected);
          }
        }
      }
    }
    // Shuffled, position 0 of image 0 holds original tile 4: the centre cell, rows 10..18, cols 9..17.
    assertThat(shuffled[0]).isEqualTo(images[10 * 28 + 9]);
  }

  @Test
  void theInversePermutationGivesBackTheOriginalTilesExactlyWithJitter() {
    TileGrid grid = new TileGrid(3, FASHION, 1);
    int n = 3;
    float[] images = numbered(n, FASHION);
    int[] offsets = grid.offsets(n, new Random(2));
    int[] identity = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    int[][] perms = {{1, 2, 0, 4, 5, 3, 7, 8, 6}, identity, {8, 6, 7, 2, 0, 1, 5, 3, 4}};
    float[] original = grid.cut(images, new int[][] {identity, identity, identity}, offsets);
    float[] shuffled = grid.cut(images, perms, offsets);
    assertThat(shuffled).isNotEqualTo(original);
    assertThat(grid.reassemble(shuffled, perms)).isEqualTo(original);
  }

  @Test
  void jitterMovesEachTileWithinItsCell() {
    TileGrid grid = new TileGrid(3, FASHION, 1);
    float[] image = numbered(1, FASHION);
    int[] identity = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    Random random = new Random(3);
    Set<String> seen = new HashSet<>();
    for (int k = 0; k < 50; k++) {
      int[] offsets = grid.offsets(1, random);
      float[] tiles = grid.cut(image, new int[][] {identity}, offsets);
      for (int t = 0; t < 9; t++) {
        // A tile's first pixel tells where it was cut: inside its 9x9 cell, one pixel of play.
        int first = (int) tiles[t * 64];
        int dy = first / 28 - (t / 3) * 9;
        int dx = first % 28 - (t % 3) * 9;
        assertThat(dy).isBetween(0, 1);
        assertThat(dx).isBetween(0, 1);
        assertThat(offsets[t * 2]).isEqualTo(dy);
        assertThat(offsets[t * 2 + 1]).isEqualTo(dx);
        seen.add(dy + "," + dx);
      }
    }
    assertThat(seen).containsExactlyInAnyOrder("0,0", "0,1", "1,0", "1,1");
  }
}
