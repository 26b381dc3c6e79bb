package dev.pretext.runtime.evaluation;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the segmentation probe reads from a batch of scenes: one or more feature maps, each {@code
 * [B, C_s, h_s, w_s]} at its own resolution (an encoder's stages; a pixel's neighbourhood at the
 * image's resolution). The probe upsamples each to the image bilinearly and concatenates them.
 */
public interface DenseFeatures {

  /**
   * The feature maps of {@code images} ({@code [B, C, H, W]} in [0, 1]), in a fixed order.
   */
  List<INDArray> of(INDArray images);

  /**
   * A pixel's 3 × 3 neighbourhood (zero outside the image) in every channel: {@code 9·C} features
   * per pixel at the image's resolution, the raw-pixel baseline of the segmentation protocol.
   * Feature {@code c·9 + 3·dy + dx} is channel c at offset {@code (dy − 1, dx − 1)}.
   */
  static DenseFeatures pixelNeighbourhoods() {
    return images -> {
      long[] s = images.shape();
      int n = (int) s[0];
      int channels = (int) s[1];
      int h = (int) s[2];
      int w = (int) s[3];
      float[] in = images.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
      float[] out = new float[n * channels * 9 * h * w];
      int plane = h * w;
      for (int b = 0; b < n; b++) {
        for (int c = 0; c < channels; c++) {
          int source = (b * channels + c) * plane;
          for (int k = 0; k < 9; k++) {
            int dy = k / 3 - 1;
            int dx = k % 3 - 1;
            int target = ((b * channels + c) * 9 + k) * plane;
            for (int y = Math.max(0, -dy); y < Math.min(h, h - dy); y++) {
              for (int x = Math.max(0, -dx); x < Math.min(w, w - dx); x++) {
                out[target + y * w + x] = in[source + (y + dy) * w + x + dx];
              }
            }
          }
        }
      }
      return List.of(org.nd4j.linalg.factory.Nd4j.create(out, new long[] {n, channels * 9L, h, w}, 'c'));
    };
  }
}
