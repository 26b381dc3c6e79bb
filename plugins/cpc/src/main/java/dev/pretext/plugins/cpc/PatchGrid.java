package dev.pretext.plugins.cpc;

import dev.pretext.api.ImageShape;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A grid of overlapping square patches: {@code patch × patch} crops every {@code stride} pixels,
 * {@code rows = (H − patch) / stride + 1} by {@code columns = (W − patch) / stride + 1}. Pixels
 * past the last full patch (when the division leaves a remainder) are not covered.
 *
 * @param patch side of a patch in pixels
 * @param stride step between neighbouring patches in pixels
 * @param rows patches per column of the grid
 * @param columns patches per row of the grid
 */
record PatchGrid(int patch, int stride, int rows, int columns) {

  static PatchGrid of(ImageShape image, int patch, int stride) {
    if (patch < 1 || patch > Math.min(image.height(), image.width()) || stride < 1) {
      throw new IllegalArgumentException("a patch of " + patch + " pixels with stride " + stride
          + " does not fit an image of " + image);
    }
    return new PatchGrid(patch, stride, (image.height() - patch) / stride + 1,
        (image.width() - patch) / stride + 1);
  }

  /** Patches per image. */
  int size() {
    return rows * columns;
  }

  /**
   * Cuts every image into its grid: {@code [N, C, H, W]} → {@code [N·rows·columns, C, patch,
   * patch]}, image by image, each image's patches in row-major order (row 0 left to right first).
   */
  INDArray cut(INDArray images) {
    int n = Math.toIntExact(images.size(0));
    int c = Math.toIntExact(images.size(1));
    int h = Math.toIntExact(images.size(2));
    int w = Math.toIntExact(images.size(3));
    float[] in = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
    int area = patch * patch;
    float[] out = new float[Math.multiplyExact(Math.multiplyExact(n, size()), c * area)];
    int o = 0;
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < rows; r++) {
        for (int col = 0; col < columns; col++) {
          for (int ch = 0; ch < c; ch++) {
            int plane = (i * c + ch) * h * w;
            for (int y = 0; y < patch; y++) {
              System.arraycopy(in, plane + (r * stride + y) * w + col * stride, out, o, patch);
              o += patch;
            }
          }
        }
      }
    }
    return Nd4j.create(out, new long[] {(long) n * size(), c, patch, patch}, 'c');
  }
}
