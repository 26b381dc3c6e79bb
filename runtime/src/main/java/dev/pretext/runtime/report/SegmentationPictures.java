package dev.pretext.runtime.report;

import dev.pretext.runtime.data.SegmentationSet;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The segmentation protocol's picture of one entry: a row per test scene — the image, its true
 * mask, the mask the probe predicted — and a legend. Each class has one colour in every picture
 * of every run: PASCAL VOC's colour map (class 0 black; the bits of the class index spread over
 * red, green and blue), ignored pixels white.
 */
public final class SegmentationPictures {

  private static final int SCALE = 3;
  private static final int GAP = 6;
  private static final int LEGEND_ROW = 16;

  private SegmentationPictures() {}

  /** The colour of class {@code label} (0..254), or white for the ignore label. */
  public static Color colour(int label) {
    if (label == SegmentationSet.IGNORE) {
      return Color.WHITE;
    }
    int r = 0;
    int g = 0;
    int b = 0;
    int c = label;
    for (int shift = 7; shift >= 0 && c > 0; shift--) {
      r |= (c & 1) << shift;
      g |= ((c >> 1) & 1) << shift;
      b |= ((c >> 2) & 1) << shift;
      c >>= 3;
    }
    return new Color(r, g, b);
  }

  /**
   * Writes the picture of the first {@code predicted.size()} test scenes.
   *
   * @param predicted the predicted masks of scenes 0, 1, … of {@code test}, row-major
   */
  public static Path write(SegmentationSet test, List<int[]> predicted, String title, Path file) throws IOException {
    int h = test.shape().height() * SCALE;
    int w = test.shape().width() * SCALE;
    int rows = predicted.size();
    int classes = test.classCount();
    int legendColumns = 4;
    int legendRows = (classes + legendColumns - 1) / legendColumns;
    int width = Math.max(3 * w + 4 * GAP, 4 * 130);
    int height = 22 + rows * (h + GAP) + GAP + legendRows * LEGEND_ROW + GAP;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString(title + " — image, true mask, predicted", GAP, 15);
    for (int r = 0; r < rows; r++) {
      int top = 22 + r * (h + GAP);
      draw(image, pixels(test, r), GAP, top, test);
      drawMask(image, test.mask(r), GAP * 2 + w, top, test);
      drawMask(image, predicted.get(r), GAP * 3 + 2 * w, top, test);
    }
    int legendTop = 22 + rows * (h + GAP) + GAP;
    for (int c = 0; c < classes; c++) {
      int x = GAP + (c % legendColumns) * 130;
      int y = legendTop + (c / legendColumns) * LEGEND_ROW;
      g.setColor(colour(c));
      g.fillRect(x, y, 12, 12);
      g.setColor(Color.GRAY);
      g.drawRect(x, y, 12, 12);
      g.setColor(Color.BLACK);
      g.drawString(test.classNames().get(c), x + 16, y + 11);
    }
    g.dispose();
    Files.createDirectories(file.toAbsolutePath().getParent());
    AtomicFiles.writeStream(file, out -> ImageIO.write(image, "png", out));
    return file;
  }

  private static float[] pixels(SegmentationSet set, int index) {
    return set.image(index).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
  }

  private static void draw(BufferedImage out, float[] pixels, int left, int top, SegmentationSet set) {
    int channels = set.shape().channels();
    int h = set.shape().height();
    int w = set.shape().width();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int[] rgb = new int[3];
        for (int k = 0; k < 3; k++) {
          float v = pixels[(channels == 3 ? k : 0) * h * w + y * w + x];
          rgb[k] = Math.round(Math.min(1f, Math.max(0f, v)) * 255);
        }
        fill(out, left + x * SCALE, top + y * SCALE, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
      }
    }
  }

  private static void drawMask(BufferedImage out, int[] mask, int left, int top, SegmentationSet set) {
    int h = set.shape().height();
    int w = set.shape().width();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        fill(out, left + x * SCALE, top + y * SCALE, colour(mask[y * w + x]).getRGB());
      }
    }
  }

  private static void fill(BufferedImage out, int x, int y, int rgb) {
    for (int dy = 0; dy < SCALE; dy++) {
      for (int dx = 0; dx < SCALE; dx++) {
        out.setRGB(x + dx, y + dy, rgb);
      }
    }
  }
}
