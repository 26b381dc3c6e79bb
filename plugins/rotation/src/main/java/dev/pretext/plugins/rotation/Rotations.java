package dev.pretext.plugins.rotation;

/** Quarter-turn rotations of square images stored as NCHW float arrays. */
final class Rotations {

  private Rotations() {}

  /**
   * Writes image {@code src} of {@code in}, rotated counter-clockwise by {@code quarters} × 90°,
   * into image {@code dst} of {@code out}. Both hold images of {@code channels × size × size}.
   */
  static void rotate(float[] in, int src, float[] out, int dst, int channels, int size, int quarters) {
    int plane = size * size;
    for (int c = 0; c < channels; c++) {
      int from = (src * channels + c) * plane;
      int to = (dst * channels + c) * plane;
      for (int i = 0; i < size; i++) {
        for (int j = 0; j < size; j++) {
          int k = switch (quarters & 3) {
            case 0 -> i * size + j;
            case 1 -> j * size + (size - 1 - i);
            case 2 -> (size - 1 - i) * size + (size - 1 - j);
            default -> (size - 1 - j) * size + i;
          };
          out[to + i * size + j] = in[from + k];
        }
      }
    }
  }
}
