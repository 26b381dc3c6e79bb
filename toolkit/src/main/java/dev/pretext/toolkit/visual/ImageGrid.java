package dev.pretext.toolkit.visual;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes batches of images as the rows of one PNG grid, for a task's
 * {@link dev.pretext.api.PretextTask#writeVisuals}: image i of every row in column i, each pixel
 * drawn as a {@value #SCALE}×{@value #SCALE} block, cells separated by {@value #GAP} px of
 * mid-gray. Values are clamped to [0, 1]; a one-channel row is drawn gray, a three-channel row as
 * RGB, and rows of both kinds may be mixed (e.g. a grayscale input above its colourization).
 */
public final class ImageGrid {

  /** Each image pixel becomes a square of this many PNG pixels. */
  public static final int SCALE = 3;
  /** Gap between cells and around the grid, in PNG pixels. */
  public static final int GAP = 2;
  private static final int BACKGROUND = 0x808080;

  private ImageGrid() {}

  /** Width in PNG pixels of a grid of {@code columns} images {@code width} pixels wide. */
  public static int width(int columns, int width) {
    return GAP + columns * (width * SCALE + GAP);
  }

  /** Height in PNG pixels of a grid of {@code rows} images {@code height} pixels high. */
  public static int height(int rows, int height) {
    return GAP + rows * (height * SCALE + GAP);
  }

  /**
   * Writes {@code rows} to {@code file} (its folder is created).
   *
   * @param rows each {@code [N, C, H, W]} with C = 1 or 3; N, H and W equal across rows
   * @return {@code file}
   * @throws IllegalArgumentException if a row has another channel count or the rows disagree in
   *     size
   */
  public static Path write(Path file, List<INDArray> rows) throws IOException {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no rows to draw");
    }
    long[] first = rows.get(0).shape();
    int n = (int) first[0];
    int h = (int) first[2];
    int w = (int) first[3];
    for (INDArray row : rows) {
      long[] s = row.shape();
      if (s.length != 4 || s[1] != 1 && s[1] != 3) {
        throw new IllegalArgumentException("can draw [N, 1 or 3, H, W] rows, got "
            + java.util.Arrays.toString(s));
      }
      if (s[0] != n || s[2] != h || s[3] != w) {
        throw new IllegalArgumentException("rows differ in size: " + java.util.Arrays.toString(first)
            + " and " + java.util.Arrays.toString(s));
      }
    }
    BufferedImage image = new BufferedImage(width(n, w), height(rows.size(), h), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        image.setRGB(x, y, BACKGROUND);
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      int c = (int) rows.get(r).size(1);
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
