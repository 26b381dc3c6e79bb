package dev.pretext.plugins.contextencoder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes batches of images as the rows of one PNG grid: image i of every row in column i, each
 * pixel drawn as a {@value #SCALE}×{@value #SCALE} block, cells separated by {@value #GAP} px of
 * mid-gray. Values are clamped to [0, 1]; one channel is drawn gray, three as RGB. (The
 * autoencoder plugin has its own copy: plugins cannot share classes.)
 */
final class ImageGrid {

  static final int SCALE = 3;
  static final int GAP = 2;
  private static final int BACKGROUND = 0x808080;

  private ImageGrid() {}

  /** Width of a grid of {@code columns} images {@code width} pixels wide. */
  static int width(int columns, int width) {
    return GAP + columns * (width * SCALE + GAP);
  }

  /** Height of a grid of {@code rows} images {@code height} pixels high. */
  static int height(int rows, int height) {
    return GAP + rows * (height * SCALE + GAP);
  }

  /**
   * Writes {@code rows}, each {@code [N, C, H, W]} of the same shape with C = 1 or 3, to
   * {@code file} (its folder is created).
   */
  static Path write(Path file, List<INDArray> rows) throws IOException {
    long[] shape = rows.get(0).shape();
    int n = (int) shape[0];
    int c = (int) shape[1];
    int h = (int) shape[2];
    int w = (int) shape[3];
    if (c != 1 && c != 3) {
      throw new IllegalArgumentException("can draw 1 or 3 channels, got " + c);
    }
    BufferedImage image = new BufferedImage(width(n, w), height(rows.size(), h), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        image.setRGB(x, y, BACKGROUND);
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      float[] v = rows.get(r).dup('c').data().asFloat();
      for (int i = 0; i < n; i++) {
        int left = GAP + i * (w * SCALE + GAP);
        int top = GAP + r * (h * SCALE + GAP);
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            int base = i * c * h * w + y * w + x;
            int red = level(v[base]);
            int rgb = c == 1 ? red * 0x010101
                : red << 16 | level(v[base + h * w]) << 8 | level(v[base + 2 * h * w]);
            for (int dy = 0; dy < SCALE; dy++) {
              for (int dx = 0; dx < SCALE; dx++) {
                image.setRGB(left + x * SCALE + dx, top + y * SCALE + dy, rgb);
              }
            }
          }
        }
      }
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer available");
    }
    return file;
  }

  private static int level(float value) {
    return Math.round(Math.max(0f, Math.min(1f, value)) * 255f);
  }
}
