package dev.pretext.plugins.jigsaw;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws rows of pictures into one PNG: picture i of every row in column i, each pixel a
 * {@value #SCALE}×{@value #SCALE} block, on mid-gray with a {@value #BORDER}-pixel frame per picture
 * (a row may colour its frames, e.g. green for a correctly solved puzzle). Values are clamped to
 * [0, 1]; one channel is drawn gray, three as RGB.
 */
final class PuzzlePicture {

  static final int SCALE = 3;
  static final int BORDER = 2;
  static final int GAP = 4;
  static final int BACKGROUND = 0x808080;
  static final int RIGHT = 0x2CA02C;
  static final int WRONG = 0xD62728;

  /**
   * One row: {@code n} pictures of {@code channels × height × width} in C order, and per picture
   * its frame colour ({@code frames} null = no frames).
   */
  record Row(float[] pixels, int channels, int height, int width, int[] frames) {}

  private PuzzlePicture() {}

  static Path write(Path file, int n, List<Row> rows) throws IOException {
    int cellH = rows.stream().mapToInt(Row::height).max().orElseThrow() * SCALE + 2 * BORDER;
    int cellW = rows.stream().mapToInt(Row::width).max().orElseThrow() * SCALE + 2 * BORDER;
    BufferedImage image = new BufferedImage(GAP + n * (cellW + GAP), GAP + rows.size() * (cellH + GAP),
        BufferedImage.TYPE_INT_RGB);
    fill(image, 0, 0, image.getWidth(), image.getHeight(), BACKGROUND);
    for (int r = 0; r < rows.size(); r++) {
      Row row = rows.get(r);
      int c = row.channels();
      int h = row.height();
      int w = row.width();
      for (int i = 0; i < n; i++) {
        // Centred in its cell so rows of different sizes line up.
        int left = GAP + i * (cellW + GAP) + (cellW - w * SCALE - 2 * BORDER) / 2;
        int top = GAP + r * (cellH + GAP) + (cellH - h * SCALE - 2 * BORDER) / 2;
        if (row.frames() != null) {
          fill(image, left, top, w * SCALE + 2 * BORDER, h * SCALE + 2 * BORDER, row.frames()[i]);
        }
        int base = i * c * h * w;
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            int k = base + y * w + x;
            int red = level(row.pixels()[k]);
            int rgb = c == 1 ? red * 0x010101
                : red << 16 | level(row.pixels()[k + h * w]) << 8 | level(row.pixels()[k + 2 * h * w]);
            fill(image, left + BORDER + x * SCALE, top + BORDER + y * SCALE, SCALE, SCALE, rgb);
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

  private static void fill(BufferedImage image, int x0, int y0, int w, int h, int rgb) {
    for (int y = y0; y < y0 + h; y++) {
      for (int x = x0; x < x0 + w; x++) {
        image.setRGB(x, y, rgb);
      }
    }
  }

  private static int level(float value) {
    return Math.round(Math.max(0f, Math.min(1f, value)) * 255f);
  }
}
